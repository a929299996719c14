"""Scanned minutes uploaded in the browser: read in the background with progress, previewed with
their recognition marked; a preview kept from the upload; a pathological upload refused quickly."""

from __future__ import annotations

import html
import io
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.importer import scans
from tests.importer.test_bounded import many_bullets
from tests.web.conftest import Web
from tests.web.test_import_pages import SAMPLE, everything, pending_count, preview_path, upload
from workflow import tuning
from workflow.importer import document as document_module
from workflow.importer.bounded import TOO_SLOW
from workflow.importer.readers.scan import NO_OCR
from workflow.models import Meeting
from workflow.models.meetings import PendingImport
from workflow.permissions import Actor
from workflow.services import pending_reading
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SCAN_LINES = [
    "Referat af møde i Ældrerådet, 4. februar 2026",
    "",
    "Forslag fra grupperne",
    "• Flere bænke langs åen ved Østervang",
    "• Gratis kaffe på biblioteket om søndagen",
    "",
    "Deltagere",
    "Søren Ærenlund, Ældrerådet",
]
DANISH = {"Accept-Language": "da"}


def pending_row(uow: UowFactory, path: str) -> PendingImport:
    token = path.rsplit("/", 1)[1]
    with uow() as unit:
        row = unit.session.scalars(select(PendingImport).where(PendingImport.token == token)).one()
        unit.session.expunge(row)
        return row


def test_a_scan_is_read_in_the_background_then_previewed_with_its_recognition_marked(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("owner"))
    path = preview_path(upload(web, scans.scanned_pdf(SCAN_LINES), "scanning.pdf"))
    row = pending_row(uow, path)
    assert (row.status, row.progress_done, row.progress_total, row.parsed) == (
        "reading",
        0,
        1,
        None,
    )

    reading = web.get(path, headers=DANISH)
    assert reading.status_code == 200 and reading.headers["Refresh"] == "2"
    page = reading.get_data(as_text=True)
    assert "Læser side 1 af 1 …" in page
    assert (
        '<progress id="reading-progress" aria-labelledby="reading-status" max="1" value="0">'
        in page
    )
    assert 'role="status"' in page and 'name="idea"' not in page

    assert pending_reading.read_pending(uow, row.id) == "ready"
    assert pending_reading.read_pending(uow, row.id) == "skipped"  # a repeated task does nothing
    done = pending_row(uow, path)
    assert (done.status, done.progress_done, done.progress_total) == ("ready", 1, 1)

    previewed = web.get(path)
    assert "Refresh" not in previewed.headers
    page = html.unescape(previewed.get_data(as_text=True))
    assert page.count("Read from a scan") == 2 and page.count('name="idea" value=') == 2
    assert re.search(r"\d{2,3}% sure", page)
    notice = re.search(r"text recognition is (\d+)% sure of the text on average", page)
    assert notice and 50 <= int(notice.group(1)) <= 100
    assert "Check each idea against the paper before confirming." in page
    danish = html.unescape(web.get(path, headers=DANISH).get_data(as_text=True))
    assert danish.count("Læst fra scanning") == 2

    confirmed = web.post(path, everything(0, 2, 1))
    assert confirmed.status_code == 303
    with uow() as unit:
        meeting = unit.session.scalars(select(Meeting)).one()
        titles = [idea.title.casefold() for idea in unit.ideas.of_meeting(meeting.id)]
    assert any("bænke" in title for title in titles) and any("kaffe" in title for title in titles)
    assert pending_count(uow) == 0


def test_a_failed_reading_says_why_and_can_be_tried_again(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:  # fmt: skip
    web.login(make_user("manager"))
    path = preview_path(upload(web, scans.scanned_pdf(SCAN_LINES), "scanning.pdf"))
    row = pending_row(uow, path)
    missing = tuning.Tuning(tesseract=str(tmp_path / "not-installed"))  # IDEAFLOW_TESSERACT
    monkeypatch.setattr(tuning, "current", lambda: missing)
    assert pending_reading.read_pending(uow, row.id) == "failed"
    failed = web.get(path)
    assert failed.status_code == 200 and "Refresh" not in failed.headers
    page = html.unescape(failed.get_data(as_text=True))
    assert NO_OCR in page and "Try reading them again" in page and "Discard the upload" in page
    assert "tesseract-ocr-dan" in html.unescape(
        web.get(path, headers=DANISH).get_data(as_text=True)
    )
    assert web.post(path, everything(0, 1)).status_code == 404  # nothing to confirm yet

    again = web.post(f"{path}/again")
    assert again.status_code == 303 and again.headers["Location"] == path
    assert pending_row(uow, path).status == "reading"
    monkeypatch.setattr(tuning, "current", lambda: tuning.Tuning())
    assert pending_reading.read_pending(uow, row.id) == "ready"
    assert "Read from a scan" in web.text(path)
    assert web.post(f"{path}/again").status_code == 303  # nothing failed: nothing to do
    assert pending_row(uow, path).status == "ready"


def test_a_reading_whose_worker_died_is_taken_up_again(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("owner"))
    path = preview_path(upload(web, scans.scanned_pdf(SCAN_LINES), "scanning.pdf"))
    row = pending_row(uow, path)
    with uow() as unit:
        assert pending_reading.claim_reading(unit, row.id)
        assert not pending_reading.claim_reading(unit, row.id)  # held by the first reader
        assert pending_reading.stale_readings(unit) == []
    later = pending_row(uow, path).updated_at + pending_reading.STALE_AFTER * 2  # type: ignore[operator]
    with uow() as unit:
        assert pending_reading.stale_readings(unit, later) == [row.id]  # the sweep re-queues it
        assert pending_reading.claim_reading(unit, row.id, later)


def test_the_preview_is_read_at_upload_and_kept(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    web.login(make_user("owner"))
    path = preview_path(upload(web, SAMPLE.read_bytes(), SAMPLE.name))
    assert pending_row(uow, path).parsed is not None

    def no_reading(*_: object, **__: object) -> None:
        raise AssertionError("the document was read again")

    monkeypatch.setattr(document_module, "read_document", no_reading)
    token = path.rsplit("/", 1)[1]
    with uow() as unit:  # what is stored can no longer be read: only the kept preview can help
        unit.session.execute(
            update(PendingImport).where(PendingImport.token == token).values(content=b"\0")
        )
        unit.commit()
    for _ in range(3):
        page = html.unescape(web.text(path))
        assert "9 themes" in page and "21 ideas" in page
    assert web.post(path, everything(9, 21)).status_code == 303
    with uow() as unit:
        meeting = unit.session.scalars(select(Meeting)).one()
        assert len(unit.ideas.of_meeting(meeting.id)) == 21


def test_a_pathological_upload_is_refused_quickly_while_the_app_answers(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web, client_factory: Callable[[], Web],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(tuning, "current", lambda: tuning.Tuning(read_seconds=2))
    web.login(make_user("owner"))
    content = many_bullets(300_000)
    answers: list[tuple[int, str]] = []

    # Encoded here, in memory: the test client would spool a large form to a file it leaves open.
    boundary, body = encode_multipart(
        MultiDict(
            {"csrf_token": web.csrf_token(), "file": FileStorage(io.BytesIO(content), "lang.txt")}
        )
    )

    def send() -> None:
        response = web.client.post(
            "/imports/new", data=body, headers={"Accept-Language": "en"},
            content_type=f"multipart/form-data; boundary={boundary}",
        )  # fmt: skip
        answers.append((response.status_code, html.unescape(response.get_data(as_text=True))))

    started = time.monotonic()
    uploading = threading.Thread(target=send)
    uploading.start()
    other = client_factory()
    slowest = 0.0
    while uploading.is_alive():
        asked = time.monotonic()
        assert other.get("/healthz").status_code == 200
        slowest = max(slowest, time.monotonic() - asked)
        time.sleep(0.1)
    uploading.join()
    elapsed = time.monotonic() - started
    ((status, page),) = answers
    assert status == 422 and TOO_SLOW in page
    assert elapsed < 20, f"refused after {elapsed:.1f} s"  # seconds, not minutes
    assert slowest < 5, f"the app took {slowest:.1f} s to answer meanwhile"
    assert pending_count(uow) == 0
