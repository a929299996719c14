"""``ideaflow followups run`` and ``ideaflow digests run``: the periodic sweeps, run once by hand.

The beat schedule calls the same service functions; these commands let staff run a sweep without
a worker (``--send`` delivers right away) and look ahead with ``--now``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import click
from flask.cli import AppGroup

from web.database import relay_kick, settings, unit_of_work
from workflow.clock import LOCAL_TIMEZONE, utcnow
from workflow.contracts.runs import DigestRun, FollowupRun, SummaryRun
from workflow.notifications.links import Links
from workflow.notifications.transport import transport_for
from workflow.services import delivery
from workflow.services.digests import PERIODS, run_digests
from workflow.services.followups import run_followups
from workflow.services.summaries import run_weekly_summary
from workflow.text import counted

followups_group = AppGroup("followups", help="Reminders to owners, escalations and summaries.")
digests_group = AppGroup("digests", help="Daily and weekly digests to stakeholders.")

NOW_HELP = "Pretend it is this moment (ISO date or date-time; Danish time unless it says)."


def parse_now(value: str | None) -> datetime:
    """``--now``: an ISO date or date-time, read as Danish time when it names no zone."""
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or date-time (2026-12-01T08:00)", param_hint="--now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TIMEZONE)


def email_links() -> Links:
    app_settings = settings()
    return Links(app_settings.base_url, app_settings.secret_key)


def send_now(notification_ids: Iterable[int]) -> dict[str, int]:
    """Deliver the notifications right away (SMTP, or .eml files); count them by outcome."""
    app_settings = settings()
    transport = transport_for(app_settings.smtp_url, app_settings.instance_path / "outbox")
    outcomes: dict[str, int] = {}
    for notification_id in notification_ids:
        with unit_of_work() as uow:
            try:
                status = delivery.deliver(
                    uow, notification_id, transport, links=email_links(),
                    sender=app_settings.mail_from, reply_to=app_settings.mail_reply_to,
                )  # fmt: skip
            except delivery.RetryLater as error:
                click.echo(f"Email {notification_id}: will be tried again ({error}).", err=True)
                status = "retry"
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


def deliver(notification_ids: list[int], send: bool) -> dict[str, int] | None:
    """Deliver right here with ``send``, else hand the emails to the workers at once."""
    if send:
        return send_now(notification_ids)
    if notification_ids:
        relay_kick().queue_deliveries(notification_ids)
    return None


def _sent_line(outcomes: dict[str, int]) -> str:
    parts = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
    return f"Delivered now: {parts or 'nothing'}."


@followups_group.command("run")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
@click.option("--send", is_flag=True, help="Deliver the queued emails now (no worker needed).")
@click.option("--dry-run", is_flag=True, help="Show what is due; write and send nothing.")
def followups_run(now_text: str | None, as_json: bool, send: bool, dry_run: bool) -> None:
    """Run the reminder and escalation sweep once, and the weekly summary when it is due."""
    now = parse_now(now_text)
    rules = settings().followup_rules
    with unit_of_work() as uow:
        report = run_followups(uow, email_links(), now, rules, dry_run=dry_run)
    summary = None
    if not dry_run:
        with unit_of_work() as uow:
            summary = run_weekly_summary(uow, email_links(), now)
    ids = [*report.notification_ids, *(summary.notification_ids if summary else ())]
    outcomes = None if dry_run else deliver(ids, send)
    if as_json:
        body = {
            **FollowupRun.of(report).dump(),
            "weekly_summary": SummaryRun.of(summary).dump() if summary else None,
            "delivered": outcomes,
        }
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    verb = "Would queue" if dry_run else "Queued"
    for item in report.queued:
        what = "escalation" if item.kind == "escalation" else f"reminder {item.number}"
        click.echo(
            f"{verb} {what} for idea {item.idea_id} “{item.idea_title}” ({item.occasion}) "
            f"to {', '.join(item.recipients)}"
        )
    if summary:
        for email, _ in summary.queued:
            click.echo(f"Queued weekly summary {summary.week} to {email}")
    if report.unescalated:
        click.echo(f"{counted(report.unescalated, 'escalation')} wait for an active manager.",
                   err=True)  # fmt: skip
    if report.failed:
        failed = counted(report.failed, "reminder")
        click.echo(f"{failed} failed (see the log); the next run tries again.", err=True)
    count = len(report.queued) + (len(summary.queued) if summary else 0)
    click.echo(f"{count} {'would be queued' if dry_run else 'queued'} as of {now.isoformat()}.")
    if outcomes is not None:
        click.echo(_sent_line(outcomes))


@digests_group.command("run")
@click.option("--period", type=click.Choice(PERIODS), required=True, help="Which digests.")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
@click.option("--send", is_flag=True, help="Deliver the queued emails now (no worker needed).")
def digests_run(period: str, now_text: str | None, as_json: bool, send: bool) -> None:
    """Queue this period's digest for every stakeholder with updates waiting."""
    now = parse_now(now_text)
    with unit_of_work() as uow:
        report = run_digests(uow, email_links(), now, period)
    outcomes = deliver(list(report.notification_ids), send)
    if as_json:
        click.echo(
            json.dumps(
                {**DigestRun.of(report).dump(), "delivered": outcomes}, ensure_ascii=False, indent=2
            )
        )
        return
    for digest in report.queued:
        click.echo(
            f"Queued {period} digest {report.key} to {digest.recipient}: "
            f"{counted(digest.updates, 'update')} about {counted(digest.ideas, 'idea')}"
        )
    if report.suppressed:
        click.echo(f"{counted(report.suppressed, 'update')} not sent (unsubscribed or suppressed).")
    if report.waiting:
        click.echo(
            f"{counted(report.waiting, 'contact')} had this period's digest already; theirs wait."
        )
    click.echo(f"{counted(len(report.queued), 'digest')} queued for {report.key}.")
    if outcomes is not None:
        click.echo(_sent_line(outcomes))
