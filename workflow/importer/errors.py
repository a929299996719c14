"""The one error an import can end in: the document is not minutes we can read, and why."""

from __future__ import annotations

from workflow.errors import WorkflowError


class MinutesRejected(WorkflowError):
    """The document cannot be imported; ``message`` is one sentence saying why.

    A reason naming something (the file) is a message id with ``%(name)s`` fields and their
    ``params``, so a page can translate it before it fills them in; ``message`` is filled in.
    """

    code = "invalid_minutes"

    def __init__(self, message: str, **params: str) -> None:
        super().__init__(message % params if params else message)
        self.template = message
        self.params = params


class NoIdeasFound(MinutesRejected):
    """The minutes were read, but no idea was found in them; ``unrecognised`` is what was not
    understood, for a person to look at."""

    def __init__(self, unrecognised: tuple[str, ...] = ()) -> None:
        super().__init__(
            "No ideas were found in the minutes: write each idea as a bullet point, or upload "
            "the file in the browser and choose which of its lines are ideas."
        )
        self.unrecognised = unrecognised

    def details(self) -> dict[str, object]:
        """The text that was not understood, for the API's error body."""
        return {"unrecognised": list(self.unrecognised[:200])}
