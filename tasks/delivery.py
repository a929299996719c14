"""Sending notifications: each is leased, sent and recorded on its own row, so running a task
twice is harmless (a sent notification is not sent again, a leased one is left to its sender).

New mail goes out in batches (``tasks.batches``), each over one SMTP connection; a notification
that meets a temporary failure is tried again on its own, with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import Celery, Task, shared_task
from sqlalchemy import func, select

from tasks.batches import delivery_batches
from tasks.celery_app import ideaflow_app
from tasks.names import DELIVER_NOTIFICATION, DELIVER_NOTIFICATIONS
from workflow.clock import utcnow
from workflow.models import Notification
from workflow.services import delivery
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
MAX_RETRIES = delivery.MAX_ATTEMPTS


@shared_task(name=DELIVER_NOTIFICATION, bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def deliver_notification(self: Task, notification_id: int) -> str:
    """Send notification ``notification_id``; after a 4xx, try again with backoff and jitter."""
    app = ideaflow_app(self)
    settings = app.settings
    with app.delivery_database.unit_of_work() as uow:
        try:
            status = delivery.deliver(
                uow,
                notification_id,
                app.transport,
                links=app.links,
                sender=settings.mail_from,
                reply_to=settings.mail_reply_to,
            )
        except delivery.RetryLater as later:
            countdown = _countdown(notification_id, later)
            raise self.retry(countdown=countdown, max_retries=MAX_RETRIES) from None
    return status  # Celery logs it with the task's outcome


@shared_task(name=DELIVER_NOTIFICATIONS, bind=True, ignore_result=True)
def deliver_notifications(self: Task, notification_ids: list[int]) -> dict[str, int]:
    """Send a batch of notifications over one connection; retry the temporary failures singly."""
    app = ideaflow_app(self)
    settings = app.settings
    with app.delivery_database.unit_of_work() as uow:
        sending = delivery.Sending(app.links, settings.mail_from, settings.mail_reply_to)
        outcomes = delivery.deliver_many(uow, notification_ids, app.transport, sending)
    counts: dict[str, int] = {}
    for notification_id, outcome in outcomes.items():
        if isinstance(outcome, delivery.RetryLater):
            countdown = _countdown(notification_id, outcome)
            app.send_task(DELIVER_NOTIFICATION, args=[notification_id], countdown=countdown)
            outcome = "retrying"
        counts[outcome] = counts.get(outcome, 0) + 1
    unsent = [i for i, outcome in outcomes.items() if outcome == delivery.UNSENT]
    if unsent:  # the batch ran long (a slow server): the rest goes to a task of its own
        enqueue_deliveries(app, unsent)
    return counts  # Celery logs it with the task's outcome


def _countdown(notification_id: int, later: delivery.RetryLater) -> float:
    """The pause until the next try is due, logged with the reason."""
    # A second after it is due: a task that ran a moment early would find the row still held.
    countdown = max((later.retry_at - utcnow()).total_seconds(), 0.0) + 1.0
    logger.info(
        "notification %s: %s; try %s in %.0f s",
        notification_id,
        later,
        later.attempts + 1,
        countdown,
    )
    return countdown


def enqueue_deliveries(app: Celery, notification_ids: Iterable[int]) -> int:
    """Queue the notifications' delivery in batches; return how many notifications were queued."""
    count = 0
    for batch in delivery_batches(notification_ids):
        app.send_task(DELIVER_NOTIFICATIONS, args=[batch])
        count += len(batch)
    return count


def last_notification_id(uow: UnitOfWork) -> int:
    """The newest notification's id (0 without any)."""
    return int(uow.session.scalar(select(func.max(Notification.id))) or 0)


def new_pending(uow: UnitOfWork, after_id: int) -> list[int]:
    """Notifications created after ``after_id`` that wait to be sent for the first time."""
    query = (
        select(Notification.id)
        .where(
            Notification.id > after_id,
            Notification.status == "pending",
            Notification.attempts == 0,
        )
        .order_by(Notification.id)
    )
    return list(uow.session.scalars(query))
