"""Meeting reports as managers and pages use them: the plan, previews, sending by hand, the
list of sent reports, the public page, an honest "nothing new", Danish and English."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from tests.integration import report_scenario as scenario
from tests.integration.report_scenario import add_participants, sweep_time
from workflow.contracts.reports import MeetingReport as ReportAnswer
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.models import Notification
from workflow.notifications.tokens import report_token
from workflow.permissions import Actor
from workflow.services import collaboration
from workflow.services.meeting_reports import (
    PlannedReport,
    current_report,
    preview_report,
    public_report,
    report_plan,
    run_reports,
    send_report_now,
    sent_reports,
    set_report_plan,
)
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
LINKS = scenario.LINKS
JULY, SEPTEMBER, DECEMBER = date(2025, 7, 12), date(2025, 9, 12), date(2025, 12, 12)


@pytest.fixture
def staff(make_user: Callable[..., Actor]) -> scenario.Staff:
    return scenario.Staff(
        manager=make_user("manager", "mette@randers.dk", "Mette Leder"),
        ole=make_user("owner", "ole@randers.dk", "Ole Ejer"),
        sara=make_user("owner", "sara@randers.dk", "Sara Holm"),
    )


@pytest.fixture
def meeting_id(uow: UowFactory, staff: scenario.Staff) -> int:
    """The sample meeting with its participants, nothing moved yet."""
    found = scenario.import_sample(uow, staff.manager)
    add_participants(uow, found)
    return found


def sweep(uow: UowFactory, day: date) -> None:
    with uow() as unit:
        run_reports(unit, LINKS, now=sweep_time(day))


def test_every_meeting_plans_reports_after_1_3_and_6_months(
    uow: UowFactory, staff: scenario.Staff, meeting_id: int, make_user: Callable[..., Actor]
) -> None:
    viewer = make_user("viewer")
    with uow() as unit:
        plan = report_plan(unit, viewer, meeting_id)
    assert (plan.months, plan.held_on, plan.recipients) == ((1, 3, 6), date(2025, 6, 12), 2)
    assert plan.planned == (
        PlannedReport(1, JULY, None, None),
        PlannedReport(3, SEPTEMBER, None, None),
        PlannedReport(6, DECEMBER, None, None),
    )
    sweep(uow, date(2025, 10, 1))  # a catch-up report for July and September
    with uow() as unit:
        plan = report_plan(unit, viewer, meeting_id)
        (report,) = sent_reports(unit, viewer, meeting_id)
    assert [(p.months, p.report_id) for p in plan.planned] == [
        (1, report.id), (3, report.id), (6, None)
    ]  # fmt: skip
    assert plan.planned[0].sent_at == report.sent_at == sweep_time(date(2025, 10, 1))
    assert plan.planned[2] == PlannedReport(6, DECEMBER, None, None)


def test_managers_change_the_plan_and_nobody_else_does(
    uow: UowFactory, staff: scenario.Staff, meeting_id: int, make_user: Callable[..., Actor]
) -> None:
    for role in ("viewer", "owner"):
        with uow() as unit, pytest.raises(Forbidden):
            set_report_plan(unit, make_user(role), meeting_id, [2])
    with uow() as unit:
        plan = set_report_plan(unit, staff.manager, meeting_id, [12, "2"])  # type: ignore[list-item]
    assert plan.months == (2, 12)
    assert [p.due_on for p in plan.planned] == [date(2025, 8, 12), date(2026, 6, 12)]
    for wrong in ([0], [37], [3, 3], ["x"], [True], [2.5], "1,3", None):
        with uow() as unit, pytest.raises(ValidationFailed) as error:
            set_report_plan(unit, staff.manager, meeting_id, wrong)  # type: ignore[arg-type]
        assert list(error.value.fields) == ["months"]
    admin = make_user("admin")
    with uow() as unit:
        assert set_report_plan(unit, admin, meeting_id, []).planned == ()
    sweep(uow, date(2027, 1, 1))
    with uow() as unit:
        assert sent_reports(unit, admin, meeting_id) == []
        with pytest.raises(NotFound):
            report_plan(unit, admin, meeting_id + 1000)


def test_a_report_sent_by_hand_goes_to_everyone_once_and_the_sweep_does_not_repeat_it(
    uow: UowFactory, staff: scenario.Staff, meeting_id: int, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    when = scenario.at(date(2025, 10, 1))
    with uow() as unit, pytest.raises(Forbidden):
        send_report_now(unit, owner, meeting_id, LINKS, now=when)
    with uow() as unit:
        view = send_report_now(unit, staff.manager, meeting_id, LINKS, now=when)
    assert (view.by_hand, view.due_on, view.sent_by, view.recipients) == (
        True, None, "Mette Leder", 2
    )  # fmt: skip
    assert view.covers == (JULY, SEPTEMBER)
    assert view.summary() == "Af de 21 idéer er 21 under vurdering."
    assert view.summary("en") == "The 21 ideas: 21 under consideration."
    with uow() as unit:
        emails = unit.session.execute(
            select(Notification.id, Notification.dedupe_key, Notification.list_name)
            .where(Notification.kind == "meeting_report")
            .order_by(Notification.id)
        ).all()
    assert [row[0] for row in emails] == list(view.notification_ids)
    assert all(key.startswith(f"report:{meeting_id}:{view.id}:") for _, key, _ in emails)
    assert {list_name for _, _, list_name in emails} == {"meeting_reports"}
    sweep(uow, date(2025, 10, 2))  # July and September are covered
    sweep(uow, DECEMBER)
    with uow() as unit:
        listed = sent_reports(unit, owner, meeting_id)
    assert [(r.by_hand, r.due_on, r.sent_by) for r in listed] == [
        (False, DECEMBER, None), (True, None, "Mette Leder")
    ]  # fmt: skip
    assert listed[0].notification_ids == ()


def test_the_preview_is_the_report_without_recipient_or_links(
    uow: UowFactory, staff: scenario.Staff, meeting_id: int, make_user: Callable[..., Actor]
) -> None:
    when = sweep_time(JULY)
    with uow() as unit, pytest.raises(Forbidden):
        preview_report(unit, make_user("viewer"), meeting_id, links=LINKS, now=when)
    with uow() as unit:
        danish = preview_report(unit, staff.manager, meeting_id, links=LINKS, now=when)
        english = preview_report(unit, staff.manager, meeting_id, "en", links=LINKS, now=when)
        report = current_report(unit, staff.manager, meeting_id, now=when)
    assert danish.text.startswith("Kære deltager\n")
    assert "Dette er den første rapport om idéerne fra mødet." in danish.text
    assert "Linket til rapporten på nettet kommer med, når rapporten bliver sendt." in danish.text
    assert "/unsubscribe/" not in danish.text and "/reports/" not in danish.text
    assert english.subject == (
        "Where the ideas from the meeting “Opsamling på interessentmøde (12.06.25)” stand"
    )
    assert english.text.startswith("Dear participant,\n")
    assert "The 21 ideas: 21 under consideration." in english.text
    assert (
        report.total == 21 and ReportAnswer.of(report).dump()["meeting"]["held_on"] == "2025-06-12"
    )
    with uow() as unit, pytest.raises(Forbidden):
        current_report(unit, make_user("owner"), meeting_id, now=when)


def test_a_meeting_where_nothing_happened_says_so_instead_of_repeating_itself(
    uow: UowFactory, staff: scenario.Staff, meeting_id: int
) -> None:
    ids = scenario.idea_ids(uow, meeting_id)
    scenario.before_first_report(uow, staff, ids)
    sweep(uow, JULY)
    sweep(uow, SEPTEMBER)
    with uow() as unit:
        texts = dict(
            unit.session.execute(
                select(Notification.dedupe_key, Notification.body_text).where(
                    Notification.recipient_email == "anne@example.dk"
                )
            ).all()
        )
        subjects = unit.session.scalars(
            select(Notification.subject).where(Notification.recipient_email == "bo@example.dk")
        ).all()
    july, september = (texts[k] for k in sorted(texts))
    assert "Dette er den første rapport" in july and "Sociale partnerskaber" in july
    assert "Afprøves nu i Langå og Assentoft fra 01.08.2025 til 31.01.2026." not in july
    assert "Skal afprøves i Langå og Assentoft fra 01.08.2025 til 31.01.2026." in july
    assert (
        "Der er ikke sket noget nyt med idéerne siden sidste rapport den 12.07.2025. "
        "Af de 21 idéer er 2 under afprøvning, 18 under vurdering og 1 afvist." in september
    )
    assert "Sociale partnerskaber" not in september  # the ideas are not listed again
    assert "Hele rapporten med status for hver idé: https://ideer.randers.dk/reports/" in september
    assert (
        subjects
        == ["Where the ideas from the meeting “Opsamling på interessentmøde (12.06.25)” stand"] * 2
    )


def test_the_public_page_shows_what_the_report_said_and_nothing_internal(
    uow: UowFactory, staff: scenario.Staff, meeting_id: int
) -> None:
    ids = scenario.idea_ids(uow, meeting_id)
    scenario.before_first_report(uow, staff, ids)
    with uow() as unit:
        collaboration.add_comment(unit, staff.manager, ids[1], "INTERNT: borgmesteren tøver")
    sweep(uow, JULY)
    with uow() as unit:
        (sent,) = sent_reports(unit, staff.manager, meeting_id)
    token = report_token(LINKS.secret, sent.id)
    scenario.before_second_report(uow, staff, ids)  # later changes do not alter what it said
    with uow() as unit:
        page = public_report(unit, LINKS.secret, token)
        assert public_report(unit, LINKS.secret, token[:-1] + "x") is None
        assert public_report(unit, "another-secret", token) is None
        assert public_report(unit, LINKS.secret, report_token(LINKS.secret, sent.id + 99)) is None
        assert public_report(unit, LINKS.secret, "x" * 500) is None
    assert page is not None and page.id == sent.id and page.due_on == JULY
    report = page.report
    assert report.counts["piloted"] == 2 and report.counts["scaled"] == 0
    assert report.generated_at == sweep_time(JULY)
    published = json.dumps(ReportAnswer.of(report).dump(), ensure_ascii=False)
    for secret in ("INTERNT", "anne@example.dk", "Anne Andersen", "Dorte", "250000",
                   "mette@randers.dk", "Mette Leder", "impact"):  # fmt: skip
        assert secret not in published
    assert LINKS.report_url(sent.id) == f"https://ideer.randers.dk/reports/{token}"
