"""Adding participants on a meeting's page: managers only, CSRF, errors at the fields, Danish."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from tests.importer import documents
from tests.web.conftest import Web
from workflow.models import Contact, Meeting, MeetingParticipant
from workflow.permissions import Actor
from workflow.services import imports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
FORM = 'action="/meetings/{}/participants"'


def add_meeting(uow: UowFactory) -> int:
    with uow() as unit:
        meeting = Meeting(title="Borgermøde om stier", held_on=date(2025, 6, 12))
        unit.meetings.add(meeting)
        unit.commit()
        return meeting.id


def stored(uow: UowFactory, meeting_id: int) -> list[tuple[str, str | None, str | None]]:
    with uow() as unit:
        rows = unit.session.execute(
            select(Contact.name, Contact.email, MeetingParticipant.consent_source)
            .join(MeetingParticipant, MeetingParticipant.contact_id == Contact.id)
            .where(MeetingParticipant.meeting_id == meeting_id)
            .order_by(MeetingParticipant.position)
        ).all()
        return [(name, email, source) for name, email, source in rows]


@pytest.mark.parametrize("role", ["viewer", "owner", "manager", "admin"])
def test_only_managers_and_admins_get_the_form(
    uow: UowFactory, make_user: MakeUser, web: Web, role: str
) -> None:
    meeting_id = add_meeting(uow)
    web.login(make_user(role))
    page = web.text(f"/meetings/{meeting_id}")
    assert (FORM.format(meeting_id) in page) is (role in ("manager", "admin"))


def test_a_manager_adds_participants_with_and_without_an_address(
    uow: UowFactory, make_user: MakeUser, web: Web
) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow)
    web.login(manager)
    path = f"/meetings/{meeting_id}/participants"
    added = web.post(
        path, {"name": "Anne Sørensen", "organisation": "Langå By", "email": "Anne@Langaa.dk"}
    )
    assert added.status_code == 302
    assert added.headers["Location"].endswith(f"/meetings/{meeting_id}#participants")
    assert web.post(path, {"name": "Bo Berg", "organisation": "", "email": ""}).status_code == 302
    assert stored(uow, meeting_id) == [
        ("Anne Sørensen", "anne@langaa.dk", f"added on the meeting page by {manager.email}"),
        ("Bo Berg", None, None),
    ]
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert "Bo Berg is added to the participants." in page
    people = page[page.index('id="participants-heading"') :]
    assert 'href="mailto:anne@langaa.dk"' in people
    assert (
        "Hears about the ideas as part of the municipality's public task (added on the meeting "
        f"page by {manager.email}, " in people
    )
    assert "No email address: hears nothing about the ideas" in people
    again = web.post(path, {"name": "Anne Sørensen", "email": "anne@langaa.dk"})
    assert again.status_code == 302
    assert "Anne Sørensen is already a participant." in html.unescape(
        web.text(f"/meetings/{meeting_id}")
    )
    assert len(stored(uow, meeting_id)) == 2


def test_an_address_for_a_participant_from_the_minutes_is_saved(
    uow: UowFactory, make_user: MakeUser, web: Web
) -> None:
    with uow() as unit:
        imported = imports.import_minutes(unit, None, "trafik.docx", documents.as_docx())
    meeting_id = imported.meeting["id"]
    assert isinstance(meeting_id, int)
    name, organisation, _ = documents.PARTICIPANTS[2]
    web.login(make_user("admin"))
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert page.count("No email address: hears nothing about the ideas") == 1
    response = web.post(
        f"/meetings/{meeting_id}/participants",
        {"name": name, "organisation": organisation, "email": "sofie@langaa.dk"},
    )
    assert response.status_code == 302
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert f"{name} was already a participant; the email address is saved." in page
    assert "No email address" not in page and 'href="mailto:sofie@langaa.dk"' in page
    assert len(stored(uow, meeting_id)) == 3


def test_errors_are_shown_next_to_the_fields_and_nothing_is_added(
    uow: UowFactory, make_user: MakeUser, web: Web
) -> None:
    meeting_id = add_meeting(uow)
    web.login(make_user("manager"))
    response = web.post(
        f"/meetings/{meeting_id}/participants",
        {"name": "  ", "organisation": "<b>Langå</b>", "email": "not-an-address"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("<h1>") == 1
    assert 'class="error-summary" role="alert"' in page
    assert 'href="#participant-name"' in page and 'href="#participant-email"' in page
    assert 'id="participant-name-error"' in page and 'id="participant-email-error"' in page
    name_input = re.search(r'<input id="participant-name"[^>]*>', page)
    assert name_input and 'aria-invalid="true"' in name_input.group(0)
    assert 'aria-describedby="participant-name-error"' in name_input.group(0)
    email_input = re.search(r'<input id="participant-email"[^>]*>', page)
    assert email_input
    assert 'aria-describedby="participant-email-hint participant-email-error"' in email_input[0]
    assert "This field is required." in page and "Must be an email address." in page
    # what was typed is shown again, escaped
    assert 'value="&lt;b&gt;Langå&lt;/b&gt;"' in page and 'value="not-an-address"' in page
    assert "<b>Langå</b>" not in page
    assert stored(uow, meeting_id) == []


def test_the_form_needs_its_csrf_token(uow: UowFactory, make_user: MakeUser, web: Web) -> None:
    meeting_id = add_meeting(uow)
    web.login(make_user("manager"))
    response = web.client.post(f"/meetings/{meeting_id}/participants", data={"name": "Bo Berg"})
    assert response.status_code == 400
    assert stored(uow, meeting_id) == []


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_others_may_not_add_participants(
    uow: UowFactory, make_user: MakeUser, web: Web, role: str
) -> None:
    meeting_id = add_meeting(uow)
    web.login(make_user(role))
    response = web.post(f"/meetings/{meeting_id}/participants", {"name": "Bo Berg"})
    assert response.status_code == 403
    assert stored(uow, meeting_id) == []


def test_signed_out_and_unknown_meetings(uow: UowFactory, make_user: MakeUser, web: Web) -> None:
    meeting_id = add_meeting(uow)
    signed_out = web.post(f"/meetings/{meeting_id}/participants", {"name": "Bo Berg"})
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    web.login(make_user("manager"))
    assert web.post("/meetings/4242/participants", {"name": "Bo Berg"}).status_code == 404
    assert stored(uow, meeting_id) == []


def test_the_form_is_in_danish_by_default(uow: UowFactory, make_user: MakeUser, web: Web) -> None:
    meeting_id = add_meeting(uow)
    web.login(make_user("manager"))
    web.post(f"/meetings/{meeting_id}/participants", {"name": "Bo Berg"})
    page = html.unescape(
        web.get(f"/meetings/{meeting_id}", headers={"Accept-Language": "da"}).get_data(as_text=True)
    )
    assert "Tilføj en deltager" in page and "Tilføj deltager" in page
    assert "Ingen e-mailadresse" in page
    invalid = web.post(
        f"/meetings/{meeting_id}/participants", {"name": ""}, headers={"Accept-Language": "da"}
    )
    assert "Udfyld feltet." in html.unescape(invalid.get_data(as_text=True))


def test_where_an_address_came_from_is_said_in_danish(
    uow: UowFactory, make_user: MakeUser, web: Web
) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow)
    web.login(manager)
    web.post(f"/meetings/{meeting_id}/participants", {"name": "Bo Berg", "email": "bo@berg.dk"})
    page = html.unescape(
        web.get(f"/meetings/{meeting_id}", headers={"Accept-Language": "da"}).get_data(as_text=True)
    )
    assert f"tilføjet på mødets side af {manager.email}" in page
    assert "added on the meeting page" not in page
    # the record itself keeps one wording, whatever the language of the person who added it
    assert stored(uow, meeting_id)[0][2] == f"added on the meeting page by {manager.email}"
