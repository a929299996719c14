"""Recording what became of each try: kept while a batch sends, written together in one commit.

An outcome is only ever recorded after the server's answer, so nothing is marked sent that was
not accepted. Writing a batch's outcomes together costs one commit (one wait for the disk) where
one per message cost as much as the sending; the price is what a crash repeats: the messages
sent since the last write (at most ``FLUSH_SECONDS`` worth, and never more than one batch) are
still pending under their lease, and the sweep sends them again with the same Message-ID.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Integer, String, Table, Text, bindparam, select

from workflow.clock import utcnow
from workflow.models import DeliveryAttempt, Notification, UTCDateTime
from workflow.uow import UnitOfWork

logger = logging.getLogger("workflow.services.delivery")
FLUSH_SECONDS = 1.0  # a batch writes what it has at least this often (a slow server's batch)


class Tried(Protocol):
    """What recording needs of a notification that was tried."""

    @property
    def id(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def outbox_id(self) -> int | None: ...


class Outcomes:
    """The outcomes of a batch not yet written; ``flush`` writes them in one transaction."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.waiting: list[dict[str, Any]] = []
        self.lines: list[tuple[Tried, str, str | None, datetime | None]] = []
        self.since = 0.0

    def add(
        self,
        tried: Tried,
        status: str,
        error: str | None,
        *,
        reply: str | None = None,
        sent_at: datetime | None = None,
        hold_until: datetime | None = None,
    ) -> str:
        """Keep the outcome of a try, and the try itself, for the next write; the lease is
        given up then (or kept until ``hold_until``)."""
        answer = (reply or error or "")[:2000] or None
        attempt = "held" if status == "pending" else status
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append(
            {
                "nid": tried.id,
                "new_status": status,
                "reply": answer,
                "error": error[:2000] if error else None,
                "when": sent_at,
                "hold": hold_until,
                "number": tried.attempts,
                "at": utcnow(),
                "outcome": attempt,
            }
        )
        self.lines.append((tried, attempt, answer, hold_until))
        return status

    def due(self) -> bool:
        """Whether the oldest outcome waiting has waited ``FLUSH_SECONDS``."""
        return bool(self.waiting) and time.monotonic() - self.since >= FLUSH_SECONDS

    def flush(self) -> None:
        """Write every waiting outcome and try (and any suppression added), then log them."""
        if not self.waiting:
            return
        session = self.uow.session
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_RECORD_BOTH, self.waiting)  # one round trip for the lot
        else:
            session.execute(_RECORD_OUTCOME, self.waiting)
            session.execute(_RECORD_ATTEMPT, self.waiting)
        self.uow.commit()
        for tried, attempt, answer, hold_until in self.lines:
            _log_attempt(tried, attempt, answer, hold_until)
        self.waiting, self.lines = [], []


def _log_attempt(tried: Tried, outcome: str, answer: str | None, hold: datetime | None) -> None:
    """One line per try, with the fields that trace it from its outbox event to the server."""
    fields = {
        "event": f"notification.{outcome}",
        "notification_id": tried.id,
        "outbox_id": tried.outbox_id,
        "attempt": tried.attempts,
        "smtp_reply": answer,
    }
    if hold is not None:
        fields["hold_until"] = hold.isoformat(timespec="seconds")
    level = logging.INFO if outcome in ("sent", "suppressed") else logging.WARNING
    logger.log(
        level,
        "notification %s %s (try %s): %s",
        tried.id,
        _OUTCOME_WORDS[outcome],
        tried.attempts,
        answer or "-",
        extra=fields,
    )


_OUTCOME_WORDS = {
    "sent": "sent",
    "held": "held for a retry",
    "failed": "failed",
    "suppressed": "suppressed",
}
_notifications = cast(Table, Notification.__table__)
_attempts = cast(Table, DeliveryAttempt.__table__)
# Built once: they run for every email, and building a statement costs more than sending it.
_RECORD_OUTCOME = (
    _notifications.update()
    .where(_notifications.c.id == bindparam("nid"))
    .values(
        status=bindparam("new_status"),
        last_error=bindparam("error"),
        smtp_reply=bindparam("reply"),
        lease_until=bindparam("hold"),
        sent_at=bindparam("when"),
    )
)
_ATTEMPT_COLUMNS = ["notification_id", "number", "at", "outcome", "smtp_reply", "hold_until"]
_ATTEMPT_VALUES = [
    bindparam("number", type_=Integer),
    bindparam("at", type_=UTCDateTime()),
    bindparam("outcome", type_=String()),
    bindparam("reply", type_=Text()),
    bindparam("hold", type_=UTCDateTime()),
]
# PostgreSQL: the outcome and the try in one statement (an UPDATE in a WITH feeding the INSERT).
_UPDATED = _RECORD_OUTCOME.returning(_notifications.c.id).cte("outcome")
_RECORD_BOTH = (
    _attempts.insert()
    .from_select(_ATTEMPT_COLUMNS, select(_UPDATED.c.id, *_ATTEMPT_VALUES))
    .add_cte(_UPDATED)
)
_RECORD_ATTEMPT = _attempts.insert().values(
    notification_id=bindparam("nid"),
    number=bindparam("number"),
    at=bindparam("at"),
    outcome=bindparam("outcome"),
    smtp_reply=bindparam("reply"),
    hold_until=bindparam("hold"),
)
