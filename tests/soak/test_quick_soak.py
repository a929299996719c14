"""The reliability soak at its quick size: real processes (server, workers, beat, SMTP sink)
against PostgreSQL and Redis. ``make soak`` runs every scenario at the full size
(``QUICK=1 make soak`` at this one).

Here run the scenarios no other test covers with real processes; the rest each have a
dedicated test that fails on the same fault in less time (``COVERED_ELSEWHERE``)."""

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
COVERED_ELSEWHERE = {
    "concurrency": "tests/e2e/test_concurrency.py",
    "merge_race": "tests/integration/test_merge_race.py",
    "worker_kill": "tests/worker/test_crashes.py",
    "broker_loss": "tests/worker/test_crashes.py",
    "smtp_faults": "tests/worker/test_delivery.py",
}


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


@pytest.mark.parametrize("name", [name for name in SCENARIOS if name not in COVERED_ELSEWHERE])
def test_the_scenario_holds(
    name: str, services: Services, redis_number: str, tmp_path: Path
) -> None:
    outcome = run_scenario(name, QUICK, services, redis_number, tmp_path, print)
    assert outcome.passed, outcome.describe()
