"""A PostgreSQL cluster of the soak's own, to stop and start at will (its own redis-server is
tests.worker.redis_server.RedisServer).

The shared servers are never restarted; scenarios that restart a service use one of these, on a
free port, in a temporary folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.mailsink import free_port

PG_BIN = Path(os.environ.get("IDEAFLOW_SOAK_PG_BIN", "/usr/lib/postgresql/15/bin"))
PG_USER = "postgres"  # initdb refuses root; the cluster's files belong to this user


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary folder on a free port, trust authentication (run as
    ``postgres`` when we are root); stopped fast or immediately (a crash) and started again."""

    def __init__(self) -> None:
        if not (PG_BIN / "initdb").exists():
            raise RuntimeError(f"PostgreSQL's initdb is not in {PG_BIN} (IDEAFLOW_SOAK_PG_BIN)")
        # Directly under the temporary folder: the server's user must reach it.
        self.folder = Path(tempfile.mkdtemp(prefix="ideaflow-soak-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam(PG_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", PG_USER, "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync")  # fmt: skip

    @property
    def server_url(self) -> str:
        """The cluster's maintenance database, to create databases from."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections (crash recovery included)."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-o", options, "-w", "-t", "120", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast`` (clean) or ``-m immediate`` (no checkpoint: a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "120", "stop")

    def running(self) -> bool:
        """True while the server accepts connections."""
        engine = create_engine(self.server_url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except OperationalError:
            return False
        finally:
            engine.dispose()

    def create_database(self, name: str) -> str:
        """Create database ``name``; return its URL."""
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.database_url(name)

    def destroy(self) -> None:
        """Stop (immediately, if running) and remove the cluster's files."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except RuntimeError:
                time.sleep(1)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        """The server's log so far."""
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_user, str(PG_BIN / program), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")
