"""Ideas: what creating, editing and listing take, and how an idea and its history look."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from workflow.contracts.base import (
    EXPECTED_VERSION,
    Amount,
    Count,
    Day,
    Email,
    Input,
    Moment,
    Output,
    PageNumber,
    PerPage,
    StateName,
    not_blank,
)
from workflow.services.ideas import DESCRIPTION_MAX, THEME_MAX, THEMES_MAX, TITLE_MAX
from workflow.states import STATES, TRIGGER_NAMES

OWNER_RULE = "Managers only (403 for others); an active owner or manager (422 otherwise)."
TriggerName = Literal[TRIGGER_NAMES]  # type: ignore[valid-type]
State = Literal[STATES]  # type: ignore[valid-type]


class NewIdea(Input):
    """A new idea, recorded in state proposed."""

    title: not_blank(TITLE_MAX)  # type: ignore[valid-type]
    description: Annotated[str, Field(max_length=DESCRIPTION_MAX)] | None = None
    themes: (
        Annotated[
            list[Annotated[str, Field(max_length=THEME_MAX)]],
            Field(max_length=THEMES_MAX, description="Blank themes are left out."),
        ]
        | None
    ) = None
    owner: Annotated[Email | None, Field(description=OWNER_RULE)] = None
    follow_up_on: Day | None = None


class IdeaChanges(NewIdea):
    """Changes to an idea: only the fields given change."""

    title: not_blank(TITLE_MAX) = None  # type: ignore[valid-type]
    expected_version: Annotated[int | None, Field(description=EXPECTED_VERSION)] = None


class IdeaQuery(Input):
    """The filters of the list of ideas."""

    state: State = None
    owner: Annotated[str, Field(description="Owner's email, or `none` for unowned ideas.")] = None  # type: ignore[assignment]
    q: Annotated[str, Field(description="Free text.")] = None  # type: ignore[assignment]
    page: PageNumber = None  # type: ignore[assignment]
    per_page: PerPage = None  # type: ignore[assignment]


class IdeaNote(Output):
    """A column of the minutes' table row the idea was read from."""

    column: str
    value: str


class IdeaMeeting(Output):
    """The meeting an idea came from."""

    id: int
    title: str
    date: Day | None
    notes: Annotated[
        list[IdeaNote],
        Field(
            description="The other columns of the minutes' table row the idea was read from "
            "(column header and cell text), in the table's order."
        ),
    ]


class Idea(Output):
    """An idea as clients see it."""

    id: int
    title: str
    description: str
    state: StateName
    version: int
    owner: Email | None
    themes: list[str]
    meeting: IdeaMeeting | None
    follow_up_on: Day | None
    allowed_triggers: list[TriggerName]
    merged_into: int | None
    state_changed_at: Moment
    created_at: Moment
    updated_at: Moment


class Assessment(Output):
    """The latest assessment."""

    impact: int
    feasibility: int
    cost: int
    summary: str
    at: Moment


class PilotPlan(Output):
    """The latest pilot plan."""

    owner: Email
    starts_on: Day
    ends_on: Day
    success_criteria: str
    budget_dkk: Amount | None
    site: str | None
    at: Moment


class Evaluation(Output):
    """The latest evaluation of a pilot."""

    outcome: str
    evaluation: str
    scale_to: list[str]
    at: Moment


class IdeaDetail(Idea):
    """An idea with its latest assessment, pilot plan and evaluation (each may be null)."""

    assessment: Assessment | None
    pilot_plan: PilotPlan | None
    evaluation: Evaluation | None


class IdeaPage(Output):
    """A page of ideas."""

    items: list[Idea]
    total: Annotated[
        int,
        Field(
            description="How many ideas match; narrowed by a text search, a meeting title or "
            "overdue follow-ups, counted up to 1,000."
        ),
    ]
    total_is_lower_bound: Annotated[
        bool, Field(description="True when more than ``total`` ideas match.")
    ]
    page: int
    per_page: Annotated[int, Field(le=100)]


class HistoryEntry(Output):
    """One fired trigger."""

    trigger: str
    from_state: StateName
    to_state: StateName
    actor: str | None
    at: Moment
    reason: str | None
    data: dict[str, Any]


class EditEntry(Output):
    """One edit of an idea's fields: each changed field's value before and after."""

    actor: str | None
    at: Moment
    changes: dict[str, dict[str, Any]]


class History(Output):
    """Every fired trigger, oldest first, and every edit of the idea's fields, oldest first."""

    items: list[HistoryEntry]
    edits: list[EditEntry] = Field(default_factory=list)


class Stage(Output):
    """One state of the pipeline."""

    count: Count
    median_days: float | None


_STAGES: dict[str, Any] = dict.fromkeys(STATES, (Stage, ...))
PipelineStates: type[Output] = create_model("PipelineStates", __base__=Output, **_STAGES)


class Pipeline(Output):
    """Counts per state and the median days spent in each."""

    states: PipelineStates  # type: ignore[valid-type]

    @classmethod
    def of_stages(cls, stages: list[Any]) -> Pipeline:
        """The pipeline for the stages ``workflow.services.pipeline`` counts."""
        return cls.of({"states": {stage.state: stage for stage in stages}})
