"""Administration of mail: the .eml outbox, notifications and suppressions, contacts (GDPR)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.web.conftest import Web
from workflow.models import Contact, Notification, Suppression
from workflow.notifications.links import Links
from workflow.notifications.transport import FileTransport
from workflow.permissions import Actor
from workflow.services import collaboration, delivery, ideas, notifications, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
LINKS = Links("http://ideaflow.test", "test-secret")
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


def outbox(app: Flask) -> Path:
    return Path(app.config["IDEAFLOW_SETTINGS"].instance_path) / "outbox"


def updates(uow: UowFactory, manager: Actor, title: str = "Natbus fra Langå") -> list[int]:
    """An idea with one follower who hears at once, assessed: the pending notifications."""
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": title}).id
    with uow() as unit:
        collaboration.add_follower(unit, manager, idea_id, name="Anne Sørensen",
                                   email="anne@langaa.dk", delivery="immediate")  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
    with uow() as unit:
        return notifications.relay_outbox(unit, LINKS)


def write_files(app: Flask, uow: UowFactory, ids: list[int]) -> None:
    for notification_id in ids:
        with uow() as unit:
            delivery.deliver(unit, notification_id, FileTransport(outbox(app)), links=LINKS,
                             sender="ideer@randers.dk")  # fmt: skip


@pytest.fixture
def admin(make_user: MakeUser) -> Actor:
    return make_user("admin")


@pytest.fixture
def manager(make_user: MakeUser) -> Actor:
    return make_user("manager")


def test_the_outbox_lists_written_messages_newest_first(
    app: Flask, web: Web, uow: UowFactory, admin: Actor, manager: Actor
) -> None:
    write_files(app, uow, updates(uow, manager, "Natbus fra Langå"))
    (older,) = list(outbox(app).glob("*.eml"))
    older.rename(outbox(app) / ("20000101000000-" + older.name.split("-", 1)[1]))
    write_files(app, uow, updates(uow, manager, "Cykelsti til Stevnstrup"))
    web.login(admin)
    page = web.text("/admin/mail")
    assert "anne@langaa.dk" in page and "2 messages" in page
    assert page.index("Cykelsti til Stevnstrup") < page.index("Natbus fra Langå")
    assert page.count("<h1>") == 1 and "<caption" in page


def test_a_message_shows_its_text_and_keeps_its_html_sandboxed(
    app: Flask, web: Web, uow: UowFactory, admin: Actor, manager: Actor
) -> None:
    ids = updates(uow, manager)
    with uow() as unit:  # a hostile HTML part must never run in the admin's page
        notification = unit.session.get(Notification, ids[0])
        assert notification is not None
        notification.body_html = '<p>Hej</p><script>alert("x")</script><img src="https://evil">'
        unit.commit()
    write_files(app, uow, ids)
    (written,) = outbox(app).glob("*.eml")
    web.login(admin)
    page = web.text(f"/admin/mail/{written.name}")
    assert "Bred opbakning" in page  # the text part
    assert "List-Unsubscribe-Post" in page and "One-Click" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page  # source, escaped
    assert f'src="/admin/mail/{written.name}/html" sandbox' in page
    frame = web.get(f"/admin/mail/{written.name}/html")
    assert frame.status_code == 200 and frame.mimetype == "text/html"
    policy = frame.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy and frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'none'" in web.get("/admin/mail").headers["Content-Security-Policy"]


def test_outbox_names_cannot_leave_the_folder(app: Flask, web: Web, admin: Actor) -> None:
    outbox(app).mkdir(parents=True)
    (outbox(app).parent / "secret.eml").write_text("Subject: secret\n\nsecret")
    web.login(admin)
    for name in ("..%2Fsecret.eml", "../secret.eml", "secret.eml", ".eml", "x.txt"):
        assert web.get(f"/admin/mail/{name}").status_code == 404, name
        assert web.get(f"/admin/mail/{name}/html").status_code == 404, name


def test_only_admins_see_the_outbox_and_contacts(
    web: Web, make_user: MakeUser, manager: Actor
) -> None:
    for role in ("manager", "owner", "viewer"):
        browser = Web(web.client.application.test_client())
        browser.login(make_user(role))
        for path in ("/admin/mail", "/admin/mail/x.eml", "/admin/contacts",
                     "/admin/contacts/1/export", "/admin/contacts/1/erase"):  # fmt: skip
            assert browser.get(path).status_code == 403, (role, path)


def test_notifications_page_shows_statuses_and_filters(
    web: Web, uow: UowFactory, admin: Actor, manager: Actor, make_user: MakeUser
) -> None:
    updates(uow, manager, "Natbus fra Langå")
    with uow() as unit:
        unit.session.add(Suppression(email="gone@langaa.dk", reason="550 5.1.1 unknown user"))
        unit.commit()
    web.login(manager)  # managers see the log and the suppressions but cannot clear them
    page = web.text("/admin/notifications")
    assert "anne@langaa.dk" in page and "Waiting to be sent" in page
    assert "gone@langaa.dk" in page and "550 5.1.1 unknown user" in page
    assert "/admin/suppressions/clear" not in page
    assert "anne@langaa.dk" not in web.text("/admin/notifications?status=sent")
    assert "anne@langaa.dk" in web.text("/admin/notifications?q=ANNE&kind=idea_update")
    bad = web.get("/admin/notifications?status=lost&idea=x")
    assert bad.status_code == 422 and 'role="alert"' in bad.get_data(as_text=True)
    assert web.post("/admin/suppressions/clear", {"email": "gone@langaa.dk"}).status_code == 403
    for role in ("owner", "viewer"):
        browser = Web(web.client.application.test_client())
        browser.login(make_user(role))
        assert browser.get("/admin/notifications").status_code == 403


def test_an_admin_clears_a_suppression_with_the_forms_token_only(
    web: Web, uow: UowFactory, admin: Actor
) -> None:
    with uow() as unit:
        unit.session.add(Suppression(email="gone@langaa.dk", reason="550 unknown"))
        unit.commit()
    web.login(admin)
    assert "/admin/suppressions/clear" in web.text("/admin/notifications")
    no_token = web.client.post("/admin/suppressions/clear", data={"email": "gone@langaa.dk"})
    assert no_token.status_code == 400
    cleared = web.post("/admin/suppressions/clear", {"email": "gone@langaa.dk"})
    assert cleared.status_code == 302
    with uow() as unit:
        assert unit.session.scalars(select(Suppression)).all() == []
    again = web.post(
        "/admin/suppressions/clear", {"email": "gone@langaa.dk"}, follow_redirects=True
    )
    assert "was not suppressed" in again.get_data(as_text=True)


def test_contacts_search_export_and_erase(
    app: Flask, web: Web, uow: UowFactory, admin: Actor, manager: Actor
) -> None:
    write_files(app, uow, updates(uow, manager))
    web.login(admin)
    page = web.text("/admin/contacts?q=s%C3%B8rensen")
    assert "Anne Sørensen" in page and "anne@langaa.dk" in page
    assert "Anne" not in web.text("/admin/contacts?q=nobody")
    with uow() as unit:
        contact_id = unit.session.scalars(select(Contact.id)).one()
    download = web.get(f"/admin/contacts/{contact_id}/export")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    data = json.loads(download.get_data(as_text=True))
    assert data["contact"]["email"] == "anne@langaa.dk" and len(data["notifications"]) == 1
    confirm = web.text(f"/admin/contacts/{contact_id}/erase")
    assert "cannot be undone" in confirm and "csrf_token" in confirm
    with uow() as unit:  # asking changes nothing
        assert unit.session.get(Contact, contact_id).email == "anne@langaa.dk"  # type: ignore[union-attr]
    assert web.client.post(f"/admin/contacts/{contact_id}/erase").status_code == 400  # no token
    erased = web.post(f"/admin/contacts/{contact_id}/erase", follow_redirects=True)
    assert erased.status_code == 200
    assert "The contact is erased" in erased.get_data(as_text=True)
    assert list(outbox(app).glob("*.eml")) == []  # the written copies are gone too
    with uow() as unit:
        contact = unit.session.get(Contact, contact_id)
        assert contact is not None and contact.email is None and contact.erased_at is not None
    for path in ("/admin/contacts", "/admin/notifications"):
        text = web.text(path)
        assert "anne@langaa.dk" not in text and "Anne Sørensen" not in text
        assert "Erased contact" in text
    assert web.get("/admin/contacts/999999/export").status_code == 404


def test_the_idea_page_adds_a_follower_with_a_delivery_preference(
    web: Web, uow: UowFactory, manager: Actor
) -> None:
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Natbus"}).id
    web.login(manager)
    page = web.text(f"/ideas/{idea_id}")
    assert '<label for="follower-delivery">' in page and 'value="weekly"' in page
    added = web.post(
        f"/ideas/{idea_id}/followers",
        {"name": "Anne Sørensen", "email": "anne@langaa.dk", "delivery": "weekly"},
    )
    assert added.status_code == 302
    with uow() as unit:
        contact = unit.session.scalars(select(Contact)).one()
        assert contact.delivery == "weekly"
    assert "weekly digest" in web.text(f"/ideas/{idea_id}")
    refused = web.post(
        f"/ideas/{idea_id}/followers",
        {"name": "Jens", "email": "jens@langaa.dk", "delivery": "hourly"},
        follow_redirects=True,
    )
    assert "Must be immediate, daily or weekly." in refused.get_data(as_text=True)
    with uow() as unit:
        assert len(unit.session.scalars(select(Contact)).all()) == 1
