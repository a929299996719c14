"""GDPR for stakeholder contacts: find them, export what is kept about them, erase them.

Erasure anonymises rather than deletes, so ideas keep their history: the contact row stays
(name "Slettet kontakt", no organisation, no email, ``erased_at`` set), their follows, meeting
participations and unsubscriptions stay, and the notifications sent to them stay with the
recipient's address, name and every copy of them in the message removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlalchemy import and_, func, or_, select

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound
from workflow.models import (
    Contact,
    Idea,
    IdeaFollower,
    Meeting,
    MeetingDocument,
    MeetingParticipant,
    Notification,
    Suppression,
    Unsubscription,
)
from workflow.permissions import Actor, Role
from workflow.uow import UnitOfWork
from workflow.views import jsonable

ERASED_NAME = "Slettet kontakt"
SEARCH_LIMIT = 50
HELD_STATUSES = ("pending", "waiting_digest")


@dataclass(frozen=True)
class ContactSummary:
    """A contact as the contacts page lists it."""

    id: int
    name: str
    organisation: str | None
    email: str | None
    language: str
    delivery: str
    created_at: datetime
    erased_at: datetime | None
    follows: int
    meetings: int
    unsubscribed: tuple[str, ...] = ()  # the mailing lists they asked to stop


@dataclass(frozen=True)
class Erasure:
    """What erasing a contact did; ``kept_minutes`` names meetings whose original minutes are
    kept as uploaded and may still name the contact."""

    contact_id: int
    former_email: str | None
    already_erased: bool
    notifications: int
    kept_minutes: list[str]


def _require_admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("Only administrators see and erase contacts' personal data.")


def find_contacts(uow: UnitOfWork, actor: Actor, text: str = "") -> list[ContactSummary]:
    """Contacts whose name, email or organisation contains ``text`` (all when empty), by name."""
    _require_admin(actor)
    query = select(Contact).order_by(func.lower(Contact.name), Contact.id).limit(SEARCH_LIMIT)
    needle = " ".join((text or "").split()).lower().replace("\x00", "")
    if needle:
        pattern = f"%{needle}%"
        query = query.where(
            or_(
                func.lower(Contact.name).like(pattern),
                func.lower(Contact.email).like(pattern),
                func.lower(Contact.organisation).like(pattern),
            )
        )
    return [_summary(uow, contact) for contact in uow.session.scalars(query)]


def get_contact(uow: UnitOfWork, actor: Actor, contact_id: int) -> ContactSummary:
    """One contact; NotFound when there is none."""
    _require_admin(actor)
    return _summary(uow, _load(uow, contact_id))


def contact_by_email(uow: UnitOfWork, actor: Actor, email: str) -> ContactSummary:
    """The contact with this email address; NotFound when there is none."""
    _require_admin(actor)
    contact = uow.session.scalars(
        select(Contact).where(Contact.email == (email or "").strip().lower())
    ).first()
    if contact is None:
        raise NotFound(f"There is no contact with the email address {email!r}.")
    return _summary(uow, contact)


def export_contact(
    uow: UnitOfWork, actor: Actor, contact_id: int, now: datetime | None = None
) -> dict[str, Any]:
    """Everything kept about a contact, as JSON-ready data (GDPR article 15)."""
    _require_admin(actor)
    contact = _load(uow, contact_id)
    follows = uow.session.execute(
        select(IdeaFollower, Idea.title)
        .join(Idea, Idea.id == IdeaFollower.idea_id)
        .where(IdeaFollower.contact_id == contact.id)
        .order_by(IdeaFollower.created_at, IdeaFollower.idea_id)
    ).all()
    meetings = uow.session.execute(
        select(MeetingParticipant, Meeting)
        .join(Meeting, Meeting.id == MeetingParticipant.meeting_id)
        .where(MeetingParticipant.contact_id == contact.id)
        .order_by(Meeting.held_on, Meeting.id)
    ).all()
    unsubscriptions = uow.session.scalars(
        select(Unsubscription)
        .where(Unsubscription.contact_id == contact.id)
        .order_by(Unsubscription.at)
    ).all()
    suppression = uow.session.get(Suppression, contact.email) if contact.email else None
    data: dict[str, Any] = jsonable(
        {
            "exported_at": now or utcnow(),
            "contact": {
                "id": contact.id,
                "name": contact.name,
                "organisation": contact.organisation,
                "email": contact.email,
                "language": contact.language,
                "delivery": contact.delivery,
                "created_at": contact.created_at,
                "erased_at": contact.erased_at,
            },
            "follows": [
                {"idea_id": row.idea_id, "idea_title": title, "source": row.source,
                 "since": row.created_at}
                for row, title in follows
            ],
            "meeting_participations": [
                {"meeting_id": meeting.id, "meeting_title": meeting.title,
                 "held_on": meeting.held_on, "consent_source": row.consent_source,
                 "consent_at": row.consent_at}
                for row, meeting in meetings
            ],
            "unsubscriptions": [{"list": row.list_name, "at": row.at} for row in unsubscriptions],
            "suppression": (
                {"reason": suppression.reason, "at": suppression.at} if suppression else None
            ),
            "notifications": [_notification(row) for row in _notifications(uow, contact)],
        }
    )  # fmt: skip
    return data


def erase_contact(
    uow: UnitOfWork, actor: Actor, contact_id: int, now: datetime | None = None
) -> Erasure:
    """Anonymise a contact everywhere their name or address is stored (GDPR article 17)."""
    _require_admin(actor)
    contact = _load(uow, contact_id)
    if contact.erased_at is not None:
        return Erasure(contact.id, None, True, 0, [])
    now = now or utcnow()
    name, email = contact.name, contact.email
    replacements = [(text, ERASED_NAME) for text in (name,) if text and text.strip()]
    replacements += [(email, "")] if email else []
    notifications = _notifications(uow, contact)
    for row in notifications:
        row.recipient_email = ""
        row.recipient_name = ERASED_NAME
        row.subject = _scrub(row.subject, replacements)
        row.body_text = _scrub(row.body_text, replacements)
        row.body_html = _scrub(row.body_html, replacements, html=True)
        row.payload = _scrub(row.payload, replacements)
        if row.status in HELD_STATUSES:
            row.status, row.last_error = "suppressed", "contact erased"
        elif row.last_error:
            row.last_error = _scrub(row.last_error, replacements)
    for follower in uow.session.scalars(
        select(IdeaFollower).where(IdeaFollower.contact_id == contact.id)
    ):
        follower.source = _scrub(follower.source, replacements)
    participations = uow.session.scalars(
        select(MeetingParticipant).where(MeetingParticipant.contact_id == contact.id)
    ).all()
    for participation in participations:
        if participation.consent_source:
            participation.consent_source = _scrub(participation.consent_source, replacements)
    if email and (suppression := uow.session.get(Suppression, email)) is not None:
        uow.session.delete(suppression)
    contact.name, contact.organisation, contact.email = ERASED_NAME, None, None
    contact.erased_at = now
    kept_minutes = list(
        uow.session.scalars(
            select(Meeting.title)
            .join(MeetingDocument, MeetingDocument.meeting_id == Meeting.id)
            .where(Meeting.id.in_([p.meeting_id for p in participations]))
            .order_by(Meeting.held_on, Meeting.id)
        )
    )
    uow.commit()
    return Erasure(contact.id, email, False, len(notifications), kept_minutes)


def _load(uow: UnitOfWork, contact_id: int) -> Contact:
    contact = uow.session.get(Contact, contact_id) if 1 <= contact_id < 2**31 else None
    if contact is None:
        raise NotFound(f"There is no contact {contact_id}.")
    return contact


def _summary(uow: UnitOfWork, contact: Contact) -> ContactSummary:
    follows = uow.session.scalar(select(func.count()).where(IdeaFollower.contact_id == contact.id))
    meetings = uow.session.scalar(
        select(func.count()).where(MeetingParticipant.contact_id == contact.id)
    )
    stopped = uow.session.scalars(
        select(Unsubscription.list_name)
        .where(Unsubscription.contact_id == contact.id)
        .order_by(Unsubscription.list_name)
    ).all()
    return ContactSummary(
        id=contact.id,
        name=contact.name,
        organisation=contact.organisation,
        email=contact.email,
        language=contact.language,
        delivery=contact.delivery,
        created_at=contact.created_at,
        erased_at=contact.erased_at,
        follows=follows or 0,
        meetings=meetings or 0,
        unsubscribed=tuple(stopped),
    )


def _notifications(uow: UnitOfWork, contact: Contact) -> list[Notification]:
    """Mail to the contact: by contact id, or to their address with no user or contact named."""
    mine = Notification.contact_id == contact.id
    if contact.email:
        mine = or_(
            mine,
            and_(
                Notification.contact_id.is_(None),
                Notification.user_id.is_(None),
                Notification.recipient_email == contact.email,
            ),
        )
    return list(uow.session.scalars(select(Notification).where(mine).order_by(Notification.id)))


def _notification(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "list": row.list_name,
        "recipient_email": row.recipient_email or None,
        "recipient_name": row.recipient_name,
        "language": row.language,
        "subject": row.subject,
        "body_text": row.body_text,
        "status": row.status,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "idea_id": row.idea_id,
        "message_id": row.message_id,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
    }


def _scrub(value: Any, replacements: list[tuple[str, str]], html: bool = False) -> Any:
    """``value`` with every replaced text swapped (in strings inside lists and dicts too)."""
    if isinstance(value, str):
        for old, new in replacements:
            value = value.replace(old, new)
            if html:
                value = value.replace(str(escape(old)), str(escape(new)))
            value = _replace_folded(value, old, new)
        return value
    if isinstance(value, list):
        return [_scrub(item, replacements, html) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, replacements, html) for key, item in value.items()}
    return value


def _replace_folded(text: str, old: str, new: str) -> str:
    """Replace ``old`` ignoring case (addresses are written in any case)."""
    lowered, target = text.lower(), old.lower()
    if not target or target not in lowered or len(lowered) != len(text):
        return text
    out, start = [], 0
    while (found := lowered.find(target, start)) != -1:
        out.append(text[start:found] + new)
        start = found + len(target)
    return "".join(out) + text[start:]
