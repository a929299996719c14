"""``/meetings``: the list, one meeting with its ideas, and adding participants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.api.conftest import Api
from tests.api.test_api_fuzz import json_values
from tests.importer import documents
from workflow.models import Contact, IdeaFollower, Meeting, MeetingParticipant
from workflow.permissions import Actor
from workflow.services import contacts, ideas, imports, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]
ASSESSMENT = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
ROLES = ("viewer", "owner", "manager", "admin")


def import_traffic(uow: UowFactory) -> int:
    """The traffic minutes: 5 ideas, 3 themes, 3 participants (the last without an address)."""
    with uow() as unit:
        meeting_id = imports.import_minutes(unit, None, "trafik.docx", documents.as_docx())
    assert isinstance(meeting_id.meeting["id"], int)
    return meeting_id.meeting["id"]


def add_meeting(uow: UowFactory, title: str, held_on: date | None) -> int:
    with uow() as unit:
        meeting = Meeting(title=title, held_on=held_on)
        unit.meetings.add(meeting)
        unit.commit()
        return meeting.id


def participants_of(uow: UowFactory, meeting_id: int) -> list[tuple[str, str | None, Any]]:
    with uow() as unit:
        rows = unit.session.execute(
            select(Contact.name, Contact.email, MeetingParticipant)
            .join(MeetingParticipant, MeetingParticipant.contact_id == Contact.id)
            .where(MeetingParticipant.meeting_id == meeting_id)
            .order_by(MeetingParticipant.position)
        ).all()
        return [(name, email, link.consent_source) for name, email, link in rows]


# -- GET /meetings ------------------------------------------------------------------------------


def test_every_role_lists_the_meetings_newest_first_with_their_outcome(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    older = add_meeting(uow, "Borgermøde om stier", date(2024, 5, 1))
    undated = add_meeting(uow, "Møde uden dato", None)
    traffic = import_traffic(uow)
    with uow() as unit:
        first = unit.ideas.of_meeting(traffic)[0].id
    with uow() as unit:
        transitions.fire_trigger(unit, manager, first, "assess", data=ASSESSMENT)
    for role in ROLES:
        response = api.get("/meetings", make_user(role))
        assert response.status_code == 200
        body = response.get_json()
        assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
        assert [item["id"] for item in body["items"]] == [traffic, older, undated]
    item = body["items"][0]
    assert item["title"] == documents.TITLE
    assert item["held_on"] == "2026-03-03"
    assert item["location"] == "Langå Kulturhus, Bredgade 2"
    assert item["host"] == "Bo Jensen"
    assert item["idea_count"] == 5
    assert item["ideas_by_state"]["proposed"] == 4 and item["ideas_by_state"]["assessed"] == 1
    assert sum(item["ideas_by_state"].values()) == 5
    assert item["participant_count"] == len(documents.PARTICIPANTS)
    assert item["themes"] == documents.THEMES
    empty = body["items"][2]
    assert empty["held_on"] is None and empty["idea_count"] == 0
    assert empty["participant_count"] == 0 and empty["themes"] == []
    assert "participants" not in item  # who took part is not in the list, for anybody


def test_the_list_is_paged(api: Api, uow: UowFactory, make_user: MakeUser) -> None:
    viewer = make_user("viewer")
    ids = [add_meeting(uow, f"Møde {day}", date(2025, 1, day)) for day in range(1, 6)]
    first = api.get("/meetings?per_page=2", viewer).get_json()
    third = api.get("/meetings?page=3&per_page=2", viewer).get_json()
    assert [i["id"] for i in first["items"]] == ids[::-1][:2]
    assert [i["id"] for i in third["items"]] == [ids[0]]
    assert first["total"] == third["total"] == 5
    assert api.get("/meetings?page=9&per_page=2", viewer).get_json()["items"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=x", "page"),
        ("per_page=101", "per_page"),
        ("per_page=-1", "per_page"),
    ],
)
def test_bad_paging_is_422(api: Api, make_user: MakeUser, query: str, field: str) -> None:
    response = api.get(f"/meetings?{query}", make_user("viewer"))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_no_token_is_401(api: Api) -> None:
    assert api.get("/meetings", None).status_code == 401
    assert api.get("/meetings/1", None).status_code == 401
    assert api.post("/meetings/1/participants", None, json={"name": "A"}).status_code == 401


# -- GET /meetings/{id} -------------------------------------------------------------------------


def test_one_meeting_with_its_ideas_in_the_minutes_order(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    traffic = import_traffic(uow)
    with uow() as unit:
        idea_ids = [idea.id for idea in unit.ideas.of_meeting(traffic)]
    with uow() as unit:
        ideas.update_idea(
            unit, manager, idea_ids[1], {"owner": manager.email, "themes": ["Trafik", "Skolevej"]}
        )
    response = api.get(f"/meetings/{traffic}", make_user("viewer"))
    assert response.status_code == 200
    meeting = response.get_json()
    assert meeting["id"] == traffic and meeting["title"] == documents.TITLE
    assert meeting["recorder"] is not None and meeting["imported_at"]
    assert meeting["themes"] == documents.THEMES
    assert [idea["id"] for idea in meeting["ideas"]] == idea_ids
    assert meeting["idea_count"] == 5 and meeting["ideas_by_state"]["proposed"] == 5
    second = meeting["ideas"][1]
    assert second["owner"] == manager.email and second["version"] == 2
    assert second["themes"] == ["Skolevej", "Trafik"]
    assert meeting["ideas"][0]["owner"] is None and meeting["ideas"][0]["themes"] == []


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_admins_see_who_took_part(
    api: Api, uow: UowFactory, make_user: MakeUser, role: str
) -> None:
    traffic = import_traffic(uow)
    meeting = api.get(f"/meetings/{traffic}", make_user(role)).get_json()
    assert meeting["participant_count"] == len(documents.PARTICIPANTS)
    if role in ("viewer", "owner"):
        assert meeting["participants"] is None
        assert "anne@langaa-borger.dk" not in str(meeting)
        return
    listed = [(p["name"], p["organisation"], p["email"]) for p in meeting["participants"]]
    assert listed == documents.PARTICIPANTS
    assert [p["position"] for p in meeting["participants"]] == [1, 2, 3]
    first = meeting["participants"][0]
    assert first["consent_source"] == f"listed in the minutes of “{meeting['title']}”"
    assert first["legal_basis"] == "public_task"


def test_unknown_meetings_are_404(api: Api, make_user: MakeUser) -> None:
    manager = make_user("manager")
    for path in ("/meetings/4242", f"/meetings/{2**31}", "/meetings/0"):
        response = api.get(path, manager)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    assert api.get("/meetings/abc", manager).status_code == 404


# -- POST /meetings/{id}/participants -----------------------------------------------------------


def test_a_manager_adds_a_participant_and_adding_again_is_200(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    body = {"name": "  Anne   Sørensen ", "organisation": "Langå By", "email": "Anne@Langaa.dk"}
    created = api.post(f"/meetings/{meeting_id}/participants", manager, json=body)
    assert created.status_code == 201, created.get_json()
    participant = created.get_json()
    assert participant["meeting_id"] == meeting_id
    assert participant["name"] == "Anne Sørensen" and participant["organisation"] == "Langå By"
    assert participant["email"] == "anne@langaa.dk" and participant["position"] == 1
    assert participant["consent_source"] == f"added through the API by {manager.email}"
    assert participant["consent_at"] is not None
    again = api.post(f"/meetings/{meeting_id}/participants", manager, json=body)
    assert again.status_code == 200
    assert again.get_json() == participant  # nothing changed, not even the opt-in's time
    second = api.post(
        f"/meetings/{meeting_id}/participants", make_user("admin"), json={"name": "Bo Berg"}
    )
    assert second.status_code == 201 and second.get_json()["position"] == 2
    with uow() as unit:
        assert len(unit.session.scalars(select(Contact)).all()) == 2
    detail = api.get(f"/meetings/{meeting_id}", manager).get_json()
    assert [p["name"] for p in detail["participants"]] == ["Anne Sørensen", "Bo Berg"]
    assert api.get("/meetings", manager).get_json()["items"][0]["participant_count"] == 2


def test_without_an_email_no_opt_in_is_recorded(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    for body in ({"name": "Bo Berg"}, {"name": "Ib Holm", "email": None, "organisation": None},
                 {"name": "Kim Lund", "email": "  "}):  # fmt: skip
        response = api.post(f"/meetings/{meeting_id}/participants", manager, json=body)
        assert response.status_code == 201
        added = response.get_json()
        assert added["email"] is None
        assert added["consent_source"] is None and added["consent_at"] is None
    again = api.post(f"/meetings/{meeting_id}/participants", manager, json={"name": "Bo Berg"})
    assert again.status_code == 200
    assert [name for name, _, _ in participants_of(uow, meeting_id)] == [
        "Bo Berg",
        "Ib Holm",
        "Kim Lund",
    ]


def test_an_existing_contact_with_the_address_is_reused_and_keeps_its_data(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        idea_id = ideas.create_idea(unit, manager, {"title": "Cykelparkering"}).id
    with uow() as unit:  # a follower named by their address, and one with a real name
        contacts.follow(unit, manager, idea_id, {"email": "anne@langaa.dk"}, source="test")
    with uow() as unit:
        contacts.follow(
            unit, manager, idea_id, {"email": "jens@langaa.dk", "name": "Jens Ærø"}, source="t"
        )
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    path = f"/meetings/{meeting_id}/participants"
    anne = api.post(path, manager, json={"name": "Anne Sørensen", "email": "ANNE@langaa.dk",
                                         "organisation": "Langå By"}).get_json()  # fmt: skip
    jens = api.post(path, manager, json={"name": "J. Ærø", "email": "jens@langaa.dk"}).get_json()
    assert anne["name"] == "Anne Sørensen" and anne["organisation"] == "Langå By"
    assert jens["name"] == "Jens Ærø"  # a contact's own name is kept
    with uow() as unit:
        assert len(unit.session.scalars(select(Contact)).all()) == 2
        assert len(unit.session.scalars(select(IdeaFollower)).all()) == 2


def test_an_address_for_a_participant_listed_without_one_is_saved(
    api: Api, uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    traffic = import_traffic(uow)
    name, organisation, _ = documents.PARTICIPANTS[2]  # listed in the minutes without an address
    body = {"name": name, "organisation": organisation, "email": "sofie@langaa.dk"}
    response = api.post(f"/meetings/{traffic}/participants", manager, json=body)
    assert response.status_code == 200
    sofie = response.get_json()
    assert sofie["email"] == "sofie@langaa.dk" and sofie["position"] == 3
    assert sofie["consent_source"] == f"added through the API by {manager.email}"
    assert len(participants_of(uow, traffic)) == 3
    assert api.post(f"/meetings/{traffic}/participants", manager, json=body).get_json() == sofie


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_owners_and_viewers_may_not_add_participants(
    api: Api, uow: UowFactory, make_user: MakeUser, role: str
) -> None:
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    refused = api.post(
        f"/meetings/{meeting_id}/participants", make_user(role), json={"name": "Bo Berg"}
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden"
    bad = api.post(f"/meetings/{meeting_id}/participants", make_user(role), json={"name": 4})
    assert bad.status_code == 403  # the permission is checked before the input
    assert participants_of(uow, meeting_id) == []


def test_adding_to_an_unknown_meeting_is_404(api: Api, make_user: MakeUser) -> None:
    for actor in (make_user("manager"), make_user("viewer")):
        response = api.post("/meetings/4242/participants", actor, json={"name": "Bo Berg"})
        assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name"}),
        ({"name": ""}, {"name"}),
        ({"name": "   "}, {"name"}),
        ({"name": None}, {"name"}),
        ({"name": 42}, {"name"}),
        ({"name": ["Bo"]}, {"name"}),
        ({"name": "x" * 201}, {"name"}),
        ({"name": "Bo", "organisation": "x" * 301}, {"organisation"}),
        ({"name": "Bo", "organisation": {"a": 1}}, {"organisation"}),
        ({"name": "Bo", "email": "not-an-address"}, {"email"}),
        ({"name": "Bo", "email": "bo@@langaa.dk"}, {"email"}),
        ({"name": "Bo", "email": "bo@langaa"}, {"email"}),
        ({"name": "Bo", "email": "a" * 320 + "@langaa.dk"}, {"email"}),
        ({"name": "Bo", "email": 7}, {"email"}),
        ({"name": "Bo", "role": "admin"}, {"role"}),
        ({"email": "bo@langaa.dk", "org": "X"}, {"name", "org"}),
    ],
)
def test_bad_bodies_are_422_per_field(
    api: Api, uow: UowFactory, make_user: MakeUser, body: dict[str, object], fields: set[str]
) -> None:
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    response = api.post(f"/meetings/{meeting_id}/participants", make_user("manager"), json=body)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == fields
    assert participants_of(uow, meeting_id) == []


@pytest.mark.parametrize("payload", ["[]", '"Bo"', "null", "{", "name=Bo", '{"name": "a\\u0000b"}'])
def test_bodies_that_are_not_an_object_are_4xx(
    api: Api, uow: UowFactory, make_user: MakeUser, payload: str
) -> None:
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    response = api.post(
        f"/meetings/{meeting_id}/participants",
        make_user("manager"),
        data=payload,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)


def test_no_body_ever_fails_on_the_server(api: Api, uow: UowFactory, make_user: MakeUser) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow, "Borgermøde", date(2025, 6, 12))
    bodies = st.dictionaries(
        st.sampled_from(["name", "organisation", "email", "x"]), json_values, max_size=4
    )

    @settings(max_examples=60, deadline=None)
    @given(body=bodies | json_values)
    def check(body: Any) -> None:
        response = api.post(f"/meetings/{meeting_id}/participants", manager, json=body)
        assert response.status_code in (200, 201, 400, 422), (body, response.get_json())

    check()
