"""``ideaflow contacts``: a stakeholder's data exported as JSON, or erased (GDPR)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from web.database import settings, unit_of_work
from workflow.errors import WorkflowError
from workflow.notifications.outbox_files import outbox_folder, remove_messages_to
from workflow.permissions import Actor, Role
from workflow.services import contact_data

contacts_group = AppGroup("contacts", help="Stakeholder contacts: export or erase their data.")


def _system_actor() -> Actor:
    # The CLI runs with server access, as an administrator.
    return Actor(id=0, email="cli", name="ideaflow CLI", role=Role.ADMIN)


def _contact(email: str) -> contact_data.ContactSummary:
    try:
        with unit_of_work() as uow:
            return contact_data.contact_by_email(uow, _system_actor(), email)
    except WorkflowError as error:
        raise click.ClickException(error.message) from None


@contacts_group.command("export")
@click.argument("email")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file (readable only by you) instead of printing it.",
)
def contacts_export(email: str, output: Path | None) -> None:
    """Print everything kept about the contact with EMAIL as JSON."""
    contact = _contact(email)
    with unit_of_work() as uow:
        data = contact_data.export_contact(uow, _system_actor(), contact.id)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    click.echo(f"Wrote the data of contact {contact.id} to {output}.", err=True)


@contacts_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Erase without asking first.")
def contacts_erase(email: str, yes: bool) -> None:
    """Anonymise the contact with EMAIL everywhere (the history of ideas stays)."""
    contact = _contact(email)
    if not yes:
        click.confirm(
            f"Erase {contact.name} <{contact.email}> (contact {contact.id}) for good?", abort=True
        )
    with unit_of_work() as uow:
        erasure = contact_data.erase_contact(uow, _system_actor(), contact.id)
    removed = remove_messages_to(outbox_folder(settings().instance_path), email)
    click.echo(
        f"Erased contact {erasure.contact_id}: name and email removed from the contact and "
        f"{erasure.notifications} notifications; {removed} .eml files deleted."
    )
    if erasure.kept_minutes:
        click.echo(
            "The original minutes of these meetings are kept as uploaded and may still name "
            f"the contact: {', '.join(erasure.kept_minutes)}"
        )
