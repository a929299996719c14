"""Reading an uploaded scan in the worker: claimed, read page by page, then ready or failed.

Each step is a short transaction of its own, so the reading (minutes, for a long scan) holds no
transaction open. An upload waiting to be read has status "reading" and no ``updated_at``; a
reader claims it by setting ``updated_at`` and keeps the claim fresh by reporting progress. A
claim left unrefreshed for ``STALE_AFTER`` (its worker died) may be taken again, so a
redelivered task or the sweep finishes the reading: it is never left waiting silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update

from workflow.clock import utcnow
from workflow.importer.bounded import read_bounded
from workflow.importer.document import ParsedDocument, document_json
from workflow.importer.errors import MinutesRejected
from workflow.models.meetings import PendingImport
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=3)
"""A reading not heard of for this long is taken to have died (a page takes at most 1.5)."""
GIVE_UP_AFTER = timedelta(minutes=15)
"""A reading that still meets faults of ours this long after the upload is ended as failed."""
FAULT = "The scan could not be read because of a fault on the server; try again."
Units = Callable[[], UnitOfWork]
Reader = Callable[..., ParsedDocument]


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(PendingImport.updated_at.is_(None), PendingImport.updated_at < now - STALE_AFTER)


def claim_reading(uow: UnitOfWork, pending_id: int, now: datetime | None = None) -> bool:
    """Take the reading of upload ``pending_id``; False when it is not waiting to be read or
    another reader is at it."""
    now = now or utcnow()
    claimed: Any = uow.session.execute(
        update(PendingImport)
        .where(
            PendingImport.id == pending_id,
            PendingImport.status == "reading",
            _claimable(now),
        )
        .values(updated_at=now, progress_done=0)
    )
    uow.commit()
    return bool(claimed.rowcount)


def record_progress(uow: UnitOfWork, pending_id: int, done: int, total: int) -> None:
    """Pages read so far (which also keeps the claim fresh)."""
    uow.session.execute(
        update(PendingImport)
        .where(PendingImport.id == pending_id, PendingImport.status == "reading")
        .values(progress_done=done, progress_total=total, updated_at=utcnow())
    )
    uow.commit()


def record_outcome(
    uow: UnitOfWork, pending_id: int, parsed: ParsedDocument | None, error: str | None
) -> None:
    """The reading's end: the document read ("ready"), or the sentence why not ("failed")."""
    uow.session.execute(
        update(PendingImport)
        .where(PendingImport.id == pending_id, PendingImport.status == "reading")
        .values(
            status="ready" if parsed else "failed",
            parsed=document_json(parsed) if parsed else None,
            error=error,
            updated_at=utcnow(),
        )
    )
    uow.commit()


def read_pending(units: Units, pending_id: int, reader: Reader = read_bounded) -> str:
    """Read waiting upload ``pending_id`` (a scan) and record the outcome; returns what happened:
    "ready", "failed", or "skipped" when it is not waiting or is being read elsewhere.

    Errors other than a refusal (the database away, ...) propagate and leave the claim as it
    was: it goes stale after ``STALE_AFTER`` and the sweep queues the reading again (the row is
    the queue); ``give_up_when_overdue`` ends it as failed once the fault has lasted too long.
    """
    with units() as uow:
        if not claim_reading(uow, pending_id):
            return "skipped"
        pending = uow.session.get(PendingImport, pending_id)
        if pending is None:
            return "skipped"
        filename, content = pending.filename, pending.content

    def progress(done: int, total: int) -> None:
        try:
            with units() as uow:
                record_progress(uow, pending_id, done, total)
        except Exception as error:  # progress is a courtesy; the reading goes on
            logger.warning("progress of upload %s not recorded: %s", pending_id, error)

    try:  # any other error leaves the claim to go stale: the sweep's next try waits that long
        parsed = reader(filename, content, ocr=True, progress=progress)
    except MinutesRejected as error:
        with units() as uow:
            record_outcome(uow, pending_id, None, error.message)
        return "failed"
    with units() as uow:
        record_outcome(uow, pending_id, parsed, None)
    return "ready"


def give_up(units: Units, pending_id: int) -> None:
    """Record that reading ``pending_id`` failed for a fault of ours (retries exhausted)."""
    with units() as uow:
        record_outcome(uow, pending_id, None, FAULT)


def give_up_when_overdue(units: Units, pending_id: int, now: datetime | None = None) -> bool:
    """After a fault: end the reading as failed if the upload waits longer than ``GIVE_UP_AFTER``
    (its uploader then sees the sentence and a button to try again); True if it was ended."""
    now = now or utcnow()
    with units() as uow:
        created_at = uow.session.scalar(
            select(PendingImport.created_at).where(PendingImport.id == pending_id)
        )
    if created_at is None or created_at >= now - GIVE_UP_AFTER:
        return False
    give_up(units, pending_id)
    return True


def read_again(uow: UnitOfWork, pending: PendingImport) -> int | None:
    """Put a failed reading back in line; returns the upload's id for queueing its reading, or
    None when it has not failed (it is read already, or being read)."""
    if pending.status != "failed":
        return None
    pending.status, pending.error = "reading", None
    pending.progress_done, pending.updated_at = 0, None
    uow.commit()
    return pending.id


def stale_readings(uow: UnitOfWork, now: datetime | None = None) -> list[int]:
    """Uploads waiting to be read that no reader holds (the sweep queues them again)."""
    now = now or utcnow()
    query = select(PendingImport.id).where(
        PendingImport.status == "reading",
        or_(
            # never claimed, and not just uploaded (its own task is on the way)
            (PendingImport.updated_at.is_(None)) & (PendingImport.created_at < now - STALE_AFTER),
            PendingImport.updated_at < now - STALE_AFTER,
        ),
    )
    return list(uow.session.scalars(query))
