"""The unit of work: one transaction per use case, with the repositories that share it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from workflow.driver_statements import compiled_for
from workflow.errors import VersionConflict
from workflow.events import Event
from workflow.models import OutboxMessage
from workflow.repositories import (
    ContactRepository,
    HistoryRepository,
    IdeaRepository,
    MeetingRepository,
    ThemeRepository,
    TokenRepository,
    UserRepository,
)

logger = logging.getLogger(__name__)
_OUTBOX_INSERT = insert(OutboxMessage.__table__)  # type: ignore[arg-type]
_OUTBOX_KEYS = frozenset(("event_type", "aggregate_type", "aggregate_id", "payload"))


class MoreThanOneWrite(RuntimeError):
    """A reading unit of work was asked to write what needs a transaction."""


def _at_most_one_write(session: Session) -> None:
    changes = len(session.new) + len(session.deleted)
    changes += sum(1 for item in session.dirty if session.is_modified(item))
    if changes > 1:
        raise MoreThanOneWrite(f"a reading unit of work writes one row at most, not {changes}")


class UnitOfWork:
    """Owns a session for one use case; nothing is written unless ``commit`` is called.

    Events passed to ``publish`` become outbox rows in the same transaction as the change that
    caused them, so a change and its notification are committed (or lost) together.
    ``after_commit`` (optional, plain Python) is called after a commit that published events,
    e.g. to wake the outbox relay at once; it can never undo or fail the commit.

    A ``reading`` unit of work runs each statement on its own (``Database.reading``): it reads,
    and its ``commit`` writes at most one row, which needs no transaction around it; more raise
    ``MoreThanOneWrite`` before anything is sent, and so does publishing an event.
    """

    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        after_commit: Callable[[], None] | None = None,
        *,
        reading: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._after_commit = after_commit
        self.reading = reading
        self._published = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.users = UserRepository(self.session)
        self.tokens = TokenRepository(self.session)
        self.ideas = IdeaRepository(self.session)
        self.themes = ThemeRepository(self.session)
        self.history = HistoryRepository(self.session)
        self.meetings = MeetingRepository(self.session)
        self.contacts = ContactRepository(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._published = False
        self.session.rollback()
        self.session.close()
        if isinstance(exc, StaleDataError):  # a lost compare-and-set found by an autoflush
            raise VersionConflict() from exc

    def publish(self, event: Event) -> None:
        """Queue ``event`` in the outbox, inside this transaction."""
        if self.reading:
            raise MoreThanOneWrite("an event is published with its change, never by a reader")
        # One INSERT at once, without RETURNING and outside the unit of work's flush: nothing
        # here needs the row's id, and the row is visible to this transaction's later queries.
        connection = self.connection()
        compiled_for(_OUTBOX_INSERT, connection.dialect, _OUTBOX_KEYS).run(
            connection,
            {
                "event_type": event.event_type,
                "aggregate_type": event.aggregate_type,
                "aggregate_id": event.aggregate_id,
                "payload": event.payload(),
            },
        )
        self._published = True

    def note_published(self) -> None:
        """An outbox row was written by the caller's own statement (as ``publish`` writes it)."""
        self._published = True

    def connection(self) -> Connection:
        """The session's connection in this transaction, for single Core statements that need
        none of the session's book-keeping (its ``execute`` costs several times the statement's)."""
        return self.session.connection()

    def flush(self) -> None:
        """Send pending changes to the database (ids appear) without committing."""
        if self.reading:
            _at_most_one_write(self.session)
        try:
            self.session.flush()
        except StaleDataError:
            raise VersionConflict() from None

    def commit(self) -> None:
        """Commit; a lost compare-and-set on a version column becomes ``VersionConflict``."""
        if self.reading:
            _at_most_one_write(self.session)
        try:
            self.session.commit()
        except StaleDataError:
            self.rollback()
            raise VersionConflict() from None
        published, self._published = self._published, False
        if published and self._after_commit is not None:
            try:
                self._after_commit()
            except Exception:  # the change is committed; the relay's sweep will pick it up
                logger.exception("after-commit callback failed")

    def rollback(self) -> None:
        """Throw away everything not committed."""
        self._published = False
        self.session.rollback()
