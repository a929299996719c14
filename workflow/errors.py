"""Typed errors of the workflow's use cases; the web layer maps each ``code`` to a status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.states import State


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable ideaflow."""


class WorkflowError(Exception):
    """Base class for errors a caller can act on."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> dict[str, object]:
        """Extra machine-readable fields for the error body."""
        return {}


class NotFound(WorkflowError):
    """The object does not exist (or is not visible to the caller)."""

    code = "not_found"


class Forbidden(WorkflowError):
    """The caller may not do this to this object."""

    code = "forbidden"


class ValidationFailed(WorkflowError):
    """The input is wrong; ``fields`` maps each field to what is wrong with it."""

    code = "validation_failed"

    def __init__(self, fields: Mapping[str, str], message: str = "The input is not valid.") -> None:
        super().__init__(message)
        self.fields = dict(fields)

    def details(self) -> dict[str, object]:
        """The per-field messages."""
        return {"fields": self.fields}


class InvalidTransition(WorkflowError):
    """The trigger cannot fire from the idea's current state."""

    code = "invalid_transition"

    def __init__(self, trigger: str, state: State, allowed_triggers: Sequence[str]) -> None:
        super().__init__(f"'{trigger}' cannot be fired from state '{state}'.")
        self.trigger = trigger
        self.state = state
        self.allowed_triggers = list(allowed_triggers)

    def details(self) -> dict[str, object]:
        """The state and what may be fired from it."""
        return {"state": self.state, "allowed_triggers": self.allowed_triggers}


class ReferencedIdeaMerged(WorkflowError):
    """The idea a step points at (a merge's target) is merged, or was merged while waiting."""

    code = "referenced_idea_merged"

    def __init__(self, field: str, idea_id: int, merged_into: int | None) -> None:
        super().__init__(
            f"Idea {idea_id} is merged into another idea; merge into the idea that carries it on."
        )
        self.field = field
        self.idea_id = idea_id
        self.merged_into = merged_into

    def details(self) -> dict[str, object]:
        """Which field points at which merged idea, and where that idea went."""
        return {"field": self.field, "idea_id": self.idea_id, "merged_into": self.merged_into}


class VersionConflict(WorkflowError):
    """Someone else changed the object since the caller read it."""

    code = "version_conflict"

    def __init__(self, current_version: int | None = None) -> None:
        super().__init__("Someone else changed this idea; reload it and try again.")
        self.current_version = current_version

    def details(self) -> dict[str, object]:
        """The version the object has now, when known."""
        return {} if self.current_version is None else {"current_version": self.current_version}
