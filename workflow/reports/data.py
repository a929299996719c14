"""What a follow-up report says, as data in no particular language, and reading its JSON back.

A report covers every idea of one meeting: where it stands, the texts that explain the latest
decisions (reason, assessment summary, pilot plan, evaluation), who is responsible, and what
changed since the meeting's previous report. It holds nothing internal: no comments, no scores
or budgets, no email addresses, no participants. The sent report keeps its JSON form (the API's
``workflow.contracts.reports.MeetingReport``) as its snapshot, and ``MeetingReport.from_json``
reads it back for the public report page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from workflow.clock import local_today
from workflow.states import STATES, State


@dataclass(frozen=True)
class ReportChange:
    """One step an idea took: when, which trigger, from and to which state."""

    at: datetime
    trigger: str
    from_state: State
    to_state: State


@dataclass(frozen=True)
class ReportPilot:
    """Where and when an idea is tried out, and what counts as success (no budget)."""

    starts_on: date
    ends_on: date
    site: str | None
    success_criteria: str


@dataclass(frozen=True)
class ReportEvaluation:
    """How the pilot went and where the idea is rolled out."""

    outcome: str  # success or partial
    evaluation: str
    scale_to: tuple[str, ...]


@dataclass(frozen=True)
class ReportIdea:
    """One idea of the meeting as the report tells it."""

    id: int
    title: str
    state: State
    state_changed_at: datetime
    previous_state: State | None  # the state before its latest step; None: it never moved
    last_trigger: str | None
    owner_name: str | None
    reason: str | None  # the reason given with the latest step
    assessment_summary: str | None
    pilot: ReportPilot | None
    evaluation: ReportEvaluation | None
    revisit_on: date | None  # parked: when it is taken up again
    merged_into_title: str | None
    changes: tuple[ReportChange, ...]  # since the previous report (the first: all), oldest first


@dataclass(frozen=True)
class ReportThemeIdea:
    """An idea of the meeting tagged with a theme."""

    id: int
    title: str
    state: State


@dataclass(frozen=True)
class ReportTheme:
    """A theme the meeting named, with the meeting's ideas tagged with it."""

    name: str
    ideas: tuple[ReportThemeIdea, ...]


@dataclass(frozen=True)
class MeetingReport:
    """A follow-up report: the meeting, its ideas by state, each idea, its themes."""

    meeting_id: int
    meeting_title: str
    held_on: date | None
    generated_at: datetime
    counts: Mapping[State, int]  # every state, in the order of workflow.states.STATES
    total: int
    ideas: tuple[ReportIdea, ...]  # latest news first
    themes: tuple[ReportTheme, ...]  # in the order the minutes list them
    last_report_at: datetime | None  # when the meeting's previous report went out
    unchanged_since_last: bool  # a previous report exists and nothing happened since

    @property
    def today(self) -> date:
        """The Danish date the report describes."""
        return local_today(self.generated_at)

    @property
    def last_report_on(self) -> date | None:
        """The Danish date of the previous report."""
        return local_today(self.last_report_at) if self.last_report_at else None

    @property
    def changed(self) -> int:
        """How many ideas moved since the previous report (the first report: ever)."""
        return sum(1 for idea in self.ideas if idea.changes)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MeetingReport:
        """The report a snapshot holds (``workflow.contracts.reports.MeetingReport``)."""
        meeting = data["meeting"]
        return cls(
            meeting_id=int(meeting["id"]),
            meeting_title=str(meeting["title"]),
            held_on=iso_date(meeting.get("held_on")),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            counts={state: int(data["counts"].get(state, 0)) for state in STATES},
            total=int(data["total"]),
            ideas=tuple(_idea_from_json(item) for item in data["ideas"]),
            themes=tuple(
                ReportTheme(
                    name=str(theme["name"]),
                    ideas=tuple(
                        ReportThemeIdea(int(i["id"]), str(i["title"]), State(i["state"]))
                        for i in theme["ideas"]
                    ),
                )
                for theme in data["themes"]
            ),
            last_report_at=(
                datetime.fromisoformat(data["last_report_at"]) if data["last_report_at"] else None
            ),
            unchanged_since_last=bool(data["unchanged_since_last"]),
        )


def iso_date(value: Any) -> date | None:
    """The date an ISO text starts with; None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _idea_from_json(data: Mapping[str, Any]) -> ReportIdea:
    pilot = data.get("pilot")
    evaluation = data.get("evaluation")
    return ReportIdea(
        id=int(data["id"]),
        title=str(data["title"]),
        state=State(data["state"]),
        state_changed_at=datetime.fromisoformat(data["state_changed_at"]),
        previous_state=State(data["previous_state"]) if data.get("previous_state") else None,
        last_trigger=data.get("last_trigger"),
        owner_name=data.get("owner_name"),
        reason=data.get("reason"),
        assessment_summary=data.get("assessment_summary"),
        pilot=(
            None
            if not pilot
            else ReportPilot(
                starts_on=date.fromisoformat(pilot["starts_on"]),
                ends_on=date.fromisoformat(pilot["ends_on"]),
                site=pilot.get("site"),
                success_criteria=str(pilot["success_criteria"]),
            )
        ),
        evaluation=(
            None
            if not evaluation
            else ReportEvaluation(
                outcome=str(evaluation["outcome"]),
                evaluation=str(evaluation["evaluation"]),
                scale_to=tuple(str(place) for place in evaluation["scale_to"]),
            )
        ),
        revisit_on=iso_date(data.get("revisit_on")),
        merged_into_title=data.get("merged_into_title"),
        changes=tuple(
            ReportChange(
                at=datetime.fromisoformat(change["at"]),
                trigger=str(change["trigger"]),
                from_state=State(change["from_state"]),
                to_state=State(change["to_state"]),
            )
            for change in data.get("changes", [])
        ),
    )
