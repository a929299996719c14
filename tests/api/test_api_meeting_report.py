"""``GET /meetings/{id}/report``: the follow-up report as data, for managers and admins."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from tests.api.conftest import Api
from tests.integration import report_scenario as scenario
from workflow.models import Meeting
from workflow.permissions import Actor
from workflow.services import collaboration
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]


@pytest.fixture
def moved(uow: UowFactory, make_user: MakeUser) -> int:
    """The sample meeting with participants, a few ideas moved and an internal comment."""
    staff = scenario.Staff(
        manager=make_user("manager", "mette@randers.dk", "Mette Leder"),
        ole=make_user("owner", "ole@randers.dk", "Ole Ejer"),
        sara=make_user("owner", "sara@randers.dk", "Sara Holm"),
    )
    meeting_id = scenario.import_sample(uow, staff.manager)
    scenario.add_participants(uow, meeting_id)
    ids = scenario.idea_ids(uow, meeting_id)
    scenario.before_first_report(uow, staff, ids)
    with uow() as unit:
        collaboration.add_comment(unit, staff.manager, ids[1], "INTERNT: borgmesteren tøver")
    return meeting_id


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_get_the_report_as_data(
    api: Api, make_user: MakeUser, moved: int, role: str
) -> None:
    response = api.get(f"/meetings/{moved}/report", make_user(role))
    assert response.status_code == 200  # and the body is what the OpenAPI document says
    report = response.get_json()
    assert report["meeting"] == {
        "id": moved, "title": "Opsamling på interessentmøde (12.06.25)", "held_on": "2025-06-12"
    }  # fmt: skip
    assert report["total"] == 21 and sum(report["counts"].values()) == 21
    assert report["counts"]["piloted"] == 2 and report["counts"]["rejected"] == 1
    assert report["last_report_at"] is None and report["unchanged_since_last"] is False
    piloted = [idea for idea in report["ideas"] if idea["state"] == "piloted"]
    assert {idea["pilot"]["site"] for idea in piloted} == {
        "Langå og Assentoft", "Ungdomsskolen i Randers Nord"
    }  # fmt: skip
    assert all(idea["changes"] for idea in piloted)
    published = json.dumps(report, ensure_ascii=False)
    for secret in ("INTERNT", "anne@example.dk", "Anne Andersen", "250000", "mette@randers.dk"):
        assert secret not in published


@pytest.mark.parametrize("role", ["viewer", "owner"])
def test_others_are_refused(api: Api, make_user: MakeUser, moved: int, role: str) -> None:
    response = api.get(f"/meetings/{moved}/report", make_user(role))
    assert response.status_code == 403


def test_no_token_and_unknown_meetings(api: Api, make_user: MakeUser, moved: int) -> None:
    assert api.get(f"/meetings/{moved}/report", None).status_code == 401
    manager = make_user("manager")
    assert api.get("/meetings/4242/report", manager).status_code == 404
    assert api.get("/meetings/0/report", manager).status_code == 404


def test_a_meeting_without_ideas_or_date(api: Api, make_user: MakeUser, uow: UowFactory) -> None:
    with uow() as unit:
        meeting = Meeting(title="Tomt møde", held_on=None)
        unit.meetings.add(meeting)
        unit.commit()
        meeting_id = meeting.id
    report = api.get(f"/meetings/{meeting_id}/report", make_user("admin")).get_json()
    assert report["meeting"]["held_on"] is None and report["ideas"] == []
    assert report["total"] == 0 and report["themes"] == []
    assert date.fromisoformat(report["generated_at"][:10])
