"""Pages for stakeholders without an account, reached by signed links in emails.

``/unsubscribe/<token>``: GET shows what a click would do and changes nothing; POST (the page's
button, or a mail provider's RFC 8058 one-click ``List-Unsubscribe=One-Click``) takes the
contact off the list, needs no sign-in and no CSRF token (the signed token is the proof), and
answers 200 with one small transaction. ``/status/<token>``: an idea's public, read-only status.
``/reports/<token>``: a sent meeting report exactly as it went out (printable as a handout).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, make_response, render_template, request, url_for
from flask_babel import force_locale

from web.database import settings, unit_of_work
from workflow.errors import NotFound
from workflow.i18n import DEFAULT_LANGUAGE, LANGUAGES
from workflow.notifications.tokens import read_status_token, status_token
from workflow.reports.render import report_context
from workflow.reports.words import Words
from workflow.services import contacts, meeting_reports
from workflow.services.public_status import public_status

bp = Blueprint("public", __name__)
TOKEN_MAX = 200  # longer than any genuine token


def _page(template: str, language: str | None, code: int = 200, **context: Any) -> Response:
    """Render in ``language`` (None: the browser's), never indexed, never sending the link on."""
    if language in LANGUAGES:
        with force_locale(language):
            body = render_template(template, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, code)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"  # the address holds the token
    return response


def _invalid() -> Response:
    return _page("public/invalid.html", None, 404)


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response:
    """Ask to confirm; reading the link changes nothing (mail scanners follow links). A link
    from an email about one idea (``?idea=``) also offers to stop only that idea's emails."""
    idea_id = _idea_id(request.args.get("idea"))
    with unit_of_work() as uow:
        target = contacts.unsubscribe_target(uow, settings().secret_key, token)
        title = contacts.idea_title(uow, idea_id) if idea_id is not None else None
    if target is None:
        return _invalid()
    return _page("public/unsubscribe.html", target.language, target=target, token=token,
                 idea_id=idea_id, idea_title=title)  # fmt: skip


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str) -> Response:
    """Unsubscribe (idempotent): the one-click POST and the page's button both land here; the
    page's other button (``only=<idea id>``) stops one idea's emails."""
    only = _idea_id(request.form.get("only"))
    with unit_of_work() as uow:
        if only is not None:
            stopped = contacts.stop_idea(uow, settings().secret_key, token, only)
            if stopped is None:
                return _invalid()
            for_contact, title = stopped
            return _page("public/unsubscribed.html", for_contact.language, target=for_contact,
                         idea_title=title)  # fmt: skip
        target = contacts.unsubscribe(uow, settings().secret_key, token)
    if target is None:
        return _invalid()
    return _page("public/unsubscribed.html", target.language, target=target, idea_title=None)


def _idea_id(raw: str | None) -> int | None:
    """An idea id as a link or form gives it (digits only), else None."""
    return int(raw) if raw and raw.isascii() and raw.isdecimal() and len(raw) <= 10 else None


@bp.get("/status/<token>")
def status_page(token: str) -> Response:
    """An idea's public status: Danish unless ``?lang=en``; nothing internal."""
    secret = settings().secret_key
    idea_id = read_status_token(secret, token) if len(token) <= TOKEN_MAX else None
    if idea_id is None:
        return _invalid()
    try:
        with unit_of_work() as uow:
            status = public_status(uow, idea_id)
    except NotFound:
        return _invalid()
    language = request.args.get("lang")
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    merged_url = (
        url_for(
            "public.status_page",
            token=status_token(secret, status.merged_into_id),
            lang=None if language == DEFAULT_LANGUAGE else language,
        )
        if status.merged_into_id
        else None
    )
    return _page(
        "public/status.html",
        language,
        idea=status,
        token=token,
        merged_url=merged_url,
        other_language="en" if language == "da" else "da",
    )


@bp.get("/reports/<token>")
def report_page(token: str) -> Response:
    """A sent meeting report as it went out: Danish unless ``?lang=en``; nothing internal."""
    with unit_of_work() as uow:
        published = meeting_reports.public_report(uow, settings().secret_key, token)
    if published is None:
        return _invalid()
    language = request.args.get("lang")
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return _page(
        "public/report.html",
        language,
        report=report_context(published.report, Words(language)),
        token=token,
        other_language="en" if language == "da" else "da",
    )
