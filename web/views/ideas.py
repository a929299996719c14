"""Idea pages: the filtered list and its CSV export, one idea, new and edit, comments, followers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from web.auth import current_actor
from web.database import reading, unit_of_work
from web.forms import expected_version, field_errors, idea_fields
from web.i18n import STATE_NAMES
from workflow import consent_sources
from workflow.clock import local_today
from workflow.errors import ValidationFailed, VersionConflict
from workflow.gates import MAX_ID, N_
from workflow.permissions import (
    may_assign_owner,
    may_comment,
    may_create_idea,
    may_edit_idea,
    may_fire,
)
from workflow.repositories import IDEA_ORDERS
from workflow.services import collaboration, edit_history, ideas, listing, transitions, users
from workflow.states import STATES, TRIGGERS_BY_NAME

bp = Blueprint("ideas", __name__)
FILTERS = ("state", "owner", "q", "theme", "meeting", "meeting_title", "overdue", "sort")
PER_PAGE = 25
SHOWN = 100  # history entries, comments and followers an idea's page lists (all are counted)
THEME_CHOICES = 100  # themes listed in the filter; more are reached from an idea's themes
FORM_THEMES = 40  # themes offered on an idea's form besides its meeting's and its own
OWNER_CHOICES = 100  # owners listed in the filter; more are reached from an idea's owner
FOLLOWER_FIELDS = ("name", "email", "organisation", "delivery")
FOLLOWER_LABELS = {
    "name": N_("Name"),
    "email": N_("Email address"),
    "organisation": N_("Organisation"),
    "delivery": N_("Emails about ideas"),
}
DELIVERY_NAMES = {"immediate": N_("at once"), "daily": N_("daily digest"),
                  "weekly": N_("weekly digest")}  # fmt: skip


def _filters() -> dict[str, str]:
    return {name: request.args.get(name, "") for name in FILTERS if request.args.get(name)}


@bp.get("/ideas")
def idea_list() -> str | tuple[str, int]:
    """All ideas, filtered, sorted and paged."""
    filters = _filters()
    errors: dict[str, str] = {}
    with reading() as uow:
        try:
            page = listing.list_ideas(
                uow,
                current_actor(),
                filters,
                request.args.get("page", 1),
                PER_PAGE,
                max_offset=listing.PAGED_IDEAS,
            )
        except ValidationFailed as error:
            errors = error.fields
            page = listing.list_ideas(uow, current_actor(), {}, 1, PER_PAGE)
        choices = _filter_choices(
            uow, filters.get("meeting"), filters.get("theme"), filters.get("owner")
        )
    return render_template(
        "ideas/list.html",
        page=page,
        filters=filters,
        filters_without_meeting={k: v for k, v in filters.items() if k != "meeting"},
        errors=errors,
        states=STATES,
        orders=list(IDEA_ORDERS),
        today=local_today(),
        **choices,
    ), 422 if errors else 200


def _theme_choices(uow: Any, theme: str | None) -> list[Any]:
    """The first THEME_CHOICES themes by name, and the chosen one if it is not among them (the
    themes grow with the data; any theme is filtered by its id, as the dashboard's links do)."""
    from sqlalchemy import select

    from workflow.models import Theme
    from workflow.paging import parse_whole

    rows = list(
        uow.session.execute(
            select(Theme.id, Theme.name).order_by(Theme.name, Theme.id).limit(THEME_CHOICES)
        ).all()
    )
    chosen = parse_whole(theme) if theme else None
    if chosen is not None and 1 <= chosen <= MAX_ID and all(row.id != chosen for row in rows):
        rows += uow.session.execute(select(Theme.id, Theme.name).where(Theme.id == chosen)).all()
    return rows


def _owner_choices(uow: Any, owner: str | None) -> list[Any]:
    """The first OWNER_CHOICES active owners and managers by name, and the chosen one if it is
    not among them (people grow with the data; an idea's owner links to their ideas)."""
    from sqlalchemy import select

    from workflow.models import User

    people = select(User.email, User.name).where(
        User.active.is_(True), User.role.in_(("owner", "manager"))
    )
    rows = list(
        uow.session.execute(people.order_by(User.name, User.email).limit(OWNER_CHOICES)).all()
    )
    chosen = (owner or "").strip().lower()
    if chosen not in ("", "me", "none") and all(row.email != chosen for row in rows):
        rows += uow.session.execute(people.where(User.email == chosen)).all()
    return rows


def _filter_choices(
    uow: Any, meeting: str | None, theme: str | None, owner: str | None = None
) -> dict[str, Any]:
    """The owners and themes to choose from, and the title of the meeting the URL names (the
    meetings themselves are too many to list: the filter searches their titles)."""
    from sqlalchemy import select

    from workflow.models import Meeting
    from workflow.paging import parse_whole

    meeting_id = parse_whole(meeting) if meeting else None
    return {
        "owners": _owner_choices(uow, owner),
        "themes": _theme_choices(uow, theme),
        "meeting_named": uow.session.scalar(select(Meeting.title).where(Meeting.id == meeting_id))
        if meeting_id is not None and 1 <= meeting_id <= MAX_ID
        else None,
    }


@bp.get("/ideas.csv")
def idea_csv() -> Response:
    """The filtered ideas as CSV: UTF-8 with BOM and semicolons, as Danish Excel expects."""
    filters = _filters()
    actor = current_actor()
    with unit_of_work() as uow:  # validate the filters before the download starts
        listing.list_ideas(uow, actor, filters, 1, 1)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [_("Id"), _("Title"), _("State"), _("Owner"), _("Themes"), _("Meeting"),
             _("Meeting date"), _("Follow-up"), _("In state since"), _("Description")]
        )  # fmt: skip
        yield "\ufeff" + buffer.getvalue()
        with unit_of_work() as uow:
            for idea in listing.export_ideas(uow, actor, filters):
                buffer.seek(0)
                buffer.truncate()
                meeting = idea.meeting or {}
                writer.writerow(
                    [idea.id, *map(spreadsheet_safe, (
                        idea.title, str(STATE_NAMES[idea.state]), idea.owner or "",
                        ", ".join(idea.themes), meeting.get("title", ""),
                     )), meeting.get("date") or "", idea.follow_up_on or "",
                     idea.state_changed_at.date().isoformat(), spreadsheet_safe(idea.description)]
                )  # fmt: skip
                yield buffer.getvalue()

    return Response(
        stream_with_context(rows()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="ideer.csv"',
            "Cache-Control": "no-store",
        },
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` that Excel or LibreOffice shows as text, never runs as a formula (OWASP: a
    cell starting with = + - @ tab or carriage return gets a leading apostrophe)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@bp.get("/ideas/<int:idea_id>")
def idea_detail(idea_id: int) -> str:
    """One idea: provenance, records, timeline, comments, followers and what can be done."""
    actor = current_actor()
    with reading() as uow:
        # NotFound (404) when there is none; ``stored`` also keeps the idea in the session
        # for the comments' and followers' look-ups.
        idea, stored = ideas.get_idea_as_stored(uow, actor, idea_id)
        owner_id = stored.owner_id
        context = {
            "idea": idea,
            "source": _source(stored),
            "timeline": _timeline(
                transitions.idea_history(uow, actor, idea_id, latest=SHOWN),
                edit_history.idea_edits(uow, actor, idea_id, latest=SHOWN),
            ),
            "comments": collaboration.comments(uow, actor, idea_id, latest=SHOWN),
            "followers": collaboration.followers(uow, actor, idea_id, first=SHOWN),
            "participants": collaboration.meeting_recipients(uow, actor, idea_id, first=SHOWN),
            "counts": collaboration.counts(uow, idea_id),
            "actions": [
                TRIGGERS_BY_NAME[name]
                for name in idea.allowed_triggers
                if may_fire(actor, owner_id, name)
            ],
            "may_edit": may_edit_idea(actor, owner_id),
            "may_comment": may_comment(actor),
            "today": local_today(),
            "triggers": TRIGGERS_BY_NAME,
            "follower_form": session.pop("follower_form", None) or {},
        }
    return render_template("ideas/detail.html", **context)


def _timeline(steps: list[Any], edits: list[Any]) -> list[tuple[str, Any]]:
    """Steps and edits in the order they happened, each marked with its kind."""
    marked = [("step", step) for step in steps] + [("edit", edit) for edit in edits]
    return sorted(marked, key=lambda item: item[1].at)


def _source(stored: Any) -> dict[str, Any]:
    return {
        "exercise": stored.source_exercise,
        "section": stored.source_section,
        "position": stored.source_position,
        "text": stored.source_text,
        "notes": [(column, value) for column, value in stored.source_notes or ()],
    }


@bp.route("/ideas/new", methods=["GET", "POST"])
def new_idea() -> str | BaseResponse | tuple[str, int]:
    """Record a new idea."""
    actor = current_actor()
    if not may_create_idea(actor):
        return render_template("errors/error.html", status=403, detail=None), 403
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = idea_fields(request.form, with_owner=may_assign_owner(actor))
        try:
            with unit_of_work() as uow:
                idea = ideas.create_idea(uow, actor, values)
        except ValidationFailed as error:
            errors = field_errors(error.fields)
        else:
            flash(_("The idea is recorded."), "success")
            return redirect(url_for("ideas.idea_detail", idea_id=idea.id))
    return _idea_form("new", values, errors, idea=None)


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
def edit_idea(idea_id: int) -> str | BaseResponse | tuple[str, int]:
    """Edit an idea (owners their own, managers any; only managers change the owner)."""
    actor = current_actor()
    errors: dict[str, str] = {}
    conflict = False
    values: dict[str, Any] | None = None
    if request.method == "POST":
        # The service checks who may edit, on the idea itself: a sent form is not read first.
        values = idea_fields(request.form, with_owner=may_assign_owner(actor))
        try:
            with unit_of_work() as uow:
                ideas.change_idea(uow, actor, idea_id, values, expected_version(request.form))
        except ValidationFailed as error:
            errors = field_errors(error.fields)
        except VersionConflict:
            conflict = True
        else:
            flash(_("The idea is saved."), "success")
            return redirect(url_for("ideas.idea_detail", idea_id=idea_id))
    with reading() as uow:
        idea = ideas.get_idea(uow, actor, idea_id)
        stored = uow.ideas.get(idea_id)
        if stored is None or not may_edit_idea(actor, stored.owner_id):
            return render_template("errors/error.html", status=403, detail=None), 403
    if values is None:
        values = {
            "title": idea.title,
            "description": idea.description,
            "themes": list(idea.themes),
            "owner": idea.owner,
            "follow_up_on": idea.follow_up_on.isoformat() if idea.follow_up_on else None,
        }
    return _idea_form("edit", values, errors, idea=idea, conflict=conflict)


def _idea_form(
    mode: str, values: dict[str, Any], errors: dict[str, str], idea: Any, conflict: bool = False
) -> str | tuple[str, int]:
    actor = current_actor()
    with reading() as uow:
        owners = [u for u in users.list_users(uow) if u.active and u.role in ("owner", "manager")]
        offered = ideas.theme_choices(uow, idea.id if idea is not None else None, FORM_THEMES)
    chosen = list(values.get("themes") or [])
    page = render_template(
        "ideas/form.html",
        theme_choices=list(dict.fromkeys([*offered, *chosen])),
        mode=mode,
        values=values,
        errors=errors,
        idea=idea,
        conflict=conflict,
        owners=owners,
        may_assign=may_assign_owner(actor),
    )
    return (page, 409) if conflict else (page, 422) if errors else page


@bp.post("/ideas/<int:idea_id>/comments")
def add_comment(idea_id: int) -> BaseResponse | tuple[str, int]:
    """Add an internal comment."""
    try:
        with unit_of_work() as uow:
            collaboration.add_comment(uow, current_actor(), idea_id, request.form.get("body", ""))
    except ValidationFailed:
        flash(_("Write a comment before you send it."), "error")
    else:
        flash(_("The comment is added."), "success")
    return redirect(url_for("ideas.idea_detail", idea_id=idea_id, _anchor="comments"))


@bp.post("/ideas/<int:idea_id>/followers")
def add_follower(idea_id: int) -> BaseResponse:
    """Let a stakeholder follow the idea."""
    typed = {name: request.form.get(name, "") for name in FOLLOWER_FIELDS}
    try:
        with unit_of_work() as uow:
            added = collaboration.add_follower(
                uow,
                current_actor(),
                idea_id,
                name=typed["name"],
                email=typed["email"],
                organisation=typed["organisation"],
                source=consent_sources.recorded("idea_page", current_actor().email),
                delivery=typed["delivery"] or None,
            )
    except ValidationFailed as error:
        session["follower_form"] = typed  # shown again, so nothing typed is lost
        for field, message in error.fields.items():
            label = _(FOLLOWER_LABELS.get(field, field))
            flash(_("The follower was not added: %(field)s: %(why)s", field=label, why=_(message)),
                  "error")  # fmt: skip
    else:
        if added.kept_delivery:
            chosen = _(DELIVERY_NAMES.get(added.delivery, added.delivery))
            flash(_("%(name)s follows the idea. They already had a choice of how often they get "
                    "emails (%(delivery)s); it is kept.", name=added.name, delivery=chosen),
                  "info")  # fmt: skip
        else:
            flash(_("The follower is added."), "success")
    return redirect(url_for("ideas.idea_detail", idea_id=idea_id, _anchor="followers"))


@bp.post("/ideas/<int:idea_id>/followers/<int:contact_id>/delete")
def remove_follower(idea_id: int, contact_id: int) -> BaseResponse:
    """Stop a stakeholder following the idea."""
    with unit_of_work() as uow:
        collaboration.remove_follower(uow, current_actor(), idea_id, contact_id)
    flash(_("The follower is removed."), "success")
    return redirect(url_for("ideas.idea_detail", idea_id=idea_id, _anchor="followers"))
