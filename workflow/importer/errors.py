"""The one error an import can end in: the document is not minutes we can read, and why."""

from __future__ import annotations

from workflow.errors import WorkflowError


class MinutesRejected(WorkflowError):
    """The document cannot be imported; ``message`` is one sentence saying why."""

    code = "invalid_minutes"
