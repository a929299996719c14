"""Edits are history: each edit is recorded with who, when, and every field before and after,
and a new owner hears of it by email (a real SMTP server)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tests.integration.test_notifications import LINKS, SENDER
from tests.mailsink import MailSink
from workflow.clock import local_today
from workflow.notifications.transport import SmtpTransport
from workflow.permissions import Actor
from workflow.services import delivery, edit_history, ideas, notifications, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def test_each_edit_is_recorded_with_its_fields_before_and_after(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager", name="Mette Holm")
    ole = make_user("owner", "ole@randers.dk", "Ole Berg")
    pia = make_user("owner", "pia@randers.dk", "Pia Lund")
    follow_up = local_today() + timedelta(days=14)
    with uow() as unit:
        idea_id = ideas.create_idea(
            unit, manager, {"title": "Natbus", "owner": ole.email, "themes": ["Trafik"]}
        ).id
    with uow() as unit:
        ideas.change_idea(
            unit, manager, idea_id,
            {"title": "Natbus fra Langå", "owner": pia.email,
             "follow_up_on": follow_up.isoformat(), "themes": ["Trafik", "Unge"]},
        )  # fmt: skip
    with uow() as unit:  # nothing changes: nothing is recorded
        ideas.change_idea(unit, manager, idea_id, {"title": "Natbus fra Langå"})
    with uow() as unit:
        (edit,) = edit_history.idea_edits(unit, manager, idea_id)
    assert (edit.actor, edit.actor_name) == (manager.email, "Mette Holm")
    assert [c.field for c in edit.changes] == ["title", "owner", "follow_up_on", "themes"]
    assert edit.changes_by_field == {
        "title": {"from": "Natbus", "to": "Natbus fra Langå"},
        "owner": {"from": ole.email, "to": pia.email},
        "follow_up_on": {"from": None, "to": follow_up.isoformat()},
        "themes": {"from": ["Trafik"], "to": ["Trafik", "Unge"]},
    }
    owner_change = edit.changes[1]
    assert (owner_change.before_name, owner_change.after_name) == ("Ole Berg", "Pia Lund")


def test_a_new_owner_is_emailed_once_and_nobody_for_their_own_choice(
    uow: UowFactory, make_user: Callable[..., Actor], smtp_sink: MailSink
) -> None:
    manager = make_user("manager", "mette@randers.dk", "Mette Holm")
    pia = make_user("owner", "pia@randers.dk", "Pia Lund")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Bænke ved åen"}).id
    with uow() as unit:
        ideas.change_idea(unit, manager, idea_id, {"owner": pia.email})
    with uow() as unit:
        ready = notifications.relay_outbox(unit, LINKS)
    assert len(ready) == 1
    with uow() as unit:
        assert notifications.relay_outbox(unit, LINKS) == []
        sent = delivery.deliver(unit, ready[0], SmtpTransport(smtp_sink.url), links=LINKS,
                                sender=SENDER)  # fmt: skip
    assert sent == "sent"
    (mail,) = smtp_sink.to("pia@randers.dk")
    assert mail["Subject"] == "Du ejer nu idéen “Bænke ved åen”"
    text = mail.get_body(("plain",)).get_content()
    assert "Mette Holm har gjort dig til ejer af idéen" in text
    assert f"https://ideer.randers.dk/ideas/{idea_id}" in text

    with uow() as unit:  # a manager who takes the idea on themselves is not told
        ideas.change_idea(unit, manager, idea_id, {"owner": manager.email})
    with uow() as unit:
        assert notifications.relay_outbox(unit, LINKS) == []
    with uow() as unit:  # nor is anybody told of an edit that hands the idea to nobody
        ideas.change_idea(unit, manager, idea_id, {"owner": None, "title": "Bænke"})
    with uow() as unit:
        assert notifications.relay_outbox(unit, LINKS) == []
    assert len(smtp_sink.to("pia@randers.dk")) == 1


def test_an_idea_recorded_for_somebody_else_tells_them(
    uow: UowFactory, make_user: Callable[..., Actor], smtp_sink: MailSink
) -> None:
    manager = make_user("manager", "mette@randers.dk", "Mette Holm")
    ole = make_user("owner", "ole@randers.dk", "Ole Berg")
    with uow() as unit:
        ideas.create_idea(unit, manager, {"title": "Natbus", "owner": ole.email})
        ideas.create_idea(unit, ole, {"title": "Bænke"})  # their own: nobody to tell
    with uow() as unit:
        ready = notifications.relay_outbox(unit, LINKS)
    assert len(ready) == 1
    with uow() as unit:
        delivery.deliver(unit, ready[0], SmtpTransport(smtp_sink.url), links=LINKS, sender=SENDER)
    (mail,) = smtp_sink.to("ole@randers.dk")
    assert mail["Subject"] == "Du ejer nu idéen “Natbus”"


def test_a_pilot_run_by_somebody_new_tells_them_and_nobody_else(
    uow: UowFactory, make_user: Callable[..., Actor], smtp_sink: MailSink
) -> None:
    manager = make_user("manager", "mette@randers.dk", "Mette Holm")
    ole = make_user("owner", "ole@randers.dk", "Ole Berg")
    pia = make_user("owner", "pia@randers.dk", "Pia Lund")
    assess = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Ok"}
    plan = {"starts_on": "2026-01-01", "ends_on": "2026-06-30", "success_criteria": "Brugt"}
    with uow() as unit:
        handed = ideas.create_idea(unit, manager, {"title": "Natbus", "owner": ole.email}).id
        kept = ideas.create_idea(unit, manager, {"title": "Bænke", "owner": ole.email}).id
    with uow() as unit:  # the two notices of the new ideas go first
        for ready in notifications.relay_outbox(unit, LINKS):
            delivery.deliver(unit, ready, SmtpTransport(smtp_sink.url), links=LINKS, sender=SENDER)
    for idea_id, runner in ((handed, pia.email), (kept, ole.email)):
        with uow() as unit:
            transitions.fire_trigger(unit, manager, idea_id, "assess", data=assess)
            transitions.fire_trigger(unit, manager, idea_id, "start_pilot",
                                     data={**plan, "owner": runner})  # fmt: skip
    with uow() as unit:
        for ready in notifications.relay_outbox(unit, LINKS):
            delivery.deliver(unit, ready, SmtpTransport(smtp_sink.url), links=LINKS, sender=SENDER)
    (notice,) = smtp_sink.to("pia@randers.dk")
    assert notice["Subject"] == "Du ejer nu idéen “Natbus”"
    assert len(smtp_sink.to("ole@randers.dk")) == 2  # the two new ideas; none for the pilot
