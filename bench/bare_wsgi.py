"""The floor under a page: a bare WSGI app that runs the page's SQL and answers ``json.dumps``.

``capture`` signs in to the real app in-process and records, with a SQLAlchemy
``before_cursor_execute`` listener, every statement (with its parameters, as handed to the
driver) that a warm request of each page issues. ``serve_bare`` serves a plain
``app(environ, start_response)`` under gunicorn with the settings ``ideaflow serve`` uses
(gthread, its workers and threads, an access log): per request it replays the page's statements
on its thread's own connection through the same driver (sqlite3 with the app's pragmas, or psycopg),
commits, and serialises every row with ``json.dumps``. No Flask, no sign-in, no session, no ORM,
no template: what is left is the database's work and a minimal answer.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import psycopg
from gunicorn.app.base import BaseApplication
from sqlalchemy import event, make_url

from bench.http_pages import CSRF, Landmarks, Page, Server, free_port, server_environment
from bench.seed import PASSWORD
from workflow.db import SQLITE_BUSY_TIMEOUT_S
from workflow.settings import Settings

# One statement as the driver got it: SQL, parameters, and whether it was an executemany.
Statement = tuple[str, Any, bool]
Plans = dict[str, list[Statement]]
# The settings of web.server.run_gunicorn that bear on speed.
# (workers and threads: those of ``ideaflow serve``, handed over by the process that starts it)
GUNICORN = {"worker_class": "gthread", "timeout": 60}


def capture(url: str, pages: Iterable[Page], marks: Landmarks) -> Plans:
    """Path → the statements a warm request of that page issues in the real app."""
    from web import create_app  # the bare server itself never imports Flask

    with tempfile.TemporaryDirectory(prefix="ideaflow-bench-capture-") as instance:
        environment = server_environment(url, Path(instance))
        settings = Settings.from_env(environment)
        app = create_app(settings)
        engine = app.extensions["ideaflow.database"].engine
        recorded: list[Statement] = []
        listening = threading.Event()

        def listen(*args: Any) -> None:
            _connection, _cursor, statement, parameters, _context, many = args
            if listening.is_set():
                recorded.append((statement, parameters, bool(many)))

        event.listen(engine, "before_cursor_execute", listen)
        clients = {"manager": app.test_client(), "owner": app.test_client(), "api": None}
        for who, email in (("manager", marks.manager), ("owner", marks.owner)):
            client = clients[who]
            assert client is not None
            found = CSRF.search(client.get("/login").get_data(as_text=True))
            assert found, "no CSRF token in the sign-in form"
            signed = client.post(
                "/login", data={"csrf_token": found.group(1), "email": email, "password": PASSWORD}
            )
            assert signed.status_code == 302, f"signing in as {email}: {signed.status_code}"
        plans: Plans = {}
        api = app.test_client()
        for page in pages:
            client = api if page.who == "api" else clients[page.who]
            assert client is not None
            headers = {"Authorization": f"Bearer {marks.token}"} if page.who == "api" else {}
            for warm in (False, True):
                recorded.clear()
                if warm:
                    listening.set()
                answer = client.get(page.path, headers=headers)
                listening.clear()
                if answer.status_code != 200:
                    raise RuntimeError(f"{page.path} answered {answer.status_code} in-process")
            plans[page.path] = list(recorded)
        event.remove(engine, "before_cursor_execute", listen)
        app.extensions["ideaflow.database"].dispose()
    return plans


def _connector(url: str) -> Callable[[], Any]:
    """A function opening a connection the way the app's engine does, through the same driver."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ":memory:"

        def connect_sqlite() -> sqlite3.Connection:
            connection = sqlite3.connect(
                path, timeout=SQLITE_BUSY_TIMEOUT_S, check_same_thread=False
            )
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
                connection.execute(f"PRAGMA {pragma}")
            return connection

        return connect_sqlite
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return lambda: psycopg.connect(conninfo)


def make_app(url: str, plans: Mapping[str, list[Statement]]) -> Callable[..., Iterable[bytes]]:
    """The bare WSGI app: a connection per thread, the page's statements, ``json.dumps``."""
    connect = _connector(url)
    local = threading.local()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        plan = plans.get(environ["PATH_INFO"] + (f"?{unquote(query)}" if query else ""))
        if plan is None:
            start_response("404 Not Found", [("Content-Length", "0")])
            return [b""]
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = connect()
        cursor = connection.cursor()
        rows = []
        for statement, parameters, many in plan:
            if many:
                cursor.executemany(statement, parameters)
            else:
                cursor.execute(statement, parameters)
            if cursor.description is not None:
                rows.append(cursor.fetchall())
        cursor.close()
        connection.commit()
        body = json.dumps(rows, default=str).encode()
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return app


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn serving one WSGI callable with the given settings."""

    def __init__(self, application: Callable[..., Iterable[bytes]], options: dict[str, Any]):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Iterable[bytes]]:
        return self.application


@contextmanager
def serve_bare(url: str, plans: Plans) -> Iterator[Server]:
    """The bare app on ``url`` with ``plans`` under gunicorn, as a child process."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="ideaflow-bench-bare-") as folder:
        saved = Path(folder) / "plans.pickle"
        saved.write_bytes(pickle.dumps(plans))
        from web.server import THREADS_PER_WORKER, default_workers

        command = [sys.executable, "-m", "bench.bare_wsgi", url, str(saved), str(port)]
        command += [str(default_workers()), str(THREADS_PER_WORKER)]
        server = Server(command, {**server_environment(url, Path(folder))}, port)
        try:
            yield server
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.bare_wsgi URL PLANS PORT WORKERS THREADS``: serve until stopped."""
    parser = argparse.ArgumentParser(prog="python -m bench.bare_wsgi", description=__doc__)
    parser.add_argument("url")
    parser.add_argument("plans", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("workers", type=int)
    parser.add_argument("threads", type=int)
    args = parser.parse_args(argv)
    # Our own file, written a moment ago by the process that started this one.
    plans = pickle.loads(args.plans.read_bytes())  # noqa: S301
    options = {**GUNICORN, "workers": args.workers, "threads": args.threads}
    options |= {"bind": f"127.0.0.1:{args.port}", "accesslog": "-", "errorlog": "-"}
    _Gunicorn(make_app(args.url, plans), options).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
