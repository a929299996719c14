"""Run the app under gunicorn from inside the ``ideaflow serve`` command.

In the embedded mode (no IDEAFLOW_REDIS_URL) the gunicorn master also starts the embedded
worker and scheduler (``python -m tasks.embedded``) once it is listening, and stops it on exit.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from web import create_app

COMPANION_STOP_TIMEOUT_S = 20


class _GunicornServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application whose workers each build the Flask app after forking."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app()


class EmbeddedWorker:
    """The embedded worker's supervisor as a child of the gunicorn master."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, server: Any) -> None:
        """gunicorn's ``when_ready`` hook: the server listens, start the worker."""
        self.process = subprocess.Popen([sys.executable, "-m", "tasks.embedded"])
        server.log.info("Embedded worker and scheduler started (pid %s)", self.process.pid)

    def stop(self, server: Any) -> None:
        """gunicorn's ``on_exit`` hook: stop the worker warmly, forcefully after a while."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=COMPANION_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            server.log.warning("Embedded worker did not stop in time; killing it")
            process.kill()
            process.wait()


def run_gunicorn(
    *, host: str, port: int, workers: int, threads: int, embedded_worker: bool = False
) -> None:
    """Serve until interrupted (with the embedded worker beside it when asked)."""
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 60,
        "graceful_timeout": 10,
        "proc_name": "ideaflow",
    }
    if embedded_worker:
        companion = EmbeddedWorker()
        options["when_ready"] = companion.start
        options["on_exit"] = companion.stop
    _GunicornServer(options).run()
