"""The numbers the reminder sweep works with, and reading them from ``IDEAFLOW_REMINDER_*``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from workflow.errors import ConfigurationError

ENV_PREFIX = "IDEAFLOW_REMINDER_"


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


def env_name(field_name: str) -> str:
    """The variable that sets one rule (``unassessed_days``: IDEAFLOW_REMINDER_UNASSESSED_DAYS)."""
    return ENV_PREFIX + field_name.upper()


def rules_from_env(environ: Mapping[str, str] | None = None) -> FollowupRules:
    """The rules, each default replaced by its ``IDEAFLOW_REMINDER_*`` variable when set."""
    env_vars = os.environ if environ is None else environ
    values: dict[str, int] = {}
    for spec in fields(FollowupRules):
        raw = (env_vars.get(env_name(spec.name)) or "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigurationError(
                f"{env_name(spec.name)} must be a whole number of days (at least 1), not {raw!r}."
            )
        values[spec.name] = int(raw)
    return FollowupRules(**values)
