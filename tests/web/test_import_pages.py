"""Importing minutes in the browser: upload, preview, adjust, confirm."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from werkzeug.test import TestResponse

from tests.importer import documents
from tests.integration.test_import_service import row_counts
from tests.web.conftest import Web
from workflow.clock import utcnow
from workflow.importer.document import parse_document
from workflow.importer.parser import ParsedMinutes
from workflow.importer.titles import short_title
from workflow.models import Idea, Meeting, MeetingDocument
from workflow.models.meetings import PendingImport
from workflow.permissions import Actor
from workflow.services import imports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


@pytest.fixture
def client_web(app: Flask) -> Callable[[], Web]:
    """More browsers, each with its own cookies, on the same app."""
    return lambda: Web(app.test_client())


def upload(web: Web, content: bytes, name: str) -> TestResponse:
    return web.post(
        "/imports/new", {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def preview_path(response: TestResponse) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert re.fullmatch(r"/imports/[\w-]{40,64}", location), location
    return location


def everything(themes: int, ideas: int, participants: int = 0) -> dict[str, Any]:
    """The preview form as it arrives when the user changes nothing."""
    form: dict[str, Any] = {
        "theme": [str(i) for i in range(themes)],
        "idea": [str(i) for i in range(ideas)],
        "participant": [str(i) for i in range(participants)],
    }
    form |= {f"theme-{i}-as": "theme" for i in range(themes)}
    form |= {f"idea-{i}-as": "idea" for i in range(ideas)}
    return form


def pending_count(uow: UowFactory) -> int:
    with uow() as unit:
        return unit.session.scalar(select(func.count(PendingImport.id))) or 0


def test_viewers_cannot_import(make_user: Callable[..., Actor], web: Web) -> None:
    web.login(make_user("viewer"))
    assert web.get("/imports/new").status_code == 403
    assert upload(web, SAMPLE.read_bytes(), SAMPLE.name).status_code == 403
    assert web.get("/imports/whatever").status_code == 403
    assert 'href="/imports/new"' not in web.text("/meetings")


def test_the_upload_form(make_user: Callable[..., Actor], web: Web) -> None:
    for role in ("owner", "manager", "admin"):
        web.login(make_user(role))
        page = web.text("/imports/new")
        assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
        assert '<label for="file">' in page and 'name="csrf_token"' in page
        web.client.post("/logout", data={"csrf_token": web.csrf_token()})


def test_upload_untick_switch_confirm(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("owner"))
    before = row_counts(uow)
    path = preview_path(upload(web, SAMPLE.read_bytes(), SAMPLE.name))
    after_upload = row_counts(uow)
    assert after_upload == {**before, "pending_imports": 1}  # a dry run: nothing imported
    page = html.unescape(web.text(path))
    assert "Opsamling på interessentmøde (12.06.25)" in page and "12 Jun 2025" in page
    assert "THORLOUNGE, CEPHEUS PARK" in page and "ANNE ERLANDSEN" in page
    assert "9 themes" in page and "21 ideas" in page and "0 participants" in page
    assert page.count('name="theme" value=') == 9 and page.count('name="idea" value=') == 21
    assert page.count("checked") == 30  # everything is ticked to begin with
    assert "Idéer og muligheder fra borddeltagerne" in page  # each idea's section
    assert "Værdisættet skal italesættes" in page  # and its whole text
    minutes = sample_minutes()
    form = everything(9, 21)
    form["idea"].remove("4")  # leave idea 4 out
    form["theme-2-as"] = "idea"  # theme 2 becomes an idea
    confirmed = web.post(path, form)
    assert confirmed.status_code == 303
    with uow() as unit:
        meeting = unit.session.scalars(select(Meeting)).one()
        assert confirmed.headers["Location"] == f"/meetings/{meeting.id}"
        themes = [link.theme.name for link in meeting.theme_links]
        ideas = [
            (i.title, i.source_section, i.source_position)
            for i in unit.ideas.of_meeting(meeting.id)
        ]
    assert themes == [*minutes.themes[:2], *minutes.themes[3:]]
    expected = [(i.title, i.section, i.position) for n, i in enumerate(minutes.ideas) if n != 4]
    assert ideas == [*expected, (short_title(minutes.themes[2]), None, 22)]
    assert short_title(minutes.themes[2]).startswith("Manglende forældrekompetencer")
    assert pending_count(uow) == 0
    shown = web.text(confirmed.headers["Location"])
    assert "The minutes are imported: 8 themes, 21 ideas and 0 participants." in shown
    assert web.get(path).status_code == 404  # the upload no longer waits


def sample_minutes() -> ParsedMinutes:
    """The sample as the importer reads it."""
    return parse_document(SAMPLE.name, SAMPLE.read_bytes()).minutes


def test_participants_can_be_unticked(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("manager"))
    path = preview_path(upload(web, documents.as_docx(), "trafik.docx"))
    page = html.unescape(web.text(path))
    for name, organisation, email in documents.PARTICIPANTS:
        assert name in page and organisation in page and (email is None or email in page)
    form = everything(3, 5, 3)
    form["participant"] = ["0", "2"]
    meeting_page = web.post(path, form).headers["Location"]
    with uow() as unit:
        meeting = unit.session.scalars(select(Meeting)).one()
        assert [link.contact.name for link in meeting.participant_links] == [
            "Anne Sørensen", "Sofie Østergaard"
        ]  # fmt: skip
    assert "Jens Ærø" not in web.text(meeting_page)


def test_reuploading_an_imported_document(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    with uow() as unit:
        meeting_id = imports.import_minutes(unit, None, "a.txt", SAMPLE.read_bytes()).meeting["id"]
    web.login(make_user("owner"))
    before = row_counts(uow)
    response = upload(web, SAMPLE.read_bytes(), "copy.txt")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "already been imported" in page
    assert f'href="/meetings/{meeting_id}"' in page
    assert "Import the ticked items" not in page and 'name="theme"' not in page
    assert row_counts(uow) == before


def test_a_bad_file_shows_the_reason(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("owner"))
    before = row_counts(uow)
    for content, name, reason in (
        (b"%PDF-1.4\n% cut off\n", "brudt.pdf", "The PDF is damaged or not a PDF"),
        (b"", "tom.txt", "The file is empty."),
    ):  # fmt: skip
        response = upload(web, content, name)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        start = page.index('class="error-summary"')
        summary = page[start : page.index("</div>", start)]
        assert reason in summary and 'href="#file"' in summary
        assert 'aria-invalid="true"' in page
    missing = web.post("/imports/new", {}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert "Choose the file with the minutes." in missing.get_data(as_text=True)
    danish = web.client.post(
        "/imports/new",
        data={"file": (io.BytesIO(b"just text"), "referat.docx"), "csrf_token": web.csrf_token()},
        content_type="multipart/form-data",
        headers={"Accept-Language": "da"},
    )
    page = html.unescape(danish.get_data(as_text=True))
    assert "Filen hedder referat.docx, men er ikke en læsbar PDF- eller Word-fil." in page
    assert "The file is called" not in page
    assert row_counts(uow) == before


def test_an_upload_over_the_limit(app: Flask, make_user: Callable[..., Actor], web: Web) -> None:
    web.login(make_user("owner"))
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = upload(web, b"x" * 20_000, "stor.txt")
    assert response.status_code == 413
    assert "larger than 20 MB" in response.get_data(as_text=True)


def test_only_the_uploader_or_an_admin_sees_the_upload(
    uow: UowFactory, make_user: Callable[..., Actor], client_web: Callable[[], Web]
) -> None:
    uploader, other = client_web(), client_web()
    uploader.login(make_user("owner"))
    path = preview_path(upload(uploader, SAMPLE.read_bytes(), SAMPLE.name))
    other.login(make_user("owner"))
    assert other.get(path).status_code == 403
    assert other.post(path, everything(9, 21)).status_code == 403
    assert other.post(path + "/discard").status_code == 403
    admin = client_web()
    admin.login(make_user("admin"))
    assert admin.get(path).status_code == 200
    assert pending_count(uow) == 1
    with uow() as unit:
        assert unit.session.scalar(select(func.count(Meeting.id))) == 0


def test_discarding_and_expiry(uow: UowFactory, make_user: Callable[..., Actor], web: Web) -> None:
    web.login(make_user("owner"))
    path = preview_path(upload(web, SAMPLE.read_bytes(), SAMPLE.name))
    discarded = web.post(path + "/discard")
    assert discarded.status_code == 303 and pending_count(uow) == 0
    old = preview_path(upload(web, SAMPLE.read_bytes(), SAMPLE.name))
    with uow() as unit:
        unit.session.execute(update(PendingImport).values(created_at=utcnow() - timedelta(days=2)))
        unit.commit()
    assert web.get(old).status_code == 404
    preview_path(upload(web, documents.as_docx(), "trafik.docx"))
    with uow() as unit:
        assert list(unit.session.scalars(select(PendingImport.filename))) == ["trafik.docx"]


def test_keeping_nothing_is_refused(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("owner"))
    path = preview_path(upload(web, SAMPLE.read_bytes(), SAMPLE.name))
    form = everything(9, 21)
    form["theme"], form["idea"] = [], []
    form["idea-3-as"] = "theme"
    response = web.post(path, form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and "Keep at least one idea." in page
    assert page.count("checked") == 0  # the user's choices are shown again
    assert re.search(
        r'<option value="theme" selected>Theme</option>', page.split('id="idea-3-as"')[1]
    )
    with uow() as unit:
        assert unit.session.scalar(select(func.count(Meeting.id))) == 0
    assert pending_count(uow) == 1


def test_forms_without_a_csrf_token_are_refused(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    web.login(make_user("owner"))
    path = preview_path(upload(web, SAMPLE.read_bytes(), SAMPLE.name))
    bare = web.client.post(
        "/imports/new",
        data={"file": (io.BytesIO(documents.as_docx()), "trafik.docx")},
        content_type="multipart/form-data",
    )
    assert bare.status_code == 400
    assert web.client.post(path, data=everything(9, 21)).status_code == 400
    assert web.client.post(path + "/discard").status_code == 400
    assert pending_count(uow) == 1
    with uow() as unit:
        assert unit.session.scalar(select(func.count(MeetingDocument.meeting_id))) == 0


def test_similar_existing_ideas_are_linked(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    with uow() as unit:
        imports.import_minutes(unit, None, "a.txt", SAMPLE.read_bytes())
        run_id = unit.session.scalar(select(Idea.id).where(Idea.title.startswith("Opskaler")))
    follow_up = (
        "Opfølgningsmøde 01.09.2025\n\nIdéer\n"
        "• OPSKALÉR projektet RUN i Ungdomsskolen\n"
        "• Helt nyt: en natbus fra Langå\n"
    ).encode()
    web.login(make_user("owner"))
    page = web.text(preview_path(upload(web, follow_up, "opfoelgning.txt")))
    assert "Resembles an existing idea" in page
    assert f'href="/ideas/{run_id}"' in page


def test_at_most_five_similar_ideas_are_shown_per_idea(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    bullet = "• Cykelsti langs Gudenåen fra Langå til Randers\n"
    for meeting in range(7):
        with uow() as unit:
            minutes = f"Møde {meeting}\n\nIdéer\n{bullet}".encode()
            imports.import_minutes(unit, None, f"{meeting}.txt", minutes)
    web.login(make_user("owner"))
    page = web.text(preview_path(upload(web, f"Igen\n\nIdéer\n{bullet}".encode(), "igen.txt")))
    assert page.count("Resembles an existing idea") == 5


def test_minutes_without_ideas_let_the_user_choose_lines(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    """A file the importer finds no ideas in is not refused and not imported empty: the
    preview lists every line it did not understand, and the user makes lines ideas or themes."""
    web.login(make_user("manager"))
    prose = (
        "Referat af styregruppemødet\n\n"
        "Vi talte om trafikken ved skolen.\n\n"
        "Forslag om en cykelbus om morgenen.\n\n"
        "Ensomhed blandt ældre er et problem.\n"
    )
    path = preview_path(upload(web, prose.encode(), "prosa.txt"))
    page = web.text(path)
    assert 'id="no-ideas"' in page and "No ideas were found in these minutes" in page
    lines = re.findall(r'<p class="prose" id="unrecognised-(\d+)-text">([^<]*)</p>', page)
    texts = [html.unescape(text) for _, text in lines]
    assert texts == [
        "Vi talte om trafikken ved skolen.",
        "Forslag om en cykelbus om morgenen.",
        "Ensomhed blandt ældre er et problem.",
    ]
    # Confirming without choosing anything imports nothing and says why.
    refused = web.post(path, {"unrecognised-0-as": "", "unrecognised-1-as": ""})
    assert refused.status_code == 422
    assert "Keep at least one idea." in refused.get_data(as_text=True)
    assert pending_count(uow) == 1
    done = web.post(path, {"unrecognised-1-as": "idea", "unrecognised-2-as": "theme",
                           "unrecognised-0-as": "nonsense"})  # fmt: skip
    assert done.status_code == 303
    with uow() as unit:
        ideas = list(unit.session.scalars(select(Idea)))
        meeting = unit.session.scalars(select(Meeting)).one()
        assert [idea.description for idea in ideas] == ["Forslag om en cykelbus om morgenen."]
        assert [link.theme.name for link in meeting.theme_links] == [
            "Ensomhed blandt ældre er et problem."
        ]
        assert meeting.unrecognised == ["Vi talte om trafikken ved skolen."]
    assert pending_count(uow) == 0
    # What nobody imported stays readable on the meeting's page, for those who read minutes.
    shown = web.text(done.headers["Location"])
    assert 'id="unrecognised"' in shown and "Vi talte om trafikken ved skolen." in shown
