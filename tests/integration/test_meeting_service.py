"""Meetings and what became of their ideas, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.importer import documents
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.models import Meeting
from workflow.permissions import Actor
from workflow.services import ideas, imports, meetings, transitions
from workflow.states import STATES
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
ASSESSMENT = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning"}


def import_file(uow: UowFactory, actor: Actor | None, content: bytes, name: str) -> int:
    with uow() as unit:
        meeting_id = imports.import_minutes(unit, actor, name, content).meeting["id"]
    assert isinstance(meeting_id, int)
    return meeting_id


def idea_ids(uow: UowFactory, meeting_id: int) -> list[int]:
    with uow() as unit:
        return [idea.id for idea in unit.ideas.of_meeting(meeting_id)]


def fire(uow: UowFactory, actor: Actor, idea_id: int, trigger: str, **kwargs: object) -> None:
    with uow() as unit:
        transitions.fire_trigger(unit, actor, idea_id, trigger, **kwargs)  # type: ignore[arg-type]


def add_meeting(uow: UowFactory, title: str, held_on: date | None) -> int:
    with uow() as unit:
        meeting = Meeting(title=title, held_on=held_on)
        unit.meetings.add(meeting)
        unit.commit()
        return meeting.id


def test_the_outcome_counts_follow_the_transitions(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    sample = import_file(uow, manager, SAMPLE.read_bytes(), "sample.txt")
    traffic = import_file(uow, manager, documents.as_docx(), "trafik.docx")
    first, second, third, fourth = idea_ids(uow, sample)[:4]
    fire(uow, manager, first, "assess", data=ASSESSMENT)
    fire(uow, manager, second, "assess", data=ASSESSMENT)
    fire(uow, manager, third, "reject", reason="Findes allerede")
    fire(uow, manager, fourth, "merge", data={"into": first})
    with uow() as unit:
        page = meetings.list_meetings(unit, manager)
    by_id = {item.id: item for item in page.items}
    assert list(by_id[sample].outcome.by_state) == [str(state) for state in STATES]
    assert by_id[sample].outcome.by_state == {
        "proposed": 17, "assessed": 2, "piloted": 0, "scaled": 0,
        "rejected": 1, "parked": 0, "merged": 1,
    }  # fmt: skip
    assert by_id[sample].outcome.total == 21
    assert by_id[traffic].outcome.by_state["proposed"] == 5 and by_id[traffic].outcome.total == 5
    with uow() as unit:
        overview = meetings.meeting_overview(unit, manager, sample)
    assert overview.outcome == by_id[sample].outcome


def test_meetings_are_counted_by_the_database_not_loaded(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    viewer = make_user("viewer")
    import_file(uow, None, SAMPLE.read_bytes(), "sample.txt")
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    with uow() as unit:
        engine = unit.session.get_bind()
        event.listen(engine, "before_cursor_execute", record)
        try:
            page = meetings.list_meetings(unit, viewer)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    assert page.items[0].outcome.total == 21
    assert page.items[0].participants == 0 and len(page.items[0].themes) == 9
    # The total, the page's meetings with their counts, then the page's participants counted and
    # its themes named: four statements however many meetings the page holds.
    assert len(statements) == 4 and all("GROUP BY" in s for s in statements[1:3])


def test_newest_first_undated_last_and_paged(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    viewer = make_user("viewer")
    undated = add_meeting(uow, "Uden dato", None)
    old = add_meeting(uow, "Gammelt møde", date(2024, 3, 1))
    new = add_meeting(uow, "Nyt møde", date(2025, 9, 1))
    middle = add_meeting(uow, "Midt", date(2025, 1, 1))
    with uow() as unit:
        first = meetings.list_meetings(unit, viewer, 1, 3)
        second = meetings.list_meetings(unit, viewer, "2", "3")
    assert [m.id for m in first.items] == [new, middle, old]
    assert [m.id for m in second.items] == [undated]
    assert (first.total, first.pages, second.page) == (4, 2, 2)
    assert second.items[0].outcome.total == 0
    for bad in ({"page": 0}, {"page": "x"}, {"per_page": 101}, {"page": True}):
        with uow() as unit, pytest.raises(ValidationFailed):
            meetings.list_meetings(unit, viewer, **bad)


def test_the_overview_has_facts_participants_and_sections_in_document_order(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner", name="Ole Berg")
    meeting_id = import_file(uow, owner, documents.as_docx(), "trafik.docx")
    first = idea_ids(uow, meeting_id)[0]
    with uow() as unit:
        ideas.update_idea(unit, make_user("manager"), first, {"owner": owner.email})
    with uow() as unit:
        overview = meetings.meeting_overview(unit, owner, meeting_id)
    assert (overview.title, overview.held_on, overview.location, overview.host) == (
        documents.TITLE, date(2026, 3, 3), "Langå Kulturhus, Bredgade 2", "Bo Jensen"
    )  # fmt: skip
    assert (overview.recorder, overview.imported_by, overview.document) == (
        "Mette Holm", "Ole Berg", "trafik.docx"
    )  # fmt: skip
    # who took part is for managers and admins; everybody else gets the count
    assert overview.participants is None
    assert overview.participant_count == len(documents.PARTICIPANTS)
    with uow() as unit:
        managed = meetings.meeting_overview(unit, make_user("admin"), meeting_id)
    assert managed.participants is not None
    assert [(p.name, p.organisation, p.email) for p in managed.participants] == [
        (name, org, email) for name, org, email in documents.PARTICIPANTS
    ]
    assert managed.participant_count == len(documents.PARTICIPANTS)
    assert [(s.section, [i.position for i in s.ideas]) for s in overview.sections] == [
        ("Løsningsforslag fra grupperne", [1, 2, 3]),
        ("Det kan vi selv gøre", [4, 5]),
    ]
    assert overview.sections[0].ideas[0].owner == "Ole Berg"
    assert overview.sections[0].ideas[1].owner is None
    assert [theme.name for theme in overview.themes] == documents.THEMES


def test_themes_list_the_ideas_tagged_with_them(
    uow: UowFactory, make_user: Callable[..., Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = make_user("manager")
    sample = import_file(uow, manager, SAMPLE.read_bytes(), "sample.txt")
    traffic = import_file(uow, manager, documents.as_docx(), "trafik.docx")
    school_road = documents.THEMES[0]
    tagged = [*idea_ids(uow, traffic)[:2], *idea_ids(uow, sample)[:3]]
    for idea_id in tagged:
        with uow() as unit:
            ideas.update_idea(unit, manager, idea_id, {"themes": [school_road]})
    monkeypatch.setattr(meetings, "THEME_IDEAS_SHOWN", 4)
    with uow() as unit:
        overview = meetings.meeting_overview(unit, manager, traffic)
    first, second, third = overview.themes
    assert first.name == school_road and first.total == 5
    assert [idea.id for idea in first.ideas] == sorted(tagged)[:4]
    assert {idea.meeting_id for idea in first.ideas} == {sample, traffic}
    assert (second.ideas, second.total, third.total) == ([], 0, 0)


def test_unknown_meetings_and_missing_documents(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    viewer = make_user("viewer")
    bare = add_meeting(uow, "Uden referat", None)
    for meeting_id in (0, 999_999, 2**40):
        with uow() as unit, pytest.raises(NotFound):
            meetings.meeting_overview(unit, viewer, meeting_id)
    with uow() as unit, pytest.raises(Forbidden):  # the minutes hold participants' addresses
        meetings.meeting_document(unit, viewer, bare)
    with uow() as unit, pytest.raises(NotFound):
        meetings.meeting_document(unit, make_user("manager"), bare)
    with uow() as unit:
        overview = meetings.meeting_overview(unit, viewer, bare)
    assert overview.document is None and overview.sections == [] and overview.outcome.total == 0


def test_the_stored_document_is_the_uploaded_bytes(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    content = documents.as_pdf()
    meeting_id = import_file(uow, None, content, "trafik.pdf")
    with uow() as unit:
        stored = meetings.meeting_document(unit, make_user("manager"), meeting_id)
    assert (stored.filename, stored.media_type, stored.content) == (
        "trafik.pdf", "application/pdf", content
    )  # fmt: skip
