"""Meeting follow-up reports: each meeting's plan, previews, sending by hand, the public page.

Every meeting has a plan of report dates: months after the day it was held (1, 3 and 6 unless
a manager changes it; [] means no reports; a meeting without a date has no dates yet). The
sweep (``run_reports``, in ``workflow.services.report_sweep``) sends the due reports; managers
may preview and send one by hand. A sent report is recorded with what it said (a snapshot of
``build_report``), and each recipient gets it in their language on the ``meeting_reports`` list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from workflow.clock import local_today
from workflow.errors import Forbidden, NotFound
from workflow.gates import MAX_ID
from workflow.models import Meeting, SentReport, User
from workflow.notifications.compose import Rendered
from workflow.notifications.links import Links
from workflow.notifications.tokens import read_report_token
from workflow.permissions import Actor, may_manage_reports
from workflow.reports.content import MeetingReport, build_report
from workflow.reports.recipients import MEETING_REPORTS, report_recipients
from workflow.reports.render import render_report
from workflow.reports.schedule import clean_months, covered_until, due_dates, planned_dates
from workflow.reports.sending import record_report
from workflow.reports.words import summary_line
from workflow.services.report_sweep import QueuedReport, ReportsRun, run_reports
from workflow.states import State
from workflow.uow import UnitOfWork

__all__ = [
    "MEETING_REPORTS",
    "MeetingReport",
    "PlannedReport",
    "PublicReport",
    "QueuedReport",
    "ReportPlanView",
    "ReportsRun",
    "SentReportView",
    "build_report",
    "current_report",
    "preview_report",
    "public_report",
    "render_report",
    "report_plan",
    "run_reports",
    "send_report_now",
    "sent_reports",
    "set_report_plan",
]

TOKEN_MAX = 200  # longer than any genuine token


@dataclass(frozen=True)
class PlannedReport:
    """One date of a meeting's plan, and the report that covered it (if any yet)."""

    months: int
    due_on: date
    sent_at: datetime | None  # when the report that covers this date went out
    report_id: int | None


@dataclass(frozen=True)
class ReportPlanView:
    """A meeting's report plan: the months, each date and whether it has been sent."""

    meeting_id: int
    held_on: date | None
    months: tuple[int, ...]  # ascending; () means no reports
    planned: tuple[PlannedReport, ...]  # () also while the meeting has no date
    recipients: int  # participants who would receive a report now


@dataclass(frozen=True)
class SentReportView:
    """A report that went out: when, why (a due date, or by hand by whom), to how many."""

    id: int
    meeting_id: int
    sent_at: datetime
    due_on: date | None  # None: sent by hand
    covers: tuple[date, ...]  # the plan's dates this report stands for (several: a catch-up)
    sent_by: str | None  # the name of the manager who sent it by hand
    recipients: int
    counts: Mapping[State, int]  # the meeting's ideas by state, as the report said
    total: int
    unchanged: bool  # the report said that nothing had happened since the one before
    notification_ids: tuple[int, ...] = field(default=())  # set by send_report_now only

    @property
    def by_hand(self) -> bool:
        """True when a manager sent it, not the schedule."""
        return self.due_on is None

    def summary(self, language: str = "da") -> str:
        """The report's summary line, e.g. "Af de 21 idéer er 3 under afprøvning, …"."""
        return summary_line(self.counts, self.total, language)


@dataclass(frozen=True)
class PublicReport:
    """A sent report as its public page shows it: exactly what it said when it went out."""

    id: int
    meeting_id: int
    sent_at: datetime
    due_on: date | None
    report: MeetingReport


def report_plan(uow: UnitOfWork, actor: Actor, meeting_id: int) -> ReportPlanView:
    """A meeting's report plan with each date's report (anybody signed in); NotFound if none."""
    meeting = _meeting(uow, meeting_id)
    sent = uow.session.execute(
        select(SentReport.id, SentReport.due_on, SentReport.sent_at)
        .where(SentReport.meeting_id == meeting.id)
        .order_by(SentReport.sent_at, SentReport.id)
    ).all()
    planned = []
    for months, day in planned_dates(meeting.held_on, meeting.report_months):
        covering = next(
            (
                (report_id, sent_at)
                for report_id, due_on, sent_at in sent
                if (covered := covered_until([(due_on, sent_at)])) is not None and covered >= day
            ),
            None,
        )
        planned.append(
            PlannedReport(
                months=months,
                due_on=day,
                sent_at=covering[1] if covering else None,
                report_id=covering[0] if covering else None,
            )
        )
    return ReportPlanView(
        meeting_id=meeting.id,
        held_on=meeting.held_on,
        months=tuple(sorted(meeting.report_months)),
        planned=tuple(planned),
        recipients=len(report_recipients(uow, meeting.id)),
    )


def set_report_plan(
    uow: UnitOfWork, actor: Actor, meeting_id: int, months: Sequence[int]
) -> ReportPlanView:
    """Change when a meeting's reports go out (managers): months after the meeting, 1 to 36,
    each once; [] means no reports. Commits; ValidationFailed names the field ``months``."""
    if not may_manage_reports(actor):
        raise Forbidden("Only managers and administrators change a meeting's report plan.")
    meeting = _meeting(uow, meeting_id)
    clean = clean_months(months)
    if clean != list(meeting.report_months):
        meeting.report_months = clean
        uow.commit()
    return report_plan(uow, actor, meeting.id)


def current_report(
    uow: UnitOfWork, actor: Actor, meeting_id: int, *, now: datetime
) -> MeetingReport:
    """The report a meeting would get at ``now``, as data (managers)."""
    _require_manager(actor)
    return build_report(uow, _meeting(uow, meeting_id).id, now=now)


def preview_report(
    uow: UnitOfWork,
    actor: Actor,
    meeting_id: int,
    language: str = "da",
    *,
    links: Links,
    now: datetime,
) -> Rendered:
    """The email a report sent at ``now`` would be, without recipient or links (managers)."""
    _require_manager(actor)
    report = build_report(uow, _meeting(uow, meeting_id).id, now=now)
    return render_report(report, language, links)


def send_report_now(
    uow: UnitOfWork, actor: Actor, meeting_id: int, links: Links, *, now: datetime
) -> SentReportView:
    """Send the meeting's report to its participants now (managers), in one commit.

    The report is recorded (even when nobody can receive it: its public page exists then) and
    stands for the plan's dates that are due, so the sweep does not send them again. The view
    carries the ids of the queued emails for the caller to hand to the workers.
    """
    _require_manager(actor)
    meeting = _meeting(uow, meeting_id)
    covered = _covered(uow, meeting.id)
    due = due_dates(meeting.held_on, meeting.report_months, covered, local_today(now))
    recipients = report_recipients(uow, meeting.id)
    report = build_report(uow, meeting.id, now=now)
    row, ids = record_report(
        uow, links, report, recipients, due_on=None, covers=due, sent_by_id=actor.id, now=now
    )
    uow.commit()
    return _view(row, actor.name, ids)


def sent_reports(uow: UnitOfWork, actor: Actor, meeting_id: int) -> list[SentReportView]:
    """The reports a meeting's participants got, newest first (anybody signed in)."""
    meeting = _meeting(uow, meeting_id)
    rows = uow.session.execute(
        select(SentReport, User.name)
        .outerjoin(User, User.id == SentReport.sent_by_id)
        .where(SentReport.meeting_id == meeting.id)
        .order_by(SentReport.sent_at.desc(), SentReport.id.desc())
    ).all()
    return [_view(row, sent_by) for row, sent_by in rows]


def public_report(uow: UnitOfWork, secret: str, token: str) -> PublicReport | None:
    """What a sent report said, for its public page; None unless the token is genuine.

    Only the stored snapshot is shown: the ideas as they stood then, no internal notes, no
    participants or other contacts.
    """
    report_id = read_report_token(secret, token) if len(token) <= TOKEN_MAX else None
    row = uow.session.get(SentReport, report_id) if report_id and report_id <= MAX_ID else None
    if row is None:
        return None
    return PublicReport(
        id=row.id,
        meeting_id=row.meeting_id,
        sent_at=row.sent_at,
        due_on=row.due_on,
        report=MeetingReport.from_json(row.snapshot),
    )


def _meeting(uow: UnitOfWork, meeting_id: int) -> Meeting:
    meeting = uow.meetings.get(meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id}.")
    return meeting


def _require_manager(actor: Actor) -> None:
    if not may_manage_reports(actor):
        raise Forbidden("Only managers and administrators preview and send meeting reports.")


def _covered(uow: UnitOfWork, meeting_id: int) -> date | None:
    rows = uow.session.execute(
        select(SentReport.due_on, SentReport.sent_at).where(SentReport.meeting_id == meeting_id)
    )
    return covered_until((due_on, sent_at) for due_on, sent_at in rows)


def _view(row: SentReport, sent_by: str | None, ids: tuple[int, ...] = ()) -> SentReportView:
    snapshot = row.snapshot
    return SentReportView(
        id=row.id,
        meeting_id=row.meeting_id,
        sent_at=row.sent_at,
        due_on=row.due_on,
        covers=tuple(date.fromisoformat(day) for day in row.covers),
        sent_by=sent_by if row.due_on is None else None,
        recipients=row.recipients,
        counts={State(state): int(count) for state, count in snapshot.get("counts", {}).items()},
        total=int(snapshot.get("total", 0)),
        unchanged=bool(snapshot.get("unchanged_since_last")),
        notification_ids=ids,
    )
