"""The outbox relay as tasks: right after a commit (kicked by the web app) and on the sweep.

The relay claims outbox rows in the database (safely on PostgreSQL and SQLite), turns them into
notifications and queues their delivery. The sweep is where every retry happens: it runs the
relay and queues the notifications that are due (a 4xx whose hold has passed, a lease a dead
worker left to run out, a first task the broker lost), so the database is the one queue and
the broker only wakes workers.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from tasks.celery_app import IdeaflowCelery, ideaflow_app
from tasks.delivery import enqueue_deliveries
from tasks.imports import requeue_readings
from tasks.names import RELAY_OUTBOX, SWEEP
from workflow.services import idea_counts, notifications

logger = logging.getLogger(__name__)
MAX_BATCHES = 20  # per run; what is left waits for the next kick or sweep


@shared_task(name=RELAY_OUTBOX, bind=True, ignore_result=True)
def relay_outbox(self: Task) -> int:
    """Turn waiting outbox rows into notifications and queue their delivery."""
    return relay_all(ideaflow_app(self))


@shared_task(name=SWEEP, bind=True, ignore_result=True)
def sweep(self: Task) -> int:
    """The guarantee behind the kick: relay the outbox, then queue the notifications that are
    due again (and the reading of uploaded scans whose task went missing); and add the ideas'
    count changes to their totals, so a count reads only the last sweep's changes."""
    app = ideaflow_app(self)
    queued = relay_all(app)
    requeue_readings(app)
    with app.database.unit_of_work() as uow:
        idea_counts.fold_counts(uow)
    with app.database.unit_of_work() as uow:
        due = notifications.due_for_sending(uow)
    if due:
        logger.info("sweep: queueing %s notifications due again", len(due))
    return queued + enqueue_deliveries(app, due)


def relay_all(app: IdeaflowCelery) -> int:
    """Relay batch after batch while due outbox rows remain; return deliveries queued."""
    queued = 0
    for _ in range(MAX_BATCHES):
        with app.database.unit_of_work() as uow:
            ready = notifications.relay_outbox(uow, app.links)
            waiting = notifications.has_due_events(uow)
        queued += enqueue_deliveries(app, ready)
        if not waiting:
            break
    if queued:
        logger.info("relay: queued %s deliveries", queued)
    return queued
