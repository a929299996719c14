"""Domain events. Each becomes one outbox row in the transaction that caused it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from workflow.states import State


@dataclass(frozen=True)
class Event:
    """Something that happened to an aggregate, worth telling the world about."""

    event_type: ClassVar[str] = "event"
    aggregate_type: ClassVar[str] = "idea"

    aggregate_id: int

    def payload(self) -> dict[str, Any]:
        """The JSON body stored in the outbox."""
        return {}


@dataclass(frozen=True)
class IdeaCreated(Event):
    """A new idea was recorded."""

    event_type: ClassVar[str] = "idea.created"

    title: str
    actor_id: int | None
    owner: str | None = None  # the owner's email when the idea was given one at once

    def payload(self) -> dict[str, Any]:
        """Title, who recorded it and who owns it."""
        return {"idea_id": self.aggregate_id, "title": self.title, "actor_id": self.actor_id,
                "owner": self.owner}  # fmt: skip


@dataclass(frozen=True)
class IdeaUpdated(Event):
    """Fields of an idea were edited."""

    event_type: ClassVar[str] = "idea.updated"

    changes: dict[str, Any]
    actor_id: int | None

    def payload(self) -> dict[str, Any]:
        """Which fields changed, with their new values."""
        return {"idea_id": self.aggregate_id, "changes": self.changes, "actor_id": self.actor_id}


@dataclass(frozen=True)
class IdeaTransitioned(Event):
    """A trigger fired and the idea changed state."""

    event_type: ClassVar[str] = "idea.transitioned"

    history_id: int
    trigger: str
    from_state: State
    to_state: State
    actor_id: int | None
    reason: str | None
    data: dict[str, Any] = field(default_factory=dict)
    owner_before: str | None = None  # a step that names an owner: who owned the idea before

    def payload(self) -> dict[str, Any]:
        """The transition exactly as its history row records it (and, for a step that names
        an owner, who owned the idea before, so a new owner can be told)."""
        body = {
            "idea_id": self.aggregate_id,
            "history_id": self.history_id,
            "trigger": self.trigger,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "actor_id": self.actor_id,
            "reason": self.reason,
            "data": self.data,
        }
        if "owner" in self.data:
            body["owner_before"] = self.owner_before
        return body


@dataclass(frozen=True)
class MeetingImported(Event):
    """Minutes were imported: a meeting with its themes, ideas and participants."""

    event_type: ClassVar[str] = "meeting.imported"
    aggregate_type: ClassVar[str] = "meeting"

    title: str
    idea_ids: tuple[int, ...]
    theme_count: int
    participant_count: int
    actor_id: int | None

    def payload(self) -> dict[str, Any]:
        """What was imported, for the managers' notice."""
        return {
            "meeting_id": self.aggregate_id,
            "title": self.title,
            "idea_ids": list(self.idea_ids),
            "theme_count": self.theme_count,
            "participant_count": self.participant_count,
            "actor_id": self.actor_id,
        }
