"""The manager dashboard, on SQLite and PostgreSQL, from data made through the real services.

Every idea is recorded at ``T0`` (the services' clock is frozen there) and moved with
``fire_trigger(now=T0 + n days)``; the dashboard is read at ``NOW`` = T0 + 100 days. The stays,
counts and lists expected below are worked out by hand from the story in ``story``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError, asdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from tests.integration.dashboard_story import (
    NOW,
    TODAY,
    Clock,
    Story,
    make_story,
    person,
    read,
)
from workflow.errors import Forbidden
from workflow.models import Meeting, idea_themes
from workflow.repositories.idea_counts import STAY_KEY, THEME_KEY, kept_counts
from workflow.services import dashboard as dashboard_service
from workflow.services import idea_counts, ideas, imports
from workflow.services.dashboard import (
    Conversion,
    StageLimits,
    StageTime,
    percentile,
)
from workflow.uow import UnitOfWork
from workflow.views import jsonable

UowFactory = Callable[[], UnitOfWork]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(ideas, "utcnow", frozen)
    monkeypatch.setattr(imports, "utcnow", frozen)
    return frozen


@pytest.fixture
def story(uow: UowFactory, clock: Clock) -> Story:
    """The story told in ``tests.integration.dashboard_story.make_story``."""
    return make_story(uow, clock)


# -- percentile ---------------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_closest_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5  # unsorted input; median of an even count
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    # position (5 - 1) * 0.9 = 3.6: 45 + 0.6 * (60 - 45)
    assert percentile([5.0, 20.0, 20.0, 45.0, 60.0], 0.9) == pytest.approx(54.0)
    # position 10 * 0.9 = 9 exactly (no floating-point slip to 8.999...)
    assert percentile([float(n) for n in range(11)], 0.9) == 9.0
    assert percentile([1.0, 2.0], 0.0) == 1.0
    assert percentile([1.0, 2.0], 1.0) == 2.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0], 1.5)


def test_stage_limits_default_and_refuse_nonsense() -> None:
    limits = StageLimits()
    assert (limits.proposed, limits.assessed, limits.piloted) == (30, 45, 180)
    assert limits.days_for("assessed") == 45
    with pytest.raises(ValueError, match="no time limit"):
        limits.days_for("parked")
    with pytest.raises(ValueError, match="whole number"):
        StageLimits(assessed=-1)
    with pytest.raises(FrozenInstanceError):
        limits.proposed = 10  # type: ignore[misc]


# -- who may see it -----------------------------------------------------------------------------


def test_only_managers_and_admins_see_the_dashboard(uow: UowFactory) -> None:
    for role in ("owner", "viewer"):
        with pytest.raises(Forbidden):
            read(uow, person(uow, role, role.title()))
    for role in ("manager", "admin"):
        assert read(uow, person(uow, role, role.title())).funnel.total == 0


# -- an empty database --------------------------------------------------------------------------


def test_an_empty_database_gives_zeros_and_nones(uow: UowFactory) -> None:
    board = read(uow, person(uow, "manager", "Mette"))
    states = ("proposed", "assessed", "piloted", "scaled", "rejected", "parked", "merged")
    assert board.funnel.counts == dict.fromkeys(states, 0)
    assert board.funnel.total == 0
    assert board.funnel.reached == {"proposed": 0, "assessed": 0, "piloted": 0, "scaled": 0}
    assert [c.rate for c in board.funnel.conversions] == [None, None, None]
    assert board.time_in_stage == tuple(StageTime(s, 0, None, None) for s in states)
    assert (board.stuck, board.stuck_total, board.overdue, board.overdue_total) == ((), 0, (), 0)
    assert (board.owners, board.unowned_open, board.inactive_owner_open) == ((), 0, 0)
    assert (board.meetings, board.themes) == ((), ())
    assert board.today == TODAY
    document = json.loads(json.dumps(jsonable(asdict(board))))
    assert document["funnel"]["conversions"][0] == {
        "from_state": "proposed",
        "to_state": "assessed",
        "entered": 0,
        "reached": 0,
        "rate": None,
    }
    assert document["time_in_stage"][0] == {
        "state": "proposed",
        "stays": 0,
        "median_days": None,
        "p90_days": None,
    }


# -- the story ----------------------------------------------------------------------------------


def test_funnel_and_time_in_stage(uow: UowFactory, story: Story) -> None:
    board = read(uow, story.manager)
    funnel = board.funnel
    assert funnel.counts == {
        "proposed": 23,  # i4 i7 i9 i10 and 19 imported
        "assessed": 2,  # i5 m1
        "piloted": 1,  # i2
        "scaled": 1,  # i1
        "rejected": 2,  # i3 m2
        "parked": 1,  # i6
        "merged": 1,  # i8
    }
    assert funnel.total == 31
    # i3 was assessed and then rejected: it still reached assessed.
    assert funnel.reached == {"proposed": 31, "assessed": 5, "piloted": 2, "scaled": 1}
    assert funnel.conversions == (
        Conversion("proposed", "assessed", 31, 5, 5 / 31),
        Conversion("assessed", "piloted", 5, 2, 0.4),
        Conversion("piloted", "scaled", 2, 1, 0.5),
    )
    # Time in stage counts finished and ongoing stays.
    # proposed, 33 stays: finished i1 10, i2 20, i3 5, i5 40, i6 60, i7 30, i8 10, i10 20,
    # m1 5, m2 2; ongoing i4 100, i7 50, i9 100, i10 30 and 19 x 10. Sorted:
    # 2, 5, 5, 10 x 21, 20, 20, 30, 30, 40, 50, 60, 100, 100 -> median is the 17th value (10);
    # the 90th percentile sits at position 32 * 0.9 = 28.8: 40 + 0.8 * (50 - 40) = 48.
    # assessed: i1 20, i2 20, i3 45, i5 60 (ongoing), m1 5 (ongoing) -> 20; 45 + 0.6 * 15 = 54.
    # rejected: i7 20, i3 50 (ongoing), m2 8 (ongoing) -> 20; 20 + 0.8 * 30 = 44.
    # parked: i10 50, i6 40 (ongoing) -> 45; 40 + 0.9 * 10 = 49.
    assert board.time_in_stage == (
        StageTime("proposed", 33, 10.0, 48.0),
        StageTime("assessed", 5, 20.0, 54.0),
        StageTime("piloted", 2, 60.0, 60.0),  # i1 60, i2 60 (ongoing)
        StageTime("scaled", 1, 10.0, 10.0),  # i1 since day 90
        StageTime("rejected", 3, 20.0, 44.0),
        StageTime("parked", 2, 45.0, 49.0),
        StageTime("merged", 1, 90.0, 90.0),  # i8 since day 10
    )


def test_the_counted_stays_are_the_stays_in_the_history(uow: UowFactory, story: Story) -> None:
    """The stays the transitions counted, folded or not, are those measured from the history
    afterwards (the migration's backfill and the seed's recount), and the time in stage is the
    same from both."""
    with uow() as unit:
        counted = kept_counts(unit.session, STAY_KEY)
        assert sum(counted.values()) == 16  # the finished stays worked out in the test above
        links = select(idea_themes.c.theme_id, func.count()).group_by(idea_themes.c.theme_id)
        tagged = {f"{THEME_KEY}{theme_id}": n for theme_id, n in unit.session.execute(links)}
        assert tagged and kept_counts(unit.session, THEME_KEY) == tagged
        idea_counts.fold_counts(unit)
    with uow() as unit:
        assert kept_counts(unit.session, STAY_KEY) == counted
        before = read(uow, story.manager).time_in_stage
        idea_counts.recount_stays(unit)
    with uow() as unit:
        assert kept_counts(unit.session, STAY_KEY) == counted
    assert read(uow, story.manager).time_in_stage == before


def test_stuck_ideas_most_over_their_limit_first(uow: UowFactory, story: Story) -> None:
    i = story.ids
    board = read(uow, story.manager)
    assert board.stuck_total == 4
    assert [
        (s.id, s.state, s.owner, s.days_in_state, s.limit_days, s.days_over) for s in board.stuck
    ] == [
        (i["i4"], "proposed", "bo@randers.dk", 100.0, 30, 70.0),
        (i["i9"], "proposed", "carl@randers.dk", 100.0, 30, 70.0),  # a tie: lower id first
        (i["i7"], "proposed", "bo@randers.dk", 50.0, 30, 20.0),
        (i["i5"], "assessed", "anna@randers.dk", 60.0, 45, 15.0),
    ]
    assert board.stuck[0].title == "Lokale fællesskaber"
    # i10 has been proposed for exactly its 30 days: at the limit is not over it.

    capped = read(uow, story.manager, list_cap=2)
    assert capped.stuck_total == 4
    assert [s.id for s in capped.stuck] == [i["i4"], i["i9"]]

    # The web app passes the configured limits.
    limits = StageLimits(proposed=60, assessed=5, piloted=59)
    board = read(uow, story.manager, limits=limits)
    # m1 has been assessed for exactly 5 days: not stuck; i7 (50 days) is under 60 now.
    assert [(s.id, s.limit_days, s.days_over) for s in board.stuck] == [
        (i["i5"], 5, 55.0),
        (i["i4"], 60, 40.0),
        (i["i9"], 60, 40.0),
        (i["i2"], 59, 1.0),
    ]
    assert board.stuck_total == 4
    assert board.limits == limits
    assert {o.email: o.stuck for o in board.owners} == {
        "anna@randers.dk": 2,
        "bo@randers.dk": 1,
        "dorte@randers.dk": 0,
    }


def test_overdue_follow_ups_and_load_per_owner(uow: UowFactory, story: Story) -> None:
    i = story.ids
    board = read(uow, story.manager)
    # i2's follow-up is today (not overdue); i1 scaled, i3 rejected and i8 merged never are.
    # Reopening i10 dropped the revisit date its parking had set: no longer due.
    assert board.overdue_total == 4
    assert [(o.id, o.state, o.owner, o.follow_up_on, o.days_overdue) for o in board.overdue] == [
        (i["i9"], "proposed", "carl@randers.dk", date(2025, 5, 23), 30),
        (i["i6"], "parked", None, date(2025, 6, 2), 20),
        (i["i4"], "proposed", "bo@randers.dk", date(2025, 6, 17), 5),
        (i["i5"], "assessed", "anna@randers.dk", date(2025, 6, 21), 1),
    ]
    assert board.overdue[1].title == "Mikrodonationer"
    capped = read(uow, story.manager, list_cap=1)
    assert (capped.overdue_total, [o.id for o in capped.overdue]) == (4, [i["i9"]])
    # 21 June 22:30 UTC is already 22 June in Copenhagen: i5 (21 June) is overdue by then ...
    late_evening = read(uow, story.manager, now=datetime(2025, 6, 21, 22, 30, tzinfo=UTC))
    assert late_evening.today == TODAY
    assert i["i5"] in [o.id for o in late_evening.overdue]
    # ... but not an hour and a half earlier, when it is still 21 June in Denmark.
    evening = read(uow, story.manager, now=datetime(2025, 6, 21, 21, 0, tzinfo=UTC))
    assert evening.today == date(2025, 6, 21)
    assert i["i5"] not in [o.id for o in evening.overdue]

    # Load per active owner.
    loads = [
        (o.email, o.name, o.open_by_state, o.open_total, o.overdue, o.stuck) for o in board.owners
    ]
    none = {"proposed": 0, "assessed": 0, "piloted": 0, "parked": 0}
    assert loads == [
        # bo: i4, i7 and i10 open (i3 rejected); i4 overdue; i4 and i7 stuck.
        ("bo@randers.dk", "Bo", {**none, "proposed": 3}, 3, 1, 2),
        # anna: i2 piloted, i5 assessed; i5 overdue and stuck.
        ("anna@randers.dk", "Anna", {**none, "assessed": 1, "piloted": 1}, 2, 1, 1),
        # dorte owns only i1, scaled: listed, with nothing open.
        ("dorte@randers.dk", "Dorte", none, 0, 0, 0),
    ]  # carl is deactivated; mette (manager) owns nothing.
    assert board.unowned_open == 21  # i6 parked, m1 assessed, 19 imported proposed
    assert board.inactive_owner_open == 1  # carl's i9


def test_meetings_themes_and_json(uow: UowFactory, story: Story) -> None:
    with uow() as unit:
        unit.meetings.add(Meeting(title="Borgermøde uden dato", held_on=None))
        unit.meetings.add(Meeting(title="Dialogmøde", held_on=date(2025, 9, 1)))
        unit.commit()
    board = read(uow, story.manager)
    meetings = board.meetings
    assert [(m.title, m.held_on, m.total) for m in meetings] == [
        ("Dialogmøde", date(2025, 9, 1), 0),
        ("Opsamling på interessentmøde (12.06.25)", date(2025, 6, 12), 21),
        ("Borgermøde uden dato", None, 0),
    ]
    sample = meetings[1]
    assert sample.id == story.meeting_id
    assert sample.by_state == {
        "proposed": 19,
        "assessed": 1,
        "piloted": 0,
        "scaled": 0,
        "rejected": 1,
        "parked": 0,
        "merged": 0,
    }
    assert set(meetings[0].by_state.values()) == {0}

    # Ideas per theme: only themes that tag an idea.
    themes = board.themes
    zero = dict.fromkeys(
        ("proposed", "assessed", "piloted", "scaled", "rejected", "parked", "merged"), 0
    )
    # "unge" on i3 is the theme "Unge" (case-folded); the meeting's own themes tag no idea.
    assert [(t.name, t.by_state, t.total) for t in themes] == [
        ("Unge", {**zero, "piloted": 1, "scaled": 1, "rejected": 1}, 3),
        ("Samskabelse", {**zero, "assessed": 1, "scaled": 1}, 2),
        ("Trivsel", {**zero, "assessed": 1}, 1),
    ]

    # The whole dashboard as JSON.
    document = json.loads(json.dumps(jsonable(asdict(board))))
    assert document["generated_at"] == NOW.isoformat()
    assert document["today"] == "2025-06-22"
    assert document["limits"] == {"proposed": 30, "assessed": 45, "piloted": 180}
    assert document["list_cap"] == 50
    assert document["funnel"]["conversions"][1] == {
        "from_state": "assessed",
        "to_state": "piloted",
        "entered": 5,
        "reached": 2,
        "rate": 0.4,
    }
    assert document["stuck_total"] == 4
    assert document["stuck"][3] == {
        "id": story.ids["i5"],
        "title": "Daghøjskole som vikarbureau",
        "state": "assessed",
        "owner": "anna@randers.dk",
        "days_in_state": 60.0,
        "limit_days": 45,
        "days_over": 15.0,
    }
    assert document["overdue"][0]["follow_up_on"] == "2025-05-23"
    assert document["owners"][0]["open_by_state"]["proposed"] == 3
    assert [m["held_on"] for m in document["meetings"]] == ["2025-09-01", "2025-06-12", None]
    assert document["themes"][0]["name"] == "Unge"


def test_owners_meetings_and_themes_are_the_first_few_with_every_one_counted(
    uow: UowFactory, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    with uow() as unit:
        unit.meetings.add(Meeting(title="Dialogmøde", held_on=date(2025, 9, 1)))
        unit.commit()
    monkeypatch.setattr(dashboard_service, "SHOWN", 1)
    board = read(uow, story.manager)
    assert [(m.title, m.total) for m in board.meetings] == [("Dialogmøde", 0)]
    assert board.meeting_total == 2
    assert [(t.name, t.total) for t in board.themes] == [("Unge", 3)]
    assert board.theme_total == 3
    assert [o.email for o in board.owners] == ["bo@randers.dk"]
    assert board.owner_total == 3  # bo, anna and dorte; carl is deactivated
