"""Importing minutes in the browser: upload, preview, adjust, confirm.

The upload is read as a dry run and kept as a pending import; the preview lets the user leave
items out and switch items between theme and idea (plain form controls, no JavaScript needed);
confirming runs the same importer as the CLI and the API with that selection. A scan is read by
the worker: its page shows the progress (and reloads itself) until the preview is there.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from web.auth import current_actor, requires_role
from web.database import relay_kick, unit_of_work
from web.errors import error_page
from workflow import tuning
from workflow.errors import ValidationFailed
from workflow.gates import N_
from workflow.importer.errors import MinutesRejected
from workflow.permissions import Role
from workflow.services import pending_imports
from workflow.services.imports import ImportSelection
from workflow.services.pending_imports import PendingPreview

bp = Blueprint("imports", __name__)
IMPORTERS = (Role.ADMIN, Role.MANAGER, Role.OWNER)
NO_FILE = N_("Choose the file with the minutes.")
TOO_LARGE = N_("The file is larger than 20 MB, which is more than minutes need.")
# The importer's reasons (MinutesRejected.message), named here so that they are translated.
IMPORTER_REASONS = (
    N_(
        "No ideas were found in the minutes: write each idea as a bullet point, or upload "
        "the file in the browser and choose which of its lines are ideas."
    ),
    N_("The file is empty."),
    N_("The file is called %(name)s but is not a readable PDF or Word file."),
    N_(
        "Old Word files (.doc) cannot be read: save the minutes as .docx, .odt or PDF and upload "
        "that file."
    ),
    N_(
        "Rich Text files (.rtf) cannot be read: save the minutes as .docx, .odt or PDF and "
        "upload that file."
    ),
    N_("The file is not text, Word or PDF, so it cannot be read as minutes."),
    N_("The PDF is password-protected; save it without a password."),
    N_("The PDF is damaged or not a PDF, so it cannot be read."),
    N_(
        "The PDF has no text (it looks like a scan): export the minutes from Word, or run "
        "text recognition (OCR) first."
    ),
    N_("The file is not a readable Word (.docx) file."),
    N_("The file is not a readable OpenDocument text (.odt) file."),
    N_("The document unpacks to more than 50 MB, which is more than minutes need."),
    N_("The document has more than 20,000 paragraphs, which is more than minutes need."),
    N_("The document's tables have more than 5,000 rows, which is more than minutes need."),
    N_(
        "The document is made of more than 1,000,000 XML elements, which is more than minutes need."
    ),
    N_(
        "The file is an OpenDocument spreadsheet, presentation or drawing rather than text: save "
        "the minutes as .docx, .odt or PDF and upload that file."
    ),
    N_(
        "The file is an Excel or PowerPoint file rather than a Word file: save the minutes as "
        ".docx, .odt or PDF and upload that file."
    ),
    N_(
        "The file is a zip archive, not a Word (.docx) or OpenDocument text (.odt) file: save the "
        "minutes as .docx, .odt or PDF and upload that file."
    ),
    N_("The PDF has more than 300 pages, which is more than minutes need."),
    N_(
        "The PDF unpacks to far more data than minutes need (over 50 MB in one part or 100 MB "
        "in all)."
    ),
    N_("Reading the PDF took longer than 30 seconds, which minutes never need, so it was stopped."),
    N_("A page of the PDF holds far more text or drawing than minutes need."),
    N_(
        "The PDF is a scan and text recognition is not installed: install the Debian packages"
        " tesseract-ocr and tesseract-ocr-dan, or export the minutes from Word."
    ),
    N_("The scan has more than 100 pages, which is more than minutes need."),
    N_("Text recognition failed on the scan, so it cannot be read."),
    N_("Text recognition found no text in the scan, so it cannot be read."),
    N_(
        "The file took too long to read, so it was refused: minutes that long should be split"
        " into several files."
    ),
    N_(
        "The file needs too much memory to read, so it was refused: minutes that large should"
        " be split into several files."
    ),
    N_("The file could not be read: the reader stopped on it."),
    N_("The scan could not be read because of a fault on the server; try again."),
    N_(
        "The PDF is a scan: upload it in the browser, where its text is recognised in the "
        "background, or import it with the ideaflow import-minutes command."
    ),
)
READING_REFRESH_S = 2
_INDEX = re.compile(r"^[0-9]{1,6}$")
_SWITCH = re.compile(r"^(theme|idea)-([0-9]{1,6})-as$")
_PICK = re.compile(r"^unrecognised-([0-9]{1,6})-as$")


@bp.route("/imports/new", methods=["GET", "POST"])
@requires_role(*IMPORTERS)
def new_import() -> str | Response | tuple[str, int]:
    """The upload form; a good upload is kept for its preview, nothing is imported yet."""
    if request.method == "GET":
        return render_template("imports/new.html", errors={})
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_form(NO_FILE, 422)
    content = upload.read()
    upload.close()  # a large upload waits in a temporary file
    try:
        with unit_of_work() as uow:
            preview = pending_imports.create_pending_import(
                uow, current_actor(), upload.filename, content
            )
    except MinutesRejected as error:
        return _upload_form(_(error.template, **error.params) if error.params else error.message,
                            422)  # fmt: skip
    if preview.pending_id is not None:  # a scan: the worker reads it
        relay_kick().queue_reading(preview.pending_id)
    if preview.token is None:  # imported before: say which meeting it is, store nothing
        return _preview_page(preview)
    return redirect(url_for("imports.preview_import", token=preview.token), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """An upload over the request limit: the form again, with the importer's reason."""
    if not current_user.is_authenticated or current_actor().role not in IMPORTERS:
        return error_page(413, None)
    return _upload_form(TOO_LARGE, 413)


@bp.get("/imports/<token>")
@requires_role(*IMPORTERS)
def preview_import(token: str) -> str | Response:
    """What the upload would import; tick and switch items, then confirm. While a scan is read:
    how far the reading is (the page reloads itself), or why it failed."""
    with unit_of_work() as uow:
        preview = pending_imports.preview_pending_import(uow, current_actor(), token)
    if preview.result is None:
        response = Response(render_template("imports/reading.html", preview=preview))
        if preview.status == "reading":
            response.headers["Refresh"] = str(READING_REFRESH_S)
        return response
    return _preview_page(preview)


@bp.post("/imports/<token>/again")
@requires_role(*IMPORTERS)
def read_again(token: str) -> Response:
    """Try reading a scan whose reading failed once more."""
    with unit_of_work() as uow:
        pending_id = pending_imports.read_pending_again(uow, current_actor(), token)
    if pending_id is not None:
        relay_kick().queue_reading(pending_id)
    return redirect(url_for("imports.preview_import", token=token), code=303)


@bp.post("/imports/<token>")
@requires_role(*IMPORTERS)
def confirm_import(token: str) -> Response | tuple[str, int]:
    """Import the upload with what the user kept; then show the meeting."""
    selection = selection_from_form(request.form)
    try:
        with unit_of_work() as uow:
            result = pending_imports.confirm_pending_import(uow, current_actor(), token, selection)
    except ValidationFailed as error:
        with unit_of_work() as uow:
            preview = pending_imports.preview_pending_import(uow, current_actor(), token)
        return _preview_page(preview, request.form, error.fields), 422
    meeting = result.meeting
    if result.created:
        flash(
            _("The minutes are imported: %(themes)s, %(ideas)s and %(people)s.",
              themes=_count("theme", len(result.themes)), ideas=_count("idea", len(result.ideas)),
              people=_count("participant", len(result.participants))),
            "success",
        )  # fmt: skip
    else:
        flash(_("These minutes had already been imported as this meeting."), "info")
    return redirect(url_for("meetings.meeting_detail", meeting_id=meeting["id"]), code=303)


@bp.post("/imports/<token>/discard")
@requires_role(*IMPORTERS)
def discard_import(token: str) -> Response:
    """Throw the upload away without importing anything."""
    with unit_of_work() as uow:
        pending_imports.discard_pending_import(uow, current_actor(), token)
    flash(_("The upload is discarded; nothing was imported."), "info")
    return redirect(url_for("imports.new_import"), code=303)


def selection_from_form(form: MultiDict[str, str]) -> ImportSelection:
    """The preview form as an import selection: ticked boxes are kept, selects switch kind."""

    def ticked(name: str) -> frozenset[int]:
        return frozenset(int(value) for value in form.getlist(name) if _INDEX.match(value))

    switched: dict[str, set[int]] = {"theme": set(), "idea": set()}
    picked: dict[str, set[int]] = {"theme": set(), "idea": set()}
    for key, value in form.items():
        match = _SWITCH.match(key)
        if match and value != match.group(1):  # "theme-3-as" = "idea": theme 3 becomes an idea
            switched[match.group(1)].add(int(match.group(2)))
        pick = _PICK.match(key)
        if pick and value in picked:  # "unrecognised-2-as" = "idea": that line becomes an idea
            picked[value].add(int(pick.group(1)))
    return ImportSelection(
        themes=ticked("theme"),
        ideas=ticked("idea"),
        participants=ticked("participant"),
        themes_as_ideas=frozenset(switched["theme"]),
        ideas_as_themes=frozenset(switched["idea"]),
        unrecognised_as_ideas=frozenset(picked["idea"]),
        unrecognised_as_themes=frozenset(picked["theme"]),
    )


def _count(kind: str, number: int) -> str:
    texts = {
        "theme": ngettext("%(num)d theme", "%(num)d themes", number),
        "idea": ngettext("%(num)d idea", "%(num)d ideas", number),
        "participant": ngettext("%(num)d participant", "%(num)d participants", number),
    }
    return str(texts[kind])


def _upload_form(reason: str, status: int) -> tuple[str, int]:
    return render_template("imports/new.html", errors={"file": reason}), status


def _preview_page(
    preview: PendingPreview,
    form: MultiDict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    """The preview with every item ticked and kept as it is, or as the user last sent it."""
    result = preview.result
    assert result is not None  # read: a scan still being read has its own page
    choices: dict[str, Any] = {
        "theme": [_choice(form, "theme", i) for i in range(len(result.themes))],
        "idea": [_choice(form, "idea", i) for i in range(len(result.ideas))],
        "participant": [_choice(form, "participant", i) for i in range(len(result.participants))],
        "unrecognised": [
            {"as": form.get(f"unrecognised-{i}-as", "") if form else ""}
            for i in range(len(result.unrecognised))
        ],
    }
    similar: dict[int, list[Any]] = {}
    for pair in result.similar:
        similar.setdefault(pair.idea_position - 1, []).append(pair)
    return render_template(
        "imports/preview.html",
        preview=preview,
        result=result,
        choices=choices,
        similar=similar,
        errors=errors or {},
        legal_basis=tuning.current().participant_legal_basis,
    )


def _choice(form: MultiDict[str, str] | None, kind: str, index: int) -> dict[str, Any]:
    if form is None:
        return {"kept": True, "as": kind}
    switch = form.get(f"{kind}-{index}-as", kind)
    return {"kept": str(index) in form.getlist(kind), "as": switch}
