"""Rendering emails from templates, in the recipient's language (Danish unless they chose English).

Each kind of email is three templates in ``templates/``: ``<kind>.subject.txt`` (one line),
``<kind>.txt`` (the plain-text part) and ``<kind>.html`` (the HTML part, autoescaped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from workflow.clock import LOCAL_TIMEZONE
from workflow.i18n import DEFAULT_LANGUAGE, LANGUAGES, translations
from workflow.states import TRIGGERS_BY_NAME, full_data, state_label

TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Rendered:
    """An email's subject and its two bodies."""

    subject: str
    text: str
    html: str


@cache
def _environment(language: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    catalogue = translations(language)
    environment.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    environment.filters["local_date"] = lambda value: local_date(value, language)
    environment.filters["money"] = lambda value: format_decimal(value, "#,##0.00", locale=language)

    def state_name(state: str) -> str:
        return catalogue.gettext(state_label(state))

    def step_name(trigger: str) -> str:
        spec = TRIGGERS_BY_NAME.get(trigger)
        return catalogue.gettext(spec.label) if spec else trigger

    def full_change(change: Any) -> dict[str, Any]:
        # A change as the outbox or a digest recorded it, with every key the templates name.
        recorded = change if isinstance(change, dict) else {}
        trigger = recorded.get("trigger") or ""
        return {
            **dict.fromkeys(("trigger", "from_state", "to_state", "reason")),
            **recorded,
            "data": full_data(trigger, recorded.get("data")),
        }

    environment.globals["full_change"] = full_change
    environment.globals["state_name"] = state_name
    environment.globals["step_name"] = step_name

    @pass_context
    def plain(context: Context, name: str) -> str:
        # A text template rendered to a plain string, which the HTML template then escapes.
        return str(environment.get_template(name).render(context.get_all()))

    environment.globals["plain"] = plain
    return environment


def local_date(value: date | datetime | str | None, language: str) -> str:
    """12.06.2025 in Danish, 12 Jun 2025 in English (strings in ISO form are read first)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIMEZONE).date()
    return format_date(value, "dd.MM.yyyy" if language == "da" else "d MMM yyyy", locale=language)


def render(kind: str, language: str, **context: Any) -> Rendered:
    """Render the email ``kind`` in ``language`` (unknown languages fall back to Danish)."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    environment = _environment(language)
    context = {**context, "language": language}
    subject = environment.get_template(f"{kind}.subject.txt").render(**context)
    return Rendered(
        subject=" ".join(subject.split())[:300],
        text=environment.get_template(f"{kind}.txt").render(**context),
        html=environment.get_template(f"{kind}.html").render(**context),
    )
