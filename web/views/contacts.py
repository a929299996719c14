"""Stakeholder contacts for administrators: find one, export their data, erase them (GDPR)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from web.auth import current_actor, requires_role
from web.database import settings, unit_of_work
from workflow.notifications.outbox_files import outbox_folder, remove_messages_to
from workflow.permissions import Role
from workflow.services import contact_data

bp = Blueprint("contacts", __name__)


@bp.get("/admin/contacts")
@requires_role(Role.ADMIN)
def contact_list() -> str:
    """Search contacts by name, email or organisation."""
    text = request.args.get("q", "").strip()
    with unit_of_work() as uow:
        found = contact_data.find_contacts(uow, current_actor(), text)
    return render_template(
        "mail/contacts.html", contacts=found, q=text, limit=contact_data.SEARCH_LIMIT
    )


@bp.get("/admin/contacts/<int:contact_id>/export")
@requires_role(Role.ADMIN)
def export(contact_id: int) -> Response:
    """Everything kept about the contact, as a JSON download."""
    with unit_of_work() as uow:
        data = contact_data.export_contact(uow, current_actor(), contact_id)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="kontakt-{contact_id}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/admin/contacts/<int:contact_id>/erase")
@requires_role(Role.ADMIN)
def confirm_erase(contact_id: int) -> str:
    """Say what erasing will do, and ask to confirm."""
    with unit_of_work() as uow:
        contact = contact_data.get_contact(uow, current_actor(), contact_id)
    return render_template("mail/erase.html", contact=contact)


@bp.post("/admin/contacts/<int:contact_id>/erase")
@requires_role(Role.ADMIN)
def erase(contact_id: int) -> BaseResponse:
    """Anonymise the contact (history stays), and delete written .eml copies to them."""
    with unit_of_work() as uow:
        erasure = contact_data.erase_contact(uow, current_actor(), contact_id)
    if erasure.already_erased:
        flash(_("The contact was already erased."), "info")
    else:
        if erasure.former_email:
            remove_messages_to(outbox_folder(settings().instance_path), erasure.former_email)
        flash(_("The contact is erased: name and email address are removed everywhere."),
              "success")  # fmt: skip
        if erasure.kept_minutes:
            flash(
                _("The original minutes of these meetings are kept as uploaded and may still "
                  "name the contact: %(meetings)s", meetings=_titles(erasure.kept_minutes)),
                "info",
            )  # fmt: skip
    return redirect(url_for("contacts.contact_list"))


KEPT_MINUTES_SHOWN = 5  # flashed messages travel in the session cookie, which must stay small


def _titles(titles: list[str]) -> str:
    shown = ", ".join(titles[:KEPT_MINUTES_SHOWN])
    return shown + (", …" if len(titles) > KEPT_MINUTES_SHOWN else "")
