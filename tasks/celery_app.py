"""The Celery app: Redis as broker when IDEAFLOW_REDIS_URL is set, else a broker with no server.

Tasks are thin: each builds a unit of work and calls a service in ``workflow``. The database is
the one queue and owns every retry (leases, holds after a 4xx, the sweep); Celery only wakes
workers. Delivery is at-least-once (late acks, requeue when a worker process dies) and safe to
repeat, because every task is keyed by a database row and takes that row's lease.
"""

from __future__ import annotations

import gc
import logging
import weakref
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from celery import Celery, Task
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    task_postrun,
    task_prerun,
    worker_process_init,
)
from kombu.entity import Queue

from tasks.names import FOLLOWUPS, SWEEP
from workflow import logs, tuning
from workflow.db import Database
from workflow.notifications.links import Links
from workflow.notifications.transport import Transport, transport_for
from workflow.settings import Settings

TASK_MODULES = ["tasks.relay", "tasks.delivery", "tasks.schedule", "tasks.imports"]
QUEUE = "ideaflow"
SWEEP_QUEUE = "ideaflow.sweeps"
"""The scheduler's own queue: a sweep never waits behind a busy hour's kicks and deliveries
(it folds the count changes that every page reads; one that waited past its expiry was lost)."""
# Redis hands an unacknowledged message to another worker after this long: longer than any task
# runs (a delivery batch starts no message after 30 s; a scan's reading keeps its claim fresh), so
# a second copy runs only when the first worker is gone, and then finds the row's lease.
VISIBILITY_TIMEOUT_S = 900
EMBEDDED_POLL_S = 0.5  # how often the embedded worker looks for new messages

_apps: weakref.WeakSet[IdeaflowCelery] = weakref.WeakSet()
_log_format = ["text"]  # IDEAFLOW_LOG_FORMAT of the app this process runs
_task_contexts: dict[str, object] = {}  # task id -> the token that restores the request id


class IdeaflowCelery(Celery):  # type: ignore[misc]
    """A Celery app that knows ideaflow's settings, database, links and mail transport."""

    def __init__(self, settings: Settings, **options: Any) -> None:
        super().__init__("ideaflow", **options)
        self.settings = settings
        _apps.add(self)

    @cached_property
    def database(self) -> Database:
        """This process's database (created on first use, so never before a fork)."""
        return Database(self.settings.database_url)

    @cached_property
    def delivery_database(self) -> Database:
        """The same database for delivery bookkeeping (leases, outcomes), on connections of its
        own: a batch's outcomes are written in one durable commit."""
        return Database(self.settings.database_url)

    @cached_property
    def links(self) -> Links:
        """Links for emails, signed with the shared secret."""
        return Links(self.settings.base_url, self.settings.secret_key)

    @cached_property
    def transport(self) -> Transport:
        """SMTP when IDEAFLOW_SMTP_URL is set, else .eml files in instance/outbox."""
        return transport_for(self.settings.smtp_url, self.settings.instance_path / "outbox")

    def dispose_after_fork(self) -> None:
        """Drop an inherited engine's pool without closing the parent's connections."""
        for name in ("database", "delivery_database"):
            if name in self.__dict__:
                self.__dict__[name].dispose(close=False)


def create_celery(settings: Settings, *, set_as_current: bool = True) -> IdeaflowCelery:
    """The Celery app for ``settings`` (lowercase Celery settings throughout)."""
    app = IdeaflowCelery(settings, include=TASK_MODULES, set_as_current=set_as_current)
    app.conf.update(
        broker_url=settings.redis_url or "filesystem://localhost//",
        broker_transport=None if settings.redis_url else "tasks.file_broker:Transport",
        broker_transport_options=_transport_options(settings),
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=QUEUE,
        # Every worker takes from both queues, each in turn.
        task_queues=(_queue(QUEUE), _queue(SWEEP_QUEUE)),
        task_routes={name: {"queue": SWEEP_QUEUE} for name in (SWEEP, FOLLOWUPS)},
        task_acks_late=True,  # a message is acknowledged only after its task finished
        task_reject_on_worker_lost=True,  # ... and requeued when the process running it died
        # Keep a running delivery going when the broker connection drops: it records its own
        # outcome in the database, and a redelivered copy then finds the work done.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        # A few messages in hand per process keep it busy between tasks; unacknowledged ones go
        # back to the queue (and the sweep re-queues what a dead worker held).
        worker_prefetch_multiplier=4,
        # Survives a broker that goes away while messages are held (see tasks.consumer).
        worker_consumer="tasks.consumer:ResilientConsumer",
        task_serializer="json",
        accept_content=["json"],
        timezone="Europe/Copenhagen",
        enable_utc=True,
    )
    from tasks.schedule import beat_schedule

    app.conf.beat_schedule = beat_schedule(settings.sweep_seconds)
    tuning.configure(settings.tuning)
    _log_format[0] = settings.log_format
    return app


def _queue(name: str) -> Queue:
    return Queue(name, routing_key=name)  # type: ignore[no-untyped-call]


def embedded_broker_folder(settings: Settings) -> Path:
    """Where the embedded (filesystem) broker keeps its messages."""
    return settings.instance_path / "broker"


def _transport_options(settings: Settings) -> dict[str, Any]:
    if settings.redis_url:
        return {"visibility_timeout": VISIBILITY_TIMEOUT_S, "socket_connect_timeout": 5}
    folder = embedded_broker_folder(settings)
    messages, control = folder / "messages", folder / "control"
    for path in (messages, control):
        path.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(messages),
        "data_folder_out": str(messages),
        "control_folder": str(control),
        "polling_interval": EMBEDDED_POLL_S,
    }


def ideaflow_app(task: Task) -> IdeaflowCelery:
    """The app a bound task runs in."""
    return cast(IdeaflowCelery, task.app)


@worker_process_init.connect(weak=False)
def _after_fork(**_: Any) -> None:
    """A forked pool process must not share its parent's database connections."""
    for app in list(_apps):
        app.dispose_after_fork()
    # What the pool process inherited lives as long as it does: out of the collector's reach
    # (a full collection walks every tracked object; see web.server).
    gc.freeze()


@after_setup_logger.connect(weak=False)
@after_setup_task_logger.connect(weak=False)
def _log_lines(logger: logging.Logger, **_: Any) -> None:
    """Celery's log handlers get the request id, and JSON lines when IDEAFLOW_LOG_FORMAT=json."""
    for handler in logger.handlers:
        logs.prepare_handler(handler, _log_format[0])


@task_prerun.connect(weak=False)
def _task_request_id(task_id: str, **_: Any) -> None:
    """In a task, the task id is the request id of every log line."""
    _task_contexts[task_id] = logs.set_request_id(task_id)


@task_postrun.connect(weak=False)
def _task_request_done(task_id: str, **_: Any) -> None:
    token = _task_contexts.pop(task_id, None)
    if token is not None:
        logs.reset_request_id(token)
