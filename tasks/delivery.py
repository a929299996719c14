"""Sending one notification: the task is keyed by the notification row, so running it twice is
harmless (a sent notification is not sent again, a leased one is left to its sender)."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable

from celery import Celery, Task, shared_task
from sqlalchemy import func, select

from tasks.celery_app import ideaflow_app
from tasks.names import DELIVER_NOTIFICATION
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
    with app.database.unit_of_work() as uow:
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
            jitter = random.random()  # noqa: S311 (spreads retries, guards nothing)
            countdown = delivery.backoff_seconds(later.attempts, jitter)
            logger.info(
                "notification %s: %s; try %s in %.0f s",
                notification_id,
                later,
                later.attempts + 1,
                countdown,
            )
            raise self.retry(countdown=countdown, max_retries=MAX_RETRIES) from None
    return status  # Celery logs it with the task's outcome


def enqueue_deliveries(app: Celery, notification_ids: Iterable[int]) -> int:
    """Queue one delivery task per notification; return how many were queued."""
    count = 0
    for notification_id in notification_ids:
        app.send_task(DELIVER_NOTIFICATION, args=[notification_id])
        count += 1
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
