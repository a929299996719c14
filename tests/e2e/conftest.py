"""Real processes: the ``ideaflow`` CLI and ``ideaflow serve`` (gunicorn) on a fresh database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.mailsink import free_port

IDEAFLOW = shutil.which("ideaflow", path=str(Path(sys.executable).parent)) or "ideaflow"
STARTUP_TIMEOUT_S = 30
E2E_SECRET = "e2e-secret-key"


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
            "correct horse battery",
        )
        return self.cli("tokens", "create", "--email", email).stdout.strip().splitlines()[-1]

    def serve(self, *, workers: int = 2, threads: int = 4) -> None:
        """Start ``ideaflow serve`` and wait until /healthz answers 200."""
        port = free_port()
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
            time.sleep(0.2)
        raise AssertionError(f"server did not become healthy:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far."""
        path = self.instance / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server (gunicorn shuts down gracefully on SIGTERM)."""
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()


@pytest.fixture
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """A migrated, empty installation on the backend the test is parametrised with (see
    ``pytest_generate_tests`` in tests/conftest.py; server not started)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'instance' / 'ideaflow.db'}"
    else:
        make: Callable[[], str] = request.getfixturevalue("make_postgres_database")
        url = make()
    installation = Deployment(database_url=url, instance=tmp_path / "instance")
    installation.instance.mkdir()
    installation.cli("db", "upgrade")
    yield installation
    installation.stop()
