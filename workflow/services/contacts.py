"""Stakeholder contacts: following ideas, unsubscribing, suppressed addresses.

GDPR export and erasure live in ``workflow.services.contact_data``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.gates import MAX_ID, N_, REQUIRED
from workflow.models import (
    Contact,
    IdeaFollower,
    IdeaStop,
    Notification,
    Suppression,
    Unsubscription,
)
from workflow.notifications.recipients import IDEA_UPDATES
from workflow.notifications.tokens import read_unsubscribe_token
from workflow.permissions import Actor, Role, may_edit_idea
from workflow.services.collaboration import DELIVERIES, looks_like_email, remove_follower
from workflow.services.ideas import load_idea
from workflow.uow import UnitOfWork

FOLLOW_FIELDS = ("email", "name", "organisation", "delivery")
HELD_STATUSES = ("pending", "waiting_digest")  # not sent yet: an unsubscription stops them


@dataclass(frozen=True)
class Following:
    """A contact following an idea, as the API shows it."""

    idea_id: int
    contact_id: int
    email: str | None
    name: str
    organisation: str | None
    delivery: str
    language: str
    source: str
    since: datetime
    unsubscribed: bool  # the contact asked for no idea updates: they get no mail
    suppressed: bool  # the mail server refused the address for good


@dataclass(frozen=True)
class FollowResult:
    """A follow and whether it is new (False: the contact already followed the idea)."""

    following: Following
    created: bool


def follow(
    uow: UnitOfWork,
    actor: Actor,
    idea_id: int,
    fields: Mapping[str, Any],
    *,
    source: str,
    now: datetime | None = None,
) -> FollowResult:
    """Let the contact with ``fields["email"]`` follow an idea (the idea's owner and managers).

    The contact is found by email or created; ``name`` and ``organisation``, when given, update
    it; ``delivery`` (immediate, daily or weekly; new contacts default to daily) is the contact's
    preference for all their mail. Following twice changes nothing but those fields. Where and
    when the contact opted in is kept (``source``, ``created_at``).
    """
    idea = load_idea(uow, idea_id)
    if not may_edit_idea(actor, idea.owner_id):
        raise Forbidden("Only managers and the idea's owner add followers.")
    clean = _follow_fields(fields)
    for attempt in (1, 2):
        try:
            return _follow(uow, actor, idea.id, clean, source, now or utcnow())
        except IntegrityError:
            # Somebody added the same contact or follow at the same moment: use theirs.
            uow.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _follow(
    uow: UnitOfWork,
    actor: Actor,
    idea_id: int,
    clean: dict[str, Any],
    source: str,
    now: datetime,
) -> FollowResult:
    email: str = clean["email"]
    contact = uow.session.scalars(select(Contact).where(Contact.email == email)).first()
    if contact is None:
        contact = Contact(
            name=clean.get("name") or email,
            organisation=clean.get("organisation"),
            email=email,
            delivery=clean.get("delivery") or "daily",
            created_at=now,
        )
        uow.session.add(contact)
    else:
        for name in ("name", "organisation", "delivery"):
            if clean.get(name):
                setattr(contact, name, clean[name])
    uow.flush()
    follower = uow.session.get(IdeaFollower, (idea_id, contact.id))
    created = follower is None
    if follower is None:
        follower = IdeaFollower(
            idea_id=idea_id,
            contact_id=contact.id,
            source=source[:200],
            added_by_id=actor.id,
            created_at=now,
        )
        uow.session.add(follower)
    uow.commit()
    return FollowResult(_following(uow, follower, contact), created)


def _follow_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {
        name: N_("Unknown field.") for name in fields if name not in FOLLOW_FIELDS
    }
    clean: dict[str, Any] = {}
    email = fields.get("email")
    if email is None or (isinstance(email, str) and not email.strip()):
        errors["email"] = REQUIRED
    elif (
        not isinstance(email, str)
        or len(email) > 320  # as sent (the OpenAPI maxLength), and as stored: lowering can
        or len(email.strip().lower()) > 320  # lengthen it ("İ" becomes "i̇")
        or not looks_like_email(email.strip())
    ):
        errors["email"] = N_("Must be an email address.")
    else:
        clean["email"] = email.strip().lower()
    for name, limit in (("name", 200), ("organisation", 300)):
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = N_("Must be text.")
        elif len(value) > limit:  # as sent, spaces included: what the OpenAPI maxLength says
            errors[name] = (
                N_("Must be at most 200 characters.")
                if limit == 200
                else N_("Must be at most 300 characters.")
            )
        else:
            clean[name] = " ".join(value.split()) or None
    delivery = fields.get("delivery")
    if delivery is not None and delivery not in DELIVERIES:
        errors["delivery"] = N_("Must be immediate, daily or weekly.")
    elif delivery is not None:
        clean["delivery"] = delivery
    if errors:
        raise ValidationFailed(errors)
    return clean


def _following(uow: UnitOfWork, follower: IdeaFollower, contact: Contact) -> Following:
    unsubscribed = uow.session.scalar(
        select(
            exists().where(
                Unsubscription.contact_id == contact.id,
                Unsubscription.list_name == "idea_updates",
            )
        )
    )
    suppressed = contact.email is not None and (
        uow.session.get(Suppression, contact.email) is not None
    )
    return Following(
        idea_id=follower.idea_id,
        contact_id=contact.id,
        email=contact.email,
        name=contact.name,
        organisation=contact.organisation,
        delivery=contact.delivery,
        language=contact.language,
        source=follower.source,
        since=follower.created_at,
        unsubscribed=bool(unsubscribed),
        suppressed=bool(suppressed),
    )


def unfollow(uow: UnitOfWork, actor: Actor, idea_id: int, contact_id: int) -> None:
    """Stop a contact following an idea (the idea's owner and managers); NotFound if not."""
    remove_follower(uow, actor, idea_id, contact_id)


@dataclass(frozen=True)
class UnsubscribeTarget:
    """Whom an unsubscribe link is for, and whether they are already off the list."""

    contact_id: int
    list_name: str
    email: str | None
    language: str
    unsubscribed: bool


def unsubscribe_target(uow: UnitOfWork, secret: str, token: str) -> UnsubscribeTarget | None:
    """The contact and list of a genuine unsubscribe token (None: tampered, or no contact).

    Reading changes nothing.
    """
    read = read_unsubscribe_token(secret, token) if len(token) <= 200 else None
    if read is None:
        return None
    contact_id, list_name = read
    contact = uow.session.get(Contact, contact_id)
    if contact is None:
        return None
    done = uow.session.get(Unsubscription, (contact_id, list_name)) is not None
    return UnsubscribeTarget(contact_id, list_name, contact.email, contact.language, done)


def unsubscribe(
    uow: UnitOfWork, secret: str, token: str, now: datetime | None = None
) -> UnsubscribeTarget | None:
    """Take the token's contact off the token's list; doing it again changes nothing.

    Their mail on that list that has not gone out yet (pending, or waiting for a digest) is
    suppressed too. None when the token is not genuine.
    """
    target = unsubscribe_target(uow, secret, token)
    if target is None:
        return None
    now = now or utcnow()
    if not target.unsubscribed:
        _add_once(uow, Unsubscription(contact_id=target.contact_id, list_name=target.list_name,
                                      at=now))  # fmt: skip
    _suppress_held(uow, target, now, "unsubscribed")
    uow.commit()
    return UnsubscribeTarget(
        target.contact_id, target.list_name, target.email, target.language, True
    )


def stop_idea(
    uow: UnitOfWork, secret: str, token: str, idea_id: int, now: datetime | None = None
) -> tuple[UnsubscribeTarget, str] | None:
    """Stop the token's contact hearing about one idea (its other ideas still come); doing it
    again changes nothing. Their mail about that idea not gone out yet is suppressed too.
    Returns whom it was for and the idea's title; None when the token or the idea is not real.
    """
    target = unsubscribe_target(uow, secret, token)
    idea = uow.ideas.get(idea_id) if 1 <= idea_id <= MAX_ID else None
    if target is None or target.list_name != IDEA_UPDATES or idea is None:
        return None
    now = now or utcnow()
    if uow.session.get(IdeaStop, (target.contact_id, idea.id)) is None:
        _add_once(uow, IdeaStop(contact_id=target.contact_id, idea_id=idea.id, at=now))
    _suppress_held(uow, target, now, "stopped this idea", Notification.idea_id == idea.id)
    uow.commit()
    return target, idea.title


def _add_once(uow: UnitOfWork, row: Unsubscription | IdeaStop) -> None:
    """Record a choice; a second click at the same moment finds it made, which is the same."""
    uow.session.add(row)
    try:
        uow.flush()
    except IntegrityError:
        uow.rollback()


def _suppress_held(
    uow: UnitOfWork, target: UnsubscribeTarget, now: datetime, why: str, *narrower: Any
) -> None:
    """Suppress the target's mail on its list that has not gone out and nobody is sending."""
    uow.session.execute(
        update(Notification)
        .where(
            Notification.contact_id == target.contact_id,
            Notification.list_name == target.list_name,
            Notification.status.in_(HELD_STATUSES),
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
            *narrower,
        )
        .values(status="suppressed", last_error=why)
    )


def idea_title(uow: UnitOfWork, idea_id: int) -> str | None:
    """The title of the idea a link names (None: no such idea), for the page that asks."""
    idea = uow.ideas.get(idea_id) if 1 <= idea_id <= MAX_ID else None
    return idea.title if idea is not None else None


@dataclass(frozen=True)
class SuppressionView:
    """An address the mail server refused for good, and why."""

    email: str
    reason: str
    at: datetime


def suppressions(uow: UnitOfWork, actor: Actor) -> list[SuppressionView]:
    """Every suppressed address, newest first (admins and managers)."""
    if not actor.manages:
        raise Forbidden("Only managers and administrators see suppressed addresses.")
    rows = uow.session.scalars(select(Suppression).order_by(Suppression.at.desc())).all()
    return [SuppressionView(row.email, row.reason, row.at) for row in rows]


def clear_suppression(uow: UnitOfWork, actor: Actor, email: str) -> None:
    """Let mail go to a suppressed address again (admins); NotFound when it is not suppressed."""
    if actor.role != Role.ADMIN:
        raise Forbidden("Only administrators clear suppressed addresses.")
    email = (email or "").strip()
    row = uow.session.get(Suppression, email) or uow.session.get(Suppression, email.lower())
    if row is None:
        raise NotFound("This address is not suppressed.")
    uow.session.delete(row)
    uow.commit()
