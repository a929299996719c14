"""``ideaflow worker`` and ``ideaflow beat``: Celery's own commands with the project's app.

They need IDEAFLOW_REDIS_URL. Without it (the embedded default) ``ideaflow serve`` runs the
worker and the scheduler itself. Options not listed here go to ``celery worker``/``celery beat``
unchanged, e.g. ``ideaflow worker -c 4 --max-tasks-per-child 1000``.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from web.database import settings
from workflow.settings import Settings

PASS_THROUGH = {"ignore_unknown_options": True, "allow_interspersed_args": False}


def _redis_settings(command: str) -> Settings:
    app_settings = settings()
    if not app_settings.redis_url:
        raise click.ClickException(
            f"'ideaflow {command}' needs IDEAFLOW_REDIS_URL (the Redis broker). Without it, "
            "'ideaflow serve' runs the worker and the scheduler itself."
        )
    return app_settings


@click.command("worker", context_settings=PASS_THROUGH)
@click.option("-c", "--concurrency", type=int, help="Worker processes (default: one per CPU).")
@click.option("-l", "--loglevel", default="INFO", show_default=True, help="Log level.")
@click.argument("celery_options", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def worker_command(concurrency: int | None, loglevel: str, celery_options: tuple[str, ...]) -> None:
    """Run a worker that delivers mail and runs the sweeps (start as many as you like).

    Other options go to `celery worker` as they are, e.g. --pool, --max-tasks-per-child.
    """
    from tasks.celery_app import create_celery

    app = create_celery(_redis_settings("worker"))
    argv = ["worker", f"--loglevel={loglevel}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    app.worker_main([*argv, *celery_options])


@click.command("beat", context_settings=PASS_THROUGH)
@click.option("-l", "--loglevel", default="INFO", show_default=True, help="Log level.")
@click.option(
    "-s",
    "--schedule",
    "schedule_file",
    help="Where beat remembers the last runs (default: instance/celerybeat-schedule).",
)
@click.argument("celery_options", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def beat_command(loglevel: str, schedule_file: str | None, celery_options: tuple[str, ...]) -> None:
    """Run the scheduler. Run exactly one: a second one waits until the first is gone.

    Other options go to `celery beat` as they are, e.g. --max-interval.
    """
    from tasks.beat_lock import BeatLock
    from tasks.celery_app import create_celery

    app_settings = _redis_settings("beat")
    assert app_settings.redis_url is not None
    app_settings.instance_path.mkdir(parents=True, exist_ok=True)
    schedule_file = schedule_file or str(app_settings.instance_path / "celerybeat-schedule")
    app = create_celery(app_settings)
    lock = BeatLock(app_settings.redis_url)
    lock.acquire()
    try:
        app.start(
            argv=["beat", f"--loglevel={loglevel}", f"--schedule={schedule_file}", *celery_options]
        )
    finally:
        lock.release()
