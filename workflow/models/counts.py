"""Counts kept as they change: a total per key and the changes not yet added to it.

Every write to ``ideas`` appends its changes to ``idea_count_deltas`` in the same transaction
(database triggers, migration 0013: whoever writes an idea, the service, an import or a bulk
seed, nothing can forget it); the beat's sweep adds them to ``idea_counts`` (``fold_counts``).
A reader sums the totals and the few pending changes. Appending instead of updating a total
means no row that every transition in the city would wait on.
"""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.models.base import Base
from workflow.models.ideas import HistoryEntry, Idea, idea_themes

STATE_KEY = "state:"
"""The key prefix of the ideas in each state: ``state:proposed``."""
# Keys compare bytewise on both databases, so a key prefix is a range of the index (SQLite's
# default collation is bytewise; PostgreSQL's follows the locale unless told, migration 0014).
KEY_TYPE = String(60).with_variant(String(60, collation="C"), "postgresql")


class IdeaCount(Base):
    """How many ideas a key counted when the sweep last added the changes."""

    __tablename__ = "idea_counts"

    key: Mapped[str] = mapped_column(KEY_TYPE, primary_key=True)
    total: Mapped[int] = mapped_column(Integer, default=0)


class IdeaCountDelta(Base):
    """One change to a key's count, appended by the write that made it."""

    __tablename__ = "idea_count_deltas"
    # A reader sums one key range's changes: half a minute of a busy city's writes is thousands
    # of rows, of which a range is a few (migration 0021).
    __table_args__ = (Index("ix_idea_count_deltas_key", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(KEY_TYPE)
    delta: Mapped[int] = mapped_column(Integer)


# Rows deleted from ``ideas``, ``idea_themes`` and ``idea_history`` append changes here: emptying
# every table (in reverse dependency order) must empty these after them, so they sort before.
Idea.__table__.add_is_dependent_on(IdeaCount.__table__)  # type: ignore[attr-defined]
Idea.__table__.add_is_dependent_on(IdeaCountDelta.__table__)  # type: ignore[attr-defined]
idea_themes.add_is_dependent_on(IdeaCount.__table__)  # type: ignore[arg-type]
idea_themes.add_is_dependent_on(IdeaCountDelta.__table__)  # type: ignore[arg-type]
HistoryEntry.__table__.add_is_dependent_on(IdeaCount.__table__)  # type: ignore[attr-defined]
HistoryEntry.__table__.add_is_dependent_on(IdeaCountDelta.__table__)  # type: ignore[attr-defined]
