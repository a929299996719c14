"""Importing minutes: the upload and what the import did (or would do, on a dry run)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, WithJsonSchema

from workflow.contracts.base import Day, Input, Output, StateName
from workflow.importer.similarity import BEST_PER_IDEA, MOST_PAIRS

DRY_RUN_VALUES = {"true": True, "false": False, "1": True, "0": False}
# Text recognition's confidence (0-100) in text read from a scan; null for typed text.
Confidence = Annotated[float, Field(ge=0, le=100)] | None


class MinutesUpload(Input):
    """A multipart upload of minutes (.txt, .docx, .odt or .pdf)."""

    file: Annotated[bytes, WithJsonSchema({"type": "string", "format": "binary"})]
    dry_run: Annotated[
        Literal[tuple(DRY_RUN_VALUES)],  # type: ignore[valid-type]
        Field(description="Preview only; nothing is written."),
    ] = "false"


class ImportedMeeting(Output):
    """The meeting the minutes describe."""

    id: int | None
    title: str
    date: Day | None
    location: str | None
    host: str | None
    recorder: str | None


class ImportedTheme(Output):
    """A theme the minutes named."""

    id: int | None
    text: str


class ImportedNote(Output):
    """Another column of the table row an idea came from."""

    column: str
    text: str


class ImportedIdea(Output):
    """An idea the import created (or would create: ``id`` null on a dry run)."""

    id: int | None
    title: str
    text: str
    section: str | None
    exercise: str | None
    position: int | None
    state: StateName
    notes: list[ImportedNote]
    ocr_confidence: Confidence


class ImportedParticipant(Output):
    """A participant the minutes listed."""

    name: str
    organisation: str | None
    email: str | None


class SimilarIdeas(Output):
    """An imported idea and an idea it closely resembles."""

    idea_id: int | None
    existing_id: int | None
    score: Annotated[float, Field(ge=0, le=1)]
    idea_position: int
    existing_position: int | None


class Unrecognised(Output):
    """Text the importer could not place; a person may still make it ideas or themes."""

    index: int
    text: str


class ImportResult(Output):
    """What an import did, or found already done."""

    created: bool
    dry_run: bool
    file: str
    meeting: ImportedMeeting
    themes: list[ImportedTheme]
    ideas: list[ImportedIdea]
    participants: list[ImportedParticipant]
    similar: Annotated[
        list[SimilarIdeas],
        Field(
            max_length=MOST_PAIRS,
            description=(
                f"At most {BEST_PER_IDEA} per imported idea, the closest first, and"
                f" {MOST_PAIRS} in all."
            ),
        ),
    ]
    unrecognised: list[Unrecognised]
    ocr_confidence: Confidence

    @classmethod
    def of(cls, result: Any) -> Self:
        """The answer for a ``workflow.services.imports.ImportResult``."""
        return cls.model_validate(
            {
                "created": result.created,
                "dry_run": result.dry_run,
                "file": result.filename,
                "meeting": result.meeting,
                "themes": result.themes,
                "ideas": [
                    {
                        **{key: getattr(idea, key) for key in _IDEA_KEYS},
                        "notes": [{"column": c, "text": t} for c, t in idea.notes],
                        "ocr_confidence": idea.confidence,
                    }
                    for idea in result.ideas
                ],
                "participants": result.participants,
                "similar": result.similar,
                "unrecognised": [
                    {"index": index, "text": text} for index, text in enumerate(result.unrecognised)
                ],
                "ocr_confidence": result.ocr_confidence,
            }
        )


_IDEA_KEYS = ("id", "title", "text", "section", "exercise", "position", "state")
