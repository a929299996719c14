"""Translations shared by the web pages and the emails: one catalogue, Danish by default."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).with_name("translations")
LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue for ``language`` (English is the message ids themselves)."""
    if language not in LANGUAGES or language == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [language])
