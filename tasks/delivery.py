"""Sending notifications: each is leased, sent and recorded on its own row, so running a task
twice is harmless (a sent notification is not sent again, a leased one is left to its sender).

New mail goes out in batches (``tasks.batches``), each over one SMTP connection. Retries are the
database's: a notification that meets a temporary failure stays pending with its error and the
time of its next try (``workflow.services.delivery``), and the sweep sends it once that time
has passed. These tasks never retry or schedule anything of their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import Celery, Task, shared_task

from tasks.batches import delivery_batches
from tasks.celery_app import IdeaflowCelery, ideaflow_app
from tasks.names import DELIVER_NOTIFICATION, DELIVER_NOTIFICATIONS
from workflow.services import delivery

logger = logging.getLogger(__name__)


@shared_task(name=DELIVER_NOTIFICATION, bind=True, ignore_result=True)
def deliver_notification(self: Task, notification_id: int) -> dict[str, int]:
    """Send one notification (the name older versions queued retries under)."""
    return _deliver(ideaflow_app(self), [notification_id])


@shared_task(name=DELIVER_NOTIFICATIONS, bind=True, ignore_result=True)
def deliver_notifications(self: Task, notification_ids: list[int]) -> dict[str, int]:
    """Send a batch of notifications over one connection; a temporary failure waits in the
    database for the sweep."""
    return _deliver(ideaflow_app(self), notification_ids)


def _deliver(app: IdeaflowCelery, notification_ids: list[int]) -> dict[str, int]:
    settings = app.settings
    with app.delivery_database.unit_of_work() as uow:
        sending = delivery.Sending(app.links, settings.mail_from, settings.mail_reply_to)
        outcomes = delivery.deliver_many(uow, notification_ids, app.transport, sending)
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        status = "held" if isinstance(outcome, delivery.RetryLater) else outcome
        counts[status] = counts.get(status, 0) + 1
    unsent = [i for i, outcome in outcomes.items() if outcome == delivery.UNSENT]
    if unsent:  # the batch ran long (a slow server): the rest goes to a task of its own
        enqueue_deliveries(app, unsent)
    return counts  # Celery logs it with the task's outcome


def enqueue_deliveries(app: Celery, notification_ids: Iterable[int]) -> int:
    """Queue the notifications' delivery in batches; return how many notifications were queued."""
    count = 0
    for batch in delivery_batches(notification_ids):
        app.send_task(DELIVER_NOTIFICATIONS, args=[batch])
        count += len(batch)
    return count
