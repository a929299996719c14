"""A meeting's follow-up reports for managers: the plan, the preview and sending one by hand.

Everybody signed in sees the plan and the sent reports on the meeting's page (``meetings``);
these pages change the plan, show the report the participants would get now, and send it.
"""

from __future__ import annotations

import re

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
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from web.auth import current_actor
from web.database import relay_kick, settings, unit_of_work
from web.forms import whole_number
from web.views.mail import MAIL_HTML_CSP
from web.views.meetings import detail_page
from workflow.clock import utcnow
from workflow.errors import ValidationFailed
from workflow.gates import N_
from workflow.i18n import DEFAULT_LANGUAGE, LANGUAGES
from workflow.notifications.compose import Rendered
from workflow.notifications.links import Links
from workflow.permissions import may_manage_reports
from workflow.reports.schedule import MONTHS_MAX, MONTHS_MIN
from workflow.services import meeting_reports

bp = Blueprint("meeting_reports", __name__)
MONTHS_FIELD = "report-months"
MONTHS_TEXT_MAX = 200
_SEPARATORS = re.compile(r"[\s,;]+")
NOT_WHOLE_NUMBERS = N_("Must be a list of whole numbers of months.")


def _links() -> Links:
    app_settings = settings()
    return Links(app_settings.base_url, app_settings.secret_key)


def _language() -> str:
    language = request.args.get("lang")
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _months(text: str) -> list[int]:
    """The months as typed ("1, 3, 6"); a wrong value is named in the message (the service
    checks again, for the API)."""
    if len(text) > MONTHS_TEXT_MAX:
        raise ValidationFailed({"months": NOT_WHOLE_NUMBERS})
    months: list[int] = []
    for part in (part for part in _SEPARATORS.split(text.strip()) if part):
        if not (part.isascii() and part.isdecimal() and len(part) <= 3):
            why = _("“%(value)s” is not a whole number of months. Write the months as numbers, "
                    "e.g. 1, 3, 6.", value=part[:20])  # fmt: skip
        elif not MONTHS_MIN <= int(part) <= MONTHS_MAX:
            why = _("“%(value)s”: each report is 1 to 36 months after the meeting.", value=part)
        elif int(part) in months:
            why = _("“%(value)s” is there twice: each number of months may appear only once.",
                    value=part)  # fmt: skip
        else:
            months.append(int(part))
            continue
        raise ValidationFailed({"months": why})
    return months


def _back(meeting_id: int) -> BaseResponse:
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting_id, _anchor="reports"))


@bp.post("/meetings/<int:meeting_id>/report/plan")
def set_plan(meeting_id: int) -> BaseResponse | tuple[str, int]:
    """Change when the meeting's reports go out (managers); an empty field means no reports."""
    actor = current_actor()
    if not may_manage_reports(actor):
        abort(403)
    text = request.form.get("months", "")
    try:
        with unit_of_work() as uow:
            plan = meeting_reports.set_report_plan(uow, actor, meeting_id, _months(text))
    except ValidationFailed as error:
        errors = {f"report-{key}": message for key, message in error.fields.items()}
        return detail_page(meeting_id, {"report-months": text}, errors), 422
    if plan.months:
        flash(_("The report plan is saved."), "success")
    else:
        flash(_("The report plan is saved: no reports are sent for this meeting."), "success")
    return _back(meeting_id)


def _preview(meeting_id: int, language: str) -> Rendered:
    with unit_of_work() as uow:
        return meeting_reports.preview_report(
            uow, current_actor(), meeting_id, language, links=_links(), now=utcnow()
        )


@bp.get("/meetings/<int:meeting_id>/report/preview")
def preview(meeting_id: int) -> str:
    """The report the participants would get now: its text and its HTML (Danish; ?lang=en)."""
    actor = current_actor()
    language = _language()
    with unit_of_work() as uow:
        report = meeting_reports.current_report(uow, actor, meeting_id, now=utcnow())
        plan = meeting_reports.report_plan(uow, actor, meeting_id)
        sent = meeting_reports.sent_reports(uow, actor, meeting_id)
    return render_template(
        "meetings/report_preview.html",
        meeting_id=meeting_id,
        report=report,
        rendered=meeting_reports.render_report(report, language, _links()),
        plan=plan,
        language=language,
        latest=sent[0].id if sent else 0,
    )


@bp.get("/meetings/<int:meeting_id>/report/preview/html")
def preview_html(meeting_id: int) -> Response:
    """The preview's HTML part on its own, for the sealed frame on the preview page."""
    rendered = _preview(meeting_id, _language())
    response = make_response(rendered.html)
    response.mimetype = "text/html"
    response.headers["Content-Security-Policy"] = MAIL_HTML_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/meetings/<int:meeting_id>/report/send")
def send_now(meeting_id: int) -> BaseResponse:
    """Send the report now (managers) and hand its emails to the workers.

    The form carries the newest sent report its preview knew of: when another report went out
    since (a second click, or another manager), nothing is sent again.
    """
    actor = current_actor()
    if not may_manage_reports(actor):
        abort(403)
    seen = whole_number(request.form.get("after", ""))
    with unit_of_work() as uow:
        sent = meeting_reports.sent_reports(uow, actor, meeting_id)  # 404 if unknown
        if seen != (sent[0].id if sent else 0):
            flash(_("A report was sent meanwhile; nothing more was sent."), "info")
            return _back(meeting_id)
        report = meeting_reports.send_report_now(uow, actor, meeting_id, _links(), now=utcnow())
    if report.notification_ids:
        relay_kick().queue_deliveries(report.notification_ids)
    if report.recipients:
        message = ngettext(
            "The report is sent to %(num)d participant.",
            "The report is sent to %(num)d participants.",
            report.recipients,
        )
    else:
        message = _("The report is published, but no participant can receive it by email yet.")
    flash(message, "success")
    return _back(meeting_id)
