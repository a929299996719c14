"""Building a follow-up report from a meeting's ideas, their history and their records.

The report's data types live in ``workflow.reports.data`` and are importable from here too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.errors import NotFound
from workflow.gates import MAX_ID
from workflow.models import (
    Assessment,
    Evaluation,
    HistoryEntry,
    Idea,
    PilotPlan,
    SentReport,
    idea_themes,
)
from workflow.models.ideas import revisit_on
from workflow.reports.data import (
    MeetingReport,
    ReportChange,
    ReportEvaluation,
    ReportIdea,
    ReportPilot,
    ReportTheme,
    ReportThemeIdea,
)
from workflow.states import STATES, State
from workflow.uow import UnitOfWork

__all__ = [
    "MeetingReport",
    "ReportChange",
    "ReportEvaluation",
    "ReportIdea",
    "ReportPilot",
    "ReportTheme",
    "ReportThemeIdea",
    "build_report",
]


def build_report(uow: UnitOfWork, meeting_id: int, *, now: datetime) -> MeetingReport:
    """The report on a meeting's ideas as they stand at ``now``; NotFound for no meeting.

    Ideas come latest news first (the latest state change first; ideas that changed at the same
    moment in the minutes' order). "Changed" is measured against the meeting's latest report
    sent before ``now``.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    meeting = uow.meetings.get(meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id}.")
    session = uow.session
    ideas = list(
        session.scalars(
            select(Idea)
            .where(Idea.meeting_id == meeting.id)
            .options(selectinload(Idea.owner))
            .order_by(Idea.source_position.is_(None), Idea.source_position, Idea.id)
        )
    )
    last_report_at = session.scalar(
        select(SentReport.sent_at)
        .where(SentReport.meeting_id == meeting.id, SentReport.sent_at <= now)
        .order_by(SentReport.sent_at.desc(), SentReport.id.desc())
        .limit(1)
    )
    history = _history(uow, meeting.id)
    records = _latest_records(uow, meeting.id)
    merged_titles = _titles(uow, [idea.merged_into_id for idea in ideas if idea.merged_into_id])
    described = [
        _describe(idea, history.get(idea.id, []), records, merged_titles, last_report_at, now)
        for idea in ideas
    ]
    order = {idea.id: position for position, idea in enumerate(ideas)}
    described.sort(key=lambda item: (-item.state_changed_at.timestamp(), order[item.id]))
    counts = dict.fromkeys(STATES, 0)
    for idea in ideas:
        counts[idea.state] = counts.get(idea.state, 0) + 1
    unchanged = (
        last_report_at is not None
        and not any(item.changes for item in described)
        and not any(idea.created_at > last_report_at for idea in ideas)
    )
    return MeetingReport(
        meeting_id=meeting.id,
        meeting_title=meeting.title,
        held_on=meeting.held_on,
        generated_at=now,
        counts=counts,
        total=len(ideas),
        ideas=tuple(described),
        themes=_themes(uow, meeting.id, [link.theme for link in meeting.theme_links], described),
        last_report_at=last_report_at,
        unchanged_since_last=unchanged,
    )


_R = TypeVar("_R", Assessment, PilotPlan, Evaluation)


@dataclass(frozen=True)
class _Records:
    """The latest assessment, pilot plan and evaluation of each of the meeting's ideas."""

    assessments: dict[int, Assessment]
    pilots: dict[int, PilotPlan]
    evaluations: dict[int, Evaluation]


def _history(uow: UnitOfWork, meeting_id: int) -> dict[int, list[HistoryEntry]]:
    query = (
        select(HistoryEntry)
        .join(Idea, Idea.id == HistoryEntry.idea_id)
        .where(Idea.meeting_id == meeting_id)
        .order_by(HistoryEntry.at, HistoryEntry.id)
    )
    by_idea: dict[int, list[HistoryEntry]] = defaultdict(list)
    for entry in uow.session.scalars(query):
        by_idea[entry.idea_id].append(entry)
    return by_idea


def _latest_records(uow: UnitOfWork, meeting_id: int) -> _Records:
    return _Records(
        _latest(uow, Assessment, meeting_id),
        _latest(uow, PilotPlan, meeting_id),
        _latest(uow, Evaluation, meeting_id),
    )


def _latest(uow: UnitOfWork, model: type[_R], meeting_id: int) -> dict[int, _R]:
    query = (
        select(model)
        .join(Idea, Idea.id == model.idea_id)
        .where(Idea.meeting_id == meeting_id)
        .order_by(model.id)
    )
    return {record.idea_id: record for record in uow.session.scalars(query)}


def _titles(uow: UnitOfWork, idea_ids: Sequence[int]) -> dict[int, str]:
    if not idea_ids:
        return {}
    rows = uow.session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(set(idea_ids))))
    return dict(rows.all())


def _describe(
    idea: Idea,
    history: list[HistoryEntry],
    records: _Records,
    merged_titles: dict[int, str],
    since: datetime | None,
    now: datetime,
) -> ReportIdea:
    latest = history[-1] if history else None
    assessment = records.assessments.get(idea.id)
    plan = records.pilots.get(idea.id)
    evaluation = records.evaluations.get(idea.id)
    return ReportIdea(
        id=idea.id,
        title=idea.title,
        state=idea.state,
        state_changed_at=idea.state_changed_at,
        previous_state=latest.from_state if latest else None,
        last_trigger=latest.trigger if latest else None,
        owner_name=idea.owner.name if idea.owner else None,
        reason=latest.reason if latest else None,
        assessment_summary=assessment.summary if assessment else None,
        pilot=(
            ReportPilot(plan.starts_on, plan.ends_on, plan.site, plan.success_criteria)
            if plan
            else None
        ),
        evaluation=(
            ReportEvaluation(evaluation.outcome, evaluation.evaluation, tuple(evaluation.scale_to))
            if evaluation
            else None
        ),
        revisit_on=revisit_on(history) if idea.state == State.PARKED else None,
        merged_into_title=merged_titles.get(idea.merged_into_id or 0),
        changes=tuple(
            ReportChange(entry.at, entry.trigger, entry.from_state, entry.to_state)
            for entry in history
            if (since is None or entry.at > since) and entry.at <= now
        ),
    )


def _themes(
    uow: UnitOfWork, meeting_id: int, themes: Sequence[Any], ideas: Sequence[ReportIdea]
) -> tuple[ReportTheme, ...]:
    """The meeting's themes, each with the meeting's own ideas tagged with it (latest first)."""
    if not themes:
        return ()
    rows = uow.session.execute(
        select(idea_themes.c.theme_id, idea_themes.c.idea_id)
        .join(Idea, Idea.id == idea_themes.c.idea_id)
        .where(
            Idea.meeting_id == meeting_id,
            idea_themes.c.theme_id.in_([theme.id for theme in themes]),
        )
    )
    tagged: dict[int, set[int]] = defaultdict(set)
    for theme_id, idea_id in rows:
        tagged[theme_id].add(idea_id)
    return tuple(
        ReportTheme(
            name=theme.name,
            ideas=tuple(
                ReportThemeIdea(idea.id, idea.title, idea.state)
                for idea in ideas
                if idea.id in tagged[theme.id]
            ),
        )
        for theme in themes
    )
