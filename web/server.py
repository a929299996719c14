"""Run the app under gunicorn from inside the ``ideaflow serve`` command.

In the embedded mode (no IDEAFLOW_REDIS_URL) the gunicorn master also starts the embedded
worker and scheduler (``python -m tasks.embedded``) once it is listening, and stops it on exit.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from web import create_app
from workflow import logs

COMPANION_STOP_TIMEOUT_S = 20
# gunicorn's access line, with the request id the app sent back in X-Request-ID.
ACCESS_LOG_FORMAT = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)


class _IdeaflowLogger(Logger):  # type: ignore[misc]
    """gunicorn's logs with the request id filter, as JSON lines when ``log_format`` is json."""

    log_format = "text"

    def setup(self, cfg: Any) -> None:
        """gunicorn's own setup, then each of its handlers prepared like the app's."""
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                logs.prepare_handler(handler, self.log_format)

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """The access line, under the request id the app sent back."""
        sent = {name.lower(): value for name, value in resp.headers}
        request_id = sent.get("x-request-id")
        if not logs.is_sane_request_id(request_id):
            super().access(resp, req, environ, request_time)
            return
        with logs.request_context(request_id):
            super().access(resp, req, environ, request_time)


class _GunicornServer(BaseApplication):  # type: ignore[misc]
    """A gunicorn application whose workers each build the Flask app after forking."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app()
        # What start-up allocated (modules, routes, templates, mappers) lives as long as the
        # worker: out of the collector's reach, a full collection no longer walks it on every
        # request that triggers one (90 ms pauses measured at 100,000 ideas; 7 ms after).
        gc.freeze()
        return app


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


THREADS_PER_WORKER = 2
WORKERS_MAX = 8


def default_workers() -> int:
    """Two worker processes per core, at most eight. Measured on two cores at 50 requests a
    second (bench.sustained_load): 4 workers of 2 threads answered at p95 0.36-0.53 s, 2 of
    4 at 1.2-2.0 s; threads of one process wait for each other's turn at the interpreter."""
    return min(2 * (os.cpu_count() or 1), WORKERS_MAX)


def run_gunicorn(
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    embedded_worker: bool = False,
    log_format: str = "text",
) -> None:
    """Serve until interrupted (with the embedded worker beside it when asked)."""
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": type("ServerLogger", (_IdeaflowLogger,), {"log_format": log_format}),
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
