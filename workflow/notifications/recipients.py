"""Who hears about an idea: its followers and its meeting's participants who opted in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, or_, select

from workflow.models import Contact, Idea, IdeaFollower, MeetingParticipant, Unsubscription
from workflow.uow import UnitOfWork

IDEA_UPDATES = "idea_updates"


def stakeholders_of(uow: UnitOfWork, idea: Idea) -> Sequence[Contact]:
    """Contacts with an address who follow the idea or took part (with consent) in its meeting,
    minus those who unsubscribed from idea updates; each contact once, in a stable order."""
    followers = select(IdeaFollower.contact_id).where(IdeaFollower.idea_id == idea.id)
    participants = select(MeetingParticipant.contact_id).where(
        MeetingParticipant.meeting_id == idea.meeting_id,
        MeetingParticipant.consent_at.is_not(None),
    )
    unsubscribed = exists().where(
        Unsubscription.contact_id == Contact.id, Unsubscription.list_name == IDEA_UPDATES
    )
    query = (
        select(Contact)
        .where(
            or_(Contact.id.in_(followers), Contact.id.in_(participants))
            if idea.meeting_id is not None
            else Contact.id.in_(followers),
            Contact.email.is_not(None),
            Contact.erased_at.is_(None),
            ~unsubscribed,
        )
        .order_by(Contact.id)
    )
    return uow.session.scalars(query).all()
