"""The reminder sweep: owners hear when an idea needs them, managers when owners do not respond.

The sweep reads only the ideas whose moment has come (``ideas.next_check_at``, indexed; see
``workflow.followups.schedule`` for what the moment is and ``workflow.services.followup_queries``
for the reading), so it costs what is due and what was written since it last ran, never what
exists. For each idea it decides from the facts which occasion counts and, from the reminders
sent for it, which step is due (``workflow.followups.decisions``); then it stores the moment to
look again: when the next step falls due, or when a more pressing occasion begins to hold.

Each reminder is written in its own transaction: the ``reminders`` row (unique per idea, occasion
and number), its email and the idea's next moment together. When two sweeps run at once, the
unique index lets one of them write and the other roll back, so every reminder goes out exactly
once. The moments of the ideas for which nothing is due are stored a page at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from workflow.clock import local_today, utcnow
from workflow.followups.decisions import ESCALATION, Occasion, next_number, next_step_on
from workflow.followups.rules import FollowupRules
from workflow.followups.schedule import counting, moment_of, next_check_on
from workflow.models import Reminder, User
from workflow.notifications.compose import render
from workflow.notifications.links import Links
from workflow.permissions import Role
from workflow.services.followup_queries import (
    Candidate,
    Stored,
    adopt_rules,
    candidates,
    reminders_sent,
    rules_changed,
    store,
)
from workflow.services.notifications import add_notification
from workflow.uow import UnitOfWork

__all__ = [
    "Due",
    "FollowupRules",
    "QueuedReminder",
    "SweepReport",
    "active_managers",
    "plan_followups",
    "reschedule",
    "run_followups",
]

logger = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Verdict:
    """What the sweep decided about one idea it read."""

    candidate: Candidate
    due: Due | None  # the step due now, if any
    next_on: date | None  # the day to look again as things stand (on or before today: due)
    after_sent: date | None  # the day to look again once ``due`` is sent


def run_followups(
    uow: UnitOfWork,
    links: Links,
    now: datetime | None = None,
    rules: FollowupRules | None = None,
    *,
    dry_run: bool = False,
) -> SweepReport:
    """Queue every reminder and escalation due at ``now``; each idea in its own transaction.

    Without ``rules``, the defaults apply (the edges pass ``Settings.followup_rules``). A dry run
    writes nothing, not even the moments to look again.
    """
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rules = rules or FollowupRules()
    today = local_today(now)
    managers = active_managers(uow)
    queued: list[QueuedReminder] = []
    lost = unescalated = failed = 0
    for page in _verdicts(uow, now, rules, write=not dry_run):
        settled = []
        for verdict in page:
            item = verdict.due
            if item is None:
                settled.append(Stored(verdict.candidate, moment_of(verdict.next_on)))
                continue
            if item.number == ESCALATION and not managers:
                unescalated += 1  # looked at again by every sweep until a manager is active
                settled.append(Stored(verdict.candidate, moment_of(verdict.next_on)))
                continue
            if dry_run:
                queued.append(_queued(item, managers, ()))
                continue
            after = Stored(verdict.candidate, moment_of(verdict.after_sent))
            try:
                notification_ids = _write(uow, links, item, managers, now, today, rules, after)
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
        if not dry_run:
            store(uow, settled)
            uow.commit()
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
    pages = _verdicts(uow, now, rules, write=False)
    return [v.due for page in pages for v in page if v.due is not None]


def reschedule(uow: UnitOfWork, now: datetime, rules: FollowupRules | None = None) -> int:
    """Store for every idea whose moment has come by ``now`` the moment the rules give, sending
    nothing (an idea with a step due keeps a moment at or before ``now``); return how many.

    For ideas written in bulk, without the session's marks: ``mark_open_ideas`` first.
    """
    rules = rules or FollowupRules()
    count = 0
    for page in _verdicts(uow, now, rules, write=True):
        store(uow, [Stored(v.candidate, moment_of(v.next_on)) for v in page])
        uow.commit()
        count += len(page)
    return count


def _verdicts(
    uow: UnitOfWork, now: datetime, rules: FollowupRules, *, write: bool
) -> Iterator[list[Verdict]]:
    """The verdict on each idea whose moment has come, a page at a time (by idea id). When the
    moments were worked out with other rules: with ``write``, every open idea is marked first;
    without, every open idea is read."""
    today = local_today(now)
    everything = rules_changed(uow, rules)
    if everything and write:
        adopt_rules(uow, rules)
        everything = False
    for page in candidates(uow, now, everything=everything):
        counts = {c.idea_id: found for c in page if (found := counting(c.facts, today, rules))}
        sent = reminders_sent(uow, {idea_id: found[1].key for idea_id, found in counts.items()})
        verdicts = []
        for candidate in page:
            earlier = sent.get(candidate.idea_id, {})
            next_on = next_check_on(candidate.facts, earlier, today, rules)
            found = counts.get(candidate.idea_id)
            number = None if found is None else next_number(earlier, today, rules)
            if found is None or number is None or candidate.owner is None:
                verdicts.append(Verdict(candidate, None, next_on, next_on))
                continue
            occasion = found[1]
            after_sent = next_check_on(candidate.facts, {**earlier, number: today}, today, rules)
            reminded_on = tuple(earlier[n] for n in (1, 2) if n in earlier)
            due = Due(
                candidate.idea_id, candidate.title, candidate.facts.state, candidate.owner,
                occasion, number, reminded_on,
            )  # fmt: skip
            verdicts.append(Verdict(candidate, due, next_on, after_sent))
        yield verdicts


def active_managers(uow: UnitOfWork) -> list[User]:
    """The managers who hear about escalations and get the weekly summary."""
    query = select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.id)
    return list(uow.session.scalars(query))


# -- writing the reminders ------------------------------------------------------------------------


def _write(
    uow: UnitOfWork,
    links: Links,
    item: Due,
    managers: list[User],
    now: datetime,
    today: date,
    rules: FollowupRules,
    after: Stored,
) -> tuple[int, ...]:
    """Record the reminder, stage its email(s) and store the idea's next moment in one
    transaction; return the email ids."""
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
    store(uow, [after])
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
