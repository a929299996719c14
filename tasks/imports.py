"""Reading uploaded scans in the worker: text recognition page by page, progress on the row.

The task is keyed by the upload's row and safe to repeat: the reading is claimed on the row, so
a redelivered copy finds it taken (or done) and leaves it. A fault of ours (the database away)
is tried again a few times; after that the upload is marked failed with a sentence saying so,
which its uploader sees with a button to try again. The sweep re-queues readings whose task
went missing.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from tasks.celery_app import IdeaflowCelery, ideaflow_app
from tasks.names import READ_PENDING_IMPORT
from workflow.services import pending_reading

logger = logging.getLogger(__name__)
MAX_RETRIES = 3
RETRY_COUNTDOWN_S = 20.0


@shared_task(name=READ_PENDING_IMPORT, bind=True, ignore_result=True, max_retries=MAX_RETRIES)
def read_pending_import(self: Task, pending_id: int) -> str:
    """Read waiting upload ``pending_id`` (a scan) and keep what was read for its preview."""
    database = ideaflow_app(self).database
    try:
        return pending_reading.read_pending(database.unit_of_work, pending_id)
    except Exception as error:
        if self.request.retries >= MAX_RETRIES:
            logger.exception("upload %s: reading failed; giving up", pending_id)
            pending_reading.give_up(database.unit_of_work, pending_id)
            return "failed"
        logger.warning("upload %s: reading failed (%s); trying again", pending_id, error)
        countdown = RETRY_COUNTDOWN_S * (self.request.retries + 1)
        raise self.retry(countdown=countdown, max_retries=MAX_RETRIES) from None


def requeue_readings(app: IdeaflowCelery) -> int:
    """Queue the readings no reader holds (a lost message, a dead worker); return how many."""
    with app.database.unit_of_work() as uow:
        stale = pending_reading.stale_readings(uow)
    for pending_id in stale:
        app.send_task(READ_PENDING_IMPORT, args=[pending_id])
    if stale:
        logger.info("sweep: re-queued the reading of %s uploads", len(stale))
    return len(stale)
