"""A meeting's participants: adding the people the minutes did not list, and listing them.

Contacts are unique by email: adding someone whose address a contact already has reuses that
contact. Without an address, a contact with the same name and organisation and no address is
reused, as importing minutes does. Only a participant with an email address can hear about the
meeting's ideas, so the opt-in (``consent_source``, ``consent_at``) is recorded only with one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workflow import tuning
from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.gates import MAX_ID, N_, REQUIRED
from workflow.models import Contact, Meeting, MeetingParticipant
from workflow.permissions import Actor, may_add_participant
from workflow.services.collaboration import looks_like_email
from workflow.uow import UnitOfWork

PARTICIPANT_FIELDS = ("name", "organisation", "email")
NAME_MAX, ORGANISATION_MAX, EMAIL_MAX = 200, 300, 320


@dataclass(frozen=True)
class ParticipantView:
    """A participant of a meeting with the opt-in on record, as managers see it."""

    meeting_id: int
    contact_id: int
    name: str
    organisation: str | None
    email: str | None
    position: int
    consent_source: str | None
    consent_at: datetime | None
    legal_basis: str | None = None  # "public_task" or "consent"; None: not recorded


@dataclass(frozen=True)
class AddedParticipant:
    """The outcome of adding a participant."""

    participant: ParticipantView
    created: bool  # False: they already took part (nothing new, or only their address)
    email_added: bool  # an address was given to a participant listed without one


def add_participant(
    uow: UnitOfWork,
    actor: Actor,
    meeting_id: int,
    fields: Mapping[str, Any],
    *,
    source: str,
    now: datetime | None = None,
) -> AddedParticipant:
    """Add someone to a meeting's participants (managers and admins); one transaction.

    ``fields``: ``name`` (required), ``organisation`` and ``email`` (optional; blank is none).
    An existing contact with the address is reused, its name and organisation kept, only gaps
    filled. A participant already listed with the same name and organisation but no address gets
    the address. With an address, ``source`` and ``now`` are recorded as the opt-in; adding the
    same person again changes nothing.
    """
    meeting = uow.session.get(Meeting, meeting_id) if 1 <= meeting_id <= MAX_ID else None
    if meeting is None:
        raise NotFound(f"There is no meeting {meeting_id}.")
    if not may_add_participant(actor):
        raise Forbidden("Only managers and administrators add participants.")
    clean = participant_fields(fields)
    for attempt in (1, 2):
        try:
            return _add(uow, meeting_id, clean, source[:200], now or utcnow())
        except IntegrityError:
            # The same person was added at the same moment (same address or same link): use it.
            uow.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def participant_fields(fields: Mapping[str, Any]) -> dict[str, str | None]:
    """The cleaned ``name``, ``organisation`` and ``email``; ValidationFailed names each bad one."""
    errors: dict[str, str] = {
        str(name): N_("Unknown field.") for name in fields if name not in PARTICIPANT_FIELDS
    }
    clean: dict[str, str | None] = {}
    for name, limit in (("name", NAME_MAX), ("organisation", ORGANISATION_MAX)):
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = N_("Must be text.")
        elif value is not None and len(value) > limit:  # as sent: what the OpenAPI maxLength says
            errors[name] = (
                N_("Must be at most 200 characters.")
                if limit == NAME_MAX
                else N_("Must be at most 300 characters.")
            )
        else:
            clean[name] = " ".join((value or "").split()) or None
    if "name" not in errors and not clean.get("name"):
        errors["name"] = REQUIRED
    email = fields.get("email")
    if email is not None and not isinstance(email, str):
        errors["email"] = N_("Must be an email address.")
    elif email is not None and email.strip():
        address = email.strip().lower()
        if len(email) > EMAIL_MAX or len(address) > EMAIL_MAX or not looks_like_email(address):
            errors["email"] = N_("Must be an email address.")
        clean["email"] = address
    else:
        clean["email"] = None
    if errors:
        raise ValidationFailed(errors)
    return clean


def _add(
    uow: UnitOfWork, meeting_id: int, clean: dict[str, str | None], source: str, now: datetime
) -> AddedParticipant:
    name, organisation, email = clean["name"] or "", clean["organisation"], clean["email"]
    email_added = False
    contact = (
        uow.session.scalars(select(Contact).where(Contact.email == email)).first()
        if email
        else None
    )
    if contact is None:
        contact = _listed_without_email(uow, meeting_id, name, organisation)
        email_added = contact is not None and email is not None
    if contact is None and email is None:
        contact = _unlisted_without_email(uow, name, organisation)
    if contact is None:
        contact = Contact(name=name, organisation=organisation, email=email, created_at=now)
        uow.session.add(contact)
    elif email_added:
        contact.email = email
    else:  # an existing contact keeps its data; only what it lacks is filled in
        if contact.organisation is None and organisation:
            contact.organisation = organisation
        if email and contact.name == contact.email:  # followers may be named by their address
            contact.name = name
    uow.flush()
    link = uow.session.get(MeetingParticipant, (meeting_id, contact.id))
    created = link is None
    basis = tuning.current().participant_legal_basis  # a manager adding an address vouches for it
    if link is None:
        last = uow.session.scalar(
            select(func.max(MeetingParticipant.position)).where(
                MeetingParticipant.meeting_id == meeting_id
            )
        )
        link = MeetingParticipant(
            meeting_id=meeting_id,
            contact_id=contact.id,
            position=(last or 0) + 1,
            consent_source=source if email else None,
            consent_at=now if email else None,
            legal_basis=basis if email else None,
        )
        uow.session.add(link)
    elif email and (email_added or link.consent_at is None):
        # Whatever the minutes recorded did not cover mail: the opt-in for it is this one.
        link.consent_source, link.consent_at, link.legal_basis = source, now, basis
    uow.commit()
    return AddedParticipant(_view(link, contact), created, email_added)


def _listed_without_email(
    uow: UnitOfWork, meeting_id: int, name: str, organisation: str | None
) -> Contact | None:
    """This meeting's participant of this name and organisation who has no address."""
    return uow.session.scalars(
        select(Contact)
        .join(MeetingParticipant, MeetingParticipant.contact_id == Contact.id)
        .where(MeetingParticipant.meeting_id == meeting_id, *_same_person(name, organisation))
        .order_by(MeetingParticipant.position)
    ).first()


def _unlisted_without_email(uow: UnitOfWork, name: str, organisation: str | None) -> Contact | None:
    return uow.session.scalars(
        select(Contact).where(*_same_person(name, organisation)).order_by(Contact.id)
    ).first()


def _same_person(name: str, organisation: str | None) -> list[Any]:
    return [
        Contact.email.is_(None),
        Contact.erased_at.is_(None),
        Contact.name == name,
        Contact.organisation.is_(None)
        if organisation is None
        else Contact.organisation == organisation,
    ]


def meeting_participants(uow: UnitOfWork, meeting_id: int) -> list[ParticipantView]:
    """A meeting's participants in the order they were listed (no permission check: callers')."""
    rows = uow.session.execute(
        select(MeetingParticipant, Contact)
        .join(Contact, Contact.id == MeetingParticipant.contact_id)
        .where(MeetingParticipant.meeting_id == meeting_id)
        .order_by(MeetingParticipant.position, MeetingParticipant.contact_id)
    ).all()
    return [_view(link, contact) for link, contact in rows]


def _view(link: MeetingParticipant, contact: Contact) -> ParticipantView:
    return ParticipantView(
        meeting_id=link.meeting_id,
        contact_id=contact.id,
        name=contact.name,
        organisation=contact.organisation,
        email=contact.email,
        position=link.position,
        consent_source=link.consent_source,
        consent_at=link.consent_at,
        legal_basis=link.legal_basis,
    )
