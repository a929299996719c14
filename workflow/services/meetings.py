"""Use cases on meetings: what became of their ideas, their overview, their minutes document.

Counts of ideas by state are made by the database (``GROUP BY``), never by loading ideas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import selectinload

from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.gates import MAX_ID, N_
from workflow.models import (
    Idea,
    Meeting,
    MeetingDocument,
    MeetingParticipant,
    MeetingTheme,
    Theme,
    User,
    idea_themes,
)
from workflow.paging import Page, whole_number
from workflow.permissions import Actor, may_download_minutes, may_see_participants
from workflow.repositories.idea_counts import THEME_KEY, kept_counts_of
from workflow.states import STATES, State
from workflow.uow import UnitOfWork

PER_PAGE_MAX = 100
THEME_IDEAS_SHOWN = 20
"""How many of the ideas tagged with a theme a meeting's page lists (all are counted)."""
IDEAS_SHOWN = 200
"""How many of its ideas a meeting's page lists, in the minutes' order (all are counted; the
idea list pages through every one)."""


@dataclass(frozen=True)
class StoredDocument:
    """A meeting's minutes file, exactly as it was imported."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Outcome:
    """How many of a meeting's ideas are in each state."""

    by_state: dict[State, int]  # every state, in the order of workflow.states.STATES
    total: int


@dataclass(frozen=True)
class MeetingSummary:
    """One meeting in the list of meetings."""

    id: int
    title: str
    held_on: date | None
    location: str | None
    outcome: Outcome
    host: str | None = None
    participants: int = 0  # how many took part (who they are is for managers to see)
    themes: tuple[str, ...] = ()  # the themes the meeting named, in the minutes' order


MeetingPage = Page[MeetingSummary]


@dataclass(frozen=True)
class MeetingIdea:
    """An idea as a meeting's page lists it."""

    id: int
    title: str
    state: str
    owner: str | None  # the owner's name
    exercise: str | None
    section: str | None
    position: int | None


@dataclass(frozen=True)
class Section:
    """The ideas under one heading of the minutes, in document order."""

    exercise: str | None
    section: str | None
    ideas: list[MeetingIdea]


@dataclass(frozen=True)
class TaggedIdea:
    """An idea tagged with one of the meeting's themes (from this meeting or another)."""

    id: int
    title: str
    state: str
    meeting_id: int | None


@dataclass(frozen=True)
class MeetingThemeView:
    """A theme the meeting named, with the ideas tagged with it."""

    id: int
    name: str
    ideas: list[TaggedIdea]  # at most THEME_IDEAS_SHOWN, oldest first
    total: int  # all ideas tagged with the theme


@dataclass(frozen=True)
class Participant:
    """Someone the minutes list as present."""

    name: str
    organisation: str | None
    email: str | None
    consent_source: str | None = None  # where the opt-in to hear about the ideas came from
    consent_at: datetime | None = None  # None: no opt-in recorded
    legal_basis: str | None = None  # "public_task" or "consent"; None: not recorded


@dataclass(frozen=True)
class MeetingOverview:
    """Everything a meeting's page shows."""

    id: int
    title: str
    held_on: date | None
    location: str | None
    host: str | None
    recorder: str | None
    imported_at: datetime
    imported_by: str | None  # the importing user's name; None for the command line
    document: str | None  # the stored minutes' file name, None when there are none
    themes: list[MeetingThemeView]
    participants: list[Participant] | None  # None: the caller may not see who took part
    participant_count: int
    outcome: Outcome
    sections: list[Section]  # in document order, the first IDEAS_SHOWN ideas
    # Text of the minutes the importer could not place; None for callers who may not read the
    # minutes themselves (they can hold names and addresses).
    unrecognised: list[str] | None = None


def list_meetings(uow: UnitOfWork, actor: Actor, page: Any = 1, per_page: Any = 25) -> MeetingPage:
    """A page of meetings, newest first (undated last), each with its ideas counted by state."""
    errors: dict[str, str] = {}
    page_no = whole_number(page, "page", errors)
    size = whole_number(per_page, "per_page", errors)
    if size is not None and size > PER_PAGE_MAX:
        errors["per_page"] = N_("Must be at most 100.")
    if errors or page_no is None or size is None:
        raise ValidationFailed(errors)
    total = uow.session.scalar(select(func.count(Meeting.id))) or 0
    # The page's meetings first, then their ideas counted: the count never visits other pages.
    meetings = (
        select(Meeting.id, Meeting.title, Meeting.held_on, Meeting.location, Meeting.host)
        .order_by(Meeting.held_on.is_(None), Meeting.held_on.desc(), Meeting.id.desc())
        .offset((page_no - 1) * size)
        .limit(size)
        .subquery()
    )
    query = (
        select(meetings, *_state_counts())
        .outerjoin(Idea, Idea.meeting_id == meetings.c.id)
        .group_by(*meetings.c)
        .order_by(meetings.c.held_on.is_(None), meetings.c.held_on.desc(), meetings.c.id.desc())
    )
    rows = uow.session.execute(query).all()
    ids = [row[0] for row in rows]
    participants, themes = _participant_counts(uow, ids), _theme_names(uow, ids)
    items = [
        MeetingSummary(
            meeting_id,
            title,
            held_on,
            location,
            _outcome(counts),
            host,
            participants.get(meeting_id, 0),
            tuple(themes.get(meeting_id, ())),
        )
        for meeting_id, title, held_on, location, host, *counts in rows
    ]
    return MeetingPage(items, total, page_no, size)


def meeting_overview(uow: UnitOfWork, actor: Actor, meeting_id: int) -> MeetingOverview:
    """A meeting's facts, themes, participants (for managers; others get the count) and ideas;
    NotFound for an unknown meeting."""
    meeting = uow.session.get(Meeting, meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id}.")
    counts = uow.session.execute(
        select(*_state_counts()).select_from(Idea).where(Idea.meeting_id == meeting_id)
    ).one()
    document = uow.session.scalar(
        select(MeetingDocument.filename).where(MeetingDocument.meeting_id == meeting_id)
    )
    importer = uow.session.get(User, meeting.imported_by_id) if meeting.imported_by_id else None
    return MeetingOverview(
        id=meeting.id,
        title=meeting.title,
        held_on=meeting.held_on,
        location=meeting.location,
        host=meeting.host,
        recorder=meeting.recorder,
        imported_at=meeting.created_at,
        imported_by=importer.name if importer else None,
        document=document,
        themes=_themes(uow, [(link.theme.id, link.theme.name) for link in meeting.theme_links]),
        participants=(
            [
                Participant(
                    link.contact.name,
                    link.contact.organisation,
                    link.contact.email,
                    link.consent_source,
                    link.consent_at,
                    link.legal_basis,
                )
                for link in meeting.participant_links
            ]
            if may_see_participants(actor)
            else None
        ),
        participant_count=_participant_counts(uow, [meeting.id]).get(meeting.id, 0),
        outcome=_outcome(counts),
        sections=_sections(uow, meeting_id),
        unrecognised=list(meeting.unrecognised or ()) if may_download_minutes(actor) else None,
    )


def meeting_document(uow: UnitOfWork, actor: Actor, meeting_id: int) -> StoredDocument:
    """The minutes a meeting was imported from (managers and admins: they hold participants'
    addresses); NotFound when there are none."""
    if not may_download_minutes(actor):
        raise Forbidden("Only managers and administrators download the original minutes.")
    document = uow.session.get(MeetingDocument, meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if document is None:
        raise NotFound(f"Meeting {meeting_id} has no stored minutes.")
    return StoredDocument(document.filename, document.media_type, document.content)


def _participant_counts(uow: UnitOfWork, meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    counts: dict[int, int] = dict(
        uow.session.execute(
            select(MeetingParticipant.meeting_id, func.count())
            .where(MeetingParticipant.meeting_id.in_(meeting_ids))
            .group_by(MeetingParticipant.meeting_id)
        ).all()
    )
    return counts


def _theme_names(uow: UnitOfWork, meeting_ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    if meeting_ids:
        rows = uow.session.execute(
            select(MeetingTheme.meeting_id, Theme.name)
            .join(Theme, Theme.id == MeetingTheme.theme_id)
            .where(MeetingTheme.meeting_id.in_(meeting_ids))
            .order_by(MeetingTheme.meeting_id, MeetingTheme.position)
        )
        for meeting_id, name in rows:
            names.setdefault(meeting_id, []).append(name)
    return names


def _state_counts() -> list[Any]:
    return [
        func.count(case((Idea.state == state, Idea.id))).label(f"n_{state}") for state in STATES
    ]


def _outcome(counts: Sequence[Any]) -> Outcome:
    by_state = {state: int(count or 0) for state, count in zip(STATES, counts, strict=True)}
    return Outcome(by_state, sum(by_state.values()))


def _sections(uow: UnitOfWork, meeting_id: int) -> list[Section]:
    query = (
        select(Idea)
        .where(Idea.meeting_id == meeting_id)
        .options(selectinload(Idea.owner))
        .order_by(Idea.source_position.is_(None), Idea.source_position, Idea.id)
        .limit(IDEAS_SHOWN)
    )
    ideas = [
        MeetingIdea(
            id=idea.id,
            title=idea.title,
            state=idea.state,
            owner=idea.owner.name if idea.owner else None,
            exercise=idea.source_exercise,
            section=idea.source_section,
            position=idea.source_position,
        )
        for idea in uow.session.scalars(query)
    ]
    # Consecutive ideas under the same heading form a section, so the order stays the document's.
    return [
        Section(exercise, section, list(group))
        for (exercise, section), group in groupby(ideas, key=lambda i: (i.exercise, i.section))
    ]


def _themes(uow: UnitOfWork, themes: list[tuple[int, str]]) -> list[MeetingThemeView]:
    if not themes:
        return []
    theme_ids = [theme_id for theme_id, _ in themes]
    # Each theme's count is kept (migration 0013); its first ideas are a range of the index
    # (theme_id, idea_id): a theme tagging thousands of ideas costs what one tagging ten does.
    kept = kept_counts_of(uow.session, [f"{THEME_KEY}{theme_id}" for theme_id in theme_ids])
    totals = {int(key.removeprefix(THEME_KEY)): count for key, count in kept.items()}
    firsts = union_all(
        *(
            select(
                select(idea_themes.c.theme_id, idea_themes.c.idea_id)
                .where(idea_themes.c.theme_id == theme_id)
                .order_by(idea_themes.c.idea_id)
                .limit(THEME_IDEAS_SHOWN)
                .subquery()
            )
            for theme_id in theme_ids
        )
    ).subquery()
    tagged: dict[int, list[TaggedIdea]] = {theme_id: [] for theme_id in theme_ids}
    rows = uow.session.execute(
        select(firsts.c.theme_id, Idea.id, Idea.title, Idea.state, Idea.meeting_id)
        .join(Idea, Idea.id == firsts.c.idea_id)
        .order_by(firsts.c.theme_id, Idea.id)
    )
    for theme_id, idea_id, title, state, from_meeting in rows:
        tagged[theme_id].append(TaggedIdea(idea_id, title, state, from_meeting))
    return [
        MeetingThemeView(theme_id, name, tagged[theme_id], totals.get(theme_id, 0))
        for theme_id, name in themes
    ]
