"""Pages over HTTP: what to ask a seeded database for, signing in, and timing interleaved servers.

``landmarks`` finds in a seeded database what the pages point at (a manager, the busiest owner,
theme and meeting, the idea with the longest history, a common word) and issues an API token;
``pages`` turns them into the page list; ``Server`` runs a WSGI server as a child process on a
free port; ``Client`` signs in the way a browser does (the login form's CSRF token, then the
session cookie) or sends the API's bearer token; ``measure`` requests every page from every
server round after round, in a shuffled server order, so noise falls on all of them alike.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import desc, func, select

from bench.seed import PASSWORD
from workflow.db import Database
from workflow.models import HistoryEntry, Idea, User, idea_themes
from workflow.services import users

REDIS_VARIABLE = "IDEAFLOW_BENCH_REDIS_URL"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
SECRET = "bench-secret-key-of-some-length-0123456789"  # noqa: S105 (a throw-away server's key)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WORD = re.compile(r"[a-zæøå]{5,}")
START_SECONDS = 60
STOP_SECONDS = 15


@dataclass(frozen=True)
class Page:
    """One request: a name for the tables, its path and who asks (manager, owner or api)."""

    name: str
    path: str
    who: str = "manager"


@dataclass(frozen=True)
class Landmarks:
    """What the pages of one database point at."""

    manager: str
    owner: str
    theme_id: int
    meeting_id: int
    idea_id: int
    word: str
    token: str


def landmarks(url: str) -> Landmarks:
    """Find the busiest owner, theme and meeting, the longest history; issue a manager's token."""
    database = Database(url)
    try:
        with database.unit_of_work() as uow:
            session = uow.session
            manager = session.scalar(
                select(User.email).where(User.role == "manager").order_by(User.id).limit(1)
            )
            owner = session.scalar(
                select(User.email)
                .join(Idea, Idea.owner_id == User.id)
                .where(User.role == "owner")
                .group_by(User.id, User.email)
                .order_by(desc(func.count()), User.id)
                .limit(1)
            )
            theme_id = session.scalar(
                select(idea_themes.c.theme_id)
                .group_by(idea_themes.c.theme_id)
                .order_by(desc(func.count()), idea_themes.c.theme_id)
                .limit(1)
            )
            meeting_id = session.scalar(
                select(Idea.meeting_id)
                .where(Idea.meeting_id.is_not(None))
                .group_by(Idea.meeting_id)
                .order_by(desc(func.count()), Idea.meeting_id)
                .limit(1)
            )
            idea_id = session.scalar(
                select(HistoryEntry.idea_id)
                .group_by(HistoryEntry.idea_id)
                .order_by(desc(func.count()), HistoryEntry.idea_id)
                .limit(1)
            )
            titles = session.scalars(select(Idea.title).order_by(Idea.id).limit(300)).all()
            words = Counter(word for title in titles for word in WORD.findall(title.lower()))
            if not (manager and owner and theme_id and meeting_id and idea_id and words):
                raise SystemExit(f"the database at {url} is not seeded")
            token = users.issue_token(uow, manager, "bench").secret
    finally:
        database.dispose()
    word = words.most_common(1)[0][0]
    return Landmarks(manager, owner, theme_id, meeting_id, idea_id, word, token)


def pages(marks: Landmarks, deep_page: int) -> list[Page]:
    """Every page the issue names, with the filters a manager uses most."""
    return [
        Page("board", "/board"),
        Page("ideas", "/ideas"),
        Page("ideas state", "/ideas?state=proposed"),
        Page("ideas search", f"/ideas?q={marks.word}"),
        Page("ideas owner", f"/ideas?owner={marks.owner}"),
        Page("ideas theme", f"/ideas?theme={marks.theme_id}"),
        Page("ideas follow-up", "/ideas?sort=follow_up"),
        Page("ideas deep page", f"/ideas?page={deep_page}"),
        Page("my ideas", "/my", "owner"),
        Page("dashboard", "/dashboard"),
        Page("meetings", "/meetings"),
        Page("meeting", f"/meetings/{marks.meeting_id}"),
        Page("idea", f"/ideas/{marks.idea_id}"),
        Page("api ideas", "/api/v1/ideas", "api"),
        Page("api ideas state", "/api/v1/ideas?state=proposed", "api"),
        Page("api meetings", "/api/v1/meetings", "api"),
        Page("api notifications", "/api/v1/notifications", "api"),
    ]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(url: str, instance: Path) -> dict[str, str]:
    """The environment ``ideaflow serve`` runs in: this database, no embedded worker.

    With ``IDEAFLOW_REDIS_URL`` set the server starts no worker and scheduler beside it (whose
    sweeps would take the machine's two cores mid-measurement); reading pages publishes no
    events, so nothing is ever sent to that Redis.
    """
    environment = dict(os.environ)
    environment.update(
        IDEAFLOW_DATABASE_URL=url,
        IDEAFLOW_SECRET_KEY=SECRET,
        IDEAFLOW_INSTANCE_PATH=str(instance),
        IDEAFLOW_REDIS_URL=os.environ.get(REDIS_VARIABLE) or DEFAULT_REDIS,
        IDEAFLOW_ENV="production",
    )
    return environment


class Server:
    """A server started as a child process on ``port``; stopped (by its pid) on ``stop``.

    Its output goes to a temporary file, shown when it fails to start.
    """

    def __init__(self, command: Sequence[str], environment: Mapping[str, str], port: int) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603 (our own server)
            list(command),
            env=dict(environment),
            stdout=self.output,
            stderr=self.output,
            start_new_session=True,  # a group of its own: stop ends its workers too
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        written = self.log()
        self.stop()
        raise RuntimeError(f"{' '.join(command[:3])} did not serve on {port}:\n{written}")

    def log(self) -> str:
        """The end of what the server wrote."""
        self.output.seek(0)
        return self.output.read()[-4000:].decode(errors="replace")

    def stop(self) -> None:
        """Stop the server at once (SIGINT: gunicorn's quick shutdown), then kill what is left
        of its process group (a worker stuck on its way out would otherwise outlive it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_SECONDS)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.output.close()


@contextmanager
def serve_app(url: str) -> Iterator[Server]:
    """``ideaflow serve --port P`` on the database at ``url``, as production runs it."""
    program = Path(sys.executable).with_name("ideaflow")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ideaflow-bench-instance-") as instance:
        command = [str(program), "serve", "--port", str(port)]
        server = Server(command, server_environment(url, Path(instance)), port)
        try:
            yield server
        finally:
            server.stop()


class Client:
    """Requests to one server as a signed-in manager, a signed-in owner and the API's token
    (``sign_in=False`` for the bare floor, which checks nobody)."""

    def __init__(self, base: str, marks: Landmarks, *, sign_in: bool = True) -> None:
        self.base = base
        self.sessions = {
            "manager": self._signed_in(marks.manager) if sign_in else requests.Session(),
            "owner": self._signed_in(marks.owner) if sign_in else requests.Session(),
            "api": requests.Session(),
        }
        self.sessions["api"].headers["Authorization"] = f"Bearer {marks.token}"

    def _signed_in(self, email: str) -> requests.Session:
        session = requests.Session()
        form = session.get(f"{self.base}/login", timeout=30)
        found = CSRF.search(form.text)
        if form.status_code != 200 or not found:
            raise RuntimeError(f"no sign-in form at {self.base}/login ({form.status_code})")
        answer = session.post(
            f"{self.base}/login",
            data={"csrf_token": found.group(1), "email": email, "password": PASSWORD},
            allow_redirects=False,
            timeout=60,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"signing in as {email} answered {answer.status_code}")
        return session

    def get(self, page: Page) -> tuple[float, int]:
        """Request ``page``; return the seconds until its whole body arrived, and its bytes."""
        started = time.perf_counter()
        answer = self.sessions[page.who].get(self.base + page.path, timeout=120)
        body = answer.content
        seconds = time.perf_counter() - started
        if answer.status_code != 200:
            raise RuntimeError(f"{page.path} answered {answer.status_code}: {body[:200]!r}")
        return seconds, len(body)

    def close(self) -> None:
        """Close the connections."""
        for session in self.sessions.values():
            session.close()


@dataclass
class Samples:
    """The seconds of every request of one page to one server, and the bytes it answered."""

    seconds: list[float]
    size: int = 0


def measure(
    clients: Mapping[str, tuple[Client, Sequence[Page]]],
    rounds: int,
    warmup: int = 2,
    seed: int = 13,
) -> dict[str, dict[str, Samples]]:
    """Request each page from each server ``warmup + rounds`` times; page → server → samples.

    Every client gets the pages in the same order (pages of the same name); within a round each
    page goes to every server in a shuffled order, so a busy moment hits them alike.
    """
    rng = random.Random(seed)
    names = list(clients)
    first = next(iter(clients.values()))[1]
    found: dict[str, dict[str, Samples]] = {
        page.name: {name: Samples([]) for name in names} for page in first
    }
    for round_number in range(warmup + rounds):
        for index, page in enumerate(first):
            rng.shuffle(names)
            for name in names:
                client, own_pages = clients[name]
                seconds, size = client.get(own_pages[index])
                if round_number >= warmup:
                    found[page.name][name].seconds.append(seconds)
                    found[page.name][name].size = size
    return found


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]
