"""A stored consent source in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from workflow import consent_sources


def consent_source(source: str | None) -> str:
    """Where a permission came from, translated; a wording this version did not write as it is."""
    found = consent_sources.read(source or "")
    if found is None:
        return source or ""
    kind, detail = found
    if kind == "minutes":
        said = _("listed in the minutes of “%(meeting)s”", meeting=detail)
    elif kind == "api":
        said = _("added through the API by %(email)s", email=detail)
    elif kind == "meeting_page":
        said = _("added on the meeting page by %(email)s", email=detail)
    elif kind == "idea_page":
        said = _("added on the idea page by %(email)s", email=detail)
    else:
        said = _("the participant list in the minutes")
    return str(said)
