"""The demo a newcomer gets from ``make run``: people who can sign in, owners, ideas in later
states and stakeholders, loaded through the use cases into an empty database only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from workflow.clock import local_today
from workflow.models import Contact, Idea
from workflow.security import verify_password
from workflow.services import demo, edit_history, users
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def test_the_demo_shows_every_part_of_the_product(uow: UowFactory) -> None:
    with uow() as unit:
        assert demo.is_empty(unit)
        loaded = demo.load_demo(unit, SAMPLE.name, SAMPLE.read_bytes())
    assert {person.role for person in loaded.people} == {"admin", "manager", "owner"}
    assert loaded.ideas == 21
    with uow() as unit:
        assert not demo.is_empty(unit)
        for person in loaded.people:
            stored = unit.users.by_email(person.email)
            assert stored is not None and person.email.endswith("@example.org")
            assert verify_password(stored.password_hash, person.password)
        assert len({person.password for person in loaded.people}) == len(loaded.people)
        rows = unit.session.execute(select(Idea.id, Idea.state, Idea.owner_id, Idea.follow_up_on))
        ideas = rows.all()
        states = Counter(str(state) for _, state, _, _ in ideas)
        assert {"proposed", "assessed", "piloted", "scaled", "parked", "rejected"} <= set(states)
        assert all(owner is not None for _, _, owner, _ in ideas)
        assert any(day is not None and day < local_today() for _, _, _, day in ideas)  # overdue
        closed = [day for _, state, _, day in ideas if state in ("scaled", "rejected")]
        assert closed and all(day is None for day in closed)
        contacts = unit.session.scalars(select(Contact.email).where(Contact.email.is_not(None)))
        assert {"anne@example.org", "bo@example.org"} <= set(contacts)
        manager = users.find_actor(unit, "mette@example.org")
        first = min(idea_id for idea_id, *_ in ideas)
        (edit,) = edit_history.idea_edits(unit, manager, first)  # owners are given as edits
        assert set(edit.changes_by_field) == {"owner", "follow_up_on"}
