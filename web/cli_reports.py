"""``ideaflow reports run`` and ``ideaflow reports preview``: meeting follow-up reports by hand.

``run`` is the sweep beat runs every morning; ``--now`` looks ahead, ``--send`` delivers right
here instead of handing the emails to the workers. ``preview`` prints the text a meeting's
participants would get now (no email is written).
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from web.cli_followups import NOW_HELP, deliver, email_links, parse_now
from web.database import unit_of_work
from workflow.contracts.runs import ReportsRun
from workflow.errors import NotFound
from workflow.i18n import LANGUAGES
from workflow.services.meeting_reports import build_report, render_report, run_reports
from workflow.text import counted

reports_group = AppGroup("reports", help="Follow-up reports to the participants of meetings.")


@reports_group.command("run")
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print what was queued as JSON.")
@click.option("--send", is_flag=True, help="Deliver the queued emails now (no worker needed).")
def reports_run(now_text: str | None, as_json: bool, send: bool) -> None:
    """Send every meeting's due follow-up report: one per meeting, one email per participant."""
    now = parse_now(now_text)
    with unit_of_work() as uow:
        run = run_reports(uow, email_links(), now=now)
    outcomes = deliver(list(run.notification_ids), send)
    if as_json:
        body = {**ReportsRun.of(run).dump(), "delivered": outcomes}
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for item in run.queued:
        dates = ", ".join(day.isoformat() for day in item.covers)
        click.echo(
            f"Queued report {item.report_id} on meeting {item.meeting_id} “{item.meeting_title}” "
            f"(due {dates}) to {counted(len(item.recipients), 'participant')}: "
            f"{', '.join(item.recipients)}"
        )
    if run.waiting:
        click.echo(f"{counted(run.waiting, 'meeting')} due but nobody can receive its report yet.")
    if run.failed:
        failed = counted(run.failed, "report")
        click.echo(f"{failed} failed (see the log); the next run tries again.", err=True)
    click.echo(
        f"{counted(len(run.queued), 'meeting report')} queued "
        f"({counted(len(run.notification_ids), 'email')}) "
        f"as of {now.isoformat()}."
    )
    if outcomes is not None:
        parts = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        click.echo(f"Delivered now: {parts or 'nothing'}.")


@reports_group.command("preview")
@click.argument("meeting_id", type=int)
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="da",
              show_default=True, help="The language of the report.")  # fmt: skip
@click.option("--now", "now_text", metavar="ISO-DATETIME", help=NOW_HELP)
def reports_preview(meeting_id: int, language: str, now_text: str | None) -> None:
    """Print the text of the report a meeting's participants would get now."""
    now = parse_now(now_text)
    with unit_of_work() as uow:
        try:
            report = build_report(uow, meeting_id, now=now)
        except NotFound as error:
            raise click.ClickException(error.message) from None
    rendered = render_report(report, language, email_links())
    click.echo(f"Subject: {rendered.subject}\n")
    click.echo(rendered.text, nl=False)
