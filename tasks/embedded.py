"""The embedded mode: without Redis, ``ideaflow serve`` runs a worker and the scheduler itself.

``python -m tasks.embedded`` is a small supervisor that the server starts beside gunicorn. It
runs one Celery worker and one beat as child processes on the filesystem broker
(``tasks.file_broker``) in ``instance/broker`` (no server needed), restarts either if it dies,
and stops both when it is told to stop or when the server that started it is gone. A message
the filesystem broker loses is not lost mail: the outbox in the database is the source of truth
and the next sweep sends it.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from types import FrameType

from workflow.settings import Settings

logger = logging.getLogger("ideaflow.embedded")
RESTART_DELAY_S = 2.0
STOP_TIMEOUT_S = 15.0
ROLES = ("worker", "beat")


def celery_argv(role: str, settings: Settings) -> list[str]:
    """The Celery command line for the embedded worker or beat."""
    if role == "worker":
        return [
            "worker",
            "--pool=threads",
            "--concurrency=2",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            f"--hostname=embedded-{os.getpid()}@%h",
            "--loglevel=INFO",
        ]
    schedule = settings.instance_path / "celerybeat-schedule"
    return ["beat", f"--schedule={schedule}", "--loglevel=INFO"]


def run_role(role: str) -> None:
    """Run the embedded worker or beat in this process until it is stopped."""
    from tasks.celery_app import create_celery

    settings = Settings.from_env()
    if settings.redis_url:
        raise SystemExit("IDEAFLOW_REDIS_URL is set: run 'ideaflow worker' and 'ideaflow beat'.")
    app = create_celery(settings)
    app.conf.worker_enable_remote_control = False  # no broadcast mailbox on the file broker
    threading.Thread(target=_stop_when_orphaned, args=(os.getppid(),), daemon=True).start()
    gc.freeze()  # start-up's objects out of the collector's reach (see web.server)
    # Celery warns whenever it runs as root, because a message from a shared broker could then
    # act as root. The embedded worker's broker is a folder inside the instance, written only
    # by this installation, and takes JSON only; the warning would only alarm `make run` users.
    # A worker on Redis (`ideaflow worker`) keeps the warning.
    warnings.filterwarnings("ignore", message="You're running the worker with superuser")
    app.start(argv=celery_argv(role, settings))


def _stop_when_orphaned(parent: int) -> None:
    """Stop this process (warmly) once the supervisor that started it is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


class Supervisor:
    """Keeps one worker and one beat running until stopped or orphaned."""

    def __init__(self) -> None:
        self.parent = os.getppid()
        self.stopping = False
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def stop(self, signum: int, _frame: FrameType | None) -> None:
        """Signal handler: stop the children and leave."""
        self.stopping = True

    def spawn(self, role: str) -> None:
        """Start (or restart) one child."""
        command = [sys.executable, "-m", "tasks.embedded", role]
        self.children[role] = subprocess.Popen(command)  # noqa: S603 (our own module)

    def run(self) -> int:
        """Supervise until stopped; return the exit status."""
        for role in ROLES:
            self.spawn(role)
        while not self.stopping:
            if os.getppid() != self.parent:
                logger.warning("the server is gone: stopping the embedded worker")
                break
            for role, child in list(self.children.items()):
                if child.poll() is not None and not self.stopping:
                    logger.error("embedded %s exited with %s; restarting", role, child.returncode)
                    time.sleep(RESTART_DELAY_S)
                    self.spawn(role)
            time.sleep(0.5)
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        """SIGTERM the children (a warm shutdown), SIGKILL what is still there after a while."""
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for child in self.children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def main(argv: list[str]) -> int:
    """``python -m tasks.embedded [worker|beat]``."""
    if argv and argv[0] in ROLES:
        run_role(argv[0])  # Celery sets up its own logging
        return 0
    logging.basicConfig(level=logging.INFO, format="[embedded] %(levelname)s %(message)s")
    supervisor = Supervisor()
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
