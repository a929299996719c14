"""Follow-up reports on the meeting page: the plan for everybody, changing it, the preview and
sending by hand for managers, the list of sent reports."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from tests.integration import report_scenario as scenario
from tests.web.conftest import Web
from workflow.models import Notification
from workflow.notifications.tokens import report_token
from workflow.permissions import Actor
from workflow.services.meeting_reports import report_plan, sent_reports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
PLAN_FORM = 'action="/meetings/{}/report/plan"'


class Kick:
    """Stands in for the workers: remembers the emails handed to them."""

    def __init__(self) -> None:
        self.queued: list[int] = []

    def queue_deliveries(self, ids: tuple[int, ...]) -> int:
        self.queued.extend(ids)
        return len(ids)


@pytest.fixture
def kick(app: Flask) -> Kick:
    stand_in = Kick()
    app.extensions["ideaflow.kick"] = stand_in
    return stand_in


@pytest.fixture
def meeting_id(uow: UowFactory) -> int:
    """The sample meeting of 12 June 2025; Anne (Danish) and Bo (English) can get reports."""
    found = scenario.import_sample(uow)
    scenario.add_participants(uow, found)
    return found


def months(uow: UowFactory, meeting_id: int, actor: Actor) -> tuple[int, ...]:
    with uow() as unit:
        return report_plan(unit, actor, meeting_id).months


def reports_part(page: str) -> str:
    return page[page.index('id="reports-heading"') :]


def report_emails(uow: UowFactory) -> list[tuple[int, str]]:
    with uow() as unit:
        rows = unit.session.execute(
            select(Notification.id, Notification.recipient_email)
            .where(Notification.kind == "meeting_report")
            .order_by(Notification.id)
        ).all()
    return [(row[0], row[1]) for row in rows]


@pytest.mark.parametrize("role", ["viewer", "owner", "manager", "admin"])
def test_everybody_sees_the_plan_and_only_managers_change_it(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int, role: str
) -> None:
    web.login(make_user(role))
    page = reports_part(html.unescape(web.text(f"/meetings/{meeting_id}")))
    assert "Follow-up reports" in page and "The report plan" in page
    for day in ("12 Jul 2025", "12 Sep 2025", "12 Dec 2025"):
        assert day in page
    assert page.count("Date passed, not sent yet") == 3  # all of them lie in the past
    assert "2 participants can receive the reports." in page
    assert "No report has been sent yet." in page
    manages = role in ("manager", "admin")
    assert (PLAN_FORM.format(meeting_id) in page) is manages
    assert (f'href="/meetings/{meeting_id}/report/preview"' in page) is manages
    if manages:
        assert re.search(r'<input id="report-months"[^>]*value="1, 3, 6"', page)


def test_a_manager_changes_the_plan_and_can_plan_no_reports(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int
) -> None:
    manager = make_user("manager")
    web.login(manager)
    path = f"/meetings/{meeting_id}/report/plan"
    saved = web.post(path, {"months": "36, 2"})
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/meetings/{meeting_id}#reports")
    assert months(uow, meeting_id, manager) == (2, 36)
    page = reports_part(html.unescape(web.text(f"/meetings/{meeting_id}")))
    assert "12 Aug 2025" in page and "12 Jun 2028" in page and "12 Jul 2025" not in page
    assert page.count("Upcoming") == 1 and page.count("Date passed, not sent yet") == 1
    assert web.post(path, {"months": "  "}).status_code == 302
    assert months(uow, meeting_id, manager) == ()
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert "The report plan is saved: no reports are sent for this meeting." in page
    assert "No reports are planned for this meeting." in page


NOT_A_NUMBER = "is not a whole number of months. Write the months as numbers, e.g. 1, 3, 6."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "“0”: each report is 1 to 36 months after the meeting."),
        ("1, 37", "“37”: each report is 1 to 36 months after the meeting."),
        ("3 3", "“3” is there twice: each number of months may appear only once."),
        ("1, three", f"“three” {NOT_A_NUMBER}"),
        ("1.5", f"“1.5” {NOT_A_NUMBER}"),
        ("1," * 150, "Must be a list of whole numbers of months."),
    ],
)
def test_a_wrong_plan_is_shown_at_the_field_and_not_saved(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int, typed: str, message: str
) -> None:
    manager = make_user("manager")
    web.login(manager)
    response = web.post(f"/meetings/{meeting_id}/report/plan", {"months": typed})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert page.count("<h1>") == 1
    assert 'class="error-summary" role="alert"' in page and 'href="#report-months"' in page
    assert f'id="report-months-error"><span class="visually-hidden">Error: </span>{message}' in page
    field = re.search(r'<input id="report-months"[^>]*>', page)
    assert field and 'aria-invalid="true"' in field[0]
    assert 'aria-describedby="report-months-hint report-months-error"' in field[0]
    assert f'value="{typed}"' in field[0]
    # the participant form does not show the plan's errors
    participants = page[page.index('id="add-participant-heading"') :]
    assert "error-summary" not in participants
    assert months(uow, meeting_id, manager) == (1, 3, 6)


def test_the_plan_form_needs_its_csrf_token(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int
) -> None:
    manager = make_user("manager")
    web.login(manager)
    response = web.client.post(f"/meetings/{meeting_id}/report/plan", data={"months": "2"})
    assert response.status_code == 400
    sent = web.client.post(f"/meetings/{meeting_id}/report/send", data={"after": "0"})
    assert sent.status_code == 400
    assert months(uow, meeting_id, manager) == (1, 3, 6)
    assert report_emails(uow) == []


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_others_may_not_plan_preview_or_send(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int, kick: Kick, role: str
) -> None:
    actor = make_user(role)
    web.login(actor)
    base = f"/meetings/{meeting_id}/report"
    assert web.post(f"{base}/plan", {"months": "2"}).status_code == 403
    assert web.post(f"{base}/plan", {"months": "x"}).status_code == 403
    assert web.get(f"{base}/preview").status_code == 403
    assert web.get(f"{base}/preview/html").status_code == 403
    assert web.post(f"{base}/send", {"after": "0"}).status_code == 403
    assert months(uow, meeting_id, actor) == (1, 3, 6)
    assert report_emails(uow) == [] and kick.queued == []


def test_signed_out_and_unknown_meetings(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int
) -> None:
    signed_out = web.get(f"/meetings/{meeting_id}/report/preview")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    web.login(make_user("admin"))
    assert web.get("/meetings/4242/report/preview").status_code == 404
    assert web.post("/meetings/4242/report/plan", {"months": "2"}).status_code == 404
    assert web.post("/meetings/4242/report/plan", {"months": "0"}).status_code == 404
    assert web.post("/meetings/4242/report/send", {"after": "0"}).status_code == 404


def test_the_preview_is_danish_unless_english_is_asked_for(
    make_user: MakeUser, web: Web, meeting_id: int
) -> None:
    web.login(make_user("manager"))
    danish = html.unescape(web.text(f"/meetings/{meeting_id}/report/preview"))
    assert danish.count("<h1>") == 1 and "Preview of the follow-up report" in danish
    assert "Kære deltager\n" in danish
    assert "Af de 21 idéer er 21 under vurdering." in danish
    assert "Linket til rapporten på nettet kommer med, når rapporten bliver sendt." in danish
    assert "Status for idéerne fra mødet “Opsamling på interessentmøde (12.06.25)”" in danish
    assert "2 participants" in danish
    assert f'src="/meetings/{meeting_id}/report/preview/html"' in danish
    assert 'name="after" value="0"' in danish
    english = html.unescape(web.text(f"/meetings/{meeting_id}/report/preview?lang=en"))
    assert "Dear participant,\n" in english and "The 21 ideas: 21 under consideration." in english
    assert f'src="/meetings/{meeting_id}/report/preview/html?lang=en"' in english
    frame = web.get(f"/meetings/{meeting_id}/report/preview/html?lang=en")
    assert frame.status_code == 200 and frame.mimetype == "text/html"
    assert "sandbox" in frame.headers["Content-Security-Policy"]
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert '<html lang="en">' in frame.get_data(as_text=True)
    # the page itself is in the reader's language, the report in the one chosen
    page = html.unescape(
        web.get(
            f"/meetings/{meeting_id}/report/preview?lang=en", headers={"Accept-Language": "da"}
        ).get_data(as_text=True)
    )
    assert "Forhåndsvisning af opfølgningsrapporten" in page and "Dear participant," in page
    meeting = html.unescape(
        web.get(f"/meetings/{meeting_id}", headers={"Accept-Language": "da"}).get_data(as_text=True)
    )
    assert "Opfølgningsrapporter" in meeting and "Datoen er passeret, ikke sendt endnu" in meeting
    assert "Se rapporten og send den nu" in meeting and "Gem planen" in meeting


def test_sending_now_queues_one_email_per_participant_once(
    uow: UowFactory,
    make_user: MakeUser,
    web: Web,
    client_factory: Callable[[], Web],
    meeting_id: int,
    kick: Kick,
) -> None:
    manager = make_user("manager", "mette@randers.dk", "Mette Leder")
    web.login(manager)
    preview = web.text(f"/meetings/{meeting_id}/report/preview")
    after = re.search(r'name="after" value="(\d+)"', preview)
    assert after and after[1] == "0"
    sent = web.post(f"/meetings/{meeting_id}/report/send", {"after": after[1]})
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/meetings/{meeting_id}#reports")
    emails = report_emails(uow)
    assert sorted(email for _, email in emails) == ["anne@example.dk", "bo@example.dk"]
    assert kick.queued == [n for n, _ in emails]
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert "The report is sent to 2 participants." in page
    # a second click on the same preview sends nothing more
    again = web.post(
        f"/meetings/{meeting_id}/report/send", {"after": after[1]}, follow_redirects=True
    )
    assert again.status_code == 200
    assert "A report was sent meanwhile; nothing more was sent." in html.unescape(
        again.get_data(as_text=True)
    )
    assert report_emails(uow) == emails and kick.queued == [n for n, _ in emails]
    # the sent report is listed for everybody, with a link to its public page
    with uow() as unit:
        (report,) = sent_reports(unit, manager, meeting_id)
    viewer = client_factory()
    viewer.login(make_user("viewer"))
    page = reports_part(html.unescape(viewer.text(f"/meetings/{meeting_id}")))
    assert page.count("Sent by hand by Mette Leder") == 1
    assert "The 21 ideas: 21 under consideration." in page
    assert "<td>2</td>" in page[page.index('class="table sent-reports"') :]
    token = report_token("test-secret", report.id)
    assert re.findall(r'href="/reports/([^"]+)"', page) == [f"{token}?lang=en"]
    assert "Date passed, not sent yet" not in page  # the report stands for every passed date
    # a fresh preview knows the report, and a manager may send another one on purpose
    fresh = web.text(f"/meetings/{meeting_id}/report/preview")
    assert f'name="after" value="{report.id}"' in fresh


def test_a_flash_tells_how_many_participants_get_it(
    uow: UowFactory, make_user: MakeUser, web: Web, kick: Kick
) -> None:
    lonely = scenario.import_sample(uow, held_on=date(2025, 6, 12))
    web.login(make_user("admin"))
    response = web.post(f"/meetings/{lonely}/report/send", {"after": "0"}, follow_redirects=True)
    page = html.unescape(response.get_data(as_text=True))
    assert "The report is published, but no participant can receive it by email yet." in page
    assert kick.queued == [] and report_emails(uow) == []
    assert "Sent by hand by" in reports_part(page)


@pytest.mark.parametrize("after", ["9" * 5000, "\u00b2", "\u0663", "", "-0", "0x0"])
def test_a_mangled_newest_report_sends_nothing_and_says_so(
    uow: UowFactory, make_user: MakeUser, web: Web, meeting_id: int, kick: Kick, after: str
) -> None:
    web.login(make_user("manager"))
    sent = web.post(f"/meetings/{meeting_id}/report/send", {"after": after})
    assert sent.status_code == 302
    assert report_emails(uow) == [] and kick.queued == []
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert "A report was sent meanwhile; nothing more was sent." in page
