"""When the reminder sweep must next look at an idea: nothing falls due before that day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.followups.decisions import ESCALATION, next_number, next_step
from workflow.followups.rules import FollowupRules
from workflow.followups.schedule import Facts, counting, moment_of, next_check_on, occasions
from workflow.states import State

RULES = FollowupRules()
TODAY = date(2026, 3, 2)


def at(days: int) -> datetime:
    """Noon UTC, ``days`` after TODAY."""
    return datetime(2026, 3, 2, 12, tzinfo=UTC) + timedelta(days=days)


def day(days: int) -> date:
    return TODAY + timedelta(days=days)


def facts(state: State = State.ASSESSED, **more: object) -> Facts:
    values: dict[str, object] = {
        "owner_active": True, "follow_up_on": None, "state_changed_at": at(-2),
        "updated_at": at(-2), "pilot": None,
    }  # fmt: skip
    values.update(more)
    return Facts(state, **values)  # type: ignore[arg-type]


def test_an_idea_changed_two_days_ago_is_looked_at_when_it_has_been_untouched_for_30() -> None:
    assert next_check_on(facts(), {}, TODAY, RULES) == day(28)
    assert moment_of(day(28)) == datetime(2026, 3, 29, 22, tzinfo=UTC)  # Danish midnight


def test_a_follow_up_date_ahead_comes_first_and_a_reminder_waits_for_the_next_step() -> None:
    ahead = facts(follow_up_on=day(5))
    assert next_check_on(ahead, {}, TODAY, RULES) == day(5)
    assert next_check_on(ahead, {1: day(5)}, day(5), RULES) == day(12)
    assert next_check_on(ahead, {1: day(5), 2: day(12)}, day(12), RULES) == day(19)
    assert next_check_on(ahead, {1: day(5), 2: day(12), 0: day(19)}, day(19), RULES) is None


def test_a_more_pressing_occasion_ahead_cuts_the_wait_for_the_next_step() -> None:
    untouched = facts(updated_at=at(-40), follow_up_on=day(3))
    assert counting(untouched, TODAY, RULES) is not None
    assert next_check_on(untouched, {1: day(-1)}, TODAY, RULES) == day(3)  # not day(6)


def test_nothing_is_looked_at_for_finished_ideas_or_without_an_active_owner() -> None:
    assert next_check_on(facts(State.SCALED), {}, TODAY, RULES) is None
    assert next_check_on(facts(owner_active=False), {}, TODAY, RULES) is None
    assert occasions(facts(State.MERGED, follow_up_on=day(-1)), RULES) == []


def test_a_step_due_now_is_due_since_its_day() -> None:
    proposed = facts(State.PROPOSED, state_changed_at=at(-20), updated_at=at(-20))
    assert next_check_on(proposed, {}, TODAY, RULES) == day(-6)  # unassessed since day 14


SENT = st.lists(st.integers(min_value=0, max_value=40), max_size=3)


@given(gaps=SENT, today=st.integers(min_value=0, max_value=90))
def test_next_step_says_what_next_number_says_for_each_day(gaps: list[int], today: int) -> None:
    sent, on = {}, day(0)
    for number, gap in zip((1, 2, ESCALATION), gaps, strict=False):
        on += timedelta(days=gap)
        sent[number] = on
    step = next_step(sent, day(0), RULES)
    expected = step[0] if step is not None and step[1] <= day(today) else None
    assert next_number(sent, day(today), RULES) == expected


@settings(max_examples=300)
@given(
    state=st.sampled_from(State),
    owner_active=st.booleans(),
    follow_up=st.one_of(st.none(), st.integers(min_value=-60, max_value=60)),
    changed=st.integers(min_value=-90, max_value=0),
    updated=st.integers(min_value=-90, max_value=0),
    pilot_ends=st.one_of(st.none(), st.integers(min_value=-60, max_value=60)),
    history=st.lists(st.lists(st.integers(min_value=0, max_value=30), max_size=3), min_size=4),
)
def test_nothing_falls_due_before_the_day_to_look_again(
    state: State,
    owner_active: bool,
    follow_up: int | None,
    changed: int,
    updated: int,
    pilot_ends: int | None,
    history: list[list[int]],
) -> None:
    """Whatever the facts and the reminders sent for each occasion, no step is due on any day
    from today until the computed day (a sweep that skips the idea until then misses nothing),
    and a step is due today exactly when that day is today or earlier."""
    follow_up_on = None if follow_up is None else day(follow_up)
    pilot = None if pilot_ends is None else (7, day(pilot_ends))
    idea = Facts(state, owner_active, follow_up_on, at(min(changed, updated)), at(updated), pilot)
    sent: dict[str, dict[int, date]] = {}
    for (_, occasion), gaps in zip(occasions(idea, RULES), history, strict=False):
        on = day(-120)
        sent[occasion.key] = {}
        for number, gap in zip((1, 2, ESCALATION), gaps, strict=False):
            on += timedelta(days=gap)
            sent[occasion.key][number] = on

    def due_on(when: date) -> int | None:
        found = counting(idea, when, RULES)
        return None if found is None else next_number(sent.get(found[1].key, {}), when, RULES)

    found = counting(idea, TODAY, RULES)
    look = next_check_on(idea, {} if found is None else sent.get(found[1].key, {}), TODAY, RULES)
    assert (due_on(TODAY) is not None) == (look is not None and look <= TODAY)
    if look is None or look > TODAY:
        until = look or TODAY + timedelta(days=120)
        for offset in range(min((until - TODAY).days, 120)):
            assert due_on(TODAY + timedelta(days=offset)) is None
