"""A redis-server to stop and start at will (the shared Redis is never restarted)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import redis

from tests.mailsink import free_port
from tests.worker.stack import wait_until


class RedisServer:
    """A redis-server of its own on a free port, without persistence: a restart comes back
    empty. For tests and the soak that restart Redis (the shared server is never touched)."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (needed to restart Redis)")
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait until it answers."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        try:
            wait_until(answers, "redis-server answering", timeout=30)
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM (with ``--save ""`` nothing is kept)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
