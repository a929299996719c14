"""HTTP for the benchmarks: ``ideaflow serve`` in a child process, and people who sign in to it.

The server is the production one (gunicorn started by ``ideaflow serve``) on a database the
benchmark made; without a Redis URL it runs in the embedded mode, with its worker and scheduler
beside it, as a one-machine installation does. Requests go through ``http.client``, one
connection each, so the client's own cost stays small beside the server's.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from workflow.db import Database
from workflow.services import users

IDEAFLOW = shutil.which("ideaflow", path=str(Path(sys.executable).parent)) or "ideaflow"
STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20
REQUEST_TIMEOUT_S = 30.0
SECRET = "bench-secret-key"  # noqa: S105 (a throw-away installation's key)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class SignedOut(RuntimeError):
    """A signed-in person's request was answered with the way to the sign-in page."""


class Answer(NamedTuple):
    """What the server answered: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def send(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT_S,
) -> Answer:
    """One request on a connection of its own; redirects are answers, not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        content = response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        named = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, named, cookies, content)
    finally:
        connection.close()


@dataclass
class Server:
    """A running ``ideaflow serve``: its port, process and log."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        """The gunicorn master's process id (``ideaflow serve`` runs gunicorn in-process)."""
        return self.process.pid

    def log(self) -> str:
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def web_workers(self) -> list[int]:
        """The gunicorn worker processes: the master's children, not the embedded worker."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            parent = int(stat.rpartition(")")[2].split()[1])
            if parent == self.pid and b"tasks.embedded" not in command:
                found.append(int(entry.name))
        return sorted(found)


def resident_kb(pid: int) -> int:
    """A process's resident memory (VmRSS) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_environment(
    database_url: str, instance: Path, port: int, redis_url: str | None
) -> dict[str, str]:
    """The environment of a production installation on ``database_url``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IDEAFLOW_")}
    environment.update(
        IDEAFLOW_ENV="production",
        IDEAFLOW_DATABASE_URL=database_url,
        IDEAFLOW_INSTANCE_PATH=str(instance),
        IDEAFLOW_SECRET_KEY=SECRET,
        IDEAFLOW_BASE_URL=f"http://127.0.0.1:{port}",
    )
    if redis_url:
        environment["IDEAFLOW_REDIS_URL"] = redis_url
    return environment


@contextmanager
def serve(
    database_url: str,
    *,
    workers: int | None = None,
    threads: int | None = None,
    redis_url: str | None = None,
) -> Iterator[Server]:
    """Run ``ideaflow serve`` on the database until the block ends (its own defaults of workers
    and threads unless given); wait for /healthz."""
    with tempfile.TemporaryDirectory(prefix="ideaflow-bench-server-") as folder:
        instance, port = Path(folder), free_port()
        log_path = instance / "server.log"
        command = [IDEAFLOW, "serve", "--port", str(port)]
        if workers is not None:
            command += ["--workers", str(workers)]
        if threads is not None:
            command += ["--threads", str(threads)]
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603
                command,
                env=server_environment(database_url, instance, port, redis_url),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(port, process, log_path)
        try:
            _wait_healthy(server)
            yield server
        finally:
            _stop(server)


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited early:\n{server.log()}")
        with contextlib.suppress(OSError):
            if send(server.port, "GET", "/healthz", timeout=2).status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not become healthy:\n{server.log()}")


def _stop(server: Server) -> None:
    """gunicorn's graceful stop, then whatever is left (the embedded worker) is killed."""
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while server.process.poll() is None and time.monotonic() < deadline:
            if "Shutting down: Master" in server.log():
                break
            time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.process.wait()


@dataclass
class Browser:
    """One person's browser: a cookie jar its tabs (threads) share, and the form's CSRF token."""

    port: int
    email: str
    role: str = ""
    user_id: int = 0
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    signed_in: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _headers(self) -> dict[str, str]:
        with self._lock:
            jar = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": jar} if jar else {}

    def _keep(self, answer: Answer) -> Answer:
        with self._lock:
            for header in answer.cookies:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        if self.signed_in and "/login" in answer.headers.get("location", ""):
            raise SignedOut(f"{self.email} was sent to the sign-in page")
        return answer

    def get(self, path: str, timeout: float = REQUEST_TIMEOUT_S) -> Answer:
        """GET ``path`` with the browser's cookies."""
        return self._keep(send(self.port, "GET", path, headers=self._headers(), timeout=timeout))

    def post(
        self, path: str, fields: Mapping[str, str], timeout: float = REQUEST_TIMEOUT_S
    ) -> Answer:
        """POST a form to ``path`` with the browser's cookies and CSRF token."""
        body = urlencode({"csrf_token": self.csrf, **fields}).encode()
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        return self._keep(
            send(self.port, "POST", path, body=body, headers=headers, timeout=timeout)
        )

    def sign_in(self, password: str) -> None:
        """Sign in through the login form and keep the CSRF token of the signed-in session."""
        self.csrf = csrf_token(self.get("/login").body)
        answer = self.post("/login", {"email": self.email, "password": password})
        if answer.status != 302:
            raise RuntimeError(f"signing in as {self.email} answered {answer.status}")
        self.csrf = csrf_token(self.get("/my").body)
        self.signed_in = True


@dataclass(frozen=True)
class ApiClient:
    """A program using the API with a bearer token."""

    port: int
    token: str

    def get(self, path: str, timeout: float = REQUEST_TIMEOUT_S) -> Answer:
        """GET an API path."""
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        return send(self.port, "GET", path, headers=headers, timeout=timeout)


def csrf_token(page: bytes) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(page.decode("utf-8", "replace"))
    if found is None:
        raise RuntimeError("no form with a CSRF token on the page")
    return found.group(1)


def api_token(database_url: str, email: str) -> str:
    """A fresh API token for ``email``, issued through the service layer."""
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            return users.issue_token(uow, email, name="bench").secret
    finally:
        database.dispose()
