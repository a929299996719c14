"""An idea as stakeholders may see it: what it is, where it stands and why; nothing internal.

The public status page is reached with a signed link from the stakeholder emails. It shows no
comments, no followers or participants, no email addresses and no scores or budgets: only the
idea, its owner's name, the meeting it came from, the texts that explain each decision, and
the timeline of state changes with their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from workflow.errors import NotFound
from workflow.gates import MAX_ID
from workflow.models.ideas import revisit_on
from workflow.states import State
from workflow.uow import UnitOfWork


@dataclass(frozen=True)
class PublicStep:
    """One state change: when, which step, from and to which state, and why."""

    at: datetime
    trigger: str
    from_state: str
    to_state: str
    reason: str | None


@dataclass(frozen=True)
class PublicPilot:
    """The pilot's period, place and what counts as success (no budget, no addresses)."""

    starts_on: date
    ends_on: date
    site: str | None
    success_criteria: str


@dataclass(frozen=True)
class PublicEvaluation:
    """How the pilot went and where the idea is rolled out."""

    outcome: str
    evaluation: str
    scale_to: list[str]


@dataclass(frozen=True)
class PublicStatus:
    """Everything the public status page shows."""

    idea_id: int
    title: str
    description: str
    state: str
    state_changed_at: datetime
    created_at: datetime
    owner_name: str | None
    meeting_title: str | None
    meeting_date: date | None
    latest_reason: str | None
    assessment_summary: str | None
    pilot: PublicPilot | None
    evaluation: PublicEvaluation | None
    revisit_on: date | None
    merged_into_id: int | None
    merged_into_title: str | None
    timeline: list[PublicStep]


def public_status(uow: UnitOfWork, idea_id: int) -> PublicStatus:
    """The public view of an idea (the caller has checked the signed link); NotFound if none."""
    idea = uow.ideas.get(idea_id) if 1 <= idea_id <= MAX_ID else None
    if idea is None:
        raise NotFound(f"There is no idea {idea_id}.")
    history = list(uow.history.for_idea(idea.id))
    assessment = uow.ideas.latest_assessment(idea.id)
    plan = uow.ideas.latest_pilot_plan(idea.id)
    evaluation = uow.ideas.latest_evaluation(idea.id)
    merged_into = uow.ideas.get(idea.merged_into_id) if idea.merged_into_id else None
    return PublicStatus(
        idea_id=idea.id,
        title=idea.title,
        description=idea.description,
        state=idea.state,
        state_changed_at=idea.state_changed_at,
        created_at=idea.created_at,
        owner_name=idea.owner.name if idea.owner else None,
        meeting_title=idea.meeting.title if idea.meeting else None,
        meeting_date=idea.meeting.held_on if idea.meeting else None,
        latest_reason=history[-1].reason if history else None,
        assessment_summary=assessment.summary if assessment else None,
        pilot=(
            PublicPilot(plan.starts_on, plan.ends_on, plan.site, plan.success_criteria)
            if plan
            else None
        ),
        evaluation=(
            PublicEvaluation(evaluation.outcome, evaluation.evaluation, list(evaluation.scale_to))
            if evaluation
            else None
        ),
        revisit_on=revisit_on(history) if idea.state == State.PARKED else None,
        merged_into_id=merged_into.id if merged_into else None,
        merged_into_title=merged_into.title if merged_into else None,
        timeline=[
            PublicStep(entry.at, entry.trigger, entry.from_state, entry.to_state, entry.reason)
            for entry in history
        ],
    )
