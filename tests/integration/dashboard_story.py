"""The dashboard tests' story: people, ideas and a meeting made through the real services at
known days after ``T0``, so every figure the dashboard shows can be worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from workflow.clock import local_today
from workflow.permissions import Actor
from workflow.services import ideas, imports, transitions, users
from workflow.services.dashboard import Dashboard, dashboard
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"

T0 = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)  # every idea is recorded at T0 (day 0)
NOW = T0 + timedelta(days=100)  # 2025-06-22 11:00 in Copenhagen
TODAY = date(2025, 6, 22)
ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Lovende"}
PILOT = {"starts_on": "2025-05-01", "ends_on": "2025-10-31", "success_criteria": "20 unge i job"}
SCALE = {"outcome": "success", "evaluation": "Målene er nået", "scale_to": ["Langå"]}


def day(n: float) -> datetime:
    """The moment ``n`` days after T0."""
    return T0 + timedelta(days=n)


class Clock:
    """The frozen clock the idea and import services read when they stamp new rows."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def person(uow: UowFactory, role: str, name: str) -> Actor:
    """A user without a password (hashing one costs more than the whole story)."""
    email = f"{name.lower()}@randers.dk"
    with uow() as unit:
        users.create_user(unit, email=email, name=name, role=role)
        return users.find_actor(unit, email)


def new_idea(uow: UowFactory, actor: Actor, title: str, **fields: object) -> int:
    with uow() as unit:
        return ideas.create_idea(unit, actor, {"title": title, **fields}).id


def fire(uow: UowFactory, actor: Actor, idea_id: int, trigger: str, at: float, **kwargs: object):  # type: ignore[no-untyped-def]
    with uow() as unit:
        return transitions.fire_trigger(unit, actor, idea_id, trigger, now=day(at), **kwargs)  # type: ignore[arg-type]


def follow_up(uow: UowFactory, actor: Actor, idea_id: int, on: date) -> None:
    with uow() as unit:
        ideas.update_idea(unit, actor, idea_id, {"follow_up_on": on.isoformat()})


def read(uow: UowFactory, actor: Actor, **kwargs: object) -> Dashboard:
    with uow() as unit:
        return dashboard(unit, actor, **{"now": NOW, **kwargs})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Story:
    """The people and ideas of the story, by name."""

    manager: Actor
    anna: Actor
    bo: Actor
    carl: Actor  # deactivated after the story
    dorte: Actor
    ids: dict[str, int]
    meeting_id: int
    meeting_ideas: list[int]


def make_story(uow: UowFactory, clock: Clock) -> Story:
    """Ten ideas recorded at day 0, the sample meeting imported at day 90, moved until day 100.

    idea  owner  what happened (day)                              now (day 100)
    i1    dorte  assess 10, pilot 30, scale 90                    scaled
    i2    anna   assess 20, pilot 40; follow-up today             piloted 60 days
    i3    bo     assess 5, reject 50; follow-up in the past       rejected
    i4    bo     -; follow-up 5 days ago                          proposed 100 days (stuck 70)
    i5    anna   assess 40; follow-up yesterday                   assessed 60 days (stuck 15)
    i6    -      park 60 (revisit day 80)                         parked, 20 days overdue
    i7    bo     reject 30, reopen 50                             proposed 50 days (stuck 20)
    i8    -      merge into i4 at 10; follow-up in the past       merged
    i9    carl   -; follow-up 30 days ago; carl deactivated       proposed 100 days (stuck 70)
    i10   bo     park 20 (revisit day 40), reopen 70              proposed 30 days (at the limit),
                                                                  revisit date 60 days overdue
    m1    -      imported 90, assess 95                           assessed 5 days
    m2    -      imported 90, reject 92                           rejected
    19 more      imported 90                                      proposed 10 days
    """
    manager = person(uow, "manager", "Mette")
    anna, bo, carl, dorte = (person(uow, "owner", name) for name in ("Anna", "Bo", "Carl", "Dorte"))
    ids = {
        "i1": new_idea(
            uow, manager, "Sociale partnerskaber", owner=dorte.email, themes=["Unge", "Samskabelse"]
        ),
        "i2": new_idea(uow, manager, "Mentorordning", owner=anna.email, themes=["Unge"]),
        "i3": new_idea(uow, manager, "Ungeråd", owner=bo.email, themes=["unge"]),
        "i4": new_idea(uow, manager, "Lokale fællesskaber", owner=bo.email),
        "i5": new_idea(
            uow,
            manager,
            "Daghøjskole som vikarbureau",
            owner=anna.email,
            themes=["Samskabelse", "Trivsel"],
        ),
        "i6": new_idea(uow, manager, "Mikrodonationer"),
        "i7": new_idea(uow, manager, "Én indgang for familien", owner=bo.email),
        "i8": new_idea(uow, manager, "Lokale enheder"),
        "i9": new_idea(uow, manager, "Juniormesterlære", owner=carl.email),
        "i10": new_idea(uow, manager, "Sprogindsats i dagtilbud", owner=bo.email),
    }
    i = ids
    fire(uow, manager, i["i1"], "assess", 10, data=ASSESS)
    fire(uow, manager, i["i1"], "start_pilot", 30, data=PILOT)
    fire(uow, manager, i["i1"], "scale", 90, data=SCALE)
    fire(uow, manager, i["i2"], "assess", 20, data=ASSESS)
    fire(uow, manager, i["i2"], "start_pilot", 40, data=PILOT)
    fire(uow, manager, i["i3"], "assess", 5, data=ASSESS)
    fire(uow, manager, i["i3"], "reject", 50, reason="For dyr")
    fire(uow, manager, i["i5"], "assess", 40, data=ASSESS)
    revisit = local_today(day(80)).isoformat()
    fire(uow, manager, i["i6"], "park", 60, reason="Budget", data={"revisit_on": revisit})
    fire(uow, manager, i["i7"], "reject", 30, reason="Ikke nu")
    fire(uow, manager, i["i7"], "reopen", 50, reason="Nu alligevel")
    fire(uow, manager, i["i8"], "merge", 10, data={"into": i["i4"]})
    revisit = local_today(day(40)).isoformat()
    fire(uow, manager, i["i10"], "park", 20, reason="Vent", data={"revisit_on": revisit})
    fire(uow, manager, i["i10"], "reopen", 70, reason="Tid nu")
    for name, days_ago in (("i2", 0), ("i3", 40), ("i4", 5), ("i5", 1), ("i8", 60), ("i9", 30)):
        follow_up(uow, manager, i[name], TODAY - timedelta(days=days_ago))
    follow_up(uow, manager, i["i1"], TODAY - timedelta(days=3))  # scaled: never overdue

    clock.now = day(90)
    with uow() as unit:
        result = imports.import_minutes(unit, manager, SAMPLE.name, SAMPLE.read_bytes())
    meeting_ideas = [idea.id for idea in result.ideas if idea.id is not None]
    assert len(meeting_ideas) == 21
    fire(uow, manager, meeting_ideas[0], "assess", 95, data=ASSESS)
    fire(uow, manager, meeting_ideas[1], "reject", 92, reason="Findes allerede")
    with uow() as unit:
        users.set_active(unit, carl.email, False)
    return Story(manager, anna, bo, carl, dorte, ids, result.meeting["id"], meeting_ideas)
