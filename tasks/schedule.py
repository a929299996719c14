"""What the one beat process sends when, and the periodic tasks themselves.

Times are Danish (the app's timezone is Europe/Copenhagen). The sweeps are idempotent, so a
scheduler that starts runs the sweep and the follow-ups at once, catching up after downtime.
The follow-up, digest, summary and report services are imported inside the tasks: a worker runs
whatever of them exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol

from celery import Task, shared_task
from celery.schedules import crontab
from celery.signals import beat_init

from tasks.celery_app import IdeaflowCelery, ideaflow_app
from tasks.delivery import enqueue_deliveries
from tasks.names import (
    DIGESTS_DAILY,
    DIGESTS_WEEKLY,
    FOLLOWUPS,
    MEETING_REPORTS,
    SWEEP,
    WEEKLY_SUMMARY,
)
from workflow.clock import utcnow
from workflow.uow import UnitOfWork

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0
FOLLOWUP_MINUTES = 15


class SweepRun(Protocol):
    """What a sweep service returns: at least the ids of the notifications it wrote."""

    @property
    def notification_ids(self) -> tuple[int, ...]:
        """The notifications this run created, to be sent."""


def beat_schedule(every: float = SWEEP_SECONDS) -> dict[str, dict[str, Any]]:
    """The beat schedule: the sweep every ``every`` seconds (IDEAFLOW_SWEEP_SECONDS) and the
    follow-ups often; digests, the summary and the meeting reports (06:30 every morning) by
    the clock."""
    return {
        "sweep": {"task": SWEEP, "schedule": timedelta(seconds=every),
                  "options": {"expires": max(every * 2, 10.0)}},
        "followups": {"task": FOLLOWUPS, "schedule": timedelta(minutes=FOLLOWUP_MINUTES),
                      "options": {"expires": FOLLOWUP_MINUTES * 60}},
        "digests-daily": {"task": DIGESTS_DAILY, "schedule": crontab(hour=7, minute=0)},
        "digests-weekly": {"task": DIGESTS_WEEKLY,
                           "schedule": crontab(day_of_week="mon", hour=7, minute=0)},
        "weekly-summary": {"task": WEEKLY_SUMMARY,
                           "schedule": crontab(day_of_week="mon", hour=7, minute=30)},
        "meeting-reports": {"task": MEETING_REPORTS, "schedule": crontab(hour=6, minute=30)},
    }  # fmt: skip


@beat_init.connect(weak=False)
def _catch_up(sender: Any, **_: Any) -> None:
    """A scheduler that (re)starts sweeps at once instead of after the first interval."""
    for name in (SWEEP, FOLLOWUPS):
        try:
            sender.app.send_task(name, expires=FOLLOWUP_MINUTES * 60)
        except Exception as error:  # the broker may not be up yet; the schedule will follow
            logger.warning("could not send %s at start: %s", name, error)


@shared_task(name=FOLLOWUPS, bind=True, ignore_result=True)
def followups(self: Task) -> int:
    """Owner reminders and manager escalations that are due now."""

    def run(uow: UnitOfWork, app: IdeaflowCelery) -> SweepRun:
        from workflow.services.followups import run_followups

        return run_followups(uow, app.links, now=utcnow(), rules=app.settings.followup_rules)

    return _run_and_send(ideaflow_app(self), "followups", run)


@shared_task(name=DIGESTS_DAILY, bind=True, ignore_result=True)
def digests_daily(self: Task) -> int:
    """Yesterday's updates for stakeholders who chose a daily digest."""
    return _digests(ideaflow_app(self), "daily")


@shared_task(name=DIGESTS_WEEKLY, bind=True, ignore_result=True)
def digests_weekly(self: Task) -> int:
    """Last week's updates for stakeholders who chose a weekly digest."""
    return _digests(ideaflow_app(self), "weekly")


@shared_task(name=WEEKLY_SUMMARY, bind=True, ignore_result=True)
def weekly_summary(self: Task) -> int:
    """The managers' weekly summary."""

    def run(uow: UnitOfWork, app: IdeaflowCelery) -> SweepRun:
        from workflow.services.summaries import run_weekly_summary

        return run_weekly_summary(uow, app.links, now=utcnow())

    return _run_and_send(ideaflow_app(self), "weekly summary", run)


@shared_task(name=MEETING_REPORTS, bind=True, ignore_result=True)
def meeting_reports(self: Task) -> int:
    """The follow-up reports to meeting participants that are due today."""

    def run(uow: UnitOfWork, app: IdeaflowCelery) -> SweepRun:
        from workflow.services.meeting_reports import run_reports

        return run_reports(uow, app.links, now=utcnow())

    return _run_and_send(ideaflow_app(self), "meeting reports", run)


def _digests(app: IdeaflowCelery, period: str) -> int:
    def run(uow: UnitOfWork, app: IdeaflowCelery) -> SweepRun:
        from workflow.services.digests import run_digests

        return run_digests(uow, app.links, now=utcnow(), period=period)

    return _run_and_send(app, f"{period} digests", run)


def _run_and_send(
    app: IdeaflowCelery, what: str, run: Callable[[UnitOfWork, IdeaflowCelery], SweepRun]
) -> int:
    """Run a sweep service in its own unit of work, then queue the mail it says it created."""
    with app.database.unit_of_work() as uow:
        result = run(uow, app)
    created = result.notification_ids
    logger.info("%s: %s; queueing %s notifications", what, result, len(created))
    return enqueue_deliveries(app, created)
