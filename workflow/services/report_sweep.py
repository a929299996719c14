"""The report sweep: every meeting with planned dates that are due gets ONE report.

The meetings that may be due are read in one query with the latest report each already has
(see ``workflow.reports.schedule`` for when a date counts as covered). A meeting imported after
several of its dates had passed gets one catch-up report standing for all of them.

Each meeting's report is written in its own transaction: the ``sent_reports`` row (unique per
meeting and due date) and its emails together. When two sweeps run at once, the unique index
lets one of them write and the other roll back, so no report goes out twice for a date. A
meeting that is due while nobody can receive its report is left for a later sweep, so that
participants added afterwards still hear back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workflow.clock import local_today, utcnow
from workflow.models import Meeting, SentReport
from workflow.notifications.links import Links
from workflow.reports.content import build_report
from workflow.reports.recipients import report_recipients
from workflow.reports.schedule import covered_until, due_dates
from workflow.reports.sending import record_report
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
SHORTEST_MONTH_DAYS = 28  # no planned date comes sooner after the meeting than this


@dataclass(frozen=True)
class QueuedReport:
    """The report one meeting got from a sweep."""

    meeting_id: int
    meeting_title: str
    report_id: int
    due_on: date  # the latest of the dates it stands for
    covers: tuple[date, ...]  # every planned date it stands for (more than one: a catch-up)
    recipients: tuple[str, ...]
    notification_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReportsRun:
    """What one sweep did."""

    now: datetime
    today: date
    queued: tuple[QueuedReport, ...] = ()
    lost: int = 0  # reports another sweep running at the same time wrote first
    waiting: int = 0  # meetings due whose report nobody can receive yet (tried again later)
    failed: int = 0  # reports that could not be written (logged; tried again next sweep)

    @property
    def notification_ids(self) -> tuple[int, ...]:
        """The ids of every queued email."""
        return tuple(n for item in self.queued for n in item.notification_ids)

    def __str__(self) -> str:
        emails = len(self.notification_ids)
        return (
            f"{len(self.queued)} meeting reports queued ({emails} emails; {self.lost} lost to "
            f"another sweep, {self.waiting} without recipients, {self.failed} failed)"
        )


def run_reports(uow: UnitOfWork, links: Links, *, now: datetime | None = None) -> ReportsRun:
    """Send every meeting's due report (one per meeting); each meeting in its own transaction."""
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = local_today(now)
    queued: list[QueuedReport] = []
    lost = waiting = failed = 0
    for meeting_id, title, due in due_meetings(uow, today):
        try:
            item = _send(uow, links, meeting_id, title, due, now)
        except IntegrityError:
            uow.rollback()  # another sweep sent this meeting's report a moment ago
            lost += 1
            continue
        except Exception:  # one meeting that cannot be reported on must not stop the others
            logger.exception("the report on meeting %s failed", meeting_id)
            uow.rollback()
            failed += 1
            continue
        if item is None:
            waiting += 1
        else:
            queued.append(item)
    return ReportsRun(now, today, tuple(queued), lost, waiting, failed)


def due_meetings(uow: UnitOfWork, today: date) -> list[tuple[int, str, list[date]]]:
    """(meeting id, title, its due dates not yet covered) of every meeting due on ``today``."""
    latest = (
        select(
            SentReport.meeting_id,
            func.max(SentReport.due_on).label("due_on"),
            func.max(SentReport.sent_at).label("sent_at"),
        )
        .group_by(SentReport.meeting_id)
        .subquery()
    )
    query = (
        select(
            Meeting.id,
            Meeting.title,
            Meeting.held_on,
            Meeting.report_months,
            latest.c.due_on,
            latest.c.sent_at,
        )
        .outerjoin(latest, latest.c.meeting_id == Meeting.id)
        .where(
            Meeting.held_on.is_not(None),
            Meeting.held_on <= today - timedelta(days=SHORTEST_MONTH_DAYS),
        )
        .order_by(Meeting.id)
    )
    found = []
    for meeting_id, title, held_on, months, due_on, sent_at in uow.session.execute(query):
        covered = covered_until([(due_on, sent_at)]) if sent_at is not None else due_on
        due = due_dates(held_on, months or [], covered, today)
        if due:
            found.append((meeting_id, title, due))
    return found


def _send(
    uow: UnitOfWork, links: Links, meeting_id: int, title: str, due: list[date], now: datetime
) -> QueuedReport | None:
    """Record one meeting's report and its emails and commit; None when nobody can get it."""
    recipients = report_recipients(uow, meeting_id)
    if not recipients:
        uow.rollback()
        return None
    report = build_report(uow, meeting_id, now=now)
    row, ids = record_report(
        uow, links, report, recipients, due_on=due[-1], covers=due, sent_by_id=None, now=now
    )
    uow.commit()
    return QueuedReport(
        meeting_id=meeting_id,
        meeting_title=title,
        report_id=row.id,
        due_on=due[-1],
        covers=tuple(due),
        recipients=tuple(contact.email or "" for contact in recipients),
        notification_ids=ids,
    )
