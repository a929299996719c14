"""``POST /api/v1/imports`` reads under the reader's limits and leaves scans to the browser."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.api.conftest import Api
from tests.importer import scans
from tests.importer.test_bounded import many_bullets
from tests.integration.test_import_service import row_counts
from workflow import tuning
from workflow.importer.bounded import TOO_SLOW
from workflow.permissions import Actor
from workflow.uow import UnitOfWork


def posted(api: Api, actor: Actor, content: bytes, name: str):  # type: ignore[no-untyped-def]
    # Encoded in memory: the test client would spool a large form to a file it leaves open.
    boundary, body = encode_multipart(MultiDict({"file": FileStorage(io.BytesIO(content), name)}))
    return api.post(
        "/imports", actor, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_a_pathological_file_is_refused_when_its_time_is_up(
    api: Api, make_user: Callable[..., Actor], uow: Callable[[], UnitOfWork],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(tuning, "current", lambda: tuning.Tuning(read_seconds=1.5))
    owner = make_user("owner")
    before = row_counts(uow)
    started = time.monotonic()
    response = posted(api, owner, many_bullets(300_000), "lang.txt")
    assert time.monotonic() - started < 20  # seconds, not minutes
    assert response.status_code == 422
    assert response.get_json()["error"] == {"code": "invalid_minutes", "message": TOO_SLOW}
    after = row_counts(uow)
    after.pop("api_tokens"), before.pop("api_tokens")  # the bearer token made for the request
    assert after == before


def test_a_scan_is_sent_to_the_browser(api: Api, make_user: Callable[..., Actor]) -> None:
    pdf = scans.scanned_pdf(["Referat af mødet", "", "• Flere bænke ved åen"])
    response = posted(api, make_user("manager"), pdf, "scanning.pdf")
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert message.startswith("The PDF is a scan: upload it in the browser")
