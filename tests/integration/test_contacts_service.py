"""Contacts: following with a delivery preference, unsubscribing, suppressions, GDPR export
and erasure (service and CLI), on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.models import (
    Base,
    Contact,
    IdeaFollower,
    Notification,
    Suppression,
    Unsubscription,
)
from workflow.notifications.links import Links
from workflow.notifications.tokens import status_token, unsubscribe_token
from workflow.notifications.transport import FileTransport
from workflow.permissions import Actor
from workflow.services import contact_data, contacts, delivery, ideas, notifications, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
SECRET = "test-secret"
LINKS = Links("http://ideaflow.test", SECRET)
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


@pytest.fixture
def manager(make_user: MakeUser) -> Actor:
    return make_user("manager")


def new_idea(uow: UowFactory, actor: Actor, title: str = "Natbus fra Langå") -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": title}).id


def follow(uow: UowFactory, actor: Actor, idea_id: int, **fields: Any) -> contacts.FollowResult:
    with uow() as unit:
        return contacts.follow(unit, actor, idea_id, fields, source=f"test by {actor.email}")


def assess(uow: UowFactory, actor: Actor, idea_id: int) -> list[int]:
    with uow() as unit:
        transitions.fire_trigger(unit, actor, idea_id, "assess", data=ASSESS)
    with uow() as unit:
        return notifications.relay_outbox(unit, LINKS)


def test_following_records_the_opt_in_and_the_delivery_preference(
    uow: UowFactory, manager: Actor
) -> None:
    idea_id = new_idea(uow, manager)
    first = follow(uow, manager, idea_id, email=" Anne@Langaa.DK ", name="Anne Sørensen")
    assert first.created
    assert first.following.email == "anne@langaa.dk"
    assert first.following.delivery == "daily"  # the default
    assert first.following.source == f"test by {manager.email}"
    again = follow(uow, manager, idea_id, email="anne@langaa.dk", delivery="weekly")
    assert not again.created
    assert again.following.delivery == "weekly"
    assert again.following.name == "Anne Sørensen"  # not given: kept
    assert again.following.since == first.following.since
    with uow() as unit:
        assert len(unit.session.scalars(select(IdeaFollower)).all()) == 1
        contact = unit.session.scalars(select(Contact)).one()
        assert contact.delivery == "weekly"


def test_a_contact_without_a_name_is_named_by_the_address(uow: UowFactory, manager: Actor) -> None:
    idea_id = new_idea(uow, manager)
    result = follow(uow, manager, idea_id, email="jens@randers.dk", delivery="immediate")
    assert result.following.name == "jens@randers.dk"
    assert result.following.delivery == "immediate"


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": 7}, "email"),
        ({"email": "a@b.dk", "delivery": "hourly"}, "delivery"),
        ({"email": "a@b.dk", "name": ["x"]}, "name"),
        ({"email": "a@b.dk", "organisation": "x" * 301}, "organisation"),
        ({"email": "a@b.dk", "colour": "red"}, "colour"),
    ],
)
def test_follow_names_the_wrong_field(
    uow: UowFactory, manager: Actor, fields: dict[str, Any], wrong: str
) -> None:
    idea_id = new_idea(uow, manager)
    with pytest.raises(ValidationFailed) as error, uow() as unit:
        contacts.follow(unit, manager, idea_id, fields, source="test")
    assert wrong in error.value.fields


def test_only_the_ideas_owner_and_managers_manage_followers(
    uow: UowFactory, manager: Actor, make_user: MakeUser
) -> None:
    owner, other_owner, viewer = make_user("owner"), make_user("owner"), make_user("viewer")
    idea_id = new_idea(uow, owner)  # an owner who records an idea owns it
    assert follow(uow, owner, idea_id, email="anne@langaa.dk").created
    for outsider in (other_owner, viewer):
        with pytest.raises(Forbidden), uow() as unit:
            contacts.follow(unit, outsider, idea_id, {"email": "x@y.dk"}, source="test")
        with pytest.raises(Forbidden), uow() as unit:
            contacts.unfollow(unit, outsider, idea_id, 1)
    with pytest.raises(NotFound), uow() as unit:
        contacts.follow(unit, manager, 999_999, {"email": "x@y.dk"}, source="test")


def test_unfollow_removes_the_follow_and_then_there_is_nothing_to_remove(
    uow: UowFactory, manager: Actor
) -> None:
    idea_id = new_idea(uow, manager)
    contact_id = follow(uow, manager, idea_id, email="anne@langaa.dk").following.contact_id
    with uow() as unit:
        contacts.unfollow(unit, manager, idea_id, contact_id)
    with pytest.raises(NotFound), uow() as unit:
        contacts.unfollow(unit, manager, idea_id, contact_id)


def test_reading_an_unsubscribe_link_changes_nothing_and_posting_it_is_idempotent(
    uow: UowFactory, manager: Actor
) -> None:
    idea_id = new_idea(uow, manager)
    contact_id = follow(uow, manager, idea_id, email="anne@langaa.dk").following.contact_id
    assess(uow, manager, idea_id)  # a daily contact: the update waits for the digest
    token = unsubscribe_token(SECRET, contact_id, "idea_updates")
    with uow() as unit:
        target = contacts.unsubscribe_target(unit, SECRET, token)
    assert target is not None and not target.unsubscribed and target.email == "anne@langaa.dk"
    with uow() as unit:
        assert unit.session.scalars(select(Unsubscription)).all() == []
    for _ in range(2):
        with uow() as unit:
            done = contacts.unsubscribe(unit, SECRET, token)
        assert done is not None and done.unsubscribed
    with uow() as unit:
        rows = unit.session.scalars(select(Unsubscription)).all()
        assert [(r.contact_id, r.list_name) for r in rows] == [(contact_id, "idea_updates")]
        held = unit.session.scalars(select(Notification)).one()
        assert (held.status, held.last_error) == ("suppressed", "unsubscribed")
    # Unsubscribed: the next change reaches nobody.
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "reject", reason="Ingen midler")
    with uow() as unit:
        notifications.relay_outbox(unit, LINKS)
        assert len(unit.session.scalars(select(Notification)).all()) == 1


def encoded(payload: str) -> str:
    """A token's payload part as itsdangerous writes it."""
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_tampered_cross_contact_and_foreign_tokens_do_nothing(
    uow: UowFactory, manager: Actor
) -> None:
    idea_id = new_idea(uow, manager)
    anne = follow(uow, manager, idea_id, email="anne@langaa.dk").following.contact_id
    jens = follow(uow, manager, idea_id, email="jens@langaa.dk").following.contact_id
    genuine = unsubscribe_token(SECRET, anne, "idea_updates")
    mac = genuine.rsplit(".", 1)[1]
    forged = [
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        f"{jens}-idea_updates.{mac}",  # Anne's signature on Jens's id
        f"{encoded(f'{anne}-meeting_reports')}.{mac}",  # another list under Anne's signature
        unsubscribe_token("another-secret", anne, "idea_updates"),
        status_token(SECRET, anne),  # made for another purpose
        "",
        "x" * 5000,
    ]
    for token in forged:
        with uow() as unit:
            assert contacts.unsubscribe_target(unit, SECRET, token) is None
            assert contacts.unsubscribe(unit, SECRET, token) is None
    with uow() as unit:
        assert unit.session.scalars(select(Unsubscription)).all() == []


def test_admins_clear_suppressed_addresses(
    uow: UowFactory, manager: Actor, make_user: MakeUser
) -> None:
    admin = make_user("admin")
    with uow() as unit:
        unit.session.add(Suppression(email="gone@langaa.dk", reason="550 no such user"))
        unit.commit()
    with uow() as unit:
        assert [s.email for s in contacts.suppressions(unit, manager)] == ["gone@langaa.dk"]
    with pytest.raises(Forbidden), uow() as unit:
        contacts.clear_suppression(unit, manager, "gone@langaa.dk")
    with uow() as unit:
        contacts.clear_suppression(unit, admin, "gone@langaa.dk")
    with pytest.raises(NotFound), uow() as unit:
        contacts.clear_suppression(unit, admin, "gone@langaa.dk")
    with uow() as unit:
        assert contacts.suppressions(unit, admin) == []


def _contact_with_history(uow: UowFactory, manager: Actor) -> tuple[int, int]:
    """Anne follows an idea, got an update, unsubscribed from meeting reports, is suppressed."""
    idea_id = new_idea(uow, manager)
    contact_id = follow(
        uow, manager, idea_id, email="anne@langaa.dk", name="Anne Sørensen",
        organisation="Langå Borgerforening", delivery="immediate",
    ).following.contact_id  # fmt: skip
    (ready,) = assess(uow, manager, idea_id)
    with uow() as unit:
        unit.session.add(Unsubscription(contact_id=contact_id, list_name="meeting_reports"))
        unit.session.add(Suppression(email="anne@langaa.dk", reason="550 anne@langaa.dk unknown"))
        unit.commit()
    return contact_id, ready


def test_export_holds_everything_kept_about_a_contact(
    uow: UowFactory, manager: Actor, make_user: MakeUser
) -> None:
    admin = make_user("admin")
    contact_id, _ready = _contact_with_history(uow, manager)
    with pytest.raises(Forbidden), uow() as unit:
        contact_data.export_contact(unit, manager, contact_id)
    with uow() as unit:
        data = contact_data.export_contact(unit, admin, contact_id)
    json.dumps(data)  # JSON-ready
    assert data["contact"]["email"] == "anne@langaa.dk"
    assert data["contact"]["organisation"] == "Langå Borgerforening"
    assert [f["idea_title"] for f in data["follows"]] == ["Natbus fra Langå"]
    assert data["unsubscriptions"][0]["list"] == "meeting_reports"
    assert data["suppression"]["reason"].startswith("550")
    (sent,) = data["notifications"]
    assert sent["kind"] == "idea_update" and "Bred opbakning" in sent["body_text"]
    assert data["meeting_participations"] == []


def _all_text(uow: UowFactory) -> str:
    """Every value in every table, as one text (binary columns skipped)."""
    chunks = []
    with uow() as unit:
        for table in Base.metadata.sorted_tables:
            for row in unit.session.execute(select(table)).all():
                chunks.extend(
                    json.dumps(value, ensure_ascii=False, default=str)
                    for value in row
                    if not isinstance(value, bytes | memoryview)
                )
    return "\n".join(chunks)


def test_erasure_removes_the_name_and_address_everywhere_and_keeps_history(
    uow: UowFactory, manager: Actor, make_user: MakeUser
) -> None:
    admin = make_user("admin")
    contact_id, ready = _contact_with_history(uow, manager)
    with uow() as unit:  # one more update still waiting to go out
        waiting = unit.session.get(Notification, ready)
        assert waiting is not None and "Anne Sørensen" in waiting.body_text
    assert "anne@langaa.dk" in _all_text(uow).lower()
    with pytest.raises(Forbidden), uow() as unit:
        contact_data.erase_contact(unit, manager, contact_id)
    with uow() as unit:
        erasure = contact_data.erase_contact(unit, admin, contact_id)
    assert erasure.notifications == 1 and not erasure.already_erased
    everything = _all_text(uow)
    for personal in ("anne@langaa.dk", "Anne Sørensen", "Langå Borger"):
        assert personal.lower() not in everything.lower(), personal
    with uow() as unit:
        contact = unit.session.get(Contact, contact_id)
        assert contact is not None and contact.erased_at is not None
        assert contact.name == "Slettet kontakt"
        assert (contact.email, contact.organisation) == (None, None)
        assert unit.session.scalars(select(IdeaFollower)).one().contact_id == contact_id
        row = unit.session.get(Notification, ready)
        assert row is not None
        assert (row.recipient_email, row.recipient_name) == ("", "Slettet kontakt")
        assert row.status == "suppressed" and "Bred opbakning" in row.body_text  # history kept
        assert unit.session.scalars(select(Unsubscription)).one().contact_id == contact_id
        assert unit.session.scalars(select(Suppression)).all() == []
    with uow() as unit:
        assert contact_data.erase_contact(unit, admin, contact_id).already_erased
    with uow() as unit:  # a pending delivery is held back, nothing goes out
        status = delivery.deliver(unit, ready, RefusingTransport(), links=LINKS, sender="x@y.dk")
    assert status == "suppressed"


class RefusingTransport:
    """A transport that fails the test when asked to send."""

    def send(self, message: object) -> None:
        raise AssertionError("nothing may be sent to an erased contact")


def test_erasing_a_meeting_participant_names_the_minutes_kept_as_uploaded(
    uow: UowFactory, manager: Actor, make_user: MakeUser
) -> None:
    from tests.importer import documents
    from workflow.services import imports

    admin = make_user("admin")
    with uow() as unit:
        result = imports.import_minutes(unit, manager, "trafik.docx", documents.as_docx())
    with uow() as unit:
        contact = unit.session.scalars(
            select(Contact).where(Contact.email == "anne@langaa-borger.dk")
        ).one()
        contact_id, name = contact.id, contact.name
    with uow() as unit:
        data = contact_data.export_contact(unit, admin, contact_id)
    (participation,) = data["meeting_participations"]
    assert participation["consent_at"] and participation["meeting_title"]
    with uow() as unit:
        erasure = contact_data.erase_contact(unit, admin, contact_id)
    assert erasure.kept_minutes == [result.meeting["title"]]
    everything = _all_text(uow)
    assert "anne@langaa-borger.dk" not in everything and name not in everything


def test_the_cli_exports_and_erases_a_contact(
    app: Flask, uow: UowFactory, manager: Actor, tmp_path: Any
) -> None:
    from web.cli_contacts import contacts_group

    contact_id, _ready = _contact_with_history(uow, manager)
    runner = app.test_cli_runner()
    exported = runner.invoke(contacts_group, ["export", "ANNE@langaa.dk"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["contact"]["id"] == contact_id
    target = tmp_path / "anne.json"
    written = runner.invoke(contacts_group, ["export", "anne@langaa.dk", "-o", str(target)])
    assert written.exit_code == 0 and json.loads(target.read_text())["contact"]["id"] == contact_id
    assert target.stat().st_mode & 0o077 == 0
    refused = runner.invoke(contacts_group, ["erase", "anne@langaa.dk"], input="n\n")
    assert refused.exit_code != 0
    with uow() as unit:
        assert unit.session.get(Contact, contact_id).email == "anne@langaa.dk"  # type: ignore[union-attr]
    outbox = app.config["IDEAFLOW_SETTINGS"].instance_path / "outbox"
    _write_eml(uow, outbox)
    erased = runner.invoke(contacts_group, ["erase", "anne@langaa.dk", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "1 .eml files deleted" in erased.output
    assert list(outbox.glob("*.eml")) == []
    with uow() as unit:
        assert unit.session.get(Contact, contact_id).erased_at is not None  # type: ignore[union-attr]
    missing = runner.invoke(contacts_group, ["export", "anne@langaa.dk"])
    assert missing.exit_code != 0 and "no contact" in missing.output


def _write_eml(uow: UowFactory, folder: Any) -> None:
    with uow() as unit:
        pending = unit.session.scalars(select(Notification.id)).all()
        unit.session.execute(delete(Suppression))  # let the message out
        unit.commit()
    with uow() as unit:
        for notification_id in pending:
            delivery.deliver(unit, notification_id, FileTransport(folder), links=LINKS,
                             sender="ideer@randers.dk")  # fmt: skip
