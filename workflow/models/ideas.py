"""Ideas, their themes, and the records and history their transitions leave behind."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.clock import utcnow
from workflow.followups.schedule import MARK
from workflow.gates import iso_day
from workflow.models.base import Base, JsonDocument, StateColumn, UTCDateTime, sql_in
from workflow.models.meetings import Meeting, Theme
from workflow.models.people import Contact, User
from workflow.states import INITIAL_STATE, STATES, State, allowed_triggers

idea_themes = Table(
    "idea_themes",
    Base.metadata,
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
    # A theme's ideas in id order (a meeting's page lists each theme's first; migration 0016).
    Index("ix_idea_themes_theme_idea", "theme_id", "idea_id"),
)


class Idea(Base):
    """An idea and where it stands; ``version`` guards every update (compare-and-set)."""

    __tablename__ = "ideas"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_in(STATES)})", name="state"),
        Index("ix_ideas_state_changed", "state", "state_changed_at"),
        Index("ix_ideas_state_updated", "state", "updated_at"),
        # The board's cards per column: by follow-up date, then by arrival (migration 0009);
        # also the follow-up sweep's open ideas by due date.
        Index("ix_ideas_state_follow_up_changed", "state", "follow_up_on", "state_changed_at"),
        # The board's undated cards on PostgreSQL, whose planner takes dates and states for
        # unrelated and would walk a whole state looking for them (migration 0019).
        Index(
            "ix_ideas_undated_state_changed",
            "state",
            "state_changed_at",
            postgresql_where=text("follow_up_on IS NULL"),
        ).ddl_if(dialect="postgresql"),
        # The dashboard's load per owner and the list by latest change (migration 0012). The
        # owner's and the meeting's indexes lead with the id, so they serve the foreign keys too.
        Index("ix_ideas_owner_load", "owner_id", "state", "follow_up_on", "state_changed_at"),
        Index("ix_ideas_updated", "updated_at"),
        Index("ix_ideas_meeting_state", "meeting_id", "state"),
        # The list by title and by time in the state, read in order (migration 0018).
        Index("ix_ideas_title_order", "title", "id"),
        Index("ix_ideas_waiting_order", "state_changed_at", "id"),
        # The list's text search (LIKE '%...%') on PostgreSQL: its trigrams (migration 0017).
        Index(
            "ix_ideas_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[State] = mapped_column(StateColumn, default=INITIAL_STATE)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    source_exercise: Mapped[str | None] = mapped_column(String(500))
    source_section: Mapped[str | None] = mapped_column(String(500))
    source_position: Mapped[int | None] = mapped_column(Integer)
    source_text: Mapped[str | None] = mapped_column(Text)  # the bullet as the minutes wrote it
    # The other columns of the table row the idea came from: [["Næste skridt", "..."], ...].
    source_notes: Mapped[list[list[str]] | None] = mapped_column(JsonDocument)
    follow_up_on: Mapped[date | None] = mapped_column(Date, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    state_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the reminder sweep must next look at the idea (workflow.followups.schedule); NULL:
    # not until a write. Writes set MARK (workflow.models.followup_marks), the sweep the rest.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=MARK, index=True)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    meeting: Mapped[Meeting | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=idea_themes, order_by=Theme.name)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it once)

    @property
    def allowed_triggers(self) -> tuple[str, ...]:
        """The triggers that can fire from this idea's state."""
        return allowed_triggers(self.state)


SEARCH_INDEX = "ideas_search"
"""SQLite's trigram index of the ideas' search text (FTS5, migration 0020): a virtual table and
its shadow tables (``ideas_search_data``, ...), made and kept by the database, not models."""


def kept_by_database(table_name: str) -> bool:
    """Whether a table is one the database keeps for an index (no model describes it)."""
    return table_name == SEARCH_INDEX or table_name.startswith(f"{SEARCH_INDEX}_")


# The list sorted by follow-up date, undated last, read in order from an index on both
# databases (SQLite cannot serve NULLS LAST from one): the order is spelt
# ``(follow_up_on IS NULL), follow_up_on, id DESC`` and indexed as such (migration 0012).
FOLLOW_UP_ORDER = (Idea.follow_up_on.is_(None), Idea.follow_up_on, Idea.id.desc())
Index("ix_ideas_follow_up_order", *FOLLOW_UP_ORDER)
Index("ix_ideas_state_follow_up_order", Idea.state, *FOLLOW_UP_ORDER)


class Assessment(Base):
    """The scores and summary that moved an idea to ``assessed``."""

    __tablename__ = "assessments"
    __table_args__ = tuple(
        CheckConstraint(f"{score} BETWEEN 1 AND 5", name=score)
        for score in ("impact", "feasibility", "cost")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    impact: Mapped[int] = mapped_column(SmallInteger)
    feasibility: Mapped[int] = mapped_column(SmallInteger)
    cost: Mapped[int] = mapped_column(SmallInteger)
    summary: Mapped[str] = mapped_column(Text)
    assessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PilotPlan(Base):
    """The plan an idea is piloted on."""

    __tablename__ = "pilot_plans"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint("budget_dkk IS NULL OR budget_dkk >= 0", name="budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    success_criteria: Mapped[str] = mapped_column(Text)
    budget_dkk: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    site: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])


class Evaluation(Base):
    """How a pilot went and where the idea is scaled to."""

    __tablename__ = "evaluations"
    __table_args__ = (CheckConstraint("outcome IN ('success', 'partial')", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    evaluation: Mapped[str] = mapped_column(Text)
    scale_to: Mapped[list[str]] = mapped_column(JsonDocument)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HistoryEntry(Base):
    """One fired trigger. Replaying an idea's entries in order yields its state."""

    __tablename__ = "idea_history"
    # The funnel's "ever reached" counts, from the index only (migration 0012).
    __table_args__ = (Index("ix_idea_history_to_state_idea", "to_state", "idea_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    trigger: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[State] = mapped_column(StateColumn)
    to_state: Mapped[State] = mapped_column(StateColumn)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    actor: Mapped[User | None] = relationship()


class IdeaEdit(Base):
    """One edit of an idea's fields: who, when, and each changed field's value before and
    after (``{"owner": {"from": "a@x.dk", "to": "b@x.dk"}}``). The idea's timeline shows them
    beside the fired triggers; they are not steps, so replaying the history ignores them."""

    __tablename__ = "idea_edits"
    __table_args__ = (Index("ix_idea_edits_idea_at", "idea_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)

    actor: Mapped[User | None] = relationship()


def revisit_on(history: Iterable[HistoryEntry]) -> date | None:
    """The revisit date of the latest ``park`` in ``history`` (oldest first); None without one."""
    parked = [entry for entry in history if entry.trigger == "park"]
    return iso_day(parked[-1].data.get("revisit_on")) if parked else None


class Comment(Base):
    """An internal note on an idea; never shown to stakeholders."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class IdeaFollower(Base):
    """A stakeholder who follows an idea; when and how they opted in is kept."""

    __tablename__ = "idea_followers"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    source: Mapped[str] = mapped_column(String(200))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(lazy="joined")
