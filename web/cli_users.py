"""``ideaflow users`` and ``ideaflow tokens``: people who sign in, and API tokens."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from web.cli_errors import reports_errors
from web.database import unit_of_work
from workflow.permissions import ROLES
from workflow.security import MIN_PASSWORD_LENGTH
from workflow.services import provider_sign_in, users
from workflow.text import counted

users_group = AppGroup("users", help="People who sign in or use the API.")
tokens_group = AppGroup("tokens", help="API tokens (shown once, stored hashed).")


@users_group.command("create")
@click.option("--email", required=True, help="Email address (the login).")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in ROLES]),
    help="What the user may do.",
)
@click.option(
    "--password",
    help=f"Password, at least {MIN_PASSWORD_LENGTH} characters; asked for (hidden) when left out.",
)
@reports_errors
def users_create(email: str, name: str, role: str, password: str | None) -> None:
    """Create a user."""
    if password is None and not sys.stdin.isatty():
        # No terminal to ask on: the password may come on standard input (its first line).
        password = sys.stdin.readline().rstrip("\r\n") or None
        if password is None:
            raise click.UsageError(
                "No terminal to ask for the password on: give it with --password, or on "
                f"standard input (at least {MIN_PASSWORD_LENGTH} characters)."
            )
    if password is None:
        password = click.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    with unit_of_work() as uow:
        user = users.create_user(uow, email=email, name=name, role=role, password=password)
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@users_group.command("list")
def users_list() -> None:
    """List every user."""
    with unit_of_work() as uow:
        for user in users.list_users(uow):
            status = "active" if user.active else "deactivated"
            click.echo(f"{user.id:>5}  {user.email:<40} {user.role:<8} {status}  {user.name}")


@users_group.command("deactivate")
@click.argument("email")
@reports_errors
def users_deactivate(email: str) -> None:
    """Deactivate a user: no sign-in, no API access."""
    with unit_of_work() as uow:
        user = users.set_active(uow, email, False)
    click.echo(f"Deactivated {user.email}.")


@users_group.command("activate")
@click.argument("email")
@reports_errors
def users_activate(email: str) -> None:
    """Activate a deactivated user again."""
    with unit_of_work() as uow:
        user = users.set_active(uow, email, True)
    click.echo(f"Activated {user.email}.")


@users_group.command("sync")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=60,
    show_default=True,
    help="Deactivate those not signed in through the identity provider for this many days.",
)
def users_sync(days: int) -> None:
    """Deactivate identity-provider users who have not signed in for --days days.

    People who left lose access at their next sign-in anyway (their groups no longer give a
    role); this closes the accounts of those who never come back. Run it daily (cron). Users
    with local passwords only are left alone; a deactivated user who signs in again with a
    group that gives a role is reopened.
    """
    with unit_of_work() as uow:
        closed = provider_sign_in.deactivate_unseen(uow, days)
    for email in closed:
        click.echo(f"Deactivated {email}.")
    click.echo(f"{counted(len(closed), 'user')} deactivated (not seen for {days} days).")


@tokens_group.command("create")
@click.option("--email", required=True, help="Whose token it is.")
@click.option("--name", default="", help="A label, e.g. what uses the token.")
@reports_errors
def tokens_create(email: str, name: str) -> None:
    """Create an API token; the token is the last line of output and is never shown again."""
    with unit_of_work() as uow:
        issued = users.issue_token(uow, email, name)
    click.echo(f"Token {issued.token.id} for {issued.token.email}. Store it now; it is shown once:")
    click.echo(issued.secret)


@tokens_group.command("revoke")
@click.option("--id", "token_id", type=int, help="The token's id (see 'tokens list').")
@click.option("--token", "secret", help="The token itself.")
@reports_errors
def tokens_revoke(token_id: int | None, secret: str | None) -> None:
    """Revoke a token, named by --id or --token."""
    if (token_id is None) == (secret is None):
        raise click.UsageError("Give exactly one of --id and --token.")
    with unit_of_work() as uow:
        token = users.revoke_token(uow, token_id=token_id, secret=secret)
    click.echo(f"Revoked token {token.id} ({token.prefix}…) of {token.email}.")


@tokens_group.command("list")
@click.option("--email", required=True, help="Whose tokens to list.")
@reports_errors
def tokens_list(email: str) -> None:
    """List a user's tokens (never their secrets)."""
    with unit_of_work() as uow:
        tokens = users.list_tokens(uow, email)
    for token in tokens:
        status = "revoked" if token.revoked_at else "active"
        used = token.last_used_at.isoformat() if token.last_used_at else "never used"
        click.echo(f"{token.id:>5}  {token.prefix}…  {status:<8} {used}  {token.name}")
