"""Mail administration: the .eml outbox (without SMTP), every notification's status, and the
addresses the mail server refused for good."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from web.auth import current_actor, requires_role
from web.database import relay_kick, settings, unit_of_work
from workflow.errors import NotFound, ValidationFailed
from workflow.models import NOTIFICATION_STATUSES
from workflow.notifications.outbox_files import list_files, outbox_folder, read_file
from workflow.paging import whole_number
from workflow.permissions import Role
from workflow.services import contacts, notification_log
from workflow.services import outbox as failing_outbox

bp = Blueprint("mail", __name__)
OUTBOX_PER_PAGE = 50
EMAIL_SHOWN = 320  # the longest address there is
NOTIFICATIONS_PER_PAGE = 50
# The HTML part of a message is shown in a sandboxed frame: no scripts, no plugins, no forms,
# no requests anywhere (images only inline), and only this site may frame it.
MAIL_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox"
)


def _folder() -> Path:
    return outbox_folder(settings().instance_path)


def _page_number() -> int:
    """The outbox page asked for; a page number that is no page number is no page (404)."""
    errors: dict[str, str] = {}
    page = whole_number(request.args.get("page", "1"), "page", errors)
    if page is None:
        abort(404)
    return page


@bp.get("/admin/mail")
@requires_role(Role.ADMIN)
def outbox() -> str:
    """The messages written to instance/outbox/ (no SMTP server configured), newest first."""
    page = list_files(_folder(), _page_number(), OUTBOX_PER_PAGE)
    return render_template("mail/outbox.html", page=page, smtp=bool(settings().smtp_url))


@bp.get("/admin/mail/<name>")
@requires_role(Role.ADMIN)
def message(name: str) -> str:
    """One written message: its headers, its text part, and its HTML part kept at arm's length."""
    mail = read_file(_folder(), name)
    if mail is None:
        abort(404)
    return render_template("mail/message.html", mail=mail)


@bp.get("/admin/mail/<name>/html")
@requires_role(Role.ADMIN)
def message_html(name: str) -> Response:
    """The message's HTML part on its own, for the sandboxed frame on the message page."""
    mail = read_file(_folder(), name)
    if mail is None or mail.html is None:
        abort(404)
    response = make_response(mail.html)
    response.mimetype = "text/html"
    response.headers["Content-Security-Policy"] = MAIL_HTML_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/admin/notifications")
@requires_role(Role.ADMIN, Role.MANAGER)
def notifications() -> str | tuple[str, int]:
    """Every notification's status, tries and last error, filterable; suppressed addresses."""
    actor = current_actor()
    filters = {
        name: request.args.get(name, "").strip()
        for name in notification_log.FILTERS
        if request.args.get(name, "").strip()
    }
    errors: dict[str, str] = {}
    with unit_of_work() as uow:
        try:
            page = notification_log.list_notifications(
                uow, actor, filters, request.args.get("page", 1), NOTIFICATIONS_PER_PAGE
            )
        except ValidationFailed as error:
            errors = error.fields
            page = notification_log.list_notifications(uow, actor, {}, 1, NOTIFICATIONS_PER_PAGE)
        counts = notification_log.status_counts(uow, actor)
        kinds = notification_log.kinds(uow)
        suppressed = contacts.suppressions(uow, actor)
        failing = failing_outbox.failing_events(uow, actor)
    page_html = render_template(
        "mail/notifications.html",
        page=page,
        filters=filters,
        errors=errors,
        statuses=NOTIFICATION_STATUSES,
        counts=counts,
        kinds=kinds,
        suppressed=suppressed,
        failing=failing,
        may_clear=actor.role == Role.ADMIN,
    )
    return (page_html, 422) if errors else page_html


@bp.post("/admin/suppressions/clear")
@requires_role(Role.ADMIN)
def clear_suppression() -> BaseResponse:
    """Let mail go to a refused address again (after the recipient fixed their mailbox)."""
    email = request.form.get("email", "")
    try:
        with unit_of_work() as uow:
            contacts.clear_suppression(uow, current_actor(), email)
    except NotFound:
        # The message travels in the session cookie: never more of the input than an address.
        shown = email if len(email) <= EMAIL_SHOWN else email[:EMAIL_SHOWN] + "…"
        flash(_("%(email)s was not suppressed.", email=shown), "error")
    else:
        flash(_("Mail to %(email)s is sent again.", email=email), "success")
    return redirect(url_for("mail.notifications", _anchor="suppressed"))


@bp.post("/admin/outbox/retry")
@requires_role(Role.ADMIN)
def retry_failing_events() -> BaseResponse:
    """Try every event that failed to become email again now (after fixing the cause)."""
    with unit_of_work() as uow:
        count = failing_outbox.retry_now(uow, current_actor())
    relay_kick()()
    flash(_("%(count)s events are tried again now.", count=count), "success")
    return redirect(url_for("mail.notifications", _anchor="failing"))


@bp.post("/admin/outbox/<int:outbox_id>/retry")
@requires_role(Role.ADMIN)
def retry_failing_event(outbox_id: int) -> BaseResponse:
    """Try one event that failed to become email again now."""
    try:
        with unit_of_work() as uow:
            failing_outbox.retry_now(uow, current_actor(), outbox_id)
    except NotFound:
        flash(_("Event %(id)s is not waiting after a failure.", id=outbox_id), "error")
    else:
        relay_kick()()
        flash(_("Event %(id)s is tried again now.", id=outbox_id), "success")
    return redirect(url_for("mail.notifications", _anchor="failing"))


@bp.post("/admin/notifications/resend")
@requires_role(Role.ADMIN)
def resend_failed() -> BaseResponse:
    """Send failed emails again (one with ``id``, or all): after an outage outlasted the tries."""
    raw = request.form.get("id", "")
    one = int(raw) if raw.isascii() and raw.isdecimal() and len(raw) <= 9 else None
    try:
        with unit_of_work() as uow:
            ids = failing_outbox.resend_failed(uow, current_actor(), one)
    except NotFound:
        flash(_("That email has not failed."), "error")
    else:
        relay_kick().queue_deliveries(ids)
        flash(_("%(count)s failed emails are sent again.", count=len(ids)), "success")
    return redirect(url_for("mail.notifications", status="failed"))
