"""Importing a selection of what the minutes hold, and the pending uploads behind the preview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.importer import documents
from tests.integration.test_import_service import row_counts
from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.importer.errors import MinutesRejected
from workflow.models import Idea, Meeting
from workflow.models.meetings import PendingImport
from workflow.permissions import Actor
from workflow.services import imports, pending_imports
from workflow.services.imports import ImportSelection
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"


def parsed(uow: UowFactory, content: bytes, name: str = "minutes.txt") -> imports.ImportResult:
    with uow() as unit:
        return imports.import_minutes(unit, None, name, content, dry_run=True)


def meeting_contents(uow: UowFactory) -> tuple[list[str], list[tuple[str, str | None, int | None]]]:
    with uow() as unit:
        meeting = unit.session.scalars(select(Meeting)).one()
        themes = [link.theme.name for link in meeting.theme_links]
        ideas = [
            (idea.description, idea.source_section, idea.source_position)
            for idea in unit.ideas.of_meeting(meeting.id)
        ]
    return themes, ideas


def test_no_selection_and_a_keep_everything_selection_import_the_same(uow: UowFactory) -> None:
    preview = parsed(uow, SAMPLE.read_bytes())
    everything = ImportSelection(
        themes=frozenset(range(9)), ideas=frozenset(range(21)), participants=frozenset()
    )
    with uow() as unit:
        result = imports.import_minutes(
            unit, None, "minutes.txt", SAMPLE.read_bytes(), selection=everything
        )
    assert result.created
    themes, ideas = meeting_contents(uow)
    assert themes == [theme["text"] for theme in preview.themes]
    assert ideas == [(idea.text, idea.section, idea.position) for idea in preview.ideas]


def test_left_out_and_switched_items_are_imported_as_chosen(uow: UowFactory) -> None:
    preview = parsed(uow, SAMPLE.read_bytes())
    selection = ImportSelection(
        themes=frozenset(range(9)) - {0},  # theme 0 left out
        ideas=frozenset(range(21)) - {4},  # idea 4 left out
        themes_as_ideas=frozenset({2}),  # theme 2 becomes an idea
        ideas_as_themes=frozenset({20}),  # the last idea becomes a theme
    )
    with uow() as unit:
        result = imports.import_minutes(
            unit, None, "minutes.txt", SAMPLE.read_bytes(), selection=selection
        )
    texts = [theme["text"] for theme in preview.themes]
    kept_ideas = [idea for i, idea in enumerate(preview.ideas) if i not in (4, 20)]
    themes, ideas = meeting_contents(uow)
    assert themes == [texts[1], *texts[3:], preview.ideas[20].text]
    assert ideas == [
        *((idea.text, idea.section, idea.position) for idea in kept_ideas),
        (texts[2], None, 22),  # after the document's 21 ideas, without a section
    ]
    assert len(result.ideas) == 20 and result.ideas[-1].title.startswith("Manglende forældre")
    with uow() as unit:
        assert unit.session.scalar(select(func.count(Idea.id))) == 20


def test_a_selectively_imported_document_is_still_recognised(uow: UowFactory) -> None:
    with uow() as unit:
        first = imports.import_minutes(
            unit,
            None,
            "a.txt",
            SAMPLE.read_bytes(),
            selection=ImportSelection(ideas=frozenset({4})),
        )
    assert first.created and len(first.ideas) == 1 and len(first.themes) == 9
    before = row_counts(uow)
    again = parsed(uow, SAMPLE.read_bytes(), "b.txt")
    assert not again.dry_run and not again.created and again.meeting["id"] == first.meeting["id"]
    assert row_counts(uow) == before


def test_participants_can_be_left_out(uow: UowFactory) -> None:
    with uow() as unit:
        result = imports.import_minutes(
            unit,
            None,
            "trafik.docx",
            documents.as_docx(),
            selection=ImportSelection(participants=frozenset({0, 2})),
        )
    assert [p["name"] for p in result.participants] == ["Anne Sørensen", "Sofie Østergaard"]


@pytest.mark.parametrize(
    ("selection", "field"),
    [
        (ImportSelection(themes=frozenset(), ideas=frozenset()), "selection"),
        (ImportSelection(themes=frozenset({9})), "themes"),
        (ImportSelection(ideas_as_themes=frozenset({21})), "ideas"),
        (ImportSelection(participants=frozenset({0})), "participants"),
    ],
)
def test_an_impossible_selection_is_refused_and_writes_nothing(
    uow: UowFactory, selection: ImportSelection, field: str
) -> None:
    before = row_counts(uow)
    with uow() as unit, pytest.raises(ValidationFailed) as refused:
        imports.import_minutes(unit, None, "m.txt", SAMPLE.read_bytes(), selection=selection)
    assert list(refused.value.fields) == [field]
    assert row_counts(uow) == before


# -- pending uploads -------------------------------------------------------------------------


def test_upload_preview_confirm(uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    owner = make_user("owner")
    with uow() as unit:
        created = pending_imports.create_pending_import(unit, owner, "m.txt", SAMPLE.read_bytes())
    assert created.token and created.result.dry_run and len(created.result.ideas) == 21
    with uow() as unit:
        assert unit.session.scalar(select(func.count(Meeting.id))) == 0
        again = pending_imports.preview_pending_import(unit, owner, created.token)
    assert again.result == created.result
    with uow() as unit:
        result = pending_imports.confirm_pending_import(
            unit, owner, created.token, ImportSelection(ideas=frozenset({0, 1}))
        )
    assert result.created and len(result.ideas) == 2
    with uow() as unit:
        assert unit.session.scalar(select(func.count(PendingImport.id))) == 0
        meeting = unit.session.get(Meeting, result.meeting["id"])
        assert meeting is not None and meeting.imported_by_id == owner.id
    with uow() as unit, pytest.raises(NotFound):
        pending_imports.preview_pending_import(unit, owner, created.token)


def test_only_the_uploader_or_an_admin_sees_a_pending_upload(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, other, admin, viewer = (make_user(r) for r in ("owner", "owner", "admin", "viewer"))
    with uow() as unit:
        token = pending_imports.create_pending_import(unit, owner, "m.txt", SAMPLE.read_bytes())
    assert token.token is not None
    for stranger in (other, viewer):
        with uow() as unit, pytest.raises(Forbidden):
            pending_imports.preview_pending_import(unit, stranger, token.token)
        with uow() as unit, pytest.raises(Forbidden):
            pending_imports.confirm_pending_import(unit, stranger, token.token)
    with uow() as unit, pytest.raises(Forbidden):
        pending_imports.create_pending_import(unit, viewer, "m.txt", SAMPLE.read_bytes())
    with uow() as unit:
        assert pending_imports.preview_pending_import(unit, admin, token.token).token
    with uow() as unit, pytest.raises(NotFound):
        pending_imports.preview_pending_import(unit, owner, "no-such-token")


def test_a_known_document_or_a_bad_file_is_not_kept(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    with uow() as unit:
        imports.import_minutes(unit, manager, "m.txt", SAMPLE.read_bytes())
    before = row_counts(uow)
    with uow() as unit:
        known = pending_imports.create_pending_import(unit, manager, "c.txt", SAMPLE.read_bytes())
    assert known.token is None and known.already_imported and known.result.meeting["id"]
    with uow() as unit, pytest.raises(MinutesRejected, match="empty"):
        pending_imports.create_pending_import(unit, manager, "x.txt", b" \n\n")
    assert row_counts(uow) == before


def test_confirming_after_someone_else_imported_the_document(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, manager = make_user("owner"), make_user("manager")
    with uow() as unit:
        token = pending_imports.create_pending_import(unit, owner, "m.txt", SAMPLE.read_bytes())
    assert token.token is not None
    with uow() as unit:
        first = imports.import_minutes(unit, manager, "m.txt", SAMPLE.read_bytes())
    with uow() as unit:
        assert pending_imports.preview_pending_import(unit, owner, token.token).already_imported
        result = pending_imports.confirm_pending_import(unit, owner, token.token)
    assert not result.created and result.meeting["id"] == first.meeting["id"]
    with uow() as unit:
        assert unit.session.scalar(select(func.count(PendingImport.id))) == 0
        assert unit.session.scalar(select(func.count(Meeting.id))) == 1


def test_old_uploads_are_purged_when_a_new_one_arrives(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner, other = make_user("owner"), make_user("owner")
    yesterday = utcnow() - timedelta(days=1, minutes=1)
    with uow() as unit:
        old = pending_imports.create_pending_import(
            unit, other, "m.txt", SAMPLE.read_bytes(), now=yesterday
        )
    assert old.token is not None
    with uow() as unit, pytest.raises(NotFound):  # expired, even before it is purged
        pending_imports.preview_pending_import(unit, other, old.token)
    with uow() as unit:
        pending_imports.create_pending_import(
            unit, owner, "t.txt", documents.as_plain_text().encode()
        )
    with uow() as unit:
        tokens = list(unit.session.scalars(select(PendingImport.token)))
    assert old.token not in tokens and len(tokens) == 1


def test_a_user_keeps_a_limited_number_of_uploads(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    start = utcnow() - timedelta(hours=2)
    tokens = []
    for number in range(pending_imports.PENDING_PER_USER + 1):
        with uow() as unit:
            made = pending_imports.create_pending_import(
                unit, owner, "m.txt", SAMPLE.read_bytes(), now=start + timedelta(minutes=number)
            )
        tokens.append(made.token)
    with uow() as unit:
        left = set(unit.session.scalars(select(PendingImport.token)))
    assert left == set(tokens[1:])


def test_discarding_an_upload(uow: UowFactory, make_user: Callable[..., Actor]) -> None:
    owner = make_user("owner")
    with uow() as unit:
        made = pending_imports.create_pending_import(unit, owner, "m.txt", SAMPLE.read_bytes())
    assert made.token is not None
    with uow() as unit:
        pending_imports.discard_pending_import(unit, owner, made.token)
    with uow() as unit:
        assert unit.session.scalar(select(func.count(PendingImport.id))) == 0
        assert unit.session.scalar(select(func.count(Meeting.id))) == 0


def test_a_long_file_name_keeps_its_suffix(
    uow: UowFactory, make_user: Callable[..., Actor]
) -> None:
    owner = make_user("owner")
    name = "r" * 300 + ".docx"
    with uow() as unit:
        made = pending_imports.create_pending_import(unit, owner, name, documents.as_docx())
    assert made.token is not None
    with uow() as unit:
        stored = unit.session.scalars(select(PendingImport.filename)).one()
        assert len(stored) == 255 and stored.endswith(".docx")
        result = pending_imports.confirm_pending_import(unit, owner, made.token)
    assert result.created and len(result.participants) == 3
