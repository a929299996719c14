"""Repositories of the themes ideas are tagged with and of the triggers ideas went through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.models import HistoryEntry, Idea, MeetingTheme, Theme, idea_themes
from workflow.text import casefold_key

THEME_MAX = 500


class ThemeRepository:
    """Themes, unique by their case-folded name."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, names: Sequence[str]) -> list[Theme]:
        """The themes with these names, creating the missing ones (first spelling wins)."""
        wanted: dict[str, str] = {}
        for name in names:
            cleaned = " ".join(name.split())[:THEME_MAX]
            if cleaned:
                wanted.setdefault(casefold_key(cleaned), cleaned)
        if not wanted:
            return []
        found = self.session.scalars(select(Theme).where(Theme.key.in_(wanted))).all()
        by_key = {theme.key: theme for theme in found}
        for key, name in wanted.items():
            if key not in by_key:
                by_key[key] = Theme(name=name, key=key)
                self.session.add(by_key[key])
        return [by_key[key] for key in wanted]

    def choices_for(self, idea_id: int | None, limit: int) -> list[str]:
        """The theme names an idea's form offers (three statements at most): its meeting's
        themes in the minutes' order, then its own, then others by name up to ``limit``."""
        found: list[str] = []
        if idea_id is not None:
            from_meeting = (
                select(Theme.name)
                .join(MeetingTheme, MeetingTheme.theme_id == Theme.id)
                .join(Idea, Idea.meeting_id == MeetingTheme.meeting_id)
                .where(Idea.id == idea_id)
                .order_by(MeetingTheme.position)
            )
            own = (
                select(Theme.name)
                .join(idea_themes, idea_themes.c.theme_id == Theme.id)
                .where(idea_themes.c.idea_id == idea_id)
                .order_by(Theme.key)
            )
            found = [*self.session.scalars(from_meeting), *self.session.scalars(own)]
        found += self.session.scalars(select(Theme.name).order_by(Theme.key).limit(limit))
        return list(dict.fromkeys(found))


class HistoryRepository:
    """The history of fired triggers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: HistoryEntry) -> None:
        """Stage a history row."""
        self.session.add(entry)

    def latest_park_data(self, idea_id: int) -> dict[str, Any] | None:
        """The data of the idea's latest ``park`` (None when it was never parked)."""
        query = (
            select(HistoryEntry.data)
            .where(HistoryEntry.idea_id == idea_id, HistoryEntry.trigger == "park")
            .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def for_idea(self, idea_id: int, latest: int | None = None) -> Sequence[HistoryEntry]:
        """An idea's history (its ``latest`` entries when given), oldest first."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.idea_id == idea_id)
            .options(selectinload(HistoryEntry.actor))
            .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
            .limit(latest)
        )
        return list(reversed(self.session.scalars(query).all()))
