"""One meeting as the API shows it: its facts, themes, ideas and (for managers) participants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from workflow.errors import NotFound
from workflow.gates import MAX_ID
from workflow.models import Idea, Meeting, MeetingParticipant
from workflow.permissions import Actor, may_see_participants
from workflow.services.meetings import Outcome
from workflow.services.participants import ParticipantView, meeting_participants
from workflow.states import STATES
from workflow.uow import UnitOfWork


@dataclass(frozen=True)
class MeetingIdeaItem:
    """One of a meeting's ideas, in the minutes' order."""

    id: int
    title: str
    state: str
    owner: str | None  # the owner's email, as the API names users
    version: int
    themes: tuple[str, ...]


@dataclass(frozen=True)
class MeetingDetail:
    """A meeting with its ideas; ``participants`` is None for callers who may not see them."""

    id: int
    title: str
    held_on: date | None
    location: str | None
    host: str | None
    recorder: str | None
    imported_at: datetime
    themes: tuple[str, ...]
    outcome: Outcome
    ideas: list[MeetingIdeaItem]
    participant_count: int
    participants: list[ParticipantView] | None


def meeting_detail(uow: UnitOfWork, actor: Actor, meeting_id: int) -> MeetingDetail:
    """A meeting with every idea that came from it; NotFound for an unknown meeting.

    Everybody signed in sees the meeting and its ideas; who took part (names, addresses,
    opt-ins) only managers and admins, the others get the number.
    """
    meeting = uow.session.get(Meeting, meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id}.")
    query = (
        select(Idea)
        .where(Idea.meeting_id == meeting_id)
        .options(selectinload(Idea.owner), selectinload(Idea.themes))
        .order_by(Idea.source_position.is_(None), Idea.source_position, Idea.id)
    )
    ideas = [
        MeetingIdeaItem(
            id=idea.id,
            title=idea.title,
            state=idea.state,
            owner=idea.owner.email if idea.owner else None,
            version=idea.version,
            themes=tuple(sorted((theme.name for theme in idea.themes), key=str.casefold)),
        )
        for idea in uow.session.scalars(query)
    ]
    # Every idea of the meeting is loaded here anyway, so they are counted as they are.
    by_state = {state: sum(idea.state == state for idea in ideas) for state in STATES}
    visible = may_see_participants(actor)
    participants = meeting_participants(uow, meeting_id) if visible else None
    count = (
        len(participants)
        if participants is not None
        else uow.session.scalar(
            select(func.count()).where(MeetingParticipant.meeting_id == meeting_id)
        )
        or 0
    )
    return MeetingDetail(
        id=meeting.id,
        title=meeting.title,
        held_on=meeting.held_on,
        location=meeting.location,
        host=meeting.host,
        recorder=meeting.recorder,
        imported_at=meeting.created_at,
        themes=tuple(link.theme.name for link in meeting.theme_links),
        outcome=Outcome(by_state, len(ideas)),
        ideas=ideas,
        participant_count=count,
        participants=participants,
    )
