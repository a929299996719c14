"""Import a meeting's minutes: one document, one transaction, everything or nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from workflow import consent_sources, tuning
from workflow.clock import utcnow
from workflow.errors import Forbidden, ValidationFailed, VersionConflict
from workflow.events import IdeaCreated, MeetingImported
from workflow.gates import N_
from workflow.importer.document import ParsedDocument, parse_document, require_ideas
from workflow.importer.errors import NoIdeasFound
from workflow.importer.parser import ParsedIdea, ParsedMinutes
from workflow.importer.readers import without_controls
from workflow.importer.similarity import Match, similar_pairs
from workflow.importer.titles import short_title
from workflow.models import Idea, Meeting, MeetingDocument, MeetingParticipant, MeetingTheme
from workflow.permissions import Actor, may_import
from workflow.states import INITIAL_STATE
from workflow.text import search_text
from workflow.uow import UnitOfWork


@dataclass(frozen=True)
class ImportedIdea:
    """An idea the import created (or would create: ``id`` None on a dry run)."""

    id: int | None
    title: str
    text: str
    exercise: str | None
    section: str | None
    position: int | None
    state: str
    notes: tuple[tuple[str, str], ...] = ()
    confidence: float | None = None  # text recognition's confidence, for an idea from a scan


@dataclass(frozen=True)
class SimilarPair:
    """An imported idea and an idea it closely resembles."""

    idea_id: int | None
    idea_position: int
    existing_id: int | None
    existing_position: int | None  # set when the resembled idea is from the same document
    score: float


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or found already done, in the shape the CLI and API print."""

    created: bool
    dry_run: bool
    filename: str
    meeting: dict[str, Any]
    themes: list[dict[str, Any]]
    ideas: list[ImportedIdea]
    participants: list[dict[str, Any]]
    similar: list[SimilarPair]
    unrecognised: list[str]
    ocr_confidence: float | None = None


@dataclass(frozen=True)
class ImportSelection:
    """Which of the parsed items to import, and which to import as the other kind.

    Items are named by their index (from 0) in the parsed minutes' ``themes``, ``ideas`` and
    ``participants``, the order a dry run lists them in. ``None`` keeps every item of that kind.
    A kept theme in ``themes_as_ideas`` becomes an idea, a kept idea in ``ideas_as_themes`` a
    theme; text the parser could not place (``unrecognised``, by index) becomes an idea or a
    theme when named in ``unrecognised_as_ideas`` or ``unrecognised_as_themes``; everything else
    is imported exactly as a normal import would.
    """

    themes: frozenset[int] | None = None
    ideas: frozenset[int] | None = None
    participants: frozenset[int] | None = None
    themes_as_ideas: frozenset[int] = frozenset()
    ideas_as_themes: frozenset[int] = frozenset()
    unrecognised_as_ideas: frozenset[int] = frozenset()
    unrecognised_as_themes: frozenset[int] = frozenset()

    def apply(self, minutes: ParsedMinutes) -> ParsedMinutes:
        """The minutes as this selection leaves them; ValidationFailed when nothing is left."""
        sizes = {
            "themes": len(minutes.themes),
            "ideas": len(minutes.ideas),
            "participants": len(minutes.participants),
            "unrecognised": len(minutes.unrecognised),
        }
        chosen = {
            "themes": (self.themes, self.themes_as_ideas),
            "ideas": (self.ideas, self.ideas_as_themes),
            "participants": (self.participants, frozenset()),
            "unrecognised": (self.unrecognised_as_ideas, self.unrecognised_as_themes),
        }
        errors = {
            kind: N_("The selection names an item the minutes do not have.")
            for kind, (kept, switched) in chosen.items()
            if any(not 0 <= index < sizes[kind] for index in (kept or frozenset()) | switched)
        }
        if errors:
            raise ValidationFailed(errors)

        themes = _picked(minutes.themes, self.themes)
        ideas = _picked(minutes.ideas, self.ideas)
        theme_texts = [text for index, text in themes if index not in self.themes_as_ideas]
        theme_texts += [idea.text for index, idea in ideas if index in self.ideas_as_themes]
        new_ideas = [idea for index, idea in ideas if index not in self.ideas_as_themes]
        # A theme made an idea comes after the document's own ideas; the parser keeps no
        # exercise or section for themes, so it has none.
        switched = [text for index, text in themes if index in self.themes_as_ideas]
        switched += [
            text
            for index, text in enumerate(minutes.unrecognised)
            if index in self.unrecognised_as_ideas
        ]
        theme_texts += [
            text
            for index, text in enumerate(minutes.unrecognised)
            if index in self.unrecognised_as_themes and index not in self.unrecognised_as_ideas
        ]
        new_ideas += [
            ParsedIdea(short_title(text), text, None, None, len(minutes.ideas) + number)
            for number, text in enumerate(switched, 1)
        ]
        if not new_ideas:
            raise ValidationFailed({"selection": N_("Keep at least one idea.")})
        taken = self.unrecognised_as_ideas | self.unrecognised_as_themes
        return replace(
            minutes,
            themes=tuple(dict.fromkeys(theme_texts)),
            ideas=tuple(new_ideas),
            participants=tuple(
                person for _, person in _picked(minutes.participants, self.participants)
            ),
            unrecognised=tuple(
                text for index, text in enumerate(minutes.unrecognised) if index not in taken
            ),
        )


_T = TypeVar("_T")


def _picked(items: Sequence[_T], kept: frozenset[int] | None) -> list[tuple[int, _T]]:
    return [(index, item) for index, item in enumerate(items) if kept is None or index in kept]


def import_minutes(
    uow: UnitOfWork,
    actor: Actor | None,
    filename: str,
    content: bytes,
    *,
    dry_run: bool = False,
    selection: ImportSelection | None = None,
    parsed: ParsedDocument | None = None,
) -> ImportResult:
    """Import minutes; a document imported before is found again, not imported twice.

    ``actor`` None is the command line run by staff with server access. ``selection`` (from a
    preview) narrows what is taken from the minutes; the meeting still remembers the whole
    document, so importing it again finds this meeting. ``parsed`` is the document as read
    before (a kept preview), so it is not read again. Minutes without ideas are refused
    (``NoIdeasFound``) unless it is a dry run, which shows what could not be placed.
    """
    if actor is not None and not may_import(actor):
        raise Forbidden("Viewers cannot import minutes.")
    filename = " ".join(without_controls(filename).split()) or "minutes"
    document = replace(parsed, filename=filename) if parsed else parse_document(filename, content)
    existing = uow.meetings.by_content_hash(document.content_hash)
    if existing is not None:
        return describe_meeting(uow, existing, filename, created=False)
    if selection is not None:
        document = replace(document, minutes=selection.apply(document.minutes))
    minutes = document.minutes
    if not dry_run:
        require_ideas(document)
    texts = [idea.description for idea in minutes.ideas]
    matches = similar_pairs(texts, stored=uow.ideas.similar_stored)
    if dry_run:
        return _preview(document, matches)
    meeting, ideas = _stage(uow, actor, document, content)
    uow.flush()
    for idea in ideas:
        uow.publish(IdeaCreated(idea.id, title=idea.title, actor_id=actor.id if actor else None))
    uow.publish(
        MeetingImported(
            meeting.id,
            title=meeting.title,
            idea_ids=tuple(idea.id for idea in ideas),
            theme_count=len(meeting.theme_links),
            participant_count=len(meeting.participant_links),
            actor_id=actor.id if actor else None,
        )
    )
    try:
        uow.commit()
    except IntegrityError:
        # Another import of the same document (or of the same new contact) committed first.
        uow.rollback()
        existing = uow.meetings.by_content_hash(document.content_hash)
        if existing is None:
            raise VersionConflict() from None
        return describe_meeting(uow, existing, filename, created=False)
    result = describe_meeting(uow, meeting, filename, created=True)
    return _with_similar(result, matches, [idea.id for idea in ideas])


def refuse_empty_preview(result: ImportResult) -> ImportResult:
    """The result, unless it is a dry run that found no ideas: that is refused (``NoIdeasFound``,
    with what was not understood) as the import itself would be."""
    if result.dry_run and not result.ideas:
        raise NoIdeasFound(tuple(result.unrecognised))
    return result


def _stage(
    uow: UnitOfWork, actor: Actor | None, document: ParsedDocument, content: bytes
) -> tuple[Meeting, list[Idea]]:
    minutes = document.minutes
    now = utcnow()
    meeting = Meeting(
        title=minutes.title,
        held_on=minutes.held_on,
        location=minutes.location,
        host=minutes.host,
        recorder=minutes.recorder,
        unrecognised=list(minutes.unrecognised) or None,
        content_hash=document.content_hash,
        imported_by_id=actor.id if actor else None,
        created_at=now,
    )
    meeting.document = MeetingDocument(
        filename=document.filename[:255],
        media_type=document.media_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    themes = uow.themes.get_or_create(minutes.themes)
    meeting.theme_links = [
        MeetingTheme(theme=theme, position=position) for position, theme in enumerate(themes, 1)
    ]
    # On the municipality's public task, the participants the manager kept are told of the
    # ideas; on consent, nobody is until their consent is recorded: minutes do not show it.
    basis = tuning.current().participant_legal_basis
    source = consent_sources.recorded("minutes", meeting.title)
    meeting.participant_links = [
        MeetingParticipant(
            contact=uow.contacts.find_or_add(person.name, person.organisation, person.email),
            position=position,
            consent_source=source if person.email and basis == "public_task" else None,
            consent_at=now if person.email and basis == "public_task" else None,
            legal_basis=basis if person.email and basis == "public_task" else None,
        )
        for position, person in enumerate(minutes.participants, 1)
    ]
    uow.meetings.add(meeting)
    ideas = [
        Idea(
            title=parsed.title,
            description=parsed.description,
            meeting=meeting,
            source_exercise=parsed.exercise[:500] if parsed.exercise else None,
            source_section=parsed.section[:500] if parsed.section else None,
            source_position=parsed.position,
            source_text=parsed.description,
            source_notes=[list(note) for note in parsed.notes] or None,
            created_by_id=actor.id if actor else None,
            search_text=search_text(parsed.title, parsed.text),
            state_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        for parsed in minutes.ideas
    ]
    for idea in ideas:
        uow.ideas.add(idea)
    return meeting, ideas


def describe_meeting(
    uow: UnitOfWork, meeting: Meeting, filename: str, *, created: bool
) -> ImportResult:
    """An imported meeting as an import result (what a re-import reports)."""
    ideas = uow.ideas.of_meeting(meeting.id)
    return ImportResult(
        created=created,
        dry_run=False,
        filename=filename,
        meeting=_meeting_json(meeting.id, meeting.title, meeting.held_on, meeting),
        themes=[{"id": link.theme.id, "text": link.theme.name} for link in meeting.theme_links],
        ideas=[
            ImportedIdea(
                id=idea.id,
                title=idea.title,
                text=idea.description,
                exercise=idea.source_exercise,
                section=idea.source_section,
                position=idea.source_position,
                state=idea.state,
                notes=tuple((column, text) for column, text in idea.source_notes or ()),
            )
            for idea in ideas
        ],
        participants=[
            {
                "name": link.contact.name,
                "organisation": link.contact.organisation,
                "email": link.contact.email,
            }
            for link in meeting.participant_links
        ],
        similar=[],
        unrecognised=list(meeting.unrecognised or ()),
    )


def _meeting_json(
    meeting_id: int | None, title: str, held_on: date | None, facts: Meeting | ParsedMinutes
) -> dict[str, Any]:
    return {
        "id": meeting_id,
        "title": title,
        "date": held_on,
        "location": facts.location,
        "host": facts.host,
        "recorder": facts.recorder,
    }


def _preview(document: ParsedDocument, matches: Sequence[Match]) -> ImportResult:
    minutes = document.minutes
    result = ImportResult(
        created=False,
        dry_run=True,
        filename=document.filename,
        meeting=_meeting_json(None, minutes.title, minutes.held_on, minutes),
        themes=[{"id": None, "text": text} for text in minutes.themes],
        ideas=[
            ImportedIdea(
                id=None,
                title=idea.title,
                text=idea.description,
                exercise=idea.exercise,
                section=idea.section,
                position=idea.position,
                state=INITIAL_STATE,
                notes=idea.notes,
                confidence=idea.confidence,
            )
            for idea in minutes.ideas
        ],
        participants=[
            {"name": p.name, "organisation": p.organisation, "email": p.email}
            for p in minutes.participants
        ],
        similar=[],
        unrecognised=list(minutes.unrecognised),
        ocr_confidence=minutes.ocr_confidence,
    )
    return _with_similar(result, matches, [None] * len(minutes.ideas))


def _with_similar(
    result: ImportResult, matches: Sequence[Match], new_ids: Sequence[int | None]
) -> ImportResult:
    pairs = []
    for match in matches:
        same_document = match.other_key < 0
        other_index = -match.other_key - 1
        pairs.append(
            SimilarPair(
                idea_id=new_ids[match.new_index],
                idea_position=match.new_index + 1,
                existing_id=new_ids[other_index] if same_document else match.other_key,
                existing_position=other_index + 1 if same_document else None,
                score=match.score,
            )
        )
    return replace(result, similar=pairs)
