"""``GET /notifications``: the notification log for managers and admins, filtered and paged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Api
from workflow.models import Suppression
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services import (
    collaboration,
    delivery,
    ideas,
    notification_log,
    notifications,
    transitions,
)
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
LINKS = Links("http://ideaflow.test", "test-secret")
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


class Refusing:
    """An SMTP server that refuses every address for good."""

    def send(self, message: object) -> None:
        from workflow.notifications.transport import PermanentFailure

        raise PermanentFailure("550 5.1.1 mailbox unavailable")


def two_ideas_with_updates(uow: UowFactory, manager: Actor) -> tuple[int, int]:
    """Two ideas, each followed by two contacts (at once), both assessed; one update failed."""
    idea_ids = []
    for title in ("Natbus", "Cykelsti"):
        with uow() as unit:
            idea_id = ideas.create_idea(unit, manager, {"title": title}).id
        for name in ("anne", "jens"):
            with uow() as unit:
                collaboration.add_follower(unit, manager, idea_id, name=name.title(),
                                           email=f"{name}@{title.lower()}.dk",
                                           delivery="immediate")  # fmt: skip
        with uow() as unit:
            transitions.fire_trigger(unit, manager, idea_id, "assess", data=ASSESS)
        idea_ids.append(idea_id)
    with uow() as unit:
        ready = notifications.relay_outbox(unit, LINKS)
    assert len(ready) == 4
    with uow() as unit:
        delivery.deliver(unit, ready[0], Refusing(), links=LINKS, sender="ideer@randers.dk")
    return idea_ids[0], idea_ids[1]


def test_managers_and_admins_see_every_notification(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager, admin = make_user("manager"), make_user("admin")
    first, _second = two_ideas_with_updates(uow, manager)
    for reader in (manager, admin):
        response = api.get("/notifications", reader)
        assert response.status_code == 200
        body = response.get_json()
        assert body["total"] == 4 and len(body["items"]) == 4
    failed = [item for item in body["items"] if item["status"] == "failed"]
    assert len(failed) == 1
    (item,) = failed
    assert item["kind"] == "idea_update" and item["idea_id"] == first
    assert item["recipient"] == "anne@natbus.dk" and item["attempts"] == 1
    assert item["last_error"].startswith("550") and item["sent_at"] is None
    assert item["created_at"] and item["list"] == "idea_updates"
    with uow() as unit:
        assert unit.session.get(Suppression, "anne@natbus.dk") is not None


def test_filters_and_pages(api: Api, uow: UowFactory, make_user: MakeUser) -> None:
    manager = make_user("manager")
    first, second = two_ideas_with_updates(uow, manager)
    about_second = api.get(f"/notifications?idea={second}", manager).get_json()
    assert about_second["total"] == 2
    assert {item["idea_id"] for item in about_second["items"]} == {second}
    pending = api.get("/notifications?status=pending", manager).get_json()
    assert pending["total"] == 3
    failed_first = api.get(f"/notifications?idea={first}&status=failed", manager).get_json()
    assert [item["recipient"] for item in failed_first["items"]] == ["anne@natbus.dk"]
    page_two = api.get("/notifications?per_page=3&page=2", manager).get_json()
    assert (page_two["total"], page_two["page"], len(page_two["items"])) == (4, 2, 1)


def test_bad_filters_are_422(api: Api, make_user: MakeUser) -> None:
    manager = make_user("manager")
    for query in ("status=lost", "idea=abc", "idea=0", "page=0", "per_page=101"):
        response = api.get(f"/notifications?{query}", manager)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["code"] == "validation_failed"


def test_owners_and_viewers_are_refused(api: Api, make_user: MakeUser) -> None:
    for role in ("owner", "viewer"):
        response = api.get("/notifications", make_user(role))
        assert response.status_code == 403
    assert api.get("/notifications", None).status_code == 401


def test_the_total_is_counted_up_to_a_bound_and_says_so(
    api: Api, uow: UowFactory, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = make_user("manager")
    two_ideas_with_updates(uow, manager)
    exact = api.get("/notifications", manager).get_json()
    assert exact["total"] == 4 and exact["total_is_lower_bound"] is False
    monkeypatch.setattr(notification_log, "COUNTED_AT_MOST", 3)
    bounded = api.get("/notifications?per_page=2", manager).get_json()
    assert bounded["total"] == 3 and bounded["total_is_lower_bound"] is True
    assert len(bounded["items"]) == 2
    monkeypatch.setattr(notification_log, "COUNTED_AT_MOST", 4)
    assert api.get("/notifications", manager).get_json()["total_is_lower_bound"] is False
