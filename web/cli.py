"""The ``ideaflow`` command: database, users, tokens, ideas and the production server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ParamSpec, TypeVar

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup

from web import create_app
from web.cli_contacts import contacts_group
from web.cli_demo import demo_command
from web.cli_errors import reports_errors
from web.cli_followups import digests_group, followups_group
from web.cli_imports import import_minutes_command
from web.cli_notifications import notifications_group
from web.cli_outbox import outbox_group
from web.cli_reports import reports_group
from web.cli_users import tokens_group, users_group
from web.cli_worker import beat_command, worker_command
from web.database import settings, unit_of_work
from workflow import migrate
from workflow.contracts.ideas import HistoryEntry, Idea, IdeaDetail
from workflow.errors import ConfigurationError
from workflow.logs import configure_logging
from workflow.permissions import Actor, Role
from workflow.services import ideas, listing, transitions, users
from workflow.settings import WILDCARD_HOSTS, Settings, base_url_for_server
from workflow.states import STATES, TRIGGER_NAMES
from workflow.views import IdeaView

CLI_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
P = ParamSpec("P")
R = TypeVar("R")


def _create_app() -> Flask:
    try:
        app_settings = Settings.from_env()  # the one place the command reads the environment
        configure_logging(app_settings.log_format, text_format=CLI_LOG_FORMAT)
        return create_app(app_settings)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None


class IdeaflowGroup(FlaskGroup):
    """Flask's group, but ``--help`` lists the commands without building the app (which needs
    the settings, e.g. a secret key, that a newcomer asking for help may not have yet)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The ideaflow commands (no app-provided ones exist)."""
        return sorted(self.commands)


cli = IdeaflowGroup(
    name="ideaflow",
    create_app=_create_app,
    add_default_commands=False,
    load_dotenv=False,
    help="ideaflow: track ideas from stakeholder meetings to pilot and scale-up.",
)
db_group = AppGroup("db", help="The database schema.")
ideas_group = AppGroup("ideas", help="Ideas and their transitions.")
# The app is always ours: hide FlaskGroup's --app/--env-file/--debug options.
cli.params = [param for param in cli.params if param.name not in {"app", "env_file", "debug"}]
for group in (db_group, users_group, tokens_group, ideas_group, contacts_group):
    cli.add_command(group)
cli.add_command(import_minutes_command)
cli.add_command(demo_command)
cli.add_command(followups_group)
cli.add_command(digests_group)
cli.add_command(reports_group)
cli.add_command(outbox_group)
cli.add_command(notifications_group)
cli.add_command(worker_command)
cli.add_command(beat_command)


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def db_upgrade(revision: str) -> None:
    """Migrate the database to the newest schema (or to --revision)."""
    migrate.upgrade(settings().database_url, revision)
    click.echo(f"Database at revision {revision}.")


@db_group.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one."""
    from web.database import database

    click.echo(f"current: {migrate.current_revision(database().engine) or 'none'}")
    click.echo(f"head:    {migrate.head_revision()}")


def _all_ideas(state: str | None, owner: str | None, text: str | None) -> Iterator[IdeaView]:
    with unit_of_work() as uow:
        actor = _system_actor()
        page = 1
        while True:
            result = listing.list_ideas(
                uow, actor, {"state": state, "owner": owner, "q": text}, page, listing.PER_PAGE_MAX
            )
            yield from result.items
            if page * result.per_page >= result.total:
                return
            page += 1


def _system_actor() -> Actor:
    # The CLI runs with server access; reading needs no particular user.
    return Actor(id=0, email="cli", name="ideaflow CLI", role=Role.ADMIN)


@ideas_group.command("list")
@click.option(
    "--state",
    type=click.Choice([state.value for state in STATES]),
    help="Only ideas in this state.",
)
@click.option("--owner", help="Only ideas owned by this email ('none': unowned).")
@click.option("-q", "text", help="Free-text search in title and description.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of ideas.")
@reports_errors
def ideas_list(state: str | None, owner: str | None, text: str | None, as_json: bool) -> None:
    """List ideas, newest first."""
    found = _all_ideas(state, owner, text)
    if as_json:
        click.echo(
            json.dumps([Idea.of(idea).dump() for idea in found], ensure_ascii=False, indent=2)
        )
        return
    for idea in found:
        owner_email = idea.owner or "-"
        click.echo(
            f"{idea.id:>6}  {idea.state:<9} v{idea.version:<3} {owner_email:<30} {idea.title}"
        )


@ideas_group.command("show")
@click.argument("idea_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the idea as JSON.")
@reports_errors
def ideas_show(idea_id: int, as_json: bool) -> None:
    """Show one idea with its records and history."""
    with unit_of_work() as uow:
        idea = ideas.get_idea(uow, _system_actor(), idea_id)
        history = transitions.idea_history(uow, _system_actor(), idea_id)
    if as_json:
        history_json = [HistoryEntry.of(entry).dump() for entry in history]
        body = {**IdeaDetail.of(idea).dump(), "history": history_json}
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    click.echo(f"#{idea.id} {idea.title}")
    click.echo(f"state: {idea.state} (version {idea.version}); owner: {idea.owner or '-'}")
    click.echo(f"next: {', '.join(idea.allowed_triggers) or '(none)'}")
    if idea.description:
        click.echo(f"\n{idea.description}\n")
    for entry in history:
        why = f": {entry.reason}" if entry.reason else ""
        click.echo(
            f"  {entry.at:%Y-%m-%d %H:%M} {entry.actor} {entry.trigger} "
            f"{entry.from_state} -> {entry.to_state}{why}"
        )


@ideas_group.command("create")
@click.option("--as", "as_email", required=True, help="Email of the user recording the idea.")
@click.option("--title", required=True)
@click.option("--description", default="")
@click.option("--theme", "themes", multiple=True, help="A theme (repeatable).")
@click.option("--owner", help="Owner's email (managers only).")
@reports_errors
def ideas_create(
    as_email: str, title: str, description: str, themes: tuple[str, ...], owner: str | None
) -> None:
    """Record a new idea."""
    fields: dict[str, Any] = {"title": title, "description": description, "themes": list(themes)}
    if owner:
        fields["owner"] = owner
    with unit_of_work() as uow:
        idea = ideas.create_idea(uow, users.find_actor(uow, as_email), fields)
    click.echo(f"Created idea {idea.id}: {idea.title}")


def _parse_data(pairs: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--data")
        try:
            data[name] = json.loads(raw)
        except json.JSONDecodeError:
            data[name] = raw
    return data


@ideas_group.command("fire")
@click.argument("idea_id", type=int)
@click.argument("trigger", type=click.Choice(TRIGGER_NAMES))
@click.option("--as", "as_email", required=True, help="Email of the user firing the trigger.")
@click.option("--reason", help="Why (required for reject, park and reopen).")
@click.option("--data", "pairs", multiple=True, help="Gate data as NAME=VALUE (JSON values ok).")
@click.option("--expected-version", type=int, help="Refuse if the idea changed since.")
@reports_errors
def ideas_fire(
    idea_id: int,
    trigger: str,
    as_email: str,
    reason: str | None,
    pairs: tuple[str, ...],
    expected_version: int | None,
) -> None:
    """Fire TRIGGER at an idea, e.g. `ideas fire 7 assess --as a@b.dk --data impact=4 ...`."""
    with unit_of_work() as uow:
        idea = transitions.fire_trigger(
            uow,
            users.find_actor(uow, as_email),
            idea_id,
            trigger,
            reason=reason,
            data=_parse_data(pairs),
            expected_version=expected_version,
        )
    click.echo(f"Idea {idea.id} is now {idea.state} (version {idea.version}).")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=int, help="Worker processes  [default: two per core, at most 8]")
@click.option("--threads", default=2, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the app with gunicorn (the production WSGI server).

    Without IDEAFLOW_REDIS_URL it also runs the worker and the scheduler (the embedded mode).
    """
    from web.server import default_workers, run_gunicorn

    app_settings = settings()
    if not migrate.is_up_to_date(app_settings.database_url):
        raise click.ClickException("The database schema is not current: run 'ideaflow db upgrade'.")
    # Links in emails must reach this server: without IDEAFLOW_BASE_URL, its served address.
    base_url = base_url_for_server(app_settings, host, port)
    if "base_url" not in app_settings.model_fields_set and host in WILDCARD_HOSTS:
        click.echo(
            f"Links in emails point to {base_url}: set IDEAFLOW_BASE_URL to the address "
            "people reach this server at.",
            err=True,
        )
    with unit_of_work() as uow:
        if not users.list_users(uow):
            click.echo(
                "No users yet. Create the first administrator, then sign in at "
                f"{base_url}/login:\n"
                "  ideaflow users create --email you@example.dk --name 'Your Name' --role admin "
                "--password 'at least 10 characters'",
                err=True,
            )
    embedded = app_settings.redis_url is None
    click.echo(f"Serving ideaflow on http://{host}:{port} (links in emails: {base_url})", err=True)
    if embedded:
        click.echo("No IDEAFLOW_REDIS_URL: running the worker and scheduler here too.", err=True)
    run_gunicorn(
        host=host,
        port=port,
        workers=workers or default_workers(),
        threads=threads,
        embedded_worker=embedded,
        log_format=app_settings.log_format,
    )
