"""The reliability soak at its quick size, one test per scenario: real processes (server,
workers, beat, SMTP sink) against PostgreSQL and Redis. ``make soak`` runs the full size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from soak.config import QUICK
from soak.runner import run_scenario
from soak.scenarios import SCENARIOS
from soak.services import Services, ServiceUnavailable
from tests.conftest import service_unavailable

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture(scope="module")
def services() -> Services:
    """The PostgreSQL and Redis servers named by IDEAFLOW_TEST_DATABASE_URL/REDIS_URL."""
    try:
        return Services.from_env()
    except ServiceUnavailable as error:
        service_unavailable(str(error))
        raise AssertionError from error  # unreachable: skip/fail raise


@pytest.fixture(scope="module")
def redis_number(services: Services) -> Iterator[str]:
    """A Redis database of the soak's own for this module."""
    with services.redis_database() as url:
        yield url


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_the_scenario_holds(
    name: str, services: Services, redis_number: str, tmp_path: Path
) -> None:
    outcome = run_scenario(name, QUICK, services, redis_number, tmp_path, print)
    assert outcome.passed, outcome.describe()
