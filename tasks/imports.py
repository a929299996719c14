"""Reading uploaded scans in the worker: text recognition page by page, progress on the row.

The task is keyed by the upload's row and safe to repeat: the reading is claimed on the row, so
a redelivered copy finds it taken (or done) and leaves it. The row is the queue and owns the
retries: after a fault of ours (the database away) the claim goes stale and the sweep queues the
reading again; once the fault has lasted a quarter of an hour the upload is marked failed with
a sentence saying so, which its uploader sees with a button to try again. The task itself never
retries.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task

from tasks.celery_app import IdeaflowCelery, ideaflow_app
from tasks.names import READ_PENDING_IMPORT
from workflow.services import pending_reading

logger = logging.getLogger(__name__)


@shared_task(name=READ_PENDING_IMPORT, bind=True, ignore_result=True)
def read_pending_import(self: Task, pending_id: int) -> str:
    """Read waiting upload ``pending_id`` (a scan) and keep what was read for its preview."""
    units = ideaflow_app(self).database.unit_of_work
    try:
        return pending_reading.read_pending(units, pending_id)
    except Exception as error:
        if pending_reading.give_up_when_overdue(units, pending_id):
            logger.exception("upload %s: reading failed; giving up", pending_id)
            return "failed"
        logger.warning("upload %s: reading failed (%s); the sweep tries again", pending_id, error)
        return "waiting"


def requeue_readings(app: IdeaflowCelery) -> int:
    """Queue the readings no reader holds (a lost message, a dead worker, a fault); return how
    many."""
    with app.database.unit_of_work() as uow:
        stale = pending_reading.stale_readings(uow)
    for pending_id in stale:
        app.send_task(READ_PENDING_IMPORT, args=[pending_id])
    if stale:
        logger.info("sweep: re-queued the reading of %s uploads", len(stale))
    return len(stale)
