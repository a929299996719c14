"""What a follow-up report says, as data in no particular language.

A report covers every idea of one meeting: where it stands, the texts that explain the latest
decisions (reason, assessment summary, pilot plan, evaluation), who is responsible, and what
changed since the meeting's previous report. It holds nothing internal: no comments, no scores
or budgets, no email addresses, no participants. The sent report keeps ``to_json()`` as its
snapshot, and ``MeetingReport.from_json`` reads it back for the public report page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.clock import local_today
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
from workflow.states import STATES
from workflow.uow import UnitOfWork

STATE_NAMES: tuple[str, ...] = tuple(str(state) for state in STATES)


@dataclass(frozen=True)
class ReportChange:
    """One step an idea took: when, which trigger, from and to which state."""

    at: datetime
    trigger: str
    from_state: str
    to_state: str


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
    state: str
    state_changed_at: datetime
    previous_state: str | None  # the state before its latest step; None: it never moved
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
    state: str


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
    counts: Mapping[str, int]  # every state, in the order of workflow.states.STATES
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

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (dates in ISO form); ``from_json`` reads it back."""
        return {
            "meeting": {
                "id": self.meeting_id,
                "title": self.meeting_title,
                "held_on": _iso(self.held_on),
            },
            "generated_at": self.generated_at.isoformat(),
            "counts": dict(self.counts),
            "total": self.total,
            "ideas": [_idea_json(idea) for idea in self.ideas],
            "themes": [
                {
                    "name": theme.name,
                    "ideas": [
                        {"id": i.id, "title": i.title, "state": i.state} for i in theme.ideas
                    ],
                }
                for theme in self.themes
            ],
            "last_report_at": _iso(self.last_report_at),
            "unchanged_since_last": self.unchanged_since_last,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MeetingReport:
        """The report ``to_json`` wrote."""
        meeting = data["meeting"]
        return cls(
            meeting_id=int(meeting["id"]),
            meeting_title=str(meeting["title"]),
            held_on=_date(meeting.get("held_on")),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            counts={state: int(data["counts"].get(state, 0)) for state in STATE_NAMES},
            total=int(data["total"]),
            ideas=tuple(_idea_from_json(item) for item in data["ideas"]),
            themes=tuple(
                ReportTheme(
                    name=str(theme["name"]),
                    ideas=tuple(
                        ReportThemeIdea(int(i["id"]), str(i["title"]), str(i["state"]))
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
    counts = dict.fromkeys(STATE_NAMES, 0)
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
        revisit_on=_revisit_on(history) if idea.state == "parked" else None,
        merged_into_title=merged_titles.get(idea.merged_into_id or 0),
        changes=tuple(
            ReportChange(entry.at, entry.trigger, entry.from_state, entry.to_state)
            for entry in history
            if (since is None or entry.at > since) and entry.at <= now
        ),
    )


def _revisit_on(history: list[HistoryEntry]) -> date | None:
    parked = [entry for entry in history if entry.trigger == "park"]
    raw = parked[-1].data.get("revisit_on") if parked else None
    return _date(raw) if isinstance(raw, str) else None


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


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _idea_json(idea: ReportIdea) -> dict[str, Any]:
    return {
        "id": idea.id,
        "title": idea.title,
        "state": idea.state,
        "state_changed_at": idea.state_changed_at.isoformat(),
        "previous_state": idea.previous_state,
        "last_trigger": idea.last_trigger,
        "owner_name": idea.owner_name,
        "reason": idea.reason,
        "assessment_summary": idea.assessment_summary,
        "pilot": (
            None
            if idea.pilot is None
            else {
                "starts_on": idea.pilot.starts_on.isoformat(),
                "ends_on": idea.pilot.ends_on.isoformat(),
                "site": idea.pilot.site,
                "success_criteria": idea.pilot.success_criteria,
            }
        ),
        "evaluation": (
            None
            if idea.evaluation is None
            else {
                "outcome": idea.evaluation.outcome,
                "evaluation": idea.evaluation.evaluation,
                "scale_to": list(idea.evaluation.scale_to),
            }
        ),
        "revisit_on": _iso(idea.revisit_on),
        "merged_into_title": idea.merged_into_title,
        "changes": [
            {
                "at": change.at.isoformat(),
                "trigger": change.trigger,
                "from_state": change.from_state,
                "to_state": change.to_state,
            }
            for change in idea.changes
        ],
    }


def _idea_from_json(data: Mapping[str, Any]) -> ReportIdea:
    pilot = data.get("pilot")
    evaluation = data.get("evaluation")
    return ReportIdea(
        id=int(data["id"]),
        title=str(data["title"]),
        state=str(data["state"]),
        state_changed_at=datetime.fromisoformat(data["state_changed_at"]),
        previous_state=data.get("previous_state"),
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
        revisit_on=_date(data.get("revisit_on")),
        merged_into_title=data.get("merged_into_title"),
        changes=tuple(
            ReportChange(
                at=datetime.fromisoformat(change["at"]),
                trigger=str(change["trigger"]),
                from_state=str(change["from_state"]),
                to_state=str(change["to_state"]),
            )
            for change in data.get("changes", [])
        ),
    )
