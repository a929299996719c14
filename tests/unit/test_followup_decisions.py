"""The pure follow-up decisions: occasions, which one counts, what comes next, the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from workflow.errors import ConfigurationError
from workflow.followups.decisions import (
    ESCALATION,
    Occasion,
    most_pressing,
    next_number,
    waited,
    waited_since_before,
)
from workflow.followups.rules import FollowupRules
from workflow.settings import Settings

RULES = FollowupRules()
DAY = date(2026, 3, 2)


def test_occasion_keys_change_when_the_owner_acts() -> None:
    assert Occasion("follow_up", DAY).key == "follow_up:2026-03-02"
    assert Occasion("follow_up", DAY + timedelta(days=7)).key != Occasion("follow_up", DAY).key
    assert Occasion("pilot_ended", DAY, plan_id=7).key == "pilot_ended:7"
    assert Occasion("untouched", DAY).key == "untouched:2026-03-02"


def test_the_owners_own_date_is_more_pressing_than_the_stage_rules() -> None:
    found = [Occasion("untouched", DAY), Occasion("unassessed", DAY), Occasion("follow_up", DAY)]
    assert most_pressing(found) == Occasion("follow_up", DAY)
    assert most_pressing([]) is None


@pytest.mark.parametrize(
    ("sent", "days_later", "expected"),
    [
        ({}, 0, 1),
        ({1: DAY}, 6, None),
        ({1: DAY}, 7, 2),
        ({1: DAY, 2: DAY + timedelta(days=7)}, 13, None),
        ({1: DAY, 2: DAY + timedelta(days=7)}, 14, ESCALATION),
        ({1: DAY, 2: DAY + timedelta(days=7), 0: DAY + timedelta(days=14)}, 100, None),
    ],
)
def test_reminder_two_comes_7_days_after_one_and_the_escalation_7_days_after_two(
    sent: dict[int, date], days_later: int, expected: int | None
) -> None:
    assert next_number(sent, DAY + timedelta(days=days_later), RULES) == expected


def test_days_are_danish_calendar_days() -> None:
    # 23:30 UTC on 1 March is 00:30 on 2 March in Denmark: day 14 is 16 March.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert not waited(late, date(2026, 3, 15), 14)
    assert waited(late, date(2026, 3, 16), 14)
    bound = waited_since_before(date(2026, 3, 16), 14)
    assert late < bound <= late + timedelta(days=1)
    assert bound == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # midnight CET, 3 March


def test_rules_come_from_the_settings() -> None:
    base = {"IDEAFLOW_SECRET_KEY": "k"}
    assert Settings.from_env(base).followup_rules == FollowupRules()
    rules = Settings.from_env(
        {
            **base,
            "IDEAFLOW_REMINDER_UNASSESSED_DAYS": "10",
            "IDEAFLOW_REMINDER_ESCALATE_DAYS": " 3 ",
        }
    ).followup_rules
    assert (rules.unassessed_days, rules.escalate_days, rules.untouched_days) == (10, 3, 30)
    with pytest.raises(ConfigurationError, match="IDEAFLOW_REMINDER_REPEAT_DAYS"):
        Settings.from_env({**base, "IDEAFLOW_REMINDER_REPEAT_DAYS": "a week"})
    with pytest.raises(ConfigurationError, match="IDEAFLOW_REMINDER_UNTOUCHED_DAYS"):
        Settings.from_env({**base, "IDEAFLOW_REMINDER_UNTOUCHED_DAYS": "0"})
    with pytest.raises(ValueError, match="repeat_days"):
        FollowupRules(repeat_days=0)
