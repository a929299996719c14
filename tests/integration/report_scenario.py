"""The sample minutes as a meeting whose ideas moved on, at fixed moments, for report tests.

The meeting of 12 June 2025 (samples/interessentmoede-2025-06-12.txt) is imported, dated as if
imported the next morning, given participants, and its ideas are moved at fixed times: some
before the one-month report (12 July 2025), some between it and the three-month report
(12 September 2025). Nothing depends on database ids, so the texts are the same on every run
and backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import update

from workflow.clock import LOCAL_TIMEZONE
from workflow.models import Contact, Idea, Meeting, MeetingParticipant
from workflow.notifications.links import Links
from workflow.permissions import Actor
from workflow.services import ideas, imports, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
LINKS = Links("https://ideer.randers.dk", "test-secret")
IMPORTED_AT = datetime(2025, 6, 13, 8, 0, tzinfo=UTC)
YOUTH_THEME = "Unge uden for fællesskabet"
ALREADY_SO = "Sådan arbejder kommunen allerede, så der er ikke noget nyt at sætte i gang."
NO_AGENCY = "Kommunen må ikke drive en virksomhed, der konkurrerer med private vikarbureauer."
PARENTS_THEME = (
    "Manglende forældrekompetencer (øget sundhedspleje, dårlige sprogvurderinger, potentiel "
    "mistrivsel)"
)


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock Danish time on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=LOCAL_TIMEZONE)


def sweep_time(day: date) -> datetime:
    """When beat runs the report sweep on ``day``: 06:30 Danish time."""
    return datetime.combine(day, time(6, 30), tzinfo=LOCAL_TIMEZONE)


@dataclass(frozen=True)
class Person:
    """A participant to add: name, organisation, address, language, whether they opted in."""

    name: str
    organisation: str | None
    email: str | None
    language: str = "da"
    consent: bool = True


PARTICIPANTS = (
    Person("Anne Andersen", "Randers Ungdomsråd", "anne@example.dk"),
    Person("Bo Berg", "Erhverv Randers", "bo@example.dk", language="en"),
    Person("Carl Clausen", "Langå Idrætsforening", None),
    Person("Dorte Dam", "Daghøjskolen", "dorte@example.dk", consent=False),
)


def import_sample(uow: UowFactory, actor: Actor | None = None, *, held_on: date | None = None,
                  imported_at: datetime = IMPORTED_AT) -> int:  # fmt: skip
    """Import the sample minutes as if at ``imported_at``; return the meeting's id."""
    with uow() as unit:
        result = imports.import_minutes(unit, actor, SAMPLE.name, SAMPLE.read_bytes())
        meeting_id = result.meeting["id"]
        assert isinstance(meeting_id, int)
        unit.session.execute(
            update(Idea)
            .where(Idea.meeting_id == meeting_id)
            .values(created_at=imported_at, state_changed_at=imported_at, updated_at=imported_at)
        )
        values: dict[str, Any] = {"created_at": imported_at}
        if held_on is not None:
            values["held_on"] = held_on
        unit.session.execute(update(Meeting).where(Meeting.id == meeting_id).values(**values))
        unit.commit()
    return meeting_id


def add_participants(
    uow: UowFactory, meeting_id: int, people: tuple[Person, ...] = PARTICIPANTS
) -> dict[str, int]:
    """Add ``people`` to the meeting (in this order); return their contact ids by name."""
    found: dict[str, int] = {}
    with uow() as unit:
        for position, person in enumerate(people, 1):
            contact = unit.contacts.find_or_add(person.name, person.organisation, person.email)
            contact.language = person.language
            unit.flush()
            unit.session.add(
                MeetingParticipant(
                    meeting_id=meeting_id,
                    contact_id=contact.id,
                    position=position,
                    consent_source="signed up at the meeting" if person.consent else None,
                    consent_at=IMPORTED_AT if person.consent else None,
                )
            )
            found[person.name] = contact.id
        unit.commit()
    return found


def idea_ids(uow: UowFactory, meeting_id: int) -> dict[int, int]:
    """The meeting's idea ids by their position in the minutes (1 to 21)."""
    with uow() as unit:
        return {idea.source_position or 0: idea.id for idea in unit.ideas.of_meeting(meeting_id)}


def fire(uow: UowFactory, actor: Actor, idea_id: int, trigger: str, when: datetime,
         **kwargs: Any) -> None:  # fmt: skip
    """Fire ``trigger`` as if at ``when``."""
    with uow() as unit:
        transitions.fire_trigger(unit, actor, idea_id, trigger, now=when, **kwargs)


def contact_language(uow: UowFactory, contact_id: int, language: str) -> None:
    """Let a contact read their mail in ``language``."""
    with uow() as unit:
        contact = unit.session.get(Contact, contact_id)
        assert contact is not None
        contact.language = language
        unit.commit()


@dataclass(frozen=True)
class Staff:
    """The municipality's people in the scenario."""

    manager: Actor
    ole: Actor  # runs the youth partnership pilot
    sara: Actor  # runs the RUN project


def before_first_report(uow: UowFactory, staff: Staff, ids: dict[int, int]) -> None:
    """What happened to the ideas between the meeting and the one-month report."""
    manager = staff.manager
    with uow() as unit:
        ideas.update_idea(unit, manager, ids[1], {"owner": staff.ole.email,
                                                  "themes": [YOUTH_THEME]})  # fmt: skip
        ideas.update_idea(unit, manager, ids[3], {"themes": [YOUTH_THEME]})
        ideas.update_idea(unit, manager, ids[19], {"themes": [PARENTS_THEME]})
        ideas.update_idea(unit, manager, ids[21], {"owner": staff.sara.email})
    fire(uow, manager, ids[1], "assess", at(date(2025, 6, 20)), data={
        "impact": 4, "feasibility": 3, "cost": 3,
        "summary": "Stor opbakning fra foreninger og skoler. Det kræver en fast koordinator.",
    })  # fmt: skip
    fire(uow, manager, ids[11], "reject", at(date(2025, 6, 24)), reason=ALREADY_SO)
    fire(uow, manager, ids[17], "assess", at(date(2025, 6, 26)), data={
        "impact": 3, "feasibility": 2, "cost": 3,
        "summary": "Virksomhederne er interesserede, men ordningen ligner et vikarbureau.",
    })  # fmt: skip
    fire(uow, manager, ids[21], "assess", at(date(2025, 6, 30)), data={
        "impact": 5, "feasibility": 4, "cost": 3,
        "summary": "Projektet virker og kan bruges flere steder; det kræver flere vejledere.",
    })  # fmt: skip
    fire(uow, manager, ids[1], "start_pilot", at(date(2025, 7, 1)), data={
        "owner": staff.ole.email, "starts_on": "2025-08-01", "ends_on": "2026-01-31",
        "site": "Langå og Assentoft", "budget_dkk": 250000,
        "success_criteria": "Mindst 40 unge er med i et partnerskab med en forening.",
    })  # fmt: skip
    fire(uow, manager, ids[21], "start_pilot", at(date(2025, 7, 5)), data={
        "owner": staff.sara.email, "starts_on": "2025-07-07", "ends_on": "2025-08-29",
        "site": "Ungdomsskolen i Randers Nord",
        "success_criteria": "Mindst halvdelen af de unge kommer i uddannelse eller job.",
    })  # fmt: skip


def before_second_report(uow: UowFactory, staff: Staff, ids: dict[int, int]) -> None:
    """What happened between the one-month and the three-month report."""
    manager = staff.manager
    fire(uow, manager, ids[17], "reject", at(date(2025, 7, 20)), reason=NO_AGENCY)
    fire(uow, manager, ids[10], "park", at(date(2025, 8, 5)),
         reason="Det afhænger af budgetforhandlingerne i efteråret.",
         data={"revisit_on": "2026-01-15"})  # fmt: skip
    fire(uow, manager, ids[14], "assess", at(date(2025, 8, 20)), data={
        "impact": 4, "feasibility": 4, "cost": 2,
        "summary": "En god idé, som kan begynde med skoleåret 2026/27.",
    })  # fmt: skip
    fire(uow, manager, ids[21], "scale", at(date(2025, 9, 2)), data={
        "outcome": "success",
        "evaluation": "28 af 35 unge kom i gang med en uddannelse eller et job.",
        "scale_to": ["Randers Syd", "Langå", "Spentrup"],
    })  # fmt: skip
