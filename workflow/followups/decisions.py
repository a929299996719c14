"""What an owner is due, decided from dates alone: the occasions and the reminder that comes next.

An *occasion* is one reason to remind an owner, named so that it changes when the owner acts:
``follow_up:<date>`` (moving the date makes a new occasion), ``unassessed:<date entered proposed>``,
``pilot_ended:<pilot plan id>`` and ``untouched:<date last changed>``. For each occasion the owner
gets reminder 1, then reminder 2 ``repeat_days`` later, then the managers are told
``escalate_days`` after that (number 0), each at most once. When several occasions hold for one
idea, only the most pressing one counts (see ``KINDS``), so an owner never gets two reminders
about one idea at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from workflow.clock import LOCAL_TIMEZONE
from workflow.followups.rules import FollowupRules

FOLLOW_UP = "follow_up"
PILOT_ENDED = "pilot_ended"
UNASSESSED = "unassessed"
UNTOUCHED = "untouched"
KINDS = (FOLLOW_UP, PILOT_ENDED, UNASSESSED, UNTOUCHED)
"""Most pressing first: the owner's own follow-up date, then the stage rules, then inactivity."""
ESCALATION = 0  # the ``number`` of an escalation in ``reminders``


@dataclass(frozen=True)
class Occasion:
    """One reason to remind the owner of an idea."""

    kind: str  # one of KINDS
    on: date  # the follow-up date, the pilot's end, the day it entered proposed, the last change
    plan_id: int | None = None  # pilot_ended only

    @property
    def key(self) -> str:
        """The name ``reminders.occasion`` stores, e.g. ``follow_up:2026-12-01``."""
        if self.kind == PILOT_ENDED:
            return f"{PILOT_ENDED}:{self.plan_id}"
        return f"{self.kind}:{self.on.isoformat()}"


def local_date(moment: datetime) -> date:
    """The Danish date of a UTC timestamp."""
    return moment.astimezone(LOCAL_TIMEZONE).date()


def start_of_local_day(day: date) -> datetime:
    """Midnight in Denmark at the start of ``day``, in UTC."""
    return datetime.combine(day, time(), LOCAL_TIMEZONE).astimezone(UTC)


def waited_since_before(today: date, days: int) -> datetime:
    """The UTC bound for "``days`` Danish days ago or earlier": timestamps before it qualify.

    Something that happened on Danish day ``d`` has waited ``days`` days on ``d + days``.
    """
    return start_of_local_day(today - timedelta(days=days - 1))


def pilot_ended(ends_on: date, today: date) -> bool:
    """The pilot's last day is past."""
    return ends_on < today


def waited(since: datetime, today: date, days: int) -> bool:
    """``days`` Danish days have passed since ``since`` (on day d + days it is true)."""
    return local_date(since) + timedelta(days=days) <= today


def most_pressing(occasions: Iterable[Occasion]) -> Occasion | None:
    """The occasion an owner hears about when several hold for one idea (KINDS order)."""
    return min(occasions, key=lambda occasion: KINDS.index(occasion.kind), default=None)


def next_number(sent: Mapping[int, date], today: date, rules: FollowupRules) -> int | None:
    """What is due for an occasion that holds, given the reminders sent so far (number → date).

    1 when nothing was sent; 2 once ``repeat_days`` passed since 1; ``ESCALATION`` once
    ``escalate_days`` passed since 2; None when nothing is due (yet, or any more).
    """
    if 1 not in sent:
        return 1
    if 2 not in sent:
        return 2 if sent[1] + timedelta(days=rules.repeat_days) <= today else None
    if ESCALATION not in sent:
        return ESCALATION if sent[2] + timedelta(days=rules.escalate_days) <= today else None
    return None


def next_step(
    sent: Mapping[int, date], holds_from: date, rules: FollowupRules
) -> tuple[int, date] | None:
    """The next step of an occasion that holds from ``holds_from`` and the day it falls due.

    ``next_number`` says the same for one day: its number when that day is on or past it.
    """
    if 1 not in sent:
        return 1, holds_from
    if 2 not in sent:
        return 2, sent[1] + timedelta(days=rules.repeat_days)
    if ESCALATION not in sent:
        return ESCALATION, sent[2] + timedelta(days=rules.escalate_days)
    return None


def next_step_on(number: int, today: date, rules: FollowupRules) -> date | None:
    """When the step after ``number`` comes if the occasion still holds; None after the last."""
    if number == 1:
        return today + timedelta(days=rules.repeat_days)
    if number == 2:
        return today + timedelta(days=rules.escalate_days)
    return None
