"""The numbers the reminder sweep works with (``IDEAFLOW_REMINDER_*`` in the settings)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class FollowupRules:
    """How many days until an owner is reminded, reminded again, and the managers are told."""

    unassessed_days: int = 14  # a proposed idea with an owner waits this long for an assessment
    untouched_days: int = 30  # an open idea nobody changed for this long
    repeat_days: int = 7  # from reminder 1 to reminder 2
    escalate_days: int = 7  # from reminder 2 to the escalation to the managers

    def __post_init__(self) -> None:
        for spec in fields(self):
            days = getattr(self, spec.name)
            if isinstance(days, bool) or not isinstance(days, int) or days < 1:
                raise ValueError(f"{spec.name} must be a whole number of days (at least 1).")
