"""Adding participants to a meeting, on SQLite and PostgreSQL: reuse, opt-ins, races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from workflow.models import Contact, Meeting, MeetingParticipant
from workflow.notifications.recipients import stakeholders_of
from workflow.permissions import Actor
from workflow.services import ideas, participants
from workflow.services.participants import AddedParticipant
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]


def add_meeting(uow: UowFactory) -> int:
    with uow() as unit:
        meeting = Meeting(title="Borgermøde om stier", held_on=date(2025, 6, 12))
        unit.meetings.add(meeting)
        unit.commit()
        return meeting.id


def test_only_participants_with_an_address_hear_about_the_meetings_ideas(
    uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow)
    for fields in ({"name": "Anne", "email": "anne@langaa.dk"}, {"name": "Bo"}):
        with uow() as unit:
            participants.add_participant(unit, manager, meeting_id, fields, source="test")
    with uow() as unit:
        idea = ideas.create_idea(unit, manager, {"title": "Sti langs åen"})
        stored = unit.ideas.get(idea.id)
        assert stored is not None
        stored.meeting_id = meeting_id
        unit.commit()
    with uow() as unit:
        stored = unit.ideas.get(idea.id)
        assert stored is not None
        assert [c.email for c in stakeholders_of(unit, stored)] == ["anne@langaa.dk"]


def test_the_same_person_added_twice_at_once_is_one_contact_and_one_participant(
    uow: UowFactory, make_user: MakeUser
) -> None:
    manager = make_user("manager")
    meeting_id = add_meeting(uow)
    start = threading.Barrier(2)
    results: list[AddedParticipant] = []
    errors: list[BaseException] = []

    def add() -> None:
        try:
            start.wait()
            with uow() as unit:
                results.append(
                    participants.add_participant(
                        unit,
                        manager,
                        meeting_id,
                        {"name": "Anne Sørensen", "email": "anne@langaa.dk"},
                        source="test",
                    )
                )
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=add) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(result.created for result in results) == [False, True]
    assert len({result.participant.contact_id for result in results}) == 1
    with uow() as unit:
        assert len(unit.session.scalars(select(Contact)).all()) == 1
        assert len(unit.session.scalars(select(MeetingParticipant)).all()) == 1
