"""``ideaflow outbox list|retry|resend-failed``: events whose mail could not be made, and emails
that failed for good after their tries (an outage that outlasted them).

An event whose notifications could not be created (a broken template, a failing recipient
lookup) waits with its error and is retried with backoff by the workers. Once the cause is
fixed, ``retry`` tries the waiting events at once, right here, and hands the mail they make to
the workers; an event that still fails says why and keeps waiting.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from web.cli_followups import deliver, email_links
from web.database import unit_of_work
from workflow.errors import NotFound
from workflow.services import notifications, outbox

MAX_BATCHES = 100  # of the relay's 100 events each
outbox_group = AppGroup("outbox", help="Events waiting to become email after a failure.")


@outbox_group.command("list")
def outbox_list() -> None:
    """List the events that failed and wait to be tried again, with their errors."""
    with unit_of_work() as uow:
        failing = outbox.failing_events(uow, None)
    if not failing:
        click.echo("No event is waiting after a failure.")
        return
    for event in failing:
        when = event.next_attempt_at.isoformat(timespec="seconds") if event.next_attempt_at else "-"
        click.echo(
            f"{event.id:>7}  {event.event_type:<20} {event.aggregate_type} {event.aggregate_id}"
            f"  tries: {event.attempts}  next: {when}\n         {event.error}"
        )


@outbox_group.command("retry")
@click.option("--id", "outbox_id", type=click.IntRange(1, 2**31 - 1), help="Only this event.")
@click.option("--send", is_flag=True, help="Deliver the mail right here instead of the workers.")
def outbox_retry(outbox_id: int | None, send: bool) -> None:
    """Try failing events again now (all of them, or --id); exits 1 if any still fails."""
    try:
        with unit_of_work() as uow:
            made_due = outbox.retry_now(uow, None, outbox_id)
    except NotFound as error:
        raise click.ClickException(error.message) from None
    ready: list[int] = []
    for _ in range(MAX_BATCHES):
        with unit_of_work() as uow:
            ready += notifications.relay_outbox(uow, email_links())
            if not notifications.has_due_events(uow):
                break
    with unit_of_work() as uow:
        still = [
            event
            for event in outbox.failing_events(uow, None, limit=1000)
            if outbox_id is None or event.id == outbox_id
        ]
    deliver(ready, send)
    click.echo(f"Tried {made_due} event(s) again: {len(ready)} email(s) made.")
    if still:
        for event in still:
            click.echo(f"Event {event.id} still fails: {event.error}", err=True)
        raise SystemExit(1)


@outbox_group.command("resend-failed")
@click.option("--id", "notification_id", type=click.IntRange(1, 2**31 - 1), help="Only this email.")
@click.option("--send", is_flag=True, help="Deliver right here instead of the workers.")
def outbox_resend_failed(notification_id: int | None, send: bool) -> None:
    """Send failed emails again (all, or --id), e.g. after a mail server outage."""
    try:
        with unit_of_work() as uow:
            ids = outbox.resend_failed(uow, None, notification_id)
    except NotFound as error:
        raise click.ClickException(error.message) from None
    outcomes = deliver(ids, send)
    click.echo(f"{len(ids)} failed email(s) are pending again.")
    if outcomes is not None:
        click.echo(", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())))
