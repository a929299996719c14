"""The report on the sample minutes, word for word, against a text file reviewed by hand.

When the report's wording changes on purpose, regenerate the file and read it again before
committing it:

    IDEAFLOW_UPDATE_GOLDEN=1 .venv/bin/pytest tests/integration/test_meeting_report_golden.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.integration import report_scenario as scenario
from workflow.models import Notification, SentReport
from workflow.permissions import Actor
from workflow.services.meeting_reports import (
    MeetingReport,
    build_report,
    render_report,
    run_reports,
)
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "meeting_report_sample.da.txt"
UPDATE = os.environ.get("IDEAFLOW_UPDATE_GOLDEN") == "1"
THREE_MONTHS = scenario.sweep_time(date(2025, 9, 12))


@pytest.fixture
def staff(make_user: Callable[..., Actor]) -> scenario.Staff:
    return scenario.Staff(
        manager=make_user("manager", "mette@randers.dk", "Mette Leder"),
        ole=make_user("owner", "ole@randers.dk", "Ole Ejer"),
        sara=make_user("owner", "sara@randers.dk", "Sara Holm"),
    )


def three_months_on(uow: UowFactory, staff: scenario.Staff) -> int:
    """The sample meeting with its one-month report sent and the ideas moved on since."""
    meeting_id = scenario.import_sample(uow, staff.manager)
    scenario.add_participants(uow, meeting_id)
    ids = scenario.idea_ids(uow, meeting_id)
    scenario.before_first_report(uow, staff, ids)
    with uow() as unit:
        first = run_reports(unit, scenario.LINKS, now=scenario.sweep_time(date(2025, 7, 12)))
    assert [item.due_on for item in first.queued] == [date(2025, 7, 12)]
    scenario.before_second_report(uow, staff, ids)
    return meeting_id


def test_the_three_month_report_on_the_sample_minutes_reads_as_reviewed(
    uow: UowFactory, staff: scenario.Staff
) -> None:
    meeting_id = three_months_on(uow, staff)
    with uow() as unit:
        report = build_report(unit, meeting_id, now=THREE_MONTHS)
    # Fixed ids for the links, so the text is the same whatever ids the database hands out.
    text = render_report(
        report, "da", scenario.LINKS, report_id=1, recipient_name="Anne Andersen", contact_id=1
    ).text
    if UPDATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), f"no {GOLDEN.name}: run with IDEAFLOW_UPDATE_GOLDEN=1 once"
    expected = GOLDEN.read_text(encoding="utf-8")
    assert text == expected, (
        f"The report differs from {GOLDEN}. If the change is intended, regenerate it with "
        "IDEAFLOW_UPDATE_GOLDEN=1 and review the file by hand."
    )


def test_the_email_sent_is_that_report_and_the_snapshot_says_the_same(
    uow: UowFactory, staff: scenario.Staff
) -> None:
    meeting_id = three_months_on(uow, staff)
    with uow() as unit:
        expected = build_report(unit, meeting_id, now=THREE_MONTHS)
        run = run_reports(unit, scenario.LINKS, now=THREE_MONTHS)
    (queued,) = run.queued
    with uow() as unit:
        row = unit.session.get(SentReport, queued.report_id)
        assert row is not None
        snapshot = MeetingReport.from_json(row.snapshot)
        emails = unit.session.scalars(
            select(Notification)
            .where(Notification.id.in_(queued.notification_ids))
            .order_by(Notification.id)
        ).all()
        sent = [(e.recipient_name, e.language, e.contact_id, e.body_text) for e in emails]
    assert snapshot == expected
    assert [(name, language) for name, language, _, _ in sent] == [
        ("Anne Andersen", "da"),
        ("Bo Berg", "en"),
    ]
    for name, language, contact_id, body in sent:
        again = render_report(snapshot, language, scenario.LINKS, report_id=queued.report_id,
                              recipient_name=name, contact_id=contact_id)  # fmt: skip
        assert body == again.text
    anne_text = sent[0][3]
    golden_lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    # Only the two personal links differ from the golden text.
    assert [line for line in anne_text.splitlines() if "https://" not in line] == [
        line for line in golden_lines if "https://" not in line
    ]
