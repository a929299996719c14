"""A scan uploaded in the browser is read by a real ``ideaflow worker`` (Redis, PostgreSQL):
reading → ready, with progress per page on the row and on the page, then the preview marks
the recognised text."""

from __future__ import annotations

import html
import io
import time

import pytest
from sqlalchemy import select

from tests.importer import documents, scans
from tests.web.conftest import Web
from tests.worker.stack import Stack, wait_until
from web import create_app
from workflow.models.meetings import PendingImport

pytestmark = pytest.mark.e2e


def test_an_uploaded_scan_is_read_by_the_worker_page_by_page(stack: Stack) -> None:
    owner = stack.user("owner", "ole@randers.dk", "Ole Berg")
    stack.start_worker()
    # The web app on the same database and broker, as a test client (plain http, test cookies).
    settings = stack.settings().with_overrides(env="test", base_url="http://ideaflow.test")
    app = create_app(settings)
    try:
        web = Web(app.test_client())
        web.login(owner)
        lines = documents.as_plain_text().splitlines()
        pdf = scans.scanned_pdf(lines, points=11, spacing=3.0)  # two pages
        response = web.post(
            "/imports/new",
            {"file": (io.BytesIO(pdf), "underskrevet-referat.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        path = response.headers["Location"]
        token = path.rsplit("/", 1)[1]

        seen: set[tuple[str, int, int]] = set()
        pages_seen: set[str] = set()

        def ready() -> bool:
            with stack.uow() as uow:
                row = uow.session.scalars(
                    select(PendingImport).where(PendingImport.token == token)
                ).one()
                seen.add((row.status, row.progress_done, row.progress_total))
                status = row.status
            page = web.get(path, headers={"Accept-Language": "da"})
            text = page.get_data(as_text=True)
            if "Refresh" in page.headers:
                assert "<progress" in text
                pages_seen.update(part for part in ("Læser side 1 af 2", "Læser side 2 af 2")
                                  if part in text)  # fmt: skip
            assert status != "failed", text
            time.sleep(0.2)
            return status == "ready"

        wait_until(ready, "the worker reading the scan", timeout=240)
        assert ("reading", 1, 2) in seen  # progress after the first page, in its own commit
        assert ("ready", 2, 2) in seen
        assert "Læser side 1 af 2" in pages_seen

        page = html.unescape(web.text(path))
        expected = documents.Expected()
        assert page.count("Read from a scan") == len(expected.ideas)
        assert "Check each idea against the paper before confirming." in page
        assert "Fartvisningstavler ved indkørslen til byen" in page
        assert "ideaflow.read_pending_import" in stack.log("worker")
        assert "'ready'" in stack.log("worker")  # the task's outcome as Celery logs it
    finally:
        app.extensions["ideaflow.database"].dispose()
