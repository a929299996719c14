"""Comments (internal notes) and followers (stakeholders who want to hear) on an idea."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.gates import N_, REQUIRED
from workflow.models import (
    Comment,
    Contact,
    HistoryEntry,
    IdeaFollower,
    IdeaStop,
    MeetingParticipant,
    Unsubscription,
)
from workflow.notifications.recipients import IDEA_UPDATES
from workflow.permissions import (
    Actor,
    may_comment,
    may_edit_idea,
    may_see_follower_addresses,
)
from workflow.services.ideas import load_idea
from workflow.uow import UnitOfWork

COMMENT_MAX = 5000
EMAIL_MAX = 320  # what the contacts table holds
DELIVERIES = ("immediate", "daily", "weekly")  # how often a contact hears: at once or in a digest
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class CommentView:
    """A comment as the idea page shows it."""

    id: int
    author: str | None
    body: str
    at: datetime


@dataclass(frozen=True)
class FollowerView:
    """A follower as the idea page shows it, with how they opted in."""

    contact_id: int
    name: str
    organisation: str | None
    email: str | None
    source: str
    since: datetime
    delivery: str = "daily"
    unsubscribed: bool = False  # asked for no more idea emails: none go out, whatever ``delivery``
    kept_delivery: bool = False  # added again: their own earlier choice stays as it was


def looks_like_email(text: str) -> bool:
    """True for text shaped like an email address (name@domain.tld, no spaces)."""
    return _EMAIL.match(text) is not None


def add_comment(uow: UnitOfWork, actor: Actor, idea_id: int, body: str) -> CommentView:
    """Add an internal comment; everybody but viewers may comment, on any idea (colleagues'
    experience is what comments are for)."""
    idea = load_idea(uow, idea_id)
    if not may_comment(actor):
        raise Forbidden("Viewers cannot comment.")
    text = (body or "").strip()
    if not text:
        raise ValidationFailed({"body": REQUIRED})
    if len(text) > COMMENT_MAX:
        raise ValidationFailed({"body": N_("The text is too long.")})
    comment = Comment(idea_id=idea.id, author_id=actor.id, body=text)
    uow.session.add(comment)
    uow.commit()
    return CommentView(comment.id, actor.name, comment.body, comment.created_at)


@dataclass(frozen=True)
class IdeaCounts:
    """How much an idea's page could list: all of it is counted, the latest is shown."""

    history: int
    comments: int
    followers: int


def comments(
    uow: UnitOfWork, actor: Actor, idea_id: int, latest: int | None = None
) -> list[CommentView]:
    """An idea's comments (the ``latest`` ones when given), oldest first."""
    idea = load_idea(uow, idea_id)
    rows = uow.session.scalars(
        select(Comment)
        .where(Comment.idea_id == idea.id)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(latest)
    ).all()
    return [
        CommentView(c.id, c.author.name if c.author else None, c.body, c.created_at)
        for c in reversed(rows)
    ]


def counts(uow: UnitOfWork, idea_id: int) -> IdeaCounts:
    """How many history entries, comments and followers an idea has, in one statement."""
    history, comment_count, follower_count = uow.session.execute(
        select(
            select(func.count()).where(HistoryEntry.idea_id == idea_id).scalar_subquery(),
            select(func.count()).where(Comment.idea_id == idea_id).scalar_subquery(),
            select(func.count()).where(IdeaFollower.idea_id == idea_id).scalar_subquery(),
        )
    ).one()
    return IdeaCounts(history, comment_count, follower_count)


def add_follower(
    uow: UnitOfWork,
    actor: Actor,
    idea_id: int,
    *,
    name: str,
    email: str | None,
    organisation: str | None = None,
    source: str = "added in ideaflow",
    delivery: str | None = None,
) -> FollowerView:
    """Let a stakeholder follow an idea; managers and the idea's owner may add followers.

    ``delivery`` (immediate, daily or weekly), when given, becomes a new contact's preference;
    a known contact keeps theirs (the answer's ``kept_delivery`` says when it differed).
    """
    idea = load_idea(uow, idea_id)
    if not may_edit_idea(actor, idea.owner_id):
        raise Forbidden("Only managers and the idea's owner add followers.")
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())[:200]
    email = (email or "").strip().lower() or None
    if not name:
        errors["name"] = REQUIRED
    if email is not None and (len(email) > EMAIL_MAX or not _EMAIL.match(email)):
        errors["email"] = N_("Must be an email address.")
    if delivery is not None and delivery not in DELIVERIES:
        errors["delivery"] = N_("Must be immediate, daily or weekly.")
    if errors:
        raise ValidationFailed(errors)
    contact = uow.contacts.find_or_add(name, (organisation or "").strip()[:300] or None, email)
    known = contact.id is not None  # found, not just added
    # A known contact's delivery is their own choice (changed from the link in every email):
    # adding them to another idea never changes it.
    kept = known and delivery is not None and delivery != contact.delivery
    if not known and delivery is not None:
        contact.delivery = delivery
    uow.flush()
    follower = uow.session.get(IdeaFollower, (idea.id, contact.id))
    if follower is None:
        follower = IdeaFollower(
            idea_id=idea.id, contact=contact, source=source[:200], added_by_id=actor.id
        )
        uow.session.add(follower)
    uow.commit()
    return dataclasses.replace(_follower_view(follower), kept_delivery=kept)


def remove_follower(uow: UnitOfWork, actor: Actor, idea_id: int, contact_id: int) -> None:
    """Stop a stakeholder following an idea."""
    idea = load_idea(uow, idea_id)
    if not may_edit_idea(actor, idea.owner_id):
        raise Forbidden("Only managers and the idea's owner remove followers.")
    follower = uow.session.get(IdeaFollower, (idea.id, contact_id))
    if follower is None:
        raise NotFound("This contact does not follow the idea.")
    uow.session.delete(follower)
    uow.commit()


def followers(
    uow: UnitOfWork, actor: Actor, idea_id: int, first: int | None = None
) -> list[FollowerView]:
    """An idea's followers (the ``first`` ones when given), in the order they started
    following; their addresses only for managers, admins and the idea's owner."""
    idea = load_idea(uow, idea_id)
    rows = uow.session.execute(
        select(IdeaFollower, _unsubscribed(IdeaFollower.contact_id, idea.id))
        .where(IdeaFollower.idea_id == idea.id)
        .order_by(IdeaFollower.created_at, IdeaFollower.contact_id)
        .limit(first)
    ).all()
    with_address = may_see_follower_addresses(actor, idea.owner_id)
    return [
        dataclasses.replace(_follower_view(row, with_address), unsubscribed=bool(stopped))
        for row, stopped in rows
    ]


def meeting_recipients(
    uow: UnitOfWork, actor: Actor, idea_id: int, first: int | None = None
) -> list[FollowerView]:
    """The participants of the idea's meeting who agreed to hear and have an address, and do
    not follow the idea themselves: they are told of its steps too (one statement)."""
    idea = load_idea(uow, idea_id)
    if idea.meeting_id is None:
        return []
    following = select(IdeaFollower.contact_id).where(IdeaFollower.idea_id == idea.id)
    rows = uow.session.execute(
        select(MeetingParticipant, _unsubscribed(MeetingParticipant.contact_id, idea.id))
        .join(Contact, Contact.id == MeetingParticipant.contact_id)
        .where(
            MeetingParticipant.meeting_id == idea.meeting_id,
            MeetingParticipant.consent_at.is_not(None),
            Contact.email.is_not(None),
            Contact.erased_at.is_(None),
            MeetingParticipant.contact_id.not_in(following),
        )
        .order_by(MeetingParticipant.position, MeetingParticipant.contact_id)
        .limit(first)
    ).all()
    with_address = may_see_follower_addresses(actor, idea.owner_id)
    return [
        FollowerView(
            row.contact.id,
            row.contact.name,
            row.contact.organisation,
            row.contact.email if with_address else None,
            row.consent_source or "",
            row.consent_at or row.contact.created_at,
            row.contact.delivery,
            unsubscribed=bool(stopped),
        )
        for row, stopped in rows
    ]


def _unsubscribed(contact_id: Any, idea_id: int) -> ColumnElement[bool]:
    """Whether the contact in ``contact_id`` asked for no more emails about ideas, or about
    this one (a column)."""
    from_all = (
        select(Unsubscription.contact_id)
        .where(Unsubscription.contact_id == contact_id, Unsubscription.list_name == IDEA_UPDATES)
        .exists()
    )
    from_this = (
        select(IdeaStop.contact_id)
        .where(IdeaStop.contact_id == contact_id, IdeaStop.idea_id == idea_id)
        .exists()
    )
    return or_(from_all, from_this)


def _follower_view(row: IdeaFollower, with_address: bool = True) -> FollowerView:
    contact = row.contact
    return FollowerView(
        contact.id,
        contact.name,
        contact.organisation,
        contact.email if with_address else None,
        row.source,
        row.created_at,
        contact.delivery,
    )
