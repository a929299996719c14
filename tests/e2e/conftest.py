"""Real processes: the ``ideaflow`` CLI and ``ideaflow serve`` (gunicorn) on a fresh database.

Each backend is migrated by ``ideaflow db upgrade`` once per session; every installation starts
from a copy of that database (a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL), which is the same empty, migrated database without a CLI start per test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, make_url, select, text

from tests.mailsink import free_port
from workflow.db import Database
from workflow.models import Idea
from workflow.services import users

IDEAFLOW = shutil.which("ideaflow", path=str(Path(sys.executable).parent)) or "ideaflow"
STARTUP_TIMEOUT_S = 30
# On SIGTERM gunicorn's master waits for its workers to finish what is in flight, says so
# ("Shutting down: Master"), then waits for the embedded Celery worker's warm shutdown, which
# waits out its broker poll (3-4 s) that a finished test has no use for: once the web side is
# down, what is left is killed.
STOP_TIMEOUT_S = 20  # gunicorn's graceful_timeout is 10 s
MASTER_DOWN = "Shutting down: Master"
HEALTH_POLL_S = 0.05
E2E_SECRET = "e2e-secret-key"
PASSWORD = "correct horse battery"


@dataclass
class Deployment:
    """An ideaflow installation in a temporary folder: environment, CLI and server."""

    database_url: str
    instance: Path
    env: dict[str, str] = field(default_factory=dict)
    server: subprocess.Popen[bytes] | None = None
    base_url: str = ""

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "IDEAFLOW_ENV": "production",
            "IDEAFLOW_DATABASE_URL": self.database_url,
            "IDEAFLOW_INSTANCE_PATH": str(self.instance),
            "IDEAFLOW_SECRET_KEY": E2E_SECRET,
        }

    def cli(
        self, *args: str, input_text: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``ideaflow ARGS`` and return what it printed."""
        result = subprocess.run(
            [IDEAFLOW, *args],
            env=self.env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"ideaflow {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
            )
        return result

    def database(self) -> Database:
        """The installation's database, for set-up and checks in this process (dispose it)."""
        return Database(self.database_url)

    def add_users(self, *people: tuple[str, str], names: dict[str, str] | None = None) -> None:
        """Create users (email, role) in one transaction through the service layer.

        For tests whose point is not the ``users create`` command (the CLI tests prove it):
        one CLI start per user costs a second or more.
        """
        database = self.database()
        try:
            with database.unit_of_work() as uow:
                for email, role in people:
                    name = (names or {}).get(email) or email.split("@")[0].title()
                    users.create_user(uow, email=email, name=name, role=role, password=PASSWORD)
        finally:
            database.dispose()

    def tokens(self, *emails: str) -> dict[str, str]:
        """A fresh API token for each email, issued through the service layer."""
        database = self.database()
        try:
            with database.unit_of_work() as uow:
                return {email: users.issue_token(uow, email).secret for email in emails}
        finally:
            database.dispose()

    def idea_titles(self) -> list[str]:
        """The title of every idea in the database, read here rather than by a CLI start."""
        database = self.database()
        try:
            with database.unit_of_work() as uow:
                return list(uow.session.scalars(select(Idea.title).order_by(Idea.id)))
        finally:
            database.dispose()

    def idea_count(self) -> int:
        """How many ideas the database holds."""
        return len(self.idea_titles())

    def user_with_token(self, email: str, role: str) -> str:
        """Create a user with the CLI and return a fresh API token (the last line printed)."""
        self.cli(
            "users",
            "create",
            "--email",
            email,
            "--name",
            email.split("@")[0].title(),
            "--role",
            role,
            "--password",
            PASSWORD,
        )
        return self.cli("tokens", "create", "--email", email).stdout.strip().splitlines()[-1]

    def serve(self, *, workers: int = 2, threads: int = 4, port: int | None = None) -> None:
        """Start ``ideaflow serve`` (on ``port``, default a free one) and wait until /healthz
        answers 200."""
        port = port or free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        with (self.instance / "server.log").open("wb") as log:
            self.server = subprocess.Popen(
                [
                    IDEAFLOW,
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(HEALTH_POLL_S)
        raise AssertionError(f"server did not become healthy:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far."""
        path = self.instance / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server: SIGTERM (gunicorn's graceful stop), then SIGKILL what is left once
        the web workers are done."""
        if self.server is None or self.server.poll() is not None:
            return
        before = self.log().count(MASTER_DOWN)
        os.killpg(self.server.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while self.server.poll() is None and time.monotonic() < deadline:
            if self.log().count(MASTER_DOWN) > before:
                break
            time.sleep(HEALTH_POLL_S)
        with contextlib.suppress(ProcessLookupError):  # the embedded worker and beat, if still up
            os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait()


@dataclass
class Templates:
    """Migrated empty databases to copy: one per backend, made on first use."""

    folder: Path
    server_url: str = ""  # the PostgreSQL server, set by the first PostgreSQL installation
    sqlite: Path | None = None
    postgres: str | None = None
    copies: list[str] = field(default_factory=list)

    def _migrate(self, url: str, instance: Path) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        Deployment(database_url=url, instance=instance).cli("db", "upgrade")

    def sqlite_copy(self, instance: Path) -> str:
        """A migrated SQLite database in ``instance``; returns its URL."""
        if self.sqlite is None:
            template = self.folder / "sqlite" / "ideaflow.db"
            self._migrate(f"sqlite:///{template}", template.parent)
            self.sqlite = template
        shutil.copyfile(self.sqlite, instance / "ideaflow.db")
        return f"sqlite:///{instance / 'ideaflow.db'}"

    def postgres_copy(self, server_url: str) -> str:
        """A new database on the server copied from the migrated template; returns its URL."""
        self.server_url = server_url
        if self.postgres is None:
            self.postgres = self._create("template")
            self._migrate(self._url(self.postgres), self.folder / "postgres")
        return self._url(self._create("test", self.postgres))

    def _url(self, name: str) -> str:
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def _create(self, kind: str, template: str | None = None) -> str:
        name = f"ideaflow_{kind}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                like = f' TEMPLATE "{template}"' if template else ""
                connection.execute(text(f'CREATE DATABASE "{name}"{like}'))
        finally:
            engine.dispose()
        self.copies.append(name)
        return name

    def drop(self) -> None:
        """Drop every PostgreSQL database made (copies before the template)."""
        if not self.copies:
            return
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for name in reversed(self.copies):
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def installation_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """The session's migrated databases that every installation copies."""
    templates = Templates(tmp_path_factory.mktemp("templates"))
    yield templates
    templates.drop()


@pytest.fixture
def deployment(
    request: pytest.FixtureRequest, tmp_path: Path, installation_templates: Templates
) -> Iterator[Deployment]:
    """A migrated, empty installation on the backend the test is parametrised with (see
    ``pytest_generate_tests`` in tests/conftest.py; server not started)."""
    instance = tmp_path / "instance"
    instance.mkdir()
    if request.param == "sqlite":
        url = installation_templates.sqlite_copy(instance)
    else:
        server_url: str = request.getfixturevalue("postgres_server_url")
        url = installation_templates.postgres_copy(server_url)
    installation = Deployment(database_url=url, instance=instance)
    yield installation
    installation.stop()
