"""``POST /api/v1/imports``: multipart upload of minutes."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from tests.api.conftest import Api
from tests.importer import documents
from workflow.permissions import Actor

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def upload(api: Api, actor: Actor, content: bytes, name: str, **form: str):  # type: ignore[no-untyped-def]
    return api.post(
        "/imports",
        actor,
        data={"file": (io.BytesIO(content), name), **form},
        content_type="multipart/form-data",
    )


def test_import_then_reimport(api: Api, make_user: Callable[..., Actor]) -> None:
    owner = make_user("owner")
    created = upload(api, owner, SAMPLE.read_bytes(), SAMPLE.name)
    assert created.status_code == 201
    body = created.get_json()
    assert body["created"] is True and len(body["themes"]) == 9 and len(body["ideas"]) == 21
    assert body["meeting"]["date"] == "2025-06-12"
    assert body["ideas"][0] == {
        "id": body["ideas"][0]["id"],
        "title": "Sociale partnerskaber",
        "text": body["ideas"][0]["text"],
        "section": "Idéer og muligheder fra borddeltagerne",
        "exercise": "Opsamling på øvelse 2 (dialog ved bordene)",
        "position": 1,
        "state": "proposed",
        "notes": [],
        "ocr_confidence": None,
    }
    again = upload(api, owner, SAMPLE.read_bytes(), "copy.txt")
    assert again.status_code == 200
    assert again.get_json()["created"] is False
    assert again.get_json()["meeting"]["id"] == body["meeting"]["id"]
    idea = api.get(f"/ideas/{body['ideas'][0]['id']}", owner).get_json()
    assert idea["meeting"]["title"] == "Opsamling på interessentmøde (12.06.25)"


def test_dry_run_pdf_and_word(api: Api, make_user: Callable[..., Actor]) -> None:
    manager = make_user("manager")
    preview = upload(api, manager, documents.as_pdf(), "trafik.pdf", dry_run="true")
    assert preview.status_code == 200
    assert preview.get_json()["dry_run"] is True
    assert preview.get_json()["meeting"]["id"] is None
    assert api.get("/ideas", manager).get_json()["total"] == 0
    word = upload(api, manager, documents.as_docx(), "trafik.docx")
    assert word.status_code == 201
    assert [p["name"] for p in word.get_json()["participants"]] == [
        "Anne Sørensen",
        "Jens Ærø",
        "Sofie Østergaard",
    ]


def test_bad_files_are_422_with_the_reason(api: Api, make_user: Callable[..., Actor]) -> None:
    owner = make_user("owner")
    cases = {
        # A scan is read in the background, which the API does not offer: the browser does.
        "scan.pdf": (documents.scanned_pdf(), "The PDF is a scan: upload it in the browser"),
        "empty.txt": (b"", "empty"),
        "prose.txt": (b"Vi talte om mange ting.\nDet var godt.\n", "No ideas were found"),
        "noise.docx": (b"PK\x03\x04 not really a zip", "Word"),
    }
    for name, (content, reason) in cases.items():
        response = upload(api, owner, content, name)
        assert response.status_code == 422, name
        error = response.get_json()["error"]
        assert error["code"] == "invalid_minutes" and reason in error["message"], error


def test_missing_file_viewer_and_anonymous(api: Api, make_user: Callable[..., Actor]) -> None:
    viewer, owner = make_user("viewer"), make_user("owner")
    assert upload(api, viewer, SAMPLE.read_bytes(), SAMPLE.name).status_code == 403
    missing = api.post("/imports", owner, data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["error"]["fields"]
    assert api.post("/imports", None, data={}).status_code == 401


def test_the_original_minutes_can_be_downloaded(api: Api, make_user: Callable[..., Actor]) -> None:
    owner, viewer, manager = make_user("owner"), make_user("viewer"), make_user("manager")
    word = documents.as_docx()
    meeting_id = upload(api, owner, word, "Trafikmøde marts.docx").get_json()["meeting"]["id"]
    for other in (owner, viewer):  # the minutes list participants' addresses
        assert api.get(f"/meetings/{meeting_id}/document", other).status_code == 403
    response = api.get(f"/meetings/{meeting_id}/document", manager)
    assert response.status_code == 200
    assert response.data == word
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Trafikm%C3%B8de%20marts.docx" in response.headers["Content-Disposition"]
    assert api.get("/meetings/999/document", manager).status_code == 404
    assert api.get(f"/meetings/{10**20}/document", manager).status_code == 404


def test_a_windows_1252_text_file_is_served_back_with_its_charset(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    content = documents.as_plain_text().encode("cp1252")
    meeting_id = upload(api, owner, content, "trafik.txt").get_json()["meeting"]["id"]
    response = api.get(f"/meetings/{meeting_id}/document", make_user("manager"))
    assert response.data == content
    assert response.headers["Content-Type"] == "text/plain; charset=windows-1252"


def test_a_control_character_in_the_file_name_is_harmless(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    response = upload(api, owner, SAMPLE.read_bytes(), "referat\x01 juni.txt")
    assert response.status_code == 201
    assert response.get_json()["file"] == "referat juni.txt"


def test_minutes_without_ideas_are_refused_with_what_was_not_understood(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    """Never a silent zero: the import and its dry run both answer 422 and list the text."""
    owner = make_user("owner")
    prose = "Styregruppemøde\n\nVi talte om trafikken ved skolen.\n\nMødet sluttede kl. 16.\n"
    for dry_run in ("false", "true"):
        response = upload(api, owner, prose.encode(), "prosa.txt", dry_run=dry_run)
        assert response.status_code == 422, dry_run
        error = response.get_json()["error"]
        assert error["message"].startswith("No ideas were found in the minutes")
        assert error["unrecognised"] == [
            "Vi talte om trafikken ved skolen.",
            "Mødet sluttede kl. 16.",
        ]


def test_at_most_five_similar_ideas_per_imported_idea(
    api: Api, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    bullet = "• Cykelsti langs Gudenåen fra Langå til Randers\n"
    for meeting in range(7):
        minutes = f"Møde {meeting}\n\nIdéer\n{bullet}".encode()
        assert upload(api, manager, minutes, f"{meeting}.txt").status_code == 201
    body = upload(api, manager, f"Møde igen\n\nIdéer\n{bullet}".encode(), "igen.txt").get_json()
    scores = [pair["score"] for pair in body["similar"]]
    assert len(scores) == 5
    assert scores == sorted(scores, reverse=True)
    assert {pair["idea_id"] for pair in body["similar"]} == {body["ideas"][0]["id"]}
