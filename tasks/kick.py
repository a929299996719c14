"""Waking the outbox relay right after a commit, so mail goes out within a second or two.

The kick is a courtesy, never a requirement: when the broker cannot be reached the request (or
CLI command) that committed goes on as if nothing happened, and the beat's sweep relays the
outbox a little later.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tasks.batches import delivery_batches
from tasks.names import DELIVER_NOTIFICATIONS, READ_PENDING_IMPORT, RELAY_OUTBOX
from workflow.settings import Settings

if TYPE_CHECKING:
    from tasks.celery_app import IdeaflowCelery

logger = logging.getLogger(__name__)
KICK_EXPIRES_S = 600  # a kick nobody picked up within this long is dropped (the sweep ran)
GATHER_S = 1.0
"""A kick runs this long after it is sent, and the commits of this process meanwhile send none:
it relays them all (a busy office's commits wake the relay once a second, not each time)."""


class RelayKick:
    """A callable for ``Database.after_commit`` that sends the relay task by name."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._app: IdeaflowCelery | None = None
        self._lock = threading.Lock()
        self._gathering_until = 0.0  # monotonic: until then a kick is waiting to run

    def celery(self) -> IdeaflowCelery:
        """The Celery app used to send (created on first use, after any fork)."""
        with self._lock:
            if self._app is None:
                from tasks.celery_app import create_celery

                self._app = create_celery(self.settings, set_as_current=False)
            return self._app

    def __call__(self) -> None:
        """Send the relay task to run in ``GATHER_S`` unless one sent earlier has yet to run;
        log and carry on when the broker is unreachable."""
        now = time.monotonic()
        with self._lock:
            if now < self._gathering_until:
                return  # the waiting kick starts after this commit, so it relays this one too
            self._gathering_until = now + GATHER_S
        try:
            self.celery().send_task(
                RELAY_OUTBOX, countdown=GATHER_S, expires=KICK_EXPIRES_S, retry=False
            )
        except Exception as error:
            with self._lock:
                self._gathering_until = 0.0  # nothing waits: the next commit tries again
            logger.warning("outbox relay not kicked (the sweep will relay): %s", error)

    def queue_deliveries(self, notification_ids: Iterable[int]) -> int:
        """Queue the notifications' delivery in batches; return how many the broker took.

        Whatever the broker does not take is re-queued by the sweep a little later.
        """
        queued = 0
        try:
            app = self.celery()
            for batch in delivery_batches(notification_ids):
                app.send_task(DELIVER_NOTIFICATIONS, args=[batch], retry=False)
                queued += len(batch)
        except Exception as error:
            logger.warning("deliveries not queued (the sweep will queue them): %s", error)
        return queued

    def queue_reading(self, pending_id: int) -> None:
        """Queue the reading of an uploaded scan; when the broker is away the sweep queues it."""
        try:
            self.celery().send_task(READ_PENDING_IMPORT, args=[pending_id], retry=False)
        except Exception as error:
            logger.warning(
                "reading of upload %s not queued (the sweep will): %s", pending_id, error
            )
