"""Use-case errors on the command line: one clear message and a non-zero exit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from workflow.errors import ValidationFailed, WorkflowError

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show use-case errors as one clear message and a non-zero exit, not a traceback."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except ValidationFailed as error:
            details = "".join(f"\n  {name}: {message}" for name, message in error.fields.items())
            raise click.ClickException(f"{error.message}{details}") from None
        except WorkflowError as error:
            raise click.ClickException(error.message) from None

    return wrapper
