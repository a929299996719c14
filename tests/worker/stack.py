"""An ideaflow installation whose processes (worker, beat, server) the test starts and kills."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import select

from tasks.kick import RelayKick
from tests.mailsink import free_port
from workflow.db import Database
from workflow.models import Contact, Notification
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, transitions, users
from workflow.settings import Settings
from workflow.uow import UnitOfWork

IDEAFLOW = shutil.which("ideaflow", path=str(Path(sys.executable).parent)) or "ideaflow"
BASE_URL = "https://ideer.randers.test"
SECRET_KEY = "worker-test-secret"
MAIL_FROM = "Randers Kommune <ideer@randers.test>"
REPLY_TO = "ideer-svar@randers.test"
PASSWORD = "correct horse battery"
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
WAIT_S = 45.0
T = TypeVar("T")


def with_redis_db(url: str, number: int) -> str:
    """``url`` pointing at Redis database ``number``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{number}", parts.query, parts.fragment))


def wait_until(check: Callable[[], T], what: str, timeout: float = WAIT_S) -> T:
    """Poll ``check`` until it returns something truthy; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.1)


@dataclass
class Stack:
    """Environment, database access and the processes of one installation."""

    folder: Path
    database_url: str
    redis_url: str | None
    smtp_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    server_url: str = ""

    def __post_init__(self) -> None:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("IDEAFLOW_")}
        self.env = {
            **inherited,
            "IDEAFLOW_ENV": "production",
            "IDEAFLOW_DATABASE_URL": self.database_url,
            "IDEAFLOW_INSTANCE_PATH": str(self.folder / "instance"),
            "IDEAFLOW_SECRET_KEY": SECRET_KEY,
            "IDEAFLOW_BASE_URL": BASE_URL,
            "IDEAFLOW_SMTP_URL": self.smtp_url,
            "IDEAFLOW_MAIL_FROM": MAIL_FROM,
            "IDEAFLOW_MAIL_REPLY_TO": REPLY_TO,
            "IDEAFLOW_SWEEP_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        if self.redis_url:
            self.env["IDEAFLOW_REDIS_URL"] = self.redis_url
        self.database = Database(self.settings().database_url)
        # The same after-commit kick the web app installs: changes made here wake the relay.
        self.database.after_commit = RelayKick(self.settings())

    def settings(self) -> Settings:
        """The settings the processes read from their environment."""
        return Settings.from_env(self.env)

    def uow(self) -> UnitOfWork:
        """A unit of work on the installation's database."""
        return self.database.unit_of_work()

    # processes -------------------------------------------------------------------------------

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``ideaflow ARGS``."""
        result = subprocess.run(
            [IDEAFLOW, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if check and result.returncode != 0:
            raise AssertionError(f"ideaflow {' '.join(args)}:\n{result.stdout}{result.stderr}")
        return result

    def start(self, name: str, *command: str, ready: str | None = None) -> None:
        """Start ``command`` as process ``name`` (its own process group), logging to a file."""
        log = (self.folder / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            list(command), env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        if ready:
            wait_until(lambda: self._alive(name) and ready in self.log(name), f"{name}: {ready!r}")

    def start_worker(self, name: str = "worker", concurrency: int = 2) -> None:
        """``ideaflow worker`` (Redis), waiting until it consumes."""
        self.start(name, IDEAFLOW, "worker", "--concurrency", str(concurrency), ready=" ready.")

    def start_beat(self) -> None:
        """``ideaflow beat`` (Redis)."""
        self.start("beat", IDEAFLOW, "beat", ready="beat: Starting")

    def serve(self) -> None:
        """``ideaflow serve``, waiting until /healthz answers."""
        port = free_port()
        self.server_url = f"http://127.0.0.1:{port}"
        self.start("serve", IDEAFLOW, "serve", "--port", str(port), "--workers", "1")

        def healthy() -> bool:
            assert self._alive("serve"), self.log("serve")
            try:
                return httpx.get(f"{self.server_url}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(healthy, "the server answering /healthz")

    def _alive(self, name: str) -> bool:
        process = self.processes[name]
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}:\n{self.log(name)}")
        return True

    def log(self, name: str) -> str:
        """What process ``name`` printed so far."""
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, name: str, timeout: float = 30) -> int:
        """SIGTERM the main process (warm shutdown, as ``docker compose stop`` does), SIGKILL the
        group after ``timeout``. A SIGTERM to the whole group would also reach Celery's pool
        processes, which die on it mid-task (after sending, before recording)."""
        process = self.processes.pop(name)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        _reap_group(process.pid)
        return process.returncode

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group at once: no shutdown, no acknowledgements."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        _reap_group(process.pid)

    def stop_all(self) -> None:
        """Stop every process still running and close the database."""
        for name in list(self.processes):
            self.stop(name)
        self.database.dispose()

    # data ------------------------------------------------------------------------------------

    def user(self, role: str, email: str, name: str | None = None) -> Actor:
        """Create a user; return the actor."""
        with self.uow() as uow:
            users.create_user(uow, email=email, name=name or email.split("@")[0].title(),
                              role=role, password=PASSWORD)  # fmt: skip
            return users.find_actor(uow, email)

    def idea(self, actor: Actor, title: str, **fields: Any) -> int:
        """Create an idea; return its id."""
        with self.uow() as uow:
            return ideas.create_idea(uow, actor, {"title": title, **fields}).id

    def follow(self, actor: Actor, idea_id: int, email: str, delivery: str = "immediate") -> int:
        """Let ``email`` follow the idea with the given delivery; return the contact id."""
        with self.uow() as uow:
            follower = collaboration.add_follower(
                uow, actor, idea_id, name=email.split("@")[0].title(), email=email
            )
            contact = uow.session.get(Contact, follower.contact_id)
            assert contact is not None
            contact.delivery = delivery
            uow.commit()
            return follower.contact_id

    def assess(self, actor: Actor, idea_id: int) -> None:
        """Fire ``assess`` through the service (its commit kicks the relay)."""
        with self.uow() as uow:
            transitions.fire_trigger(uow, actor, idea_id, "assess", data=ASSESS)

    def notifications(self, **where: Any) -> list[Notification]:
        """Notifications matching column values, oldest first."""
        with self.uow() as uow:
            query = select(Notification).filter_by(**where).order_by(Notification.id)
            rows = list(uow.session.scalars(query))
            uow.session.expunge_all()  # keep the loaded values past the session's end
            return rows

    def set_follow_up(self, idea_id: int, day: date) -> None:
        """Give an idea a follow-up date (in the past makes it due)."""
        with self.uow() as uow:
            idea = uow.ideas.get(idea_id)
            assert idea is not None
            idea.follow_up_on = day
            uow.commit()


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        state, group = fields[0], int(fields[2])
        if group == pgid and state not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


def _reap_group(pgid: int) -> None:
    """Wait until no process of the group is left (children exit after their parent)."""
    deadline = time.monotonic() + 20
    while group_members(pgid):
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)
            return
        time.sleep(0.1)
