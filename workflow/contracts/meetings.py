"""Meetings: the list, one meeting with its ideas and participants, adding a participant."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasPath, Field

from workflow.contracts.base import (
    BLANK_PATTERN,
    Count,
    Day,
    Email,
    Input,
    Moment,
    Output,
    PageNumber,
    PerPage,
    StateCounts,
    StateName,
    not_blank,
)
from workflow.services.participants import EMAIL_MAX, NAME_MAX, ORGANISATION_MAX

PARTICIPANTS_VISIBILITY = (
    "Who took part (names, organisations, email addresses and opt-ins) is shown to managers "
    "and administrators only; everybody else gets `participant_count` and `participants: null`."
)


class Paging(Input):
    """Which page of a list."""

    page: PageNumber = None  # type: ignore[assignment]
    per_page: PerPage = None  # type: ignore[assignment]


class MeetingSummary(Output):
    """One meeting in the list of meetings."""

    id: int
    title: str
    held_on: Day | None
    location: str | None
    host: str | None
    idea_count: Annotated[Count, Field(validation_alias=AliasPath("outcome", "total"))]
    ideas_by_state: Annotated[
        StateCounts,  # type: ignore[valid-type]
        Field(validation_alias=AliasPath("outcome", "by_state")),
    ]
    participant_count: Annotated[Count, Field(validation_alias="participants")]
    themes: Annotated[
        list[str], Field(description="The themes the meeting named, in the minutes' order.")
    ]


class MeetingPage(Output):
    """A page of meetings."""

    items: list[MeetingSummary]
    total: Count
    page: int
    per_page: Annotated[int, Field(le=100)]


class MeetingIdea(Output):
    """One of a meeting's ideas, in the minutes' order."""

    id: int
    title: str
    state: StateName
    owner: Email | None
    version: int
    themes: list[str]


class Participant(Output):
    """A participant of a meeting with the opt-in on record."""

    meeting_id: int
    contact_id: int
    name: str
    organisation: str | None
    email: Annotated[str | None, Field(description="Null: cannot hear about the ideas.")]
    position: Annotated[int, Field(description="Order in the list of participants.")]
    consent_source: Annotated[str | None, Field(description="Where the opt-in came from.")]
    consent_at: Annotated[
        Moment | None,
        Field(description="When the opt-in was recorded; null: none recorded."),
    ]
    legal_basis: Annotated[
        str | None,
        Field(description="public_task or consent; null: none recorded (or recorded earlier)."),
    ] = None


class MeetingDetail(MeetingSummary):
    """A meeting with every idea that came from it."""

    participant_count: Count
    recorder: str | None
    imported_at: Moment
    ideas: list[MeetingIdea]
    participants: Annotated[list[Participant] | None, Field(description=PARTICIPANTS_VISIBILITY)]


class NewParticipant(Input):
    """A participant the minutes did not list."""

    name: not_blank(NAME_MAX)  # type: ignore[valid-type]
    organisation: Annotated[str, Field(max_length=ORGANISATION_MAX)] | None = None
    email: Annotated[
        Annotated[str, Field(pattern=BLANK_PATTERN)]
        | Annotated[Email, Field(max_length=EMAIL_MAX)]
        | None,
        Field(
            description="An email address; null or blank: none (no opt-in is recorded, and "
            "the participant hears nothing)."
        ),
    ] = None
