"""The outbox relay: domain events become notifications (one per recipient) in one transaction.

The outbox is the source of truth. Each relay run claims undelivered outbox rows (with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and on every backend by a compare-and-set on
``dispatched_at``), creates their notifications and marks them dispatched, all in one commit.
A notification's ``dedupe_key`` is unique, so no event can notify anybody twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from workflow import tuning
from workflow.clock import utcnow
from workflow.models import Contact, Idea, Meeting, Notification, OutboxMessage, User
from workflow.notifications.compose import Rendered, render
from workflow.notifications.links import Links
from workflow.notifications.recipients import IDEA_UPDATES, stakeholders_of
from workflow.permissions import Role
from workflow.services import outbox
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
RELAY_BATCH = 100

FanOut = Callable[[UnitOfWork, OutboxMessage, Links, datetime], list[Notification | None]]


def relay_outbox(
    uow: UnitOfWork, links: Links, limit: int = RELAY_BATCH, now: datetime | None = None
) -> list[int]:
    """Turn due outbox rows into notifications; return the ids to send right away.

    A row is marked dispatched only in the commit that created its notifications; a row whose
    fan-out fails stays pending with its error and waits (``outbox.record_failure``)."""
    now = now or utcnow()
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    candidates = uow.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.dispatched_at.is_(None), due)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    to_send: list[int] = []
    if not candidates:
        uow.commit()
        return to_send
    # Claimed together; one that another relay took, or that failed meanwhile and waits, is
    # not among them.
    claimed = set(
        uow.session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates), OutboxMessage.dispatched_at.is_(None), due)
            .values(dispatched_at=now)
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
    )
    messages = {
        message.id: message
        for message in uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
        )
    }
    for outbox_id in candidates:
        message = messages.get(outbox_id)
        if message is None:
            continue
        fan_out = _FAN_OUT.get(message.event_type)
        if fan_out is None:
            continue  # nobody is told about this kind of event
        try:
            with uow.session.begin_nested():
                created = fan_out(uow, message, links, now)
        except Exception as error:  # one bad event must not block the others
            logger.exception(
                "outbox %s (%s) could not be relayed",
                outbox_id,
                message.event_type,
                extra={"event": "outbox.failed", "outbox_id": outbox_id},
            )
            to_send.extend(outbox.record_failure(uow, message, error, links, now))
            continue
        made = [n.id for n in created if n is not None]
        logger.info(
            "outbox %s (%s) relayed: %s notifications",
            outbox_id,
            message.event_type,
            len(made),
            extra={"event": "outbox.relayed", "outbox_id": outbox_id},
        )
        to_send.extend(n.id for n in created if n is not None and n.status == "pending")
    uow.commit()
    return to_send


def has_due_events(uow: UnitOfWork, now: datetime | None = None) -> bool:
    """True while outbox rows wait to be relayed now (not counting those waiting after a
    failure for their next try)."""
    now = now or utcnow()
    due = or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now)
    query = select(OutboxMessage.id).where(OutboxMessage.dispatched_at.is_(None), due).limit(1)
    return uow.session.scalar(query) is not None


def due_for_sending(uow: UnitOfWork, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending notifications that are due and nobody holds: tried before and their hold (the
    backoff after a 4xx) or lease (a worker that died) has passed, or never tried and older
    than ``requeue_after`` (their first task went missing). The sweep sends them."""
    now = now or utcnow()
    requeue_before = now - tuning.current().requeue_after
    query = (
        select(Notification.id)
        .where(
            Notification.status == "pending",
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
            or_(Notification.attempts > 0, Notification.created_at < requeue_before),
        )
        .order_by(Notification.id)
        .limit(limit)
    )
    return list(uow.session.scalars(query))


def _idea_transitioned(
    uow: UnitOfWork, message: OutboxMessage, links: Links, now: datetime
) -> list[Notification | None]:
    payload = message.payload
    idea = uow.session.get(
        Idea, payload["idea_id"], options=[joinedload(Idea.owner), joinedload(Idea.meeting)]
    )
    if idea is None:
        return []
    merged_into = (
        uow.session.get(Idea, payload["data"].get("into") or 0)
        if payload["trigger"] == "merge"
        else None
    )
    items = []
    for contact in stakeholders_of(uow, idea):
        context: dict[str, Any] = {
            "recipient_name": contact.name,
            "idea": {"id": idea.id, "title": idea.title,
                     "owner_name": idea.owner.name if idea.owner else None},
            "meeting": {"title": idea.meeting.title} if idea.meeting else None,
            "change": payload,
            "merged_into_title": merged_into.title if merged_into else "",
            "links": {"status_url": links.status_url(idea.id),
                      "unsubscribe_url": links.unsubscribe_url(contact.id, IDEA_UPDATES),
                      "stop_idea_url": links.unsubscribe_url(contact.id, IDEA_UPDATES)
                      + f"?idea={idea.id}"},
        }  # fmt: skip
        items.append(
            NewNotification(
                render("idea_update", contact.language, **context),
                kind="idea_update",
                dedupe_key=f"idea_update:{message.id}:{contact.id}",
                contact=contact,
                status="pending" if contact.delivery == "immediate" else "waiting_digest",
                fields={
                    "idea_id": idea.id,
                    "outbox_id": message.id,
                    "list_name": IDEA_UPDATES,
                    "payload": {"idea_id": idea.id, "idea_title": idea.title, **payload},
                },
            )
        )
    # A step that hands the idea to somebody new (a pilot run by another) tells them too.
    pilot_owner = (payload.get("data") or {}).get("owner")
    before = payload.get("owner_before", pilot_owner)  # older events: nobody new to tell
    if isinstance(pilot_owner, str) and pilot_owner != before:
        notice = _owner_notice(uow, links, message, idea, pilot_owner)
        items.extend([notice] if notice is not None else [])
    return add_notifications(uow, links, items, now)


def _idea_updated(
    uow: UnitOfWork, message: OutboxMessage, links: Links, now: datetime
) -> list[Notification | None]:
    """A new idea given an owner, or an edit that gave one a new owner, tells them (unless
    they did it themselves)."""
    payload = message.payload
    # An edit names the new owner among its changes; a new idea names its owner.
    new_owner = (payload.get("changes") or {}).get("owner", payload.get("owner"))
    if not isinstance(new_owner, str):
        return []
    idea = uow.session.get(Idea, payload["idea_id"])
    notice = _owner_notice(uow, links, message, idea, new_owner) if idea is not None else None
    return add_notifications(uow, links, [notice], now) if notice is not None else []


def _owner_notice(
    uow: UnitOfWork, links: Links, message: OutboxMessage, idea: Idea, email: str
) -> NewNotification | None:
    """The email telling ``email`` they now own ``idea``; None when there is nobody to tell
    (no such active user, or they made the change themselves)."""
    payload = message.payload
    owner = uow.users.by_email(email)
    if owner is None or not owner.active or owner.id == payload.get("actor_id"):
        return None
    editor = uow.session.get(User, payload["actor_id"]) if payload.get("actor_id") else None
    return NewNotification(
        render(
            "owner_assigned",
            owner.language or "da",
            recipient_name=owner.name,
            idea={"id": idea.id, "title": idea.title, "follow_up_on": idea.follow_up_on},
            assigned_by=editor.name if editor else None,
            links={"idea_url": links.idea_url(idea.id)},
        ),
        kind="owner_assigned",
        dedupe_key=f"owner_assigned:{message.id}:{owner.id}",
        user=owner,
        fields={"idea_id": idea.id, "outbox_id": message.id, "payload": payload},
    )


def _meeting_imported(
    uow: UnitOfWork, message: OutboxMessage, links: Links, now: datetime
) -> list[Notification | None]:
    payload = message.payload
    meeting = uow.session.get(Meeting, payload["meeting_id"])
    if meeting is None:
        return []
    importer = uow.session.get(User, payload["actor_id"]) if payload.get("actor_id") else None
    managers = uow.session.scalars(
        select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id)
    ).all()
    items = [
        NewNotification(
            render(
                "import_notice",
                manager.language or "da",
                recipient_name=manager.name,
                meeting={"title": meeting.title},
                idea_count=len(payload.get("idea_ids", [])),
                imported_by=importer.name if importer else None,
                links={"meeting_url": links.meeting_url(meeting.id)},
            ),
            kind="import_notice",
            dedupe_key=f"import_notice:{message.id}:{manager.id}",
            user=manager,
            fields={"meeting_id": meeting.id, "outbox_id": message.id, "payload": payload},
        )
        for manager in managers
    ]
    return add_notifications(uow, links, items, now)


@dataclass(frozen=True)
class NewNotification:
    """One notification to stage: its rendering, kind, dedupe key, recipient and columns."""

    rendered: Rendered
    kind: str
    dedupe_key: str
    contact: Contact | None = None
    user: User | None = None
    status: str = "pending"
    fields: dict[str, Any] = field(default_factory=dict)


def add_notification(
    uow: UnitOfWork,
    links: Links,
    rendered: Rendered,
    *,
    kind: str,
    dedupe_key: str,
    now: datetime,
    contact: Contact | None = None,
    user: User | None = None,
    status: str = "pending",
    **fields: Any,
) -> Notification | None:
    """Stage one notification, its Message-ID fixed now; None when ``dedupe_key`` exists."""
    item = NewNotification(rendered, kind, dedupe_key, contact, user, status, fields)
    return add_notifications(uow, links, [item], now)[0]


def add_notifications(
    uow: UnitOfWork, links: Links, items: Sequence[NewNotification], now: datetime
) -> list[Notification | None]:
    """Stage notifications together (one look-up of their keys, one INSERT); each in order, or
    None where its ``dedupe_key`` exists already."""
    if not items:
        return []
    keys = [item.dedupe_key for item in items]
    existing = set(
        uow.session.scalars(
            select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))
        )
    )
    # Never in the future: a sweep run ahead of time (``--now``) still makes mail that the
    # relay's sweep picks up like any other.
    created_at = min(now, utcnow())
    staged: list[Notification | None] = []
    for item in items:
        if item.dedupe_key in existing:
            staged.append(None)
            continue
        existing.add(item.dedupe_key)  # a key twice in one batch is staged once
        staged.append(_notification(links, item, created_at))
    fresh = [notification for notification in staged if notification is not None]
    uow.session.add_all(fresh)
    uow.session.flush()
    for notification in fresh:
        logger.info(
            "notification %s (%s) created for outbox %s",
            notification.id,
            notification.kind,
            notification.outbox_id,
            extra={"event": "notification.created", "notification_id": notification.id,
                   "outbox_id": notification.outbox_id},
        )  # fmt: skip
    return staged


def _notification(links: Links, item: NewNotification, created_at: datetime) -> Notification:
    contact, user = item.contact, item.user
    person = contact or user
    assert person is not None and person.email
    return Notification(
        kind=item.kind,
        dedupe_key=item.dedupe_key,
        recipient_email=person.email,
        recipient_name=person.name,
        contact_id=contact.id if contact else None,
        user_id=user.id if user else None,
        language=(contact.language if contact else user.language if user else None) or "da",
        subject=item.rendered.subject,
        body_text=item.rendered.text,
        body_html=item.rendered.html,
        message_id=links.new_message_id(),
        status=item.status,
        created_at=created_at,
        **item.fields,
    )


_FAN_OUT: dict[str, FanOut] = {
    "idea.transitioned": _idea_transitioned,
    "idea.updated": _idea_updated,
    "idea.created": _idea_updated,
    "meeting.imported": _meeting_imported,
}
