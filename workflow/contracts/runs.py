"""What the sweeps report on the command line with ``--json``: reminders, weekly summaries,
digests and meeting reports queued, with the ids of the emails."""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import Field

from workflow.contracts.base import Day, Moment, Output


class QueuedReminder(Output):
    """A reminder or escalation queued (or, in a dry run, due) for one idea."""

    kind: str
    idea_id: int
    idea_title: str
    occasion: str
    number: int
    owner: Annotated[str, Field(validation_alias="owner_email")]
    recipients: list[str]
    notification_ids: list[int]


class FollowupRun(Output):
    """What one follow-up sweep did."""

    now: Moment
    today: Day
    dry_run: bool
    queued: list[QueuedReminder]
    lost: int
    unescalated: int
    failed: int
    notification_ids: list[int]


class QueuedSummary(Output):
    """A weekly summary queued for one manager."""

    recipient: str
    notification_id: int


class SummaryRun(Output):
    """The weekly summaries one run queued."""

    week: str
    queued: list[QueuedSummary]

    @classmethod
    def of(cls, result: Any) -> Self:
        """The answer for a ``workflow.services.summaries.SummaryReport``."""
        queued = [{"recipient": email, "notification_id": n} for email, n in result.queued]
        return cls.model_validate({"week": result.week, "queued": queued})


class QueuedDigest(Output):
    """One contact's digest."""

    contact_id: int
    recipient: str
    notification_id: int
    updates: int
    ideas: int


class DigestRun(Output):
    """What one digest run did."""

    period: str
    key: str
    queued: list[QueuedDigest]
    suppressed: int
    waiting: int


class QueuedReport(Output):
    """The report one meeting got from a sweep."""

    meeting_id: int
    meeting_title: str
    report_id: int
    due_on: Day
    covers: list[Day]
    recipients: list[str]
    notification_ids: list[int]


class ReportsRun(Output):
    """What one report sweep did: each meeting's report, its recipients and the email ids."""

    now: Moment
    today: Day
    queued: list[QueuedReport]
    lost: int
    waiting: int
    failed: int
    notification_ids: list[int]
