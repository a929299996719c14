"""Importing in two steps: upload and preview (nothing imported yet), then confirm a selection.

The uploaded file waits in ``pending_imports`` between the two steps, visible only to the user
who uploaded it (and to admins), with the document as read (``parsed``) so neither step reads
it again. Both steps run the one importer, ``imports.import_minutes``: the preview as a dry
run, the confirmation with the user's ``ImportSelection``. The file is read in a child process
under a time and memory limit (``importer.bounded``) before the database is touched; a scan is
kept as "reading" and read by the worker (``pending_reading``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from sqlalchemy import delete, select

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound
from workflow.importer.bounded import read_bounded
from workflow.importer.document import ParsedDocument, document_from_json, document_json
from workflow.importer.readers import ScanFound
from workflow.models import Idea
from workflow.models.meetings import PendingImport  # not re-exported by workflow.models
from workflow.permissions import Actor, Role, may_import
from workflow.services import pending_reading
from workflow.services.imports import ImportResult, ImportSelection, import_minutes
from workflow.uow import UnitOfWork

PENDING_LIFETIME = timedelta(days=1)
"""How long an upload waits for its confirmation; older ones are purged."""
PENDING_PER_USER = 10
"""How many uploads one user may have waiting; a new one pushes out the oldest."""
FILENAME_MAX = 255
TOKEN_MAX = 64


@dataclass(frozen=True)
class ResembledIdea:
    """An idea already in ideaflow that an uploaded idea resembles."""

    id: int
    title: str
    state: str


@dataclass(frozen=True)
class PendingPreview:
    """What confirming an upload would import, or the meeting it already is.

    ``token`` is None when the document was imported before: nothing waits then, and
    ``result`` describes the existing meeting (``result.dry_run`` is False). While a scan is
    read (``status`` "reading") or when reading it failed ("failed", with ``error``), there is
    no ``result`` yet.
    """

    token: str | None
    result: ImportResult | None
    resembled: dict[int, ResembledIdea]  # the existing ideas ``result.similar`` names, by id
    status: str = "ready"
    progress: tuple[int, int] = (0, 0)  # pages read, pages in all
    error: str | None = None
    pending_id: int | None = None

    @property
    def already_imported(self) -> bool:
        """True when the document is an existing meeting's minutes."""
        return self.result is not None and not self.result.dry_run


def create_pending_import(
    uow: UnitOfWork, actor: Actor, filename: str, content: bytes, now: datetime | None = None
) -> PendingPreview:
    """Read uploaded minutes without importing them and keep the file for the confirmation.

    Raises ``MinutesRejected`` (nothing stored) for a file that is not minutes. A document
    imported before is not stored: the preview names its meeting. A scan is stored as
    "reading" (``pending_id`` set): the caller queues its reading in the worker.
    """
    if not may_import(actor):
        raise Forbidden("Viewers cannot import minutes.")
    try:  # before the database is touched: no transaction is open while the file is read
        parsed: ParsedDocument | None = read_bounded(filename, content)
    except ScanFound as scan:
        parsed, pages = None, scan.pages
    result = None
    if parsed is not None:
        result = import_minutes(uow, actor, filename, content, dry_run=True, parsed=parsed)
        if not result.dry_run:
            return PendingPreview(None, result, _resembled(uow, result))
    now = now or utcnow()
    _purge(uow, actor, now)
    token = secrets.token_urlsafe(32)
    pending = PendingImport(
        token=token,
        filename=_stored_name(result.filename if result else filename),
        content=content,
        created_by_id=actor.id,
        created_at=now,
        status="ready" if parsed else "reading",
        progress_total=0 if parsed else pages,
        parsed=document_json(parsed) if parsed else None,
        updated_at=now if parsed else None,  # a scan is not yet claimed by a reader
    )
    uow.session.add(pending)
    uow.commit()
    if result is None:
        return PendingPreview(token, None, {}, "reading", (0, pages), None, pending.id)
    return PendingPreview(token, result, _resembled(uow, result))


def preview_pending_import(
    uow: UnitOfWork, actor: Actor, token: str, now: datetime | None = None
) -> PendingPreview:
    """The preview of a waiting upload (NotFound when gone, Forbidden for other users), or how
    far the reading of a scan is."""
    pending = _pending(uow, actor, token, now)
    if pending.status != "ready":
        progress = (pending.progress_done, pending.progress_total)
        return PendingPreview(token, None, {}, pending.status, progress, pending.error, pending.id)
    parsed = _parsed(pending)
    result = import_minutes(
        uow, actor, pending.filename, pending.content, dry_run=True, parsed=parsed
    )
    return PendingPreview(None if not result.dry_run else token, result, _resembled(uow, result))


def confirm_pending_import(
    uow: UnitOfWork,
    actor: Actor,
    token: str,
    selection: ImportSelection | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Import a waiting upload with the user's selection; the upload stops waiting.

    The import and the removal of the upload commit together. When the document turns out to
    be imported already (someone else was quicker), the result names that meeting
    (``created`` False) and the upload is removed all the same.
    """
    pending = _pending(uow, actor, token, now)
    if pending.status != "ready":
        raise NotFound("The minutes are still being read, or reading them failed.")
    filename, content, parsed = pending.filename, pending.content, _parsed(pending)
    uow.session.delete(pending)
    result = import_minutes(uow, actor, filename, content, selection=selection, parsed=parsed)
    if not result.created:
        uow.session.execute(delete(PendingImport).where(PendingImport.token == token))
        uow.commit()
    return result


def read_pending_again(
    uow: UnitOfWork, actor: Actor, token: str, now: datetime | None = None
) -> int | None:
    """Try reading an upload whose reading failed again; returns its id to queue the reading
    (None when it had not failed)."""
    return pending_reading.read_again(uow, _pending(uow, actor, token, now))


def discard_pending_import(
    uow: UnitOfWork, actor: Actor, token: str, now: datetime | None = None
) -> None:
    """Throw a waiting upload away without importing it."""
    uow.session.delete(_pending(uow, actor, token, now))
    uow.commit()


def _pending(uow: UnitOfWork, actor: Actor, token: str, now: datetime | None) -> PendingImport:
    if not may_import(actor):
        raise Forbidden("Viewers cannot import minutes.")
    pending = None
    if 0 < len(token) <= TOKEN_MAX:
        query = select(PendingImport).where(PendingImport.token == token)
        pending = uow.session.scalars(query).first()
    if pending is None or pending.created_at < (now or utcnow()) - PENDING_LIFETIME:
        raise NotFound("This upload is no longer waiting: it was imported, discarded or expired.")
    if pending.created_by_id != actor.id and actor.role != Role.ADMIN:
        raise Forbidden("Only the user who uploaded the minutes can see or import them.")
    return pending


def _parsed(pending: PendingImport) -> ParsedDocument:
    """The document as read at upload (an upload kept before that was stored is read again)."""
    if pending.parsed is not None:
        return document_from_json(pending.parsed)
    return read_bounded(pending.filename, pending.content, ocr=True)


def _purge(uow: UnitOfWork, actor: Actor, now: datetime) -> None:
    """Delete expired uploads, and this user's oldest beyond the limit (room for a new one)."""
    uow.session.execute(
        delete(PendingImport).where(PendingImport.created_at < now - PENDING_LIFETIME)
    )
    keep = (
        select(PendingImport.id)
        .where(PendingImport.created_by_id == actor.id)
        .order_by(PendingImport.created_at.desc(), PendingImport.id.desc())
        .limit(PENDING_PER_USER - 1)
    )
    kept = list(uow.session.scalars(keep))
    uow.session.execute(
        delete(PendingImport).where(
            PendingImport.created_by_id == actor.id, PendingImport.id.not_in(kept)
        )
    )


def _stored_name(filename: str) -> str:
    """The file's name cut to the column's size, keeping its suffix (the reader needs it)."""
    if len(filename) <= FILENAME_MAX:
        return filename
    suffix = PurePosixPath(filename).suffix[:16]
    return filename[: FILENAME_MAX - len(suffix)] + suffix


def _resembled(uow: UnitOfWork, result: ImportResult) -> dict[int, ResembledIdea]:
    ids = {pair.existing_id for pair in result.similar if pair.existing_position is None}
    ids.discard(None)
    if not ids:
        return {}
    rows = uow.session.execute(select(Idea.id, Idea.title, Idea.state).where(Idea.id.in_(ids)))
    return {row.id: ResembledIdea(row.id, row.title, row.state) for row in rows}
