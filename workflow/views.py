"""Read models: plain snapshots of ideas and their records (their JSON is workflow.contracts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workflow.models import Assessment, Evaluation, HistoryEntry, Idea, PilotPlan
from workflow.states import State


def jsonable(value: Any) -> Any:
    """Dates as ISO strings and Decimals as numbers, recursively; the rest unchanged."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


@dataclass(frozen=True)
class IdeaView:
    """An idea as clients see it."""

    id: int
    title: str
    description: str
    state: State
    version: int
    owner: str | None
    themes: tuple[str, ...]
    meeting: Mapping[str, Any] | None
    follow_up_on: date | None
    allowed_triggers: tuple[str, ...]
    merged_into: int | None
    state_changed_at: datetime
    created_at: datetime
    updated_at: datetime
    owner_name: str | None = None  # for pages; the API names owners by email


@dataclass(frozen=True)
class IdeaDetail(IdeaView):
    """An idea with the latest record of each gate it passed."""

    assessment: Mapping[str, Any] | None = None
    pilot_plan: Mapping[str, Any] | None = None
    evaluation: Mapping[str, Any] | None = None


OwnerNames = tuple[str, str]  # email, name
MeetingNames = tuple[int, str, date | None]  # id, title, date


def idea_view(idea: Idea) -> IdeaView:
    """Snapshot an idea (owner, themes and meeting must be loadable)."""
    return IdeaView(**_idea_fields(idea))


def listed_view(
    idea: Idea, owner: OwnerNames | None, meeting: MeetingNames | None, themes: Sequence[str]
) -> IdeaView:
    """Snapshot an idea from its own columns and the names lists show, read as rows: loading
    owners, meetings and themes as objects took twice as long as the rest of a list page."""
    return IdeaView(**_idea_fields(idea, themes, owner, meeting, named=True))


def idea_detail(
    idea: Idea,
    assessment: Assessment | None,
    pilot_plan: PilotPlan | None,
    evaluation: Evaluation | None,
    themes: Sequence[str] | None = None,
) -> IdeaDetail:
    """Snapshot an idea with its latest gate records (``themes``: their names, when read
    without loading ``idea.themes``)."""
    return IdeaDetail(
        **_idea_fields(idea, themes),
        assessment=_assessment(assessment),
        pilot_plan=_pilot_plan(pilot_plan),
        evaluation=_evaluation(evaluation),
    )


def _idea_fields(
    idea: Idea,
    themes: Sequence[str] | None = None,
    owner: OwnerNames | None = None,
    meeting: MeetingNames | None = None,
    *,
    named: bool = False,
) -> dict[str, Any]:
    """The view's fields; the owner, meeting and themes from the idea's relations unless
    ``named`` (they are given, None for none)."""
    if not named:
        owner = (idea.owner.email, idea.owner.name) if idea.owner else None
        held = idea.meeting
        meeting = (held.id, held.title, held.held_on) if held else None
    if themes is None:
        themes = [theme.name for theme in idea.themes]
    return {
        "id": idea.id,
        "title": idea.title,
        "description": idea.description,
        "state": idea.state,
        "version": idea.version,
        "owner": owner[0] if owner else None,
        "owner_name": owner[1] if owner else None,
        "themes": tuple(sorted(themes, key=str.casefold)),
        "meeting": (
            None
            if meeting is None
            else {
                "id": meeting[0],
                "title": meeting[1],
                "date": meeting[2],
                "notes": [
                    {"column": column, "value": value} for column, value in idea.source_notes or ()
                ],
            }
        ),
        "follow_up_on": idea.follow_up_on,
        "allowed_triggers": idea.allowed_triggers,
        "merged_into": idea.merged_into_id,
        "state_changed_at": idea.state_changed_at,
        "created_at": idea.created_at,
        "updated_at": idea.updated_at,
    }


def _assessment(record: Assessment | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "impact": record.impact,
        "feasibility": record.feasibility,
        "cost": record.cost,
        "summary": record.summary,
        "at": record.created_at,
    }


def _pilot_plan(record: PilotPlan | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "owner": record.owner.email,
        "starts_on": record.starts_on,
        "ends_on": record.ends_on,
        "success_criteria": record.success_criteria,
        "budget_dkk": record.budget_dkk,
        "site": record.site,
        "at": record.created_at,
    }


def _evaluation(record: Evaluation | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "outcome": record.outcome,
        "evaluation": record.evaluation,
        "scale_to": list(record.scale_to),
        "at": record.created_at,
    }


@dataclass(frozen=True)
class HistoryView:
    """One fired trigger as clients see it."""

    trigger: str
    from_state: State
    to_state: State
    actor: str | None  # the email: what the API answers
    at: datetime
    reason: str | None
    data: Mapping[str, Any]
    actor_name: str | None = None  # what people are called on the pages


def history_views(entries: Sequence[HistoryEntry]) -> list[HistoryView]:
    """Snapshot history rows, keeping their order."""
    return [
        HistoryView(
            trigger=entry.trigger,
            from_state=entry.from_state,
            to_state=entry.to_state,
            actor=entry.actor.email if entry.actor else None,
            at=entry.at,
            reason=entry.reason,
            data=dict(entry.data or {}),
            actor_name=entry.actor.name if entry.actor else None,
        )
        for entry in entries
    ]
