"""A demo on an empty database: the sample minutes, people who can sign in, owners, ideas in
later states and stakeholders with example.org addresses, so a newcomer sees the product work."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow.clock import local_today
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, imports, transitions, users
from workflow.uow import UnitOfWork

PEOPLE = (  # email, name, role: example.org, so no mail reaches anybody real
    ("admin@example.org", "Anna Admin", "admin"),
    ("mette@example.org", "Mette Holm", "manager"),
    ("ole@example.org", "Ole Berg", "owner"),
    ("pia@example.org", "Pia Lund", "owner"),
)
STAKEHOLDERS = (
    ("Anne Sørensen", "Langå Borgerforening", "anne@example.org", "immediate"),
    ("Bo Nielsen", "Randers Ungdomsskole", "bo@example.org", "daily"),
)
ASSESSMENT = {"impact": 4, "feasibility": 3, "cost": 2,
              "summary": "Bred opbakning på mødet; kan afprøves i et lokalområde."}  # fmt: skip


@dataclass(frozen=True)
class DemoPerson:
    """Somebody who can sign in to the demo, with the password made for them."""

    email: str
    name: str
    role: str
    password: str


@dataclass(frozen=True)
class Demo:
    """What the demo loaded: its people (passwords shown once) and the ideas it imported."""

    people: tuple[DemoPerson, ...]
    ideas: int
    meeting_id: int | None


def is_empty(uow: UnitOfWork) -> bool:
    """True while nobody can sign in and no meeting or idea is stored."""
    return not users.list_users(uow) and not uow.meetings.count() and not uow.ideas.count()


def load_demo(uow: UnitOfWork, filename: str, content: bytes, today: date | None = None) -> Demo:
    """Load the demo into an empty database, step by step through the use cases."""
    today = today or local_today()
    people = tuple(
        DemoPerson(email, name, role, secrets.token_urlsafe(9)) for email, name, role in PEOPLE
    )
    for person in people:
        users.create_user(uow, email=person.email, name=person.name, role=person.role,
                          password=person.password)  # fmt: skip
    manager = users.find_actor(uow, "mette@example.org")
    owners = [users.find_actor(uow, "ole@example.org"), users.find_actor(uow, "pia@example.org")]
    imported = imports.refuse_empty_preview(imports.import_minutes(uow, manager, filename, content))
    idea_ids = [idea.id for idea in imported.ideas if idea.id is not None]
    for number, idea_id in enumerate(idea_ids):
        owner = owners[number % 2]
        follow_up = today + timedelta(days=-3 if number == 0 else 7 * (number % 5 + 1))
        fields = {"owner": owner.email, "follow_up_on": follow_up.isoformat()}
        ideas.change_idea(uow, manager, idea_id, fields)
    _move_some_on(uow, manager, owners, idea_ids, today)
    for name, organisation, email, delivery in STAKEHOLDERS:
        for idea_id in idea_ids[:3]:
            collaboration.add_follower(uow, manager, idea_id, name=name, email=email,
                                       organisation=organisation, delivery=delivery,
                                       source="demo")  # fmt: skip
    return Demo(people, len(idea_ids), imported.meeting.get("id"))


def _move_some_on(
    uow: UnitOfWork, manager: Actor, owners: list[Actor], idea_ids: list[int], today: date
) -> None:
    """A few ideas in later states, each step as its owner or a manager would take it."""
    started = today - timedelta(days=40)
    plan = {"starts_on": started.isoformat(), "ends_on": (today + timedelta(days=50)).isoformat(),
            "success_criteria": "30 familier har brugt tilbuddet.", "site": "Langå"}  # fmt: skip
    scale = {"outcome": "success", "evaluation": "Målene blev nået.",
             "scale_to": ["Ungdomsskolen, Nørrebro", "Ungdomsskolen, Kristrup"]}  # fmt: skip
    routes: tuple[list[tuple[str, dict[str, Any]]], ...] = (
        [("assess", ASSESSMENT)],
        [("assess", ASSESSMENT), ("start_pilot", plan)],
        [("assess", ASSESSMENT), ("start_pilot", plan), ("scale", scale)],
        [("park", {"revisit_on": (today + timedelta(days=60)).isoformat()})],
        [("reject", {})],
    )
    reasons = {"park": "Afventer budget til næste år.", "reject": "Findes allerede i kommunen."}
    for number, (idea_id, route) in enumerate(zip(idea_ids[1:], routes, strict=False), start=1):
        actor = owners[number % 2]
        for trigger, data in route:
            transitions.fire_trigger(uow, actor if trigger != "reject" else manager, idea_id,
                                     trigger, reason=reasons.get(trigger), data=data)  # fmt: skip
