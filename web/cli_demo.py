"""``ideaflow demo``: load the demo into an empty database and print who can sign in."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from web.database import unit_of_work
from workflow.services import demo


@click.command("demo")
@click.argument("minutes", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--if-empty", is_flag=True, help="Do nothing (and say so) unless the database is empty."
)
@with_appcontext
def demo_command(minutes: Path, if_empty: bool) -> None:
    """Load a demo from MINUTES: users (passwords printed once), owners, ideas in later states
    and stakeholders with example.org addresses."""
    with unit_of_work() as uow:
        if not demo.is_empty(uow):
            if if_empty:
                click.echo("The database is not empty; no demo loaded.", err=True)
                return
            raise click.ClickException("The demo goes into an empty database only.")
        loaded = demo.load_demo(uow, minutes.name, minutes.read_bytes())
    click.echo(f"Demo loaded: {loaded.ideas} ideas from {minutes.name}, with owners, a few in "
               "later states, and stakeholders at example.org (their mail is not sent anywhere "
               "real).")  # fmt: skip
    click.echo("Sign in as one of these once the server runs (the passwords are shown only now):")
    for person in loaded.people:
        click.echo(f"  {person.role:<8} {person.email:<22} {person.password}   ({person.name})")
