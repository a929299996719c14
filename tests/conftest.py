"""Shared fixtures: a database per backend (SQLite; PostgreSQL when reachable), users, the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from tests.mailsink import MailSink, running_sink
from web import create_app
from workflow import migrate, security
from workflow.db import Database
from workflow.models import Base
from workflow.permissions import Actor
from workflow.services import users
from workflow.settings import Settings, normalise_database_url
from workflow.uow import UnitOfWork

REQUIRE_SERVICES = os.environ.get("IDEAFLOW_REQUIRE_SERVICES") == "1"
PASSWORD = "correct horse battery"
# argon2id still, with the smallest work the library allows: production parameters cost ~0.1 s
# a hash, paid by every user fixture and sign-in. Hashes carry their parameters, so servers the
# tests start verify these as cheaply. (tests/unit/test_security.py checks production's.)
security.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


SERIAL_FOLDERS = ("worker", "soak")  # they restart servers and count deliveries: one at a time
# Each test folder is a marker of the same name (registered in pyproject.toml), so `-m` picks a
# layer: `make test-fast` runs unit, importer and the SQLite integration tests.
POSTGRES_FIXTURES = {"postgres_server_url", "make_postgres_database", "migrated_postgres_url"}
FOLDER_MARKERS = (
    "unit", "importer", "integration", "web", "api", "e2e", "worker", "browser", "bench"
)  # fmt: skip


# Longest first: xdist hands out modules (and groups) in collection order, so the long serial
# groups start at once instead of finishing alone at the end.
FOLDER_ORDER = {"worker": 0, "soak": 0, "bench": 1, "browser": 1, "e2e": 2}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group marks it adds
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its folder; under pytest-xdist (``--dist loadgroup``) the tests that
    start whole installations run in one worker, one after another, while the rest share the
    other cores."""
    items.sort(key=lambda item: FOLDER_ORDER.get(item.path.parent.name, 3))
    for item in items:
        folder = item.path.parent.name
        if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
        if folder in FOLDER_MARKERS:
            item.add_marker(getattr(pytest.mark, folder))
        if folder in SERIAL_FOLDERS:
            item.add_marker(pytest.mark.xdist_group("processes"))
        elif folder == "browser":  # one worker starts Chromium and seeds its installation once
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif folder == "bench":  # the quick bench runs its benchmarks one after another
            item.add_marker(pytest.mark.xdist_group("bench"))


BACKENDS = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a test that takes a ``deployment`` (a whole installation: CLI, server) on the
    backends its ``backends`` marker names, on both by default. Whole installations are slow to
    drive, so a test whose point is not the database names one; tests/integration runs every
    service on both."""
    if "deployment" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    names = marker.args if marker else BACKENDS
    assert set(names) <= set(BACKENDS), names
    params = [
        pytest.param(name, marks=pytest.mark.postgres) if name == "postgres" else name
        for name in names
    ]
    metafunc.parametrize("deployment", params, indirect=True)


def service_unavailable(reason: str) -> None:
    """Fail when CI demands every service (IDEAFLOW_REQUIRE_SERVICES=1), else skip."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (IDEAFLOW_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server tests may create databases on."""
    url = os.environ.get("IDEAFLOW_TEST_DATABASE_URL")
    if not url:
        service_unavailable("PostgreSQL tests need IDEAFLOW_TEST_DATABASE_URL")
        raise AssertionError  # unreachable: skip/fail raise
    url = normalise_database_url(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        service_unavailable(f"PostgreSQL at {make_url(url).host} is unreachable: {error.orig}")
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def make_postgres_database(postgres_server_url: str) -> Iterator[Callable[[], str]]:
    """Create throw-away PostgreSQL databases (dropped at the end of the session)."""
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def create() -> str:
        name = f"ideaflow_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return (
            make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
        )

    yield create
    with admin.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated to head once per session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'ideaflow.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def migrated_postgres_url(make_postgres_database: Callable[[], str]) -> str:
    """A PostgreSQL database migrated to head once per session."""
    url = make_postgres_database()
    migrate.upgrade(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated database on each backend; tests using it run once per backend."""
    return str(request.getfixturevalue(f"migrated_{request.param}_url"))


def empty(db: Database) -> None:
    """Delete every row of every table (dependants first), as a fresh database has none."""
    with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """The database, emptied after the test."""
    db = Database(database_url)
    yield db
    empty(db)
    db.dispose()


@pytest.fixture
def uow(database: Database) -> Callable[[], UnitOfWork]:
    """A factory of units of work on the test database."""
    return database.unit_of_work


@pytest.fixture
def make_user(uow: Callable[[], UnitOfWork]) -> Callable[..., Actor]:
    """Create a user with a role; returns the actor."""
    counter = iter(range(1, 10_000))

    def make(role: str, email: str | None = None, name: str | None = None) -> Actor:
        email = email or f"{role}{next(counter)}@randers.dk"
        with uow() as unit:
            users.create_user(
                unit, email=email, name=name or email.split("@")[0], role=role, password=PASSWORD
            )
            return users.find_actor(unit, email)

    return make


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Test settings on the test database."""
    return Settings(
        env="test",
        instance_path=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret",
        base_url="http://ideaflow.test",
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Iterator[Flask]:
    """The app on the test database."""
    application = create_app(settings)
    yield application
    application.extensions["ideaflow.database"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def smtp_sink() -> Iterator[MailSink]:
    """A real SMTP server (aiosmtpd) on a free port, keeping what it receives."""
    with running_sink() as sink:
        yield sink
