"""The reminder sweep: owners hear when an idea needs them, managers when owners do not respond.

Each of the four occasions (see ``workflow.followups.decisions``) is found by one query driven by
an index, so the sweep reads open ideas that may be due and never the archive of finished ones:

- follow-up date arrived: ``state IN (open) AND follow_up_on <= today``
  (``ix_ideas_state_follow_up``);
- unassessed: ``state = 'proposed' AND state_changed_at < bound`` (``ix_ideas_state_changed``);
- pilot ended: ``state = 'piloted'`` (an index led by ``state``) with its latest pilot plan;
- untouched: ``state IN (open) AND updated_at < bound`` (``ix_ideas_state_updated``), which
  skips open ideas that entered their state long ago but changed since. The bound goes in as a
  one-value subquery, so that PostgreSQL plans without knowing it: given the value, its column
  statistics say nearly every idea was updated before it (they count the archive and cannot
  see that open ideas are mostly recent), and it would read every open idea through another
  index led by ``state``. ``state_changed_at`` needs no condition of its own: every change that
  sets it sets ``updated_at`` too, so ``state_changed_at <= updated_at`` always.

Each query also leaves out, in SQL, the ideas whose next step is not due (reminded recently, or
the managers told already), so an aged database costs what is due rather than what holds; the
queries and why that is safe are in ``workflow.services.followup_queries``.

Each reminder is written in its own transaction: the ``reminders`` row (unique per idea, occasion
and number) and its email together. When two sweeps run at once, the unique index lets one of
them write and the other roll back, so every reminder goes out exactly once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow.clock import local_today, utcnow
from workflow.followups.decisions import (
    ESCALATION,
    Occasion,
    local_date,
    most_pressing,
    next_number,
    next_step_on,
)
from workflow.followups.rules import FollowupRules
from workflow.models import Reminder, User
from workflow.notifications.compose import render
from workflow.notifications.links import Links
from workflow.permissions import Role
from workflow.services.followup_queries import occasion_queries
from workflow.services.notifications import add_notification
from workflow.uow import UnitOfWork

__all__ = [
    "Due",
    "FollowupRules",
    "QueuedReminder",
    "SweepReport",
    "active_managers",
    "plan_followups",
    "run_followups",
]

logger = logging.getLogger(__name__)
LOOKUP_CHUNK = 500  # ideas per query when reading the reminders already sent


@dataclass(frozen=True)
class Due:
    """A reminder (1, 2) or an escalation (0) that one idea's occasion is due now."""

    idea_id: int
    idea_title: str
    state: str
    owner: User
    occasion: Occasion
    number: int
    reminded_on: tuple[date, ...] = ()  # the dates of the reminders sent before this one


@dataclass(frozen=True)
class QueuedReminder:
    """What the sweep queued (or, in a dry run, would queue) for one idea."""

    idea_id: int
    idea_title: str
    occasion: str
    number: int  # 1 or 2: reminder to the owner; 0: escalation to the managers
    owner_email: str
    recipients: tuple[str, ...]
    notification_ids: tuple[int, ...] = ()

    @property
    def kind(self) -> str:
        """``reminder`` or ``escalation``."""
        return "escalation" if self.number == ESCALATION else "reminder"


@dataclass(frozen=True)
class SweepReport:
    """The outcome of one sweep."""

    now: datetime
    today: date
    dry_run: bool
    queued: tuple[QueuedReminder, ...] = ()
    lost: int = 0  # reminders another sweep running at the same time wrote first
    unescalated: int = 0  # escalations due while no manager is active (tried again next sweep)
    failed: int = 0  # reminders that could not be written (logged; tried again next sweep)
    notification_ids: tuple[int, ...] = ()

    def __str__(self) -> str:
        escalations = sum(1 for item in self.queued if item.number == ESCALATION)
        return (
            f"{len(self.queued) - escalations} reminders and {escalations} escalations "
            f"{'due' if self.dry_run else 'queued'} ({self.lost} lost to another sweep, "
            f"{self.failed} failed, {self.unescalated} waiting for a manager)"
        )


def run_followups(
    uow: UnitOfWork,
    links: Links,
    now: datetime | None = None,
    rules: FollowupRules | None = None,
    *,
    dry_run: bool = False,
) -> SweepReport:
    """Queue every reminder and escalation due at ``now``; each idea in its own transaction.

    Without ``rules``, the defaults apply (the edges pass ``Settings.followup_rules``).
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rules = rules or FollowupRules()
    today = local_today(now)
    due = plan_followups(uow, now, rules)
    managers = active_managers(uow)
    queued: list[QueuedReminder] = []
    lost = unescalated = failed = 0
    for item in due:
        if item.number == ESCALATION and not managers:
            unescalated += 1
            continue
        if dry_run:
            queued.append(_queued(item, managers, ()))
            continue
        try:
            notification_ids = _write(uow, links, item, managers, now, today, rules)
        except IntegrityError:
            uow.rollback()  # another sweep wrote this reminder first
            lost += 1
            continue
        except Exception:  # one idea that cannot be reminded must not stop the others
            logger.exception("reminder %s for idea %s failed", item.number, item.idea_id)
            uow.rollback()
            failed += 1
            continue
        queued.append(_queued(item, managers, notification_ids))
    return SweepReport(
        now=now,
        today=today,
        dry_run=dry_run,
        queued=tuple(queued),
        lost=lost,
        unescalated=unescalated,
        failed=failed,
        notification_ids=tuple(n for item in queued for n in item.notification_ids),
    )


def plan_followups(uow: UnitOfWork, now: datetime, rules: FollowupRules | None = None) -> list[Due]:
    """Decide, without writing, which reminders and escalations are due at ``now``."""
    rules = rules or FollowupRules()
    today = local_today(now)
    holding: dict[int, list[Occasion]] = defaultdict(list)
    ideas: dict[int, tuple[User, str, str]] = {}
    for query, occasion_of in occasion_queries(today, rules):
        for owner, idea_id, title, state, *facts in uow.session.execute(query):
            ideas[idea_id] = (owner, title, state)
            holding[idea_id].append(occasion_of(*facts))
    pressing = {
        idea_id: occasion
        for idea_id, occasions in holding.items()
        if (occasion := most_pressing(occasions)) is not None
    }
    sent = _reminders_sent(uow, pressing)
    due = []
    for idea_id in sorted(pressing):
        occasion = pressing[idea_id]
        earlier = sent.get((idea_id, occasion.key), {})
        number = next_number(earlier, today, rules)
        if number is None:
            continue
        owner, title, state = ideas[idea_id]
        reminded_on = tuple(earlier[n] for n in (1, 2) if n in earlier)
        due.append(Due(idea_id, title, state, owner, occasion, number, reminded_on))
    return due


def active_managers(uow: UnitOfWork) -> list[User]:
    """The managers who hear about escalations and get the weekly summary."""
    query = select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id)
    return list(uow.session.scalars(query))


# -- reading the reminders already sent --------------------------------------------------------


def _reminders_sent(
    uow: UnitOfWork, pressing: dict[int, Occasion]
) -> dict[tuple[int, str], dict[int, date]]:
    """For each (idea, occasion key): the reminder numbers sent and the Danish date of each."""
    sent: dict[tuple[int, str], dict[int, date]] = defaultdict(dict)
    for chunk in _chunks(sorted(pressing), LOOKUP_CHUNK):
        keys = {pressing[idea_id].key for idea_id in chunk}
        query = select(
            Reminder.idea_id, Reminder.occasion, Reminder.number, Reminder.sent_at
        ).where(Reminder.idea_id.in_(chunk), Reminder.occasion.in_(keys))
        for idea_id, occasion, number, sent_at in uow.session.execute(query):
            if pressing[idea_id].key == occasion:
                sent[(idea_id, occasion)][number] = local_date(sent_at)
    return sent


def _chunks(values: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- writing the reminders ------------------------------------------------------------------------


def _write(
    uow: UnitOfWork,
    links: Links,
    item: Due,
    managers: list[User],
    now: datetime,
    today: date,
    rules: FollowupRules,
) -> tuple[int, ...]:
    """Record the reminder and stage its email(s) in one transaction; return the email ids."""
    reminder = Reminder(
        idea_id=item.idea_id,
        occasion=item.occasion.key,
        number=item.number,
        owner_id=item.owner.id,
        sent_at=now,
    )
    uow.session.add(reminder)
    uow.session.flush()  # the unique index decides here which of two sweeps goes on
    context = _context(links, item, today, rules)
    created = []
    if item.number == ESCALATION:
        for manager in managers:
            rendered = render(
                "escalation", manager.language or "da", recipient_name=manager.name, **context
            )
            created.append(
                add_notification(
                    uow, links, rendered, kind="escalation",
                    dedupe_key=f"escalation:{item.idea_id}:{item.occasion.key}:{manager.id}",
                    now=now, user=manager, idea_id=item.idea_id, payload=_payload(item),
                )
            )  # fmt: skip
    else:
        rendered = render(
            "owner_reminder",
            item.owner.language or "da",
            recipient_name=item.owner.name,
            **context,
        )
        created.append(
            add_notification(
                uow, links, rendered, kind="owner_reminder",
                dedupe_key=f"reminder:{item.idea_id}:{item.occasion.key}:{item.number}",
                now=now, user=item.owner, idea_id=item.idea_id, payload=_payload(item),
            )
        )  # fmt: skip
    ids = tuple(notification.id for notification in created if notification is not None)
    reminder.notification_id = ids[0] if ids else None
    uow.commit()
    return ids


def _context(links: Links, item: Due, today: date, rules: FollowupRules) -> dict[str, Any]:
    return {
        "idea": {"id": item.idea_id, "title": item.idea_title, "state": item.state},
        "owner": {"name": item.owner.name, "email": item.owner.email},
        "occasion": {"kind": item.occasion.kind, "on": item.occasion.on},
        "number": item.number,
        "reminded_on": list(item.reminded_on),
        "next_step_on": next_step_on(item.number, today, rules),
        "links": {"idea_url": links.idea_url(item.idea_id)},
    }


def _payload(item: Due) -> dict[str, Any]:
    return {
        "idea_id": item.idea_id,
        "occasion": item.occasion.key,
        "number": item.number,
        "owner_id": item.owner.id,
    }


def _queued(item: Due, managers: list[User], ids: tuple[int, ...]) -> QueuedReminder:
    recipients = (
        tuple(manager.email for manager in managers)
        if item.number == ESCALATION
        else (item.owner.email,)
    )
    return QueuedReminder(
        idea_id=item.idea_id,
        idea_title=item.idea_title,
        occasion=item.occasion.key,
        number=item.number,
        owner_email=item.owner.email,
        recipients=recipients,
        notification_ids=ids,
    )
