"""A meeting's follow-up report as data (also what a sent report keeps as its snapshot)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field

from workflow.contracts.base import Count, Day, Moment, Output, StateCounts, StateName

REPORT_DESCRIPTION = (
    "Every idea of the meeting, latest news first: its state, the texts behind the latest "
    "decisions, who is responsible and what changed since the previous report (the first "
    "report: ever); the ideas counted by state; the meeting's themes with their ideas. Nothing "
    "internal: no comments, scores, budgets, email addresses or participants. Nothing is sent."
)


class ReportMeeting(Output):
    """The meeting a report is about."""

    id: int
    title: str
    held_on: Day | None


class ReportChange(Output):
    """One step an idea took."""

    at: Moment
    trigger: str
    from_state: StateName
    to_state: StateName


class ReportPilot(Output):
    """An idea's pilot, as stakeholders may read it."""

    starts_on: Day
    ends_on: Day
    site: str | None
    success_criteria: str


class ReportEvaluation(Output):
    """How an idea's pilot went."""

    outcome: Literal["success", "partial"]
    evaluation: str
    scale_to: list[str]


class MeetingReportIdea(Output):
    """One idea of the report."""

    id: int
    title: str
    state: StateName
    state_changed_at: Moment
    previous_state: StateName | None
    last_trigger: str | None
    owner_name: str | None
    reason: Annotated[str | None, Field(description="The reason given with the latest step.")]
    assessment_summary: str | None
    pilot: ReportPilot | None
    evaluation: ReportEvaluation | None
    revisit_on: Day | None
    merged_into_title: str | None
    changes: Annotated[
        list[ReportChange],
        Field(
            description="Its steps since the previous report (the first report: all), oldest first."
        ),
    ]


class ReportThemeIdea(Output):
    """An idea tagged with a theme."""

    id: int
    title: str
    state: StateName


class ReportTheme(Output):
    """One of the meeting's themes with its ideas."""

    name: str
    ideas: list[ReportThemeIdea]


class MeetingReport(Output):
    """The follow-up report the meeting's participants would get now."""

    meeting: ReportMeeting
    generated_at: Moment
    counts: Annotated[StateCounts, Field(description="The meeting's ideas by state.")]  # type: ignore[valid-type]
    total: Count
    ideas: list[MeetingReportIdea]
    themes: Annotated[
        list[ReportTheme],
        Field(
            description="The themes the meeting named, in the minutes' order, with the "
            "meeting's ideas tagged with each."
        ),
    ]
    last_report_at: Moment | None
    unchanged_since_last: Annotated[
        bool, Field(description="A previous report exists and none of the ideas moved since.")
    ]

    @classmethod
    def of(cls, result: Any) -> Self:
        """The answer for a ``workflow.reports.content.MeetingReport``."""
        meeting = {"id": result.meeting_id, "title": result.meeting_title}
        return cls.model_validate(
            {
                "meeting": {**meeting, "held_on": result.held_on},
                "generated_at": result.generated_at,
                "counts": dict(result.counts),
                "total": result.total,
                "ideas": result.ideas,
                "themes": result.themes,
                "last_report_at": result.last_report_at,
                "unchanged_since_last": result.unchanged_since_last,
            }
        )
