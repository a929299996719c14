"""The idea list's text search: ``LIKE '%text%'`` on the ideas' case-folded text, with a trigram
index on both databases.

PostgreSQL's planner takes the ``LIKE`` to the text's trigram index (migration 0017) by itself.
SQLite's FTS5 trigram index (``ideas_search``, migration 0020) is a table of its own, asked with
``MATCH`` for the ideas holding the text as one phrase of trigrams, so the choice is made here,
as a planner would: first the index is asked how many ideas hold the text, reading at most
``SPARSE + 1`` of them in id order (about a millisecond at 100,000 ideas). A text few ideas hold
is listed from the index, each idea checked with the same ``LIKE``: a rare word no longer reads
every idea's text. A text many hold is listed by ``LIKE`` alone, which finds a page of them in
a few hundred ideas, and the list's total is then known to be past ``SPARSE`` without reading
any. Either way the ideas found are exactly the ones the plain ``LIKE`` finds (wildcards in the
text included). A text shorter than a trigram is looked for in every idea.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, column, func, select, table
from sqlalchemy.orm import Session

from workflow.models import Idea
from workflow.models.ideas import SEARCH_INDEX
from workflow.text import casefold_key, like_pattern

TRIGRAM = 3
SPARSE = 1000
"""At most this many ideas holding a text: listed from the index, not by reading texts."""
_INDEX = table(SEARCH_INDEX, column("rowid"), column(SEARCH_INDEX))


@dataclass(frozen=True)
class TextSearch:
    """How to find the ideas holding a text, and what the index told of their number."""

    condition: ColumnElement[bool]
    many: bool = False  # more than SPARSE ideas hold it (SQLite's index said so)


def text_search(session: Session, query: str) -> TextSearch:
    """The condition for ideas whose title or description holds ``query``, case-folded."""
    like = Idea.search_text.like(like_pattern(query), escape="\\")
    key = casefold_key(query)
    if len(key) < TRIGRAM or session.get_bind().dialect.name != "sqlite":
        return TextSearch(like)
    phrase = '"' + key.replace('"', '""') + '"'
    holding = select(_INDEX.c.rowid).where(_INDEX.c[SEARCH_INDEX].op("MATCH")(phrase))
    counted = select(func.count()).select_from(holding.limit(SPARSE + 1).subquery())
    if (session.scalar(counted) or 0) > SPARSE:
        return TextSearch(like, many=True)
    return TextSearch(Idea.id.in_(holding) & like)
