"""The notification log for managers and admins: every email, its status, tries and last error."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from workflow.errors import Forbidden, ValidationFailed
from workflow.gates import N_
from workflow.models import NOTIFICATION_STATUSES, Idea, Notification
from workflow.paging import Page, bounded_count, whole_number
from workflow.permissions import Actor
from workflow.uow import UnitOfWork

PER_PAGE_MAX = 100
COUNTED_AT_MOST = 10_000  # a total past it says "more than 10,000" (counting all grows)
FILTERS = ("idea", "status", "kind", "q")
NUL = "\x00"  # PostgreSQL cannot compare text holding it


@dataclass(frozen=True)
class NotificationView:
    """One notification as admins see it (never its body)."""

    id: int
    kind: str
    recipient_email: str | None  # None once the recipient was erased
    recipient_name: str | None
    status: str
    attempts: int
    last_error: str | None
    subject: str
    list_name: str | None
    idea_id: int | None
    idea_title: str | None
    created_at: datetime
    sent_at: datetime | None


def list_notifications(
    uow: UnitOfWork,
    actor: Actor,
    params: Mapping[str, Any],
    page: Any = 1,
    per_page: Any = 20,
) -> Page[NotificationView]:
    """Notifications, newest first, filtered by ``idea`` (id), ``status``, ``kind`` and ``q``
    (part of the recipient's address or name); admins and managers only."""
    if not actor.manages:
        raise Forbidden("Only managers and administrators see notifications.")
    errors: dict[str, str] = {}
    page_no = whole_number(page, "page", errors)
    size = whole_number(per_page, "per_page", errors)
    if size is not None and size > PER_PAGE_MAX:
        errors["per_page"] = N_("Must be at most 100.")
    where = _conditions(params, errors)
    if errors or page_no is None or size is None:
        raise ValidationFailed(errors)
    total, more = bounded_count(uow.session, select(Notification.id).where(*where), COUNTED_AT_MOST)
    rows = uow.session.execute(
        select(Notification, Idea.title)
        .outerjoin(Idea, Idea.id == Notification.idea_id)
        .where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page_no - 1) * size)
        .limit(size)
    ).all()
    return Page([_view(row, title) for row, title in rows], total, page_no, size, more)


def status_counts(uow: UnitOfWork, actor: Actor) -> dict[str, int]:
    """How many notifications have each status (every status, zero included)."""
    if not actor.manages:
        raise Forbidden("Only managers and administrators see notifications.")
    counted = dict(
        uow.session.execute(
            select(Notification.status, func.count(Notification.id)).group_by(Notification.status)
        ).all()
    )
    return {status: int(counted.get(status, 0)) for status in NOTIFICATION_STATUSES}


def kinds(uow: UnitOfWork) -> list[str]:
    """The kinds of notification there are, for a filter."""
    return sorted(uow.session.scalars(select(Notification.kind).distinct()))


def _conditions(params: Mapping[str, Any], errors: dict[str, str]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    # Empty values are refused like any other wrong value: pages leave out empty filters.
    idea = params.get("idea")
    if idea is not None:
        idea_id = whole_number(idea, "idea", errors)
        if idea_id is not None:
            where.append(Notification.idea_id == idea_id)
    status = params.get("status")
    if status is not None:
        if status not in NOTIFICATION_STATUSES:
            errors["status"] = N_("Unknown status.")
        else:
            where.append(Notification.status == status)
    kind = params.get("kind")
    if isinstance(kind, str) and kind.replace(NUL, ""):
        where.append(Notification.kind == kind.replace(NUL, "")[:40])
    text = params.get("q")
    if isinstance(text, str) and text.replace(NUL, "").strip():
        pattern = f"%{text.replace(NUL, '').strip().lower()[:200]}%"
        where.append(
            or_(
                func.lower(Notification.recipient_email).like(pattern),
                func.lower(Notification.recipient_name).like(pattern),
            )
        )
    return where


def _view(row: Notification, idea_title: str | None) -> NotificationView:
    return NotificationView(
        id=row.id,
        kind=row.kind,
        recipient_email=row.recipient_email or None,
        recipient_name=row.recipient_name,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        subject=row.subject,
        list_name=row.list_name,
        idea_id=row.idea_id,
        idea_title=idea_title,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )
