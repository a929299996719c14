"""Danish first, English on request: locale choice, dates as Danes write them, state names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.support import NullTranslations
from flask import Flask, g, has_request_context, request, session
from flask_babel import (
    Babel,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from web.consent_sources import consent_source
from workflow.clock import LOCAL_TIMEZONE
from workflow.gates import iso_day
from workflow.i18n import DEFAULT_LANGUAGE, LANGUAGES, TRANSLATIONS
from workflow.states import OPEN_STATES, STATE_LABELS, TRIGGERS

STATE_NAMES = {state: _l(label) for state, label in STATE_LABELS.items()}
ROLE_NAMES = {
    "admin": _l("Administrator"),
    "manager": _l("Manager"),
    "owner": _l("Project owner"),
    "viewer": _l("Reader"),
}


ENGLISH_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def select_locale() -> str:
    """The session's choice, then the user's, then the browser's (Accept-Language), then Danish."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return str(current_user.language)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def catalogue() -> NullTranslations:
    """This request's translations, looked up once: Flask-Babel looks up the locale and its
    catalogue again for every string, about 15 µs each, and a list page translates hundreds."""
    if not has_request_context():
        outside: NullTranslations = get_translations()
        return outside
    found: NullTranslations | None = g.get("_catalogue")
    if found is None:
        found = g._catalogue = get_translations()
    return found


def _gettext(message: str) -> str:
    return str(catalogue().ugettext(message))


def _ngettext(singular: str, plural: str, number: int) -> str:
    return str(catalogue().ungettext(singular, plural, number))


def _pgettext(context: str, message: str) -> str:
    return str(catalogue().upgettext(context, message))


def _npgettext(context: str, singular: str, plural: str, number: int) -> str:
    return str(catalogue().unpgettext(context, singular, plural, number))


def _language() -> str:
    """This request's language code, looked up once."""
    found: str | None = g.get("_language") if has_request_context() else None
    if found is None:
        found = str(get_locale())
        if has_request_context():
            g._language = found
    return found


def local_date(value: date | datetime | None) -> str:
    """12.06.2025 in Danish, 12 Jun 2025 in English; empty for None."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIMEZONE).date()
    if _language() == "da":
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return f"{value.day} {ENGLISH_MONTHS[value.month - 1]} {value.year:04d}"


def local_datetime(value: datetime | None) -> str:
    """12.06.2025 14.05 in Danish time; empty for None."""
    if value is None:
        return ""
    pattern = "dd.MM.yyyy HH.mm" if str(get_locale()) == "da" else "d MMM yyyy HH:mm"
    return str(format_datetime(value, pattern))


def money(value: Any) -> str:
    """An amount of kroner as the locale writes it (125.000,50 in Danish)."""
    return str(format_decimal(value, format="#,##0.00"))


def one_decimal(value: Any) -> str:
    """A number with one decimal as the locale writes it (12,5 in Danish)."""
    return str(format_decimal(value, format="#,##0.0"))


def init_app(app: Flask) -> None:
    """Set up Flask-Babel and the template helpers."""
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=lambda: str(LOCAL_TIMEZONE),
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=_pgettext,
        npgettext=_npgettext,
        newstyle=True,
    )
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["iso_date"] = iso_day  # a date kept as text in JSON (an edit's)
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["one_decimal"] = one_decimal
    app.jinja_env.filters["consent_source"] = consent_source

    @app.context_processor
    def language_helpers() -> dict[str, Any]:
        return {
            "current_language": str(get_locale()),
            "languages": LANGUAGES,
            # Translated once per page, not on every use as the lazy strings would be.
            "state_names": {state: _gettext(label) for state, label in STATE_LABELS.items()},
            "open_states": OPEN_STATES,
            "role_names": ROLE_NAMES,
            "trigger_labels": {spec.name: spec.label for spec in TRIGGERS},
        }
