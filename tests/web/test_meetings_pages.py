"""The meeting pages: the list with outcomes, one meeting, and its minutes for download."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from tests.importer import documents
from tests.web.conftest import Web
from workflow.models import Meeting
from workflow.permissions import Actor
from workflow.services import ideas, imports, transitions
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
ASSESSMENT = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}
STATE_ORDER = ("proposed", "assessed", "piloted", "scaled", "rejected", "parked", "merged")


def import_file(uow: UowFactory, content: bytes, name: str) -> int:
    with uow() as unit:
        meeting_id = imports.import_minutes(unit, None, name, content).meeting["id"]
    assert isinstance(meeting_id, int)
    return meeting_id


def idea_ids(uow: UowFactory, meeting_id: int) -> list[int]:
    with uow() as unit:
        return [idea.id for idea in unit.ideas.of_meeting(meeting_id)]


def list_row_counts(page: str, meeting_id: int) -> dict[str, int]:
    """The total and per-state numbers in the list's row for one meeting."""
    row = re.search(
        rf'<tr>\s*<th scope="row"[^>]*><a href="/meetings/{meeting_id}".*?</tr>', page, re.S
    )
    assert row, f"no row for meeting {meeting_id}"
    numbers = [
        int(n) for n in re.findall(r'<td class="number[^"]*">(?:<strong>)?(\d+)', row.group(0))
    ]
    return dict(zip(("total", *STATE_ORDER), numbers, strict=True))


def detail_counts(page: str) -> dict[str, int]:
    found = re.findall(r'outcome__count">(\d+)</span> <span class="badge badge--(\w+)"', page)
    return {state: int(count) for count, state in found}


def test_every_role_sees_the_meetings(make_user: Callable[..., Actor], web: Web) -> None:
    assert web.get("/meetings").status_code == 302  # signed out: sign in first
    for role in ("viewer", "owner", "manager", "admin"):
        web.login(make_user(role))
        page = web.text("/meetings")
        assert "No meetings yet" in page
        assert ('href="/imports/new"' in page) is (role != "viewer")
        web.client.post("/logout", data={"csrf_token": web.csrf_token()})


def test_the_outcome_counts_after_transitions(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    manager = make_user("manager")
    sample = import_file(uow, SAMPLE.read_bytes(), "sample.txt")
    traffic = import_file(uow, documents.as_docx(), "trafik.docx")
    first, second, third, fourth = idea_ids(uow, sample)[:4]
    with uow() as unit:
        transitions.fire_trigger(unit, manager, first, "assess", data=ASSESSMENT)
    with uow() as unit:
        transitions.fire_trigger(unit, manager, first, "start_pilot", data={
            "starts_on": "2025-09-01", "ends_on": "2026-03-01", "success_criteria": "20 unge",
            "owner": manager.email,
        })  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, manager, second, "reject", reason="Findes allerede")
    with uow() as unit:
        transitions.fire_trigger(unit, manager, third, "park", reason="Efter valget",
                                 data={"revisit_on": "2099-01-01"})  # fmt: skip
    with uow() as unit:
        transitions.fire_trigger(unit, manager, fourth, "merge", data={"into": first})
    web.login(make_user("viewer"))
    page = web.text("/meetings")
    assert page.index(f'href="/meetings/{traffic}"') < page.index(f'href="/meetings/{sample}"')
    expected = {"total": 21, "proposed": 17, "assessed": 0, "piloted": 1, "scaled": 0,
                "rejected": 1, "parked": 1, "merged": 1}  # fmt: skip
    assert list_row_counts(page, sample) == expected
    assert list_row_counts(page, traffic) == {
        "total": 5,
        **{state: 5 if state == "proposed" else 0 for state in STATE_ORDER},
    }
    detail = web.text(f"/meetings/{sample}")
    assert detail_counts(detail) == {k: v for k, v in expected.items() if k != "total"}
    assert "21 ideas came from this meeting." in detail


def test_the_meeting_page(
    uow: UowFactory,
    make_user: Callable[..., Actor],
    web: Web,
    client_factory: Callable[[], Web],
) -> None:
    manager = make_user("manager", name="Mette Holm")
    meeting_id = import_file(uow, documents.as_docx(), "trafik.docx")
    first, second = idea_ids(uow, meeting_id)[:2]
    with uow() as unit:
        ideas.update_idea(unit, manager, first, {"owner": manager.email})
    with uow() as unit:
        ideas.update_idea(unit, manager, second, {"themes": [documents.THEMES[1]]})
    web.login(make_user("viewer"))
    page = html.unescape(web.text(f"/meetings/{meeting_id}"))
    assert f"<h1>{documents.TITLE}</h1>" in page
    for fact in ("3 Mar 2026", "Langå Kulturhus, Bredgade 2", "Bo Jensen", "Mette Holm"):
        assert fact in page
    assert f'href="/meetings/{meeting_id}/document"' not in page  # it lists their addresses
    # who took part is for managers and admins (as in the API); others see how many
    people = page[page.index('id="participants-heading"') :]
    assert f"{len(documents.PARTICIPANTS)} people took part." in people
    for name, _organisation, email in documents.PARTICIPANTS:
        assert name not in people
        assert email is None or email not in page
    as_manager = client_factory()
    as_manager.login(manager)
    people = html.unescape(as_manager.text(f"/meetings/{meeting_id}"))
    people = people[people.index('id="participants-heading"') :]
    for name, organisation, email in documents.PARTICIPANTS:
        assert name in people and organisation in people
        assert email is None or f'href="mailto:{email}"' in people
    for theme in documents.THEMES:
        assert theme in page
    # the themes list the ideas tagged with them
    themes_part = page[page.index('id="themes-heading"') :]
    assert f'href="/ideas/{second}"' in themes_part
    assert themes_part.count("No ideas are tagged with this theme yet.") == 2
    # ideas grouped by section, in the minutes' order, each with its state and owner
    ideas_part = page[page.index('id="ideas-heading"') : page.index('id="themes-heading"')]
    sections = [s for s, _ in documents.IDEA_SECTIONS]
    assert ideas_part.index(sections[0]) < ideas_part.index(sections[1])
    links = re.findall(r'href="/ideas/(\d+)"', ideas_part)
    assert [int(link) for link in links] == idea_ids(uow, meeting_id)
    assert ideas_part.count('class="badge badge--proposed"') == 5
    assert ideas_part.count("Mette Holm") == 1 and ideas_part.count("No owner") == 4


def test_unknown_meetings_are_404(make_user: Callable[..., Actor], web: Web) -> None:
    web.login(make_user("manager"))
    assert web.get("/meetings/4242").status_code == 404
    assert web.get("/meetings/4242/document").status_code == 404
    assert web.get("/meetings?page=0").status_code == 404
    assert web.get("/meetings?page=abc").status_code == 404


def test_the_list_is_paged(uow: UowFactory, make_user: Callable[..., Actor], web: Web) -> None:
    with uow() as unit:
        for number in range(27):
            unit.meetings.add(Meeting(title=f"Møde nummer {number:02d}"))
        unit.commit()
    web.login(make_user("viewer"))
    first = web.text("/meetings")
    assert "27 meetings" in first and "Page 1 of 2" in first
    assert first.count('<th scope="row"') == 25 and "Møde nummer 26" in first
    second = web.text("/meetings?page=2")
    assert second.count('<th scope="row"') == 2 and "Møde nummer 00" in second
    assert "There are no meetings on this page." in web.text("/meetings?page=3")


def test_the_minutes_download_is_the_exact_file_for_managers_only(
    uow: UowFactory, make_user: Callable[..., Actor], web: Web
) -> None:
    for content, name, media_type in (
        (documents.as_docx(), "trafik møde.docx", documents_docx_type()),
        (SAMPLE.read_bytes(), SAMPLE.name, "text/plain; charset=utf-8"),
    ):
        meeting_id = import_file(uow, content, name)
        assert web.get(f"/meetings/{meeting_id}/document").status_code == 302  # signed out
        for role in ("viewer", "owner"):  # the minutes list participants' addresses
            web.login(make_user(role))
            assert web.get(f"/meetings/{meeting_id}/document").status_code == 403
            assert "Download the original minutes" not in web.text(f"/meetings/{meeting_id}")
            web.client.post("/logout", data={"csrf_token": web.csrf_token()})
        web.login(make_user("manager"))
        assert "Download the original minutes" in web.text(f"/meetings/{meeting_id}")
        response = web.get(f"/meetings/{meeting_id}/document")
        assert response.status_code == 200
        assert response.data == content
        assert response.headers["Content-Type"] == media_type
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response.headers["Cache-Control"]
        web.client.post("/logout", data={"csrf_token": web.csrf_token()})


def documents_docx_type() -> str:
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
