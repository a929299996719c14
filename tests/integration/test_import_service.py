"""Importing minutes into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.importer import documents
from workflow.errors import Forbidden
from workflow.events import MeetingImported
from workflow.importer.errors import MinutesRejected
from workflow.models import (
    Base,
    Contact,
    Idea,
    Meeting,
    MeetingDocument,
    OutboxMessage,
)
from workflow.permissions import Actor
from workflow.services import ideas, imports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def run_import(uow: UowFactory, content: bytes, name: str = "minutes.txt", **kwargs: object):  # type: ignore[no-untyped-def]
    with uow() as unit:
        return imports.import_minutes(unit, kwargs.pop("actor", None), name, content, **kwargs)  # type: ignore[arg-type]


def row_counts(uow: UowFactory) -> dict[str, int]:
    with uow() as unit:
        return {
            table.name: unit.session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_the_sample_becomes_a_meeting_with_themes_and_proposed_ideas(uow: UowFactory) -> None:
    content = SAMPLE.read_bytes()
    result = run_import(uow, content, SAMPLE.name)
    assert result.created and not result.dry_run
    assert (len(result.themes), len(result.ideas), len(result.participants)) == (9, 21, 0)
    with uow() as unit:
        meeting = unit.session.scalars(select(Meeting)).one()
        assert (meeting.title, str(meeting.held_on), meeting.location) == (
            "Opsamling på interessentmøde (12.06.25)",
            "2025-06-12",
            "THORLOUNGE, CEPHEUS PARK",
        )
        stored = unit.session.get(MeetingDocument, meeting.id)
        assert stored is not None and stored.content == content
        assert stored.sha256 == hashlib.sha256(content).hexdigest()
        assert [link.theme.name for link in meeting.theme_links][-1].startswith("Politisk uro")
        rows = unit.ideas.of_meeting(meeting.id)
        assert [idea.state for idea in rows] == ["proposed"] * 21
        assert [idea.source_position for idea in rows] == list(range(1, 22))
        first = rows[0]
        assert (first.title, first.source_section, first.source_exercise) == (
            "Sociale partnerskaber",
            "Idéer og muligheder fra borddeltagerne",
            "Opsamling på øvelse 2 (dialog ved bordene)",
        )
        assert first.description.endswith("Værdisættet skal italesættes: ”Hvad er det vi gør?”.")
        assert first.owner_id is None and first.version == 1
        events = list(unit.session.scalars(select(OutboxMessage.event_type)))
        assert events.count("idea.created") == 21 and events.count("meeting.imported") == 1
        detail = ideas.get_idea(unit, Actor(0, "x", "x", "admin"), first.id)  # type: ignore[arg-type]
        assert detail.meeting == {
            "id": meeting.id, "title": meeting.title, "date": meeting.held_on, "notes": []
        }  # fmt: skip


def test_importing_the_same_content_again_creates_nothing(uow: UowFactory) -> None:
    first = run_import(uow, SAMPLE.read_bytes())
    before = row_counts(uow)
    again = run_import(uow, SAMPLE.read_bytes(), "renamed.txt")
    utf16 = run_import(uow, SAMPLE.read_text(encoding="utf-8").encode("utf-16"), "utf16.txt")
    assert not again.created and not utf16.created
    assert again.meeting == first.meeting == utf16.meeting
    assert [i.id for i in again.ideas] == [i.id for i in first.ideas]
    assert [t["id"] for t in again.themes] == [t["id"] for t in first.themes]
    assert row_counts(uow) == before


def test_a_dry_run_writes_nothing_and_has_no_ids(uow: UowFactory) -> None:
    before = row_counts(uow)
    preview = run_import(uow, SAMPLE.read_bytes(), dry_run=True)
    assert preview.dry_run and not preview.created
    assert len(preview.ideas) == 21 and all(i.id is None for i in preview.ideas)
    assert preview.meeting["id"] is None and all(t["id"] is None for t in preview.themes)
    assert row_counts(uow) == before


def test_participants_become_contacts_shared_across_meetings(uow: UowFactory) -> None:
    result = run_import(uow, documents.as_docx(), "trafik.docx")
    assert result.participants == [
        {"name": n, "organisation": o, "email": e} for n, o, e in documents.PARTICIPANTS
    ]
    again = documents.as_plain_text().replace("Referat af", "Referat (2) af").encode()
    run_import(uow, again, "trafik-2.txt")
    with uow() as unit:
        emails = list(unit.session.scalars(select(Contact.email).order_by(Contact.id)))
    assert emails == ["anne@langaa-borger.dk", "jens.aero@randers.dk", None]


def test_similar_ideas_are_paired_with_earlier_ones(uow: UowFactory) -> None:
    run_import(uow, SAMPLE.read_bytes())
    follow_up = (
        "Opfølgningsmøde 01.09.2025\n\nIdéer\n"
        "• OPSKALÉR projektet RUN i Ungdomsskolen\n"
        "• Helt nyt: en natbus fra Langå\n"
    ).encode()
    result = run_import(uow, follow_up, "opfoelgning.txt")
    with uow() as unit:
        run_id = unit.session.scalar(
            select(Idea.id).where(Idea.title == "Opskaler projekt RUN hos Ungdomsskolen")
        )
    assert [(p.idea_id, p.existing_id) for p in result.similar] == [(result.ideas[0].id, run_id)]
    assert result.similar[0].score >= 0.6


def test_a_failure_midway_leaves_the_database_unchanged(
    uow: UowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = row_counts(uow)
    original = UnitOfWork.publish

    def publish_then_fail(self: UnitOfWork, event: object) -> None:
        original(self, event)  # type: ignore[arg-type]
        if isinstance(event, MeetingImported):  # after the meeting, ideas and events were flushed
            raise RuntimeError("the database went away")

    monkeypatch.setattr(UnitOfWork, "publish", publish_then_fail)
    with pytest.raises(RuntimeError):
        run_import(uow, SAMPLE.read_bytes())
    assert row_counts(uow) == before
    monkeypatch.undo()
    assert run_import(uow, SAMPLE.read_bytes()).created


def test_a_rejected_document_writes_nothing(uow: UowFactory) -> None:
    before = row_counts(uow)
    with pytest.raises(MinutesRejected, match="No ideas were found"):
        run_import(uow, b"Et langt referat uden punkter.\nKun prosa her.\n")
    assert row_counts(uow) == before


def test_viewers_may_not_import(uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    with pytest.raises(Forbidden):
        run_import(uow, SAMPLE.read_bytes(), actor=make_user("viewer"))
    owner = make_user("owner")
    result = run_import(uow, SAMPLE.read_bytes(), actor=owner)
    with uow() as unit:
        meeting = unit.meetings.get(result.meeting["id"])
        assert meeting is not None and meeting.imported_by_id == owner.id
        assert {i.created_by_id for i in unit.ideas.of_meeting(meeting.id)} == {owner.id}
