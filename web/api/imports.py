"""``POST /imports``: upload minutes (multipart), get the import result; download them again."""

from __future__ import annotations

import io

from flask import Response, jsonify, request, send_file

from web.api import bp
from web.api.auth import current_actor
from web.api.document import Answer, documented, error
from web.database import unit_of_work
from workflow.contracts.imports import DRY_RUN_VALUES, ImportResult, MinutesUpload
from workflow.errors import Forbidden, ValidationFailed
from workflow.gates import N_
from workflow.importer.bounded import read_bounded
from workflow.importer.errors import MinutesRejected
from workflow.importer.readers import ScanFound
from workflow.permissions import may_import
from workflow.services import meetings
from workflow.services.imports import import_minutes, refuse_empty_preview

INVALID_UPLOAD = (
    "`invalid_minutes`: not minutes we can read (the message says why); `validation_failed`: "
    "no file, or a `dry_run` that is not one of the listed values."
)
SCAN_IN_BROWSER = N_(
    "The PDF is a scan: upload it in the browser, where its text is recognised in the "
    "background, or import it with the ideaflow import-minutes command."
)


@bp.post("/imports")
@documented(
    "post",
    "/imports",
    "importMinutes",
    "Import meeting minutes (.txt, .docx, .odt or .pdf); managers and owners.",
    {
        "201": Answer("A meeting was created from the minutes.", ImportResult),
        "200": Answer("Imported before (created false), or a dry run.", ImportResult),
        "413": error("The upload is too large."),
        "422": error(INVALID_UPLOAD),
    },
    body=MinutesUpload,
    body_media_type="multipart/form-data",
)
def create_import() -> tuple[Response, int]:
    """Import the uploaded minutes; 201 when a meeting was created, 200 when found or a dry run."""
    if not may_import(current_actor()):  # 403 before anything about the upload is looked at
        raise Forbidden("Viewers cannot import minutes.")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed({"file": "Attach the minutes as the multipart field 'file'."})
    dry_run = DRY_RUN_VALUES.get(request.form.get("dry_run", "false"))
    if dry_run is None:
        raise ValidationFailed({"dry_run": "Must be true, false, 1 or 0."})
    content = upload.read()
    upload.close()  # a large upload waits in a temporary file
    try:  # in a child process with limits, before any transaction is opened
        parsed = read_bounded(upload.filename, content)
    except ScanFound:
        raise MinutesRejected(SCAN_IN_BROWSER) from None
    with unit_of_work() as uow:
        result = import_minutes(
            uow, current_actor(), upload.filename, content, dry_run=dry_run, parsed=parsed
        )
    refuse_empty_preview(result)  # a preview of nothing is refused as the import would be
    return jsonify(ImportResult.of(result).dump()), 201 if result.created else 200


@bp.get("/meetings/<int:meeting_id>/document")
@documented(
    "get",
    "/meetings/{meeting_id}/document",
    "meetingDocument",
    "Download the minutes a meeting was imported from, as uploaded.",
    {
        "200": Answer(
            "The original file (Content-Disposition: attachment).",
            content={"*/*": {"schema": {"type": "string", "format": "binary"}}},
        ),
        "404": error("No such meeting, or no stored minutes."),
    },
)
def meeting_document(meeting_id: int) -> Response:
    """Download the minutes a meeting was imported from, byte for byte."""
    with unit_of_work() as uow:
        document = meetings.meeting_document(uow, current_actor(), meeting_id)
    response = send_file(
        io.BytesIO(document.content), as_attachment=True, download_name=document.filename
    )
    response.headers["Content-Type"] = document.media_type  # with the file's own charset
    return response
