"""``ideaflow notifications trace ID``: one email's whole path, from the change that caused it
to the mail server's answer, read from the database."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from web.database import unit_of_work
from workflow.clock import LOCAL_TIMEZONE
from workflow.errors import NotFound
from workflow.services.mail_trace import Trace, trace

notifications_group = AppGroup("notifications", help="Emails and what became of them.")
OUTCOMES = {
    "sent": "sent",
    "held": "refused for now; held",
    "failed": "failed",
    "suppressed": "not sent (unsubscribed or suppressed)",
}


@notifications_group.command("trace")
@click.argument("notification_id", type=click.IntRange(1, 2**31 - 1))
def notifications_trace(notification_id: int) -> None:
    """Print an email's path: its event, creation, every try and how it ended."""
    try:
        with unit_of_work() as uow:
            path = trace(uow, notification_id)
    except NotFound as error:
        raise click.ClickException(error.message) from None
    for line in trace_lines(path):
        click.echo(line)


def trace_lines(path: Trace) -> list[str]:
    """The trace as lines of text, oldest step first."""
    about = ", ".join(
        part
        for part in (
            path.kind,
            f"idea {path.idea_id}" if path.idea_id else "",
            f"meeting {path.meeting_id}" if path.meeting_id else "",
        )
        if part
    )
    lines = [f"Email {path.id} to {path.recipient} ({about})", f"  Message-ID {path.message_id}"]
    event = path.event
    if event is not None:
        trigger = f", trigger {event.trigger}" if event.trigger else ""
        lines.append(
            f"{_when(event.created_at)}  outbox event {event.id}: {event.event_type} "
            f"({event.aggregate}{trigger})"
        )
        if event.failures:
            lines.append(f"{'':19}  its mail could not be made {event.failures} time(s): "
                         f"{event.error or '-'}")  # fmt: skip
        if event.dispatched_at:
            lines.append(f"{_when(event.dispatched_at)}  relayed")
    else:
        lines.append(f"{'':19}  no outbox event (written by a sweep or by hand)")
    lines.append(f"{_when(path.created_at)}  created, {path.kind}")
    for attempt in path.attempts:
        outcome = OUTCOMES.get(attempt.outcome, attempt.outcome)
        hold = f" until {_when(attempt.hold_until)}" if attempt.hold_until else ""
        lines.append(
            f"{_when(attempt.at)}  try {attempt.number}: {outcome}{hold}"
            f" - {attempt.smtp_reply or 'no answer'}"
        )
    for number in path.unrecorded:
        lines.append(f"{'':19}  try {number}: no outcome recorded (its worker stopped mid-send)")
    lines.append(_ending(path))
    return lines


def _ending(path: Trace) -> str:
    if path.status == "sent":
        return f"{_when(path.sent_at)}  status: sent - {path.smtp_reply or 'no answer kept'}"
    if path.status == "digested":
        return f"{'':19}  status: digested into email {path.digest_id}"
    if path.status == "pending" and path.lease_until:
        word = "held" if path.tries and path.last_error else "leased"
        return f"{'':19}  status: pending, {word} until {_when(path.lease_until)}"
    error = f" - {path.last_error}" if path.last_error else ""
    return f"{'':19}  status: {path.status}{error}"


def _when(moment: datetime | None) -> str:
    """A moment in Danish time, to the second (19 characters)."""
    if moment is None:
        return " " * 19
    return moment.astimezone(LOCAL_TIMEZONE).strftime("%Y-%m-%d %H:%M:%S")
