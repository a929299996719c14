"""``/ideas/{id}/followers``: who may add and remove followers, and what the answers look like."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from tests.api.conftest import Api
from workflow.models import Contact, IdeaFollower
from workflow.permissions import Actor
from workflow.services import ideas
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]


def new_idea(uow: UowFactory, actor: Actor) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": "Cykelparkering ved stationen"}).id


def test_a_manager_adds_a_follower_and_adding_again_updates_the_delivery(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    body = {"email": "Anne@Langaa.dk", "name": "Anne Sørensen", "organisation": "Langå By"}
    created = api.post(f"/ideas/{idea_id}/followers", manager, json=body)
    assert created.status_code == 201, created.get_json()
    follower = created.get_json()
    assert follower["email"] == "anne@langaa.dk"
    assert follower["delivery"] == "daily" and follower["language"] == "da"
    assert follower["source"] == f"added through the API by {manager.email}"
    assert not follower["unsubscribed"] and not follower["suppressed"]
    again = api.post(
        f"/ideas/{idea_id}/followers", manager, json={"email": "anne@langaa.dk",
                                                       "delivery": "immediate"}
    )  # fmt: skip
    assert again.status_code == 200
    assert again.get_json()["delivery"] == "immediate"
    assert again.get_json()["since"] == follower["since"]
    assert again.get_json()["contact_id"] == follower["contact_id"]
    with uow() as unit:
        stored = unit.session.scalars(select(IdeaFollower)).one()
        assert stored.source == f"added through the API by {manager.email}"
        assert stored.created_at is not None
        assert unit.session.scalars(select(Contact.delivery)).one() == "immediate"


def test_the_owner_of_the_idea_may_and_others_may_not(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    owner, other_owner = make_user("owner"), make_user("owner")
    viewer, admin = make_user("viewer"), make_user("admin")
    idea_id = new_idea(uow, owner)
    path = f"/ideas/{idea_id}/followers"
    assert api.post(path, owner, json={"email": "a@langaa.dk"}).status_code == 201
    assert api.post(path, admin, json={"email": "b@langaa.dk"}).status_code == 201
    for outsider in (other_owner, viewer):
        refused = api.post(path, outsider, json={"email": "c@langaa.dk"})
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "forbidden"
    assert api.post(path, None, json={"email": "c@langaa.dk"}).status_code == 401
    with uow() as unit:
        contact_id = unit.session.scalars(
            select(Contact.id).where(Contact.email == "a@langaa.dk")
        ).one()
    for outsider in (other_owner, viewer):
        assert api.call("DELETE", f"{path}/{contact_id}", outsider).status_code == 403


def test_unknown_ideas_are_404(api: Api, make_user: MakeUser) -> None:
    manager = make_user("manager")
    response = api.post("/ideas/999999/followers", manager, json={"email": "a@langaa.dk"})
    assert response.status_code == 404
    assert api.call("DELETE", "/ideas/999999/followers/1", manager).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@langaa.dk", "delivery": "hourly"}, "delivery"),
        ({"email": "a@langaa.dk", "name": 42}, "name"),
        ({"email": "a@langaa.dk", "name": "x" * 201}, "name"),
        ({"email": "a@langaa.dk", "role": "admin"}, "role"),
    ],
)
def test_bad_bodies_are_422_per_field(
    api: Api, uow: UowFactory, make_user: MakeUser, body: dict[str, object], field: str
) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    response = api.post(f"/ideas/{idea_id}/followers", manager, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_a_body_that_is_not_json_is_400(api: Api, uow: UowFactory, make_user: MakeUser) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    response = api.post(
        f"/ideas/{idea_id}/followers",
        manager,
        data="email=a@b.dk",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_delete_removes_the_follower_once(api: Api, uow: UowFactory, make_user: MakeUser) -> None:
    manager = make_user("manager")
    idea_id = new_idea(uow, manager)
    contact_id = api.post(
        f"/ideas/{idea_id}/followers", manager, json={"email": "a@langaa.dk"}
    ).get_json()["contact_id"]
    removed = api.call("DELETE", f"/ideas/{idea_id}/followers/{contact_id}", manager)
    assert removed.status_code == 204 and removed.data == b""
    again = api.call("DELETE", f"/ideas/{idea_id}/followers/{contact_id}", manager)
    assert again.status_code == 404
    with uow() as unit:
        assert unit.session.scalars(select(IdeaFollower)).all() == []
        assert unit.session.get(Contact, contact_id) is not None  # the contact stays
