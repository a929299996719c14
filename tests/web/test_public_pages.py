"""Public pages behind signed links: one-click unsubscribe and an idea's read-only status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.web.conftest import Web
from workflow.clock import local_today
from workflow.models import Contact, IdeaStop, Notification, Unsubscription
from workflow.notifications.links import Links
from workflow.notifications.recipients import stakeholders_of
from workflow.notifications.tokens import status_token, unsubscribe_token
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, notifications, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
SECRET = "test-secret"  # the test settings' secret key
ONE_CLICK = {"List-Unsubscribe": "One-Click"}
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Borgerne vil have det"}


def follower(uow: UowFactory, manager: Actor, email: str, language: str = "da") -> int:
    """A contact following a fresh idea; returns the contact's id."""
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus fra Langå"}).id
    with uow() as unit:
        view = collaboration.add_follower(unit, manager, idea_id, name="Anne Sørensen", email=email)
        contact = unit.session.get(Contact, view.contact_id)
        assert contact is not None
        contact.language = language
        unit.commit()
        return view.contact_id


def unsubscriptions(uow: UowFactory) -> list[tuple[int, str]]:
    with uow() as unit:
        return [(r.contact_id, r.list_name) for r in unit.session.scalars(select(Unsubscription))]


@pytest.fixture
def manager(make_user: MakeUser) -> Actor:
    return make_user("manager", name="Mette Manager")


def test_get_asks_to_confirm_and_changes_nothing(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    contact_id = follower(uow, manager, "anne@langaa.dk")
    path = f"/unsubscribe/{unsubscribe_token(SECRET, contact_id, 'idea_updates')}"
    for _ in range(3):  # mail scanners open links; that must not unsubscribe anybody
        response = client.get(path)
        assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="da">' in page and "anne@langaa.dk" in page
    assert 'method="post"' in page and "csrf_token" not in page
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert unsubscriptions(uow) == []


def test_the_page_speaks_the_contacts_language(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    contact_id = follower(uow, manager, "anne@langaa.dk", language="en")
    path = f"/unsubscribe/{unsubscribe_token(SECRET, contact_id, 'idea_updates')}"
    page = client.get(path, headers={"Accept-Language": "da"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "Yes, unsubscribe" in page


def test_one_click_post_without_cookie_or_csrf_token_unsubscribes_idempotently(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    contact_id = follower(uow, manager, "anne@langaa.dk")
    path = f"/unsubscribe/{unsubscribe_token(SECRET, contact_id, 'idea_updates')}"
    for _ in range(2):
        response = client.post(path, data=ONE_CLICK)  # as a mail provider sends it (RFC 8058)
        assert response.status_code == 200
        assert "anne@langaa.dk" in response.get_data(as_text=True)
        assert unsubscriptions(uow) == [(contact_id, "idea_updates")]
    assert "Set-Cookie" not in response.headers  # no session needed
    page = client.get(path).get_data(as_text=True)
    assert 'method="post"' not in page  # already unsubscribed: nothing to confirm


def test_the_pages_button_unsubscribes_too(web: Web, uow: UowFactory, manager: Actor) -> None:
    contact_id = follower(uow, manager, "anne@langaa.dk", language="en")
    path = f"/unsubscribe/{unsubscribe_token(SECRET, contact_id, 'meeting_reports')}"
    page = web.text(path)
    assert f'action="{path}"' in page
    response = web.client.post(path, data=ONE_CLICK)
    assert response.status_code == 200 and "You are unsubscribed" in response.get_data(as_text=True)
    assert unsubscriptions(uow) == [(contact_id, "meeting_reports")]


def test_tampered_cross_contact_and_foreign_tokens_are_404_and_change_nothing(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    anne = follower(uow, manager, "anne@langaa.dk")
    jens = follower(uow, manager, "jens@langaa.dk")
    genuine = unsubscribe_token(SECRET, anne, "idea_updates")
    mac = genuine.rsplit(".", 1)[1]
    for token in (
        genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),
        f"{jens}-idea_updates.{mac}",
        unsubscribe_token("not-our-secret", anne, "idea_updates"),
        status_token(SECRET, anne),
        "x" * 300,
    ):
        assert client.get(f"/unsubscribe/{token}").status_code == 404
        assert client.post(f"/unsubscribe/{token}", data=ONE_CLICK).status_code == 404
    assert unsubscriptions(uow) == []


def test_other_forms_still_need_their_csrf_token(
    client: FlaskClient, web: Web, uow: UowFactory, manager: Actor
) -> None:
    web.login(manager)
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    refused = web.client.post(f"/ideas/{idea_id}/comments", data={"body": "Hej"})
    assert refused.status_code == 400
    accepted = web.post(f"/ideas/{idea_id}/comments", {"body": "Hej"})
    assert accepted.status_code == 302


def test_unsubscribe_and_status_pages_need_no_sign_in(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    contact_id = follower(uow, manager, "anne@langaa.dk")
    unsubscribe = f"/unsubscribe/{unsubscribe_token(SECRET, contact_id, 'idea_updates')}"
    status = f"/status/{status_token(SECRET, 1)}"
    for path in (unsubscribe, status, "/status/nonsense"):
        assert client.get(path).status_code in (200, 404)  # never a redirect to /login


def an_idea_with_a_past(uow: UowFactory, make_user: MakeUser, manager: Actor) -> int:
    """An idea from a meeting, assessed, piloted, with a comment and followers."""
    from tests.importer import documents
    from workflow.services import imports

    owner = make_user("owner", email="olga.owner@randers.dk", name="Olga Ejer")
    with uow() as unit:
        result = imports.import_minutes(unit, manager, "trafik.docx", documents.as_docx())
    idea_id = result.ideas[0].id
    assert idea_id is not None
    with uow() as unit:
        ideas.update_idea(unit, manager, idea_id, {"owner": owner.email})
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS,
                                 reason="Stor opbakning på mødet")  # fmt: skip
    start = local_today() + timedelta(days=10)
    plan = {"owner": owner.email, "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=60)).isoformat(),
            "success_criteria": "100 passagerer om ugen", "budget_dkk": 125000,
            "site": "Langå Station"}  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, owner, idea_id, "start_pilot", data=plan)
    with uow() as unit:
        collaboration.add_comment(unit, manager, idea_id, "INTERN: budgettet er usikkert")
        collaboration.add_follower(unit, manager, idea_id, name="Frederikke Følger",
                                   email="frederikke@langaa.dk")  # fmt: skip
    return idea_id


def test_the_status_page_tells_the_story_and_nothing_internal(
    client: FlaskClient, uow: UowFactory, make_user: MakeUser, manager: Actor
) -> None:
    idea_id = an_idea_with_a_past(uow, make_user, manager)
    response = client.get(f"/status/{status_token(SECRET, idea_id)}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with uow() as unit:
        idea = ideas.get_idea(unit, manager, idea_id)
        participants = unit.session.scalars(select(Contact.name)).all()
    assert '<html lang="da">' in page  # Danish by default
    assert idea.title in page and "Olga Ejer" in page and "I pilot" in page
    for story in ("Borgerne vil have det", "Stor opbakning på mødet", "100 passagerer om ugen",
                  "Langå Station"):  # fmt: skip
        assert story in page, story
    assert idea.meeting is not None and idea.meeting["title"] in page
    for internal in ("INTERN", "budgettet", "olga.owner@randers.dk", manager.email, "Mette",
                     "125.000", "125000", "@", "Frederikke", *participants):  # fmt: skip
        assert internal not in page, internal
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Set-Cookie" not in response.headers
    english = client.get(f"/status/{status_token(SECRET, idea_id)}?lang=en")
    told = english.get_data(as_text=True)
    assert '<html lang="en">' in told
    assert "In pilot" in told
    timeline = told.split('id="public-timeline-heading"')[1]
    assert "The idea has been assessed." in timeline
    assert "The idea is being tried out in a pilot." in timeline
    for action in ("Assess", "Start pilot", "→"):  # plain words, not the staff's action labels
        assert action not in timeline, action


def test_a_tampered_status_token_is_404(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    genuine = status_token(SECRET, idea_id)
    mac = genuine.rsplit(".", 1)[1]
    for token in (
        genuine[:-1] + ("A" if genuine[-1] != "A" else "B"),
        f"{idea_id + 1}.{mac}",
        status_token("not-our-secret", idea_id),
        unsubscribe_token(SECRET, idea_id, "idea_updates"),
        status_token(SECRET, 999_999),  # genuine, but no such idea
    ):
        response = client.get(f"/status/{token}")
        assert response.status_code == 404, token
        assert "Natbus" not in response.get_data(as_text=True)


def test_a_stakeholder_stops_one_idea_and_keeps_hearing_about_the_others(
    client: FlaskClient, uow: UowFactory, manager: Actor
) -> None:
    with uow() as unit:
        natbus = ideas.create_idea(unit, manager, {"title": "Natbus fra Langå"}).id
        baenke = ideas.create_idea(unit, manager, {"title": "Bænke ved åen"}).id
        for idea_id in (natbus, baenke):
            collaboration.add_follower(unit, manager, idea_id, name="Anne", email="anne@langaa.dk",
                                       delivery="immediate")  # fmt: skip
        contact_id = unit.session.scalars(select(Contact.id)).one()
    with uow() as unit:  # news of both ideas waits to be sent
        for idea_id in (natbus, baenke):
            transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    with uow() as unit:
        assert len(notifications.relay_outbox(unit, Links("https://x.dk", SECRET))) == 2
    token = unsubscribe_token(SECRET, contact_id, "idea_updates")
    asked = client.get(f"/unsubscribe/{token}?idea={natbus}").get_data(as_text=True)
    assert "Stop kun e-mails om “Natbus fra Langå”" in asked
    assert "Stop alle e-mails om idéer" in asked
    assert f'name="only" value="{natbus}"' in asked and "idea_updates" not in asked
    with uow() as unit:  # reading the page changed nothing
        assert unit.session.scalars(select(IdeaStop)).all() == []
    stopped = client.post(f"/unsubscribe/{token}", data={"only": str(natbus)})
    assert stopped.status_code == 200
    assert "Vi sender ikke flere e-mails om “Natbus fra Langå”" in stopped.get_data(as_text=True)
    assert client.post(f"/unsubscribe/{token}", data={"only": str(natbus)}).status_code == 200
    assert unsubscriptions(uow) == []  # the other ideas still come
    with uow() as unit:
        held = dict(unit.session.execute(select(Notification.idea_id, Notification.status)).all())
    assert held == {natbus: "suppressed", baenke: "pending"}
    with uow() as unit:
        assert [(s.contact_id, s.idea_id) for s in unit.session.scalars(select(IdeaStop))] == [
            (contact_id, natbus)
        ]
        for idea_id, told in ((natbus, set()), (baenke, {"anne@langaa.dk"})):
            idea = unit.ideas.get(idea_id)
            assert idea is not None
            assert {c.email for c in stakeholders_of(unit, idea)} == told
    assert client.post(f"/unsubscribe/{token}", data={"only": "99999"}).status_code == 404
    one_click = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and unsubscriptions(uow) == [(contact_id, "idea_updates")]
