"""Digests: a stakeholder who chose a daily or weekly digest gets one email per period.

Idea updates for such contacts wait as ``waiting_digest`` notifications. A digest run turns each
contact's waiting updates into ONE email (newest first, grouped by idea) and marks them
``digested`` with the digest's id, in one transaction per contact. The dedupe key
``digest:<period key>:<contact id>`` (period key ``2026-11-26`` or ``2026-W48``, Danish calendar)
allows at most one digest per contact and period: updates that arrive after this period's digest
wait for the next one. Contacts who unsubscribed, were erased or whose address is suppressed get
nothing; their waiting updates become ``suppressed``.

Updates left waiting by a contact who switched to immediate delivery go out with the daily run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from workflow.clock import local_today, utcnow
from workflow.models import Contact, Idea, Notification, Suppression, Unsubscription
from workflow.notifications.compose import render
from workflow.notifications.links import Links
from workflow.notifications.recipients import IDEA_UPDATES
from workflow.services.notifications import add_notification
from workflow.services.summaries import iso_week
from workflow.uow import UnitOfWork

PERIODS = ("daily", "weekly")
DELIVERIES = {"daily": ("daily", "immediate"), "weekly": ("weekly",)}


@dataclass(frozen=True)
class QueuedDigest:
    """One contact's digest."""

    contact_id: int
    recipient: str
    notification_id: int
    updates: int  # how many idea updates it carries
    ideas: int  # about how many ideas


@dataclass(frozen=True)
class DigestReport:
    """What one digest run did."""

    period: str
    key: str
    queued: tuple[QueuedDigest, ...] = ()
    suppressed: int = 0  # updates not sent: the contact unsubscribed, was erased or bounced
    waiting: int = 0  # contacts whose digest for this period exists already: next period

    @property
    def notification_ids(self) -> tuple[int, ...]:
        """The ids of the queued digests."""
        return tuple(digest.notification_id for digest in self.queued)

    def __str__(self) -> str:
        return (
            f"{len(self.queued)} {self.period} digests queued for {self.key} "
            f"({self.suppressed} updates suppressed, {self.waiting} contacts wait)"
        )


def period_key(period: str, now: datetime) -> str:
    """The period ``now`` falls in: the Danish date (daily) or ISO week (weekly)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    today = local_today(now)
    return today.isoformat() if period == "daily" else iso_week(today)


def run_digests(
    uow: UnitOfWork, links: Links, now: datetime | None = None, period: str = "daily"
) -> DigestReport:
    """Queue this period's digest for every contact with waiting updates who gets ``period``."""
    now = now or utcnow()
    key = period_key(period, now)
    contact_ids = uow.session.scalars(
        select(Notification.contact_id)
        .join(Contact, Contact.id == Notification.contact_id)
        .where(
            Notification.status == "waiting_digest",
            Notification.list_name == IDEA_UPDATES,
            Contact.delivery.in_(DELIVERIES[period]),
        )
        .distinct()
    ).all()
    queued: list[QueuedDigest] = []
    suppressed = waiting = 0
    for contact_id in sorted(c for c in contact_ids if c is not None):
        try:
            outcome = _digest_for(uow, links, contact_id, period, key, now)
        except IntegrityError:
            uow.rollback()  # another run queued this contact's digest a moment ago
            waiting += 1
            continue
        if isinstance(outcome, QueuedDigest):
            queued.append(outcome)
        elif outcome > 0:
            suppressed += outcome
        else:
            waiting += 1
    return DigestReport(period, key, tuple(queued), suppressed, waiting)


def _digest_for(
    uow: UnitOfWork, links: Links, contact_id: int, period: str, key: str, now: datetime
) -> QueuedDigest | int:
    """One contact's digest (committed), or how many updates were suppressed (0: none due)."""
    session = uow.session
    contact = session.get(Contact, contact_id)
    items = list(
        session.scalars(
            select(Notification)
            .where(
                Notification.contact_id == contact_id,
                Notification.status == "waiting_digest",
                Notification.list_name == IDEA_UPDATES,
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )
    if contact is None or not items:
        return 0
    ids = [item.id for item in items]
    if _held_back(uow, contact):
        _mark(uow, ids, status="suppressed", last_error="unsubscribed or suppressed address")
        uow.commit()
        return len(ids)
    groups = _groups(uow, links, items)
    rendered = render(
        "digest",
        contact.language,
        recipient_name=contact.name,
        period=period,
        count=len(items),
        groups=groups,
        links={"unsubscribe_url": links.unsubscribe_url(contact.id, IDEA_UPDATES)},
    )
    digest = add_notification(
        uow, links, rendered, kind="digest", dedupe_key=f"digest:{key}:{contact.id}", now=now,
        contact=contact, list_name=IDEA_UPDATES,
        payload={"period": period, "key": key, "items": ids},
    )  # fmt: skip
    if digest is None:
        uow.rollback()
        return 0  # this period's digest went out already; these wait for the next
    if _mark(uow, ids, status="digested", digest_id=digest.id) != len(ids):
        uow.rollback()  # some were taken meanwhile; the next run sees the rest
        return 0
    uow.commit()
    return QueuedDigest(contact.id, digest.recipient_email, digest.id, len(ids), len(groups))


def _held_back(uow: UnitOfWork, contact: Contact) -> bool:
    if contact.email is None or contact.erased_at is not None:
        return True
    unsubscribed = uow.session.scalar(
        select(
            exists().where(
                Unsubscription.contact_id == contact.id,
                Unsubscription.list_name == IDEA_UPDATES,
            )
        )
    )
    return bool(unsubscribed) or uow.session.get(Suppression, contact.email) is not None


def _mark(uow: UnitOfWork, ids: list[int], **values: Any) -> int:
    """Move waiting updates on (compare-and-set on their status); return how many moved."""
    result = uow.session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == "waiting_digest")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count


def _groups(uow: UnitOfWork, links: Links, items: list[Notification]) -> list[dict[str, Any]]:
    """The updates grouped by idea: the idea with the newest update first, newest first within."""
    merged_into = {
        item.payload.get("data", {}).get("into")
        for item in items
        if item.payload.get("trigger") == "merge"
    }
    wanted = select(Idea.id, Idea.title).where(Idea.id.in_([i for i in merged_into if i]))
    titles: dict[int, str] = dict(uow.session.execute(wanted).all())
    groups: dict[int, dict[str, Any]] = {}
    for item in items:  # newest first already
        idea_id = item.payload.get("idea_id") or item.idea_id or 0
        group = groups.setdefault(
            idea_id,
            {
                "title": item.payload.get("idea_title", ""),
                "status_url": links.status_url(idea_id),
                "changes": [],
            },
        )
        into = item.payload.get("data", {}).get("into")
        group["changes"].append(
            {
                "at": item.created_at,
                "change": item.payload,
                "merged_into_title": titles.get(into, "") if into else "",
            }
        )
    return list(groups.values())
