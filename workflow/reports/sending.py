"""Recording a sent report and staging its emails, one per recipient (the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from workflow.contracts.reports import MeetingReport as ReportAnswer
from workflow.models import Contact, SentReport
from workflow.notifications.links import Links
from workflow.reports.data import MeetingReport
from workflow.reports.recipients import MEETING_REPORTS
from workflow.reports.render import render_report
from workflow.services.notifications import add_notification
from workflow.uow import UnitOfWork


def record_report(
    uow: UnitOfWork,
    links: Links,
    report: MeetingReport,
    recipients: Sequence[Contact],
    *,
    due_on: date | None,
    covers: Sequence[date],
    sent_by_id: int | None,
    now: datetime,
) -> tuple[SentReport, tuple[int, ...]]:
    """Stage the sent report and one email per recipient in their language; return the report
    and the emails' ids.

    The report is flushed first: for a due date, the unique index raises IntegrityError here
    when another sweep recorded it already, before any email is staged.
    """
    row = SentReport(
        meeting_id=report.meeting_id,
        due_on=due_on,
        covers=[day.isoformat() for day in covers],
        sent_at=now,
        sent_by_id=sent_by_id,
        recipients=0,
        snapshot=ReportAnswer.of(report).dump(),
    )
    uow.session.add(row)
    uow.flush()
    occasion = due_on.isoformat() if due_on is not None else str(row.id)
    created = []
    for contact in recipients:
        rendered = render_report(
            report,
            contact.language,
            links,
            report_id=row.id,
            recipient_name=contact.name,
            contact_id=contact.id,
        )
        notification = add_notification(
            uow,
            links,
            rendered,
            kind="meeting_report",
            dedupe_key=f"report:{report.meeting_id}:{occasion}:{contact.id}",
            now=now,
            contact=contact,
            meeting_id=report.meeting_id,
            list_name=MEETING_REPORTS,
            payload={
                "report_id": row.id,
                "meeting_id": report.meeting_id,
                "due_on": due_on.isoformat() if due_on else None,
            },
        )
        if notification is not None:
            created.append(notification.id)
    row.recipients = len(created)
    return row, tuple(created)
