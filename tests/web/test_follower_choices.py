"""A stakeholder's choices are shown as they are and never changed by somebody adding them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from tests.web.conftest import Web
from workflow.models import Contact, Meeting, Unsubscription
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, participants
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def new_idea(uow: UowFactory, actor: Actor, title: str = "Natbus fra Langå") -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": title}).id


def test_an_unsubscribed_follower_shows_as_such_on_the_idea_and_the_contacts_page(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    admin = make_user("admin")
    idea_id = new_idea(uow, admin)
    with uow() as unit:
        added = collaboration.add_follower(
            unit, admin, idea_id, name="Anne Holm", email="anne@langaa.dk", delivery="immediate"
        )
        unit.session.add(Unsubscription(contact_id=added.contact_id, list_name="idea_updates"))
        unit.commit()
    web.login(admin)
    idea_page = web.text(f"/ideas/{idea_id}")
    assert "unsubscribed: gets no emails about this idea" in idea_page
    assert "at once" not in idea_page.split('id="followers"')[1].split("</ul>")[0]
    contacts = web.text("/admin/contacts?q=anne")
    assert "Unsubscribed from idea emails" in contacts and "At once" not in contacts


def test_adding_a_known_contact_again_keeps_their_choice_and_says_so(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    first, second = new_idea(uow, manager), new_idea(uow, manager, "Bænke ved åen")
    web.login(manager)
    form = {"name": "Anne Holm", "email": "anne@langaa.dk", "delivery": "immediate"}
    web.post(f"/ideas/{first}/followers", form)
    again = web.post(f"/ideas/{second}/followers", {**form, "delivery": "daily"},
                     follow_redirects=True)  # fmt: skip
    page = again.get_data(as_text=True)
    assert "Anne Holm follows the idea. They already had a choice" in page
    assert "(at once); it is kept." in page
    with uow() as unit:
        contact = unit.session.scalars(select(Contact).filter_by(email="anne@langaa.dk")).one()
        assert contact.delivery == "immediate"
    with uow() as unit:  # a new contact takes the choice made for them
        collaboration.add_follower(
            unit, manager, first, name="Bo", email="bo@langaa.dk", delivery="weekly"
        )
        added = unit.session.scalars(select(Contact).filter_by(email="bo@langaa.dk")).one()
        assert added.delivery == "weekly"


def test_a_refused_follower_names_the_field_and_keeps_what_was_typed(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    web.login(manager)
    typed = {"name": "", "organisation": "Langå Borgerforening", "email": "anne@langaa",
             "delivery": "weekly"}  # fmt: skip
    refused = web.post(f"/ideas/{idea_id}/followers", typed, follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert "The follower was not added: Name: This field is required." in page
    assert "The follower was not added: Email address: Must be an email address." in page
    assert 'value="Langå Borgerforening"' in page and 'value="anne@langaa"' in page
    assert '<option value="weekly" selected>' in page
    assert 'value="Langå Borgerforening"' not in web.text(f"/ideas/{idea_id}")  # shown once


def test_meeting_participants_who_will_hear_are_listed_with_the_followers(
    web: Web, uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        meeting = Meeting(title="Interessentmøde", held_on=date(2025, 6, 12))
        unit.meetings.add(meeting)
        unit.commit()
        meeting_id = meeting.id
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
        stored = unit.ideas.get(idea_id)
        assert stored is not None
        stored.meeting_id = meeting_id
        unit.commit()
    with uow() as unit:
        for name, email in (("Carl Deltager", "carl@langaa.dk"), ("Dorte Uden", None),
                            ("Eva Følger", "eva@langaa.dk")):  # fmt: skip
            participants.add_participant(unit, manager, meeting_id,
                                         {"name": name, "email": email}, source="test")  # fmt: skip
        collaboration.add_follower(unit, manager, idea_id, name="Eva Følger", email="eva@langaa.dk")
    web.login(manager)
    followers = web.text(f"/ideas/{idea_id}").split('id="followers"')[1].split("</section>")[0]
    told = followers.split("Also told: participants of the meeting")[1]
    assert "Carl Deltager" in told and "carl@langaa.dk" in told
    assert "Dorte Uden" not in told  # no address: nobody to tell
    assert "Eva Følger" not in told  # listed once, as a follower
