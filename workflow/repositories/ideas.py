"""Repositories of ideas, their themes and their history."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Select, String, bindparam, func, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, defer, joinedload, selectinload
from sqlalchemy.sql.functions import FunctionElement

from workflow.importer.similarity import Fingerprint
from workflow.models import (
    FOLLOW_UP_ORDER,
    STATE_KEY,
    Assessment,
    Evaluation,
    Idea,
    Meeting,
    PilotPlan,
    Theme,
    User,
    idea_themes,
)
from workflow.models.idea_terms import similarity_text
from workflow.paging import bounded_count
from workflow.repositories.id_lists import among
from workflow.repositories.idea_counts import OWNER_KEY, THEMED_KEY, kept_counts_of, state_counts
from workflow.repositories.search import SPARSE, TextSearch, text_search
from workflow.repositories.similar_ideas import similar_stored
from workflow.states import OPEN_STATES, STATES, State
from workflow.text import like_pattern
from workflow.views import IdeaView, listed_view

# A listed idea's own columns: not its search text nor the bullet it came from.
LISTED_COLUMNS = (defer(Idea.search_text), defer(Idea.source_text))
# What an exported idea shows besides (workflow.views.idea_view): its relations' names only.
EXPORTED = (
    *LISTED_COLUMNS,
    selectinload(Idea.owner).load_only(User.email, User.name),
    selectinload(Idea.meeting).load_only(Meeting.title, Meeting.held_on),
    selectinload(Idea.themes).load_only(Theme.name),
)


_Q = TypeVar("_Q", bound=Select[Any])


_R = TypeVar("_R", Assessment, PilotPlan, Evaluation)


@dataclass(frozen=True)
class IdeaWithRecords:
    """An idea (owner and meeting loaded), its themes' names and its latest records."""

    idea: Idea
    themes: tuple[str, ...]  # their names
    assessment: Assessment | None
    pilot_plan: PilotPlan | None
    evaluation: Evaluation | None


@dataclass(frozen=True)
class IdeaFilter:
    """What a list of ideas is narrowed to; None means no narrowing."""

    state: State | None = None
    owner_email: str | None = None
    owner_id: int | None = None
    unowned: bool = False
    text: str | None = None
    theme_id: int | None = None
    meeting_id: int | None = None
    meeting_title: str | None = None  # part of the title of the meeting the idea came from
    overdue_on: date | None = None  # follow-up before this day, and the idea still open


COUNTED_AT_MOST = SPARSE  # past it, SQLite's search index knows the total without a count
"""A list narrowed by a search (or the overdue ideas) is counted up to this many ideas: a
count of every match grows with the data, and past a thousand the number tells no one more."""


@dataclass(frozen=True)
class ListTotal:
    """How many ideas a list holds; ``more``: counted up to ``number`` and there are more."""

    number: int
    more: bool = False


def latest_of_idea(model: type[_R]) -> Any:
    newest = select(func.max(model.id)).where(model.idea_id == bindparam("idea_id"))
    return (model.idea_id == Idea.id) & (model.id == newest.scalar_subquery())


class _NameList(FunctionElement[str]):
    """The names as a JSON array in text (``[]`` or NULL when there are none)."""

    type = String()
    name = "name_list"
    inherit_cache = True


@compiles(_NameList)
def _name_list(element: _NameList, compiler: Any, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(_NameList, "postgresql")
def _name_list_pg(element: _NameList, compiler: Any, **kw: Any) -> str:
    return f"CAST(json_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


# The names are all an answer shows of the themes: read as plain text by a correlated subquery
# on idea_themes' index (loading Theme objects costs more than the rest of the read, a joined
# many-to-many SQLite would scan whole, and a statement of their own a round trip more).
THEME_NAMES = (
    select(_NameList(Theme.__table__.c.name))
    .join(idea_themes, idea_themes.c.theme_id == Theme.__table__.c.id)
    .where(idea_themes.c.idea_id == Idea.__table__.c.id)
    .scalar_subquery()
)
# Built once: composing this statement costs more than running it.
_WITH_RECORDS = (
    select(Idea, Assessment, PilotPlan, Evaluation, THEME_NAMES)
    .outerjoin(Assessment, latest_of_idea(Assessment))
    .outerjoin(PilotPlan, latest_of_idea(PilotPlan))
    .outerjoin(Evaluation, latest_of_idea(Evaluation))
    .where(Idea.id == bindparam("idea_id"))
    .options(
        joinedload(Idea.owner),
        joinedload(Idea.meeting),
        joinedload(PilotPlan.owner),
    )
)


IDEA_ORDERS: dict[str, tuple[Any, ...]] = {
    "newest": (Idea.id.desc(),),
    "oldest": (Idea.id.asc(),),
    "title": (Idea.title.asc(), Idea.id.desc()),
    "updated": (Idea.updated_at.desc(), Idea.id.desc()),
    "follow_up": FOLLOW_UP_ORDER,
    "waiting": (Idea.state_changed_at.asc(), Idea.id.asc()),
}


class IdeaRepository:
    """Ideas and the records their transitions leave."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, idea: Idea) -> None:
        """Stage a new idea."""
        self.session.add(idea)

    def get(self, idea_id: int) -> Idea | None:
        """The idea with this id, or None."""
        return self.session.get(Idea, idea_id)

    def with_records(self, idea_id: int) -> IdeaWithRecords | None:
        """The idea, its owner, meeting, themes' names and latest records in one statement (an
        idea page and a transition's answer need all of them)."""
        row = self.session.execute(_WITH_RECORDS, {"idea_id": idea_id}).unique().first()
        if row is None:
            return None
        idea, assessment, pilot_plan, evaluation, names = row
        themes = tuple(json.loads(names)) if names else ()
        return IdeaWithRecords(idea, themes, assessment, pilot_plan, evaluation)

    def count(self) -> int:
        """How many ideas there are."""
        return self.session.scalar(select(func.count(Idea.id))) or 0

    def lock(self, idea_ids: Iterable[int]) -> Sequence[Idea]:
        """Lock these ideas' rows for this transaction, always in id order (so two transactions
        locking the same pair cannot deadlock), and reload them as they are now. SQLite has no
        row locks: there the version compare-and-set at commit decides."""
        query = (
            select(Idea)
            .where(Idea.id.in_(sorted(set(idea_ids))))
            .order_by(Idea.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return self.session.scalars(query).all()

    def page(
        self, where: IdeaFilter, offset: int, limit: int, order: str = "newest"
    ) -> tuple[list[IdeaView], ListTotal]:
        """One page of matching ideas in ``order`` (see IDEA_ORDERS), and how many match."""
        search = self._search(where)
        total = self.total(where, search)
        listing = self._listing(where, order, search).offset(offset).limit(limit)
        return self.listed(self.session.scalars(listing).all()), total

    def total(self, where: IdeaFilter, search: TextSearch | None = None) -> ListTotal:
        """How many ideas match: exact from the kept counts when the list is narrowed by
        state, owner or theme alone, exact by counting within one meeting, and otherwise
        counted up to ``COUNTED_AT_MOST`` (a search or the overdue ideas of a whole city)."""
        search = search or self._search(where)
        if where.meeting_id is not None:  # a meeting's ideas, on its own index range
            counted = self._filtered(select(func.count(Idea.id)), where, search)
            return ListTotal(self.session.scalar(counted) or 0)
        kept = self._kept_total(where)
        if kept is not None:
            return ListTotal(kept)
        if search and search.many and replace(where, text=None) == IdeaFilter():
            return ListTotal(COUNTED_AT_MOST, more=True)  # the text alone, held by many
        filtered = self._filtered(select(Idea.id), where, search)
        number, more = bounded_count(self.session, filtered, COUNTED_AT_MOST)
        return ListTotal(number, more)

    def _search(self, where: IdeaFilter) -> TextSearch | None:
        return text_search(self.session, where.text) if where.text else None

    def _kept_total(self, where: IdeaFilter) -> int | None:
        """The total from the counts kept by state, owner and theme; None when the filter is
        not one of theirs."""
        if where.text or where.meeting_title or where.overdue_on is not None:
            return None
        owned = where.unowned or where.owner_id is not None or where.owner_email is not None
        if owned and where.theme_id is not None:
            return None
        if where.unowned:
            prefix = f"{OWNER_KEY}none:"
        elif where.owner_id is not None or where.owner_email is not None:
            owner_id = where.owner_id
            if owner_id is None:
                email = (where.owner_email or "").strip().lower()
                owner_id = self.session.scalar(select(User.id).where(User.email == email))
                if owner_id is None:
                    return 0
            prefix = f"{OWNER_KEY}{owner_id}:"
        elif where.theme_id is not None:
            prefix = f"{THEMED_KEY}{where.theme_id}:"
        else:
            prefix = STATE_KEY
        states = [where.state] if where.state else list(STATES)
        return sum(kept_counts_of(self.session, [f"{prefix}{state}" for state in states]).values())

    def each(self, where: IdeaFilter, order: str = "newest") -> Iterator[Idea]:
        """Every matching idea in ``order``, streamed in batches (for exports)."""
        query = self._listing(where, order).options(*EXPORTED).execution_options(yield_per=500)
        yield from self.session.scalars(query)

    def _listing(
        self, where: IdeaFilter, order: str, search: TextSearch | None = None
    ) -> Select[Idea]:
        query = self._filtered(select(Idea), where, search).options(*LISTED_COLUMNS)
        return query.order_by(*IDEA_ORDERS[order])

    def listed(self, ideas: Sequence[Idea]) -> list[IdeaView]:
        """The ideas as lists show them, their owners', meetings' and themes' names read as rows
        (one statement each, none when no idea has any)."""
        owners = self._names(
            select(User.id, User.email, User.name), User.id, {i.owner_id for i in ideas}
        )
        meetings = self._names(  # the key, then the names: a meeting's view shows its id too
            select(Meeting.id, Meeting.id, Meeting.title, Meeting.held_on),
            Meeting.id,
            {i.meeting_id for i in ideas},
        )
        themes: dict[int, list[str]] = {}
        if ideas:
            tagged = (
                select(idea_themes.c.idea_id, Theme.name)
                .join(Theme, Theme.id == idea_themes.c.theme_id)
                .where(among(self.session, idea_themes.c.idea_id, [idea.id for idea in ideas]))
            )
            for idea_id, name in self.session.execute(tagged):
                themes.setdefault(idea_id, []).append(name)
        return [
            listed_view(
                idea,
                owners.get(idea.owner_id),  # type: ignore[arg-type]
                meetings.get(idea.meeting_id),  # type: ignore[arg-type]
                themes.get(idea.id, ()),
            )
            for idea in ideas
        ]

    def _names(
        self, query: Select[*tuple[Any, ...]], key: Any, ids: set[int | None]
    ) -> dict[int, tuple[Any, ...]]:
        wanted = [found for found in ids if found is not None]
        if not wanted:
            return {}
        found = self.session.execute(query.where(among(self.session, key, wanted)))
        return {row[0]: tuple(row[1:]) for row in found}

    def count_by_state(self) -> dict[State, int]:
        """How many ideas are in each state (states without ideas are left out)."""
        return state_counts(self.session)

    def board_cards(self, states: Sequence[State], limit: int) -> dict[State, list[IdeaView]]:
        """Each state's first cards in one statement, whatever the number of ideas: due
        follow-ups first (earliest first), then the latest to arrive. Each state asks twice,
        for ideas with a follow-up date and for those without, so both halves read
        ix_ideas_state_follow_up_changed in order instead of sorting the state's ideas (SQLite
        cannot serve NULLS LAST from an index)."""
        halves = []
        for state in states:
            in_state = select(Idea.id).where(Idea.state == state)
            halves += [
                in_state.where(Idea.follow_up_on.is_not(None))
                .order_by(Idea.follow_up_on.asc(), Idea.state_changed_at.desc())
                .limit(limit),
                in_state.where(Idea.follow_up_on.is_(None))
                .order_by(Idea.state_changed_at.desc())
                .limit(limit),
            ]
        if not halves:
            return {}
        ids = union_all(*(select(half.subquery().c.id) for half in halves)).subquery()
        rows = self.session.scalars(
            select(Idea).where(Idea.id.in_(select(ids.c.id))).options(*LISTED_COLUMNS)
        ).all()
        # Each state's halves hold up to twice its cards: keep its first, then read their names.
        kept: dict[State, list[Idea]] = {state: [] for state in states}
        for idea in sorted(rows, key=_board_order):
            if len(kept[idea.state]) < limit:
                kept[idea.state].append(idea)
        views = iter(self.listed([idea for found in kept.values() for idea in found]))
        return {state: [next(views) for _ in found] for state, found in kept.items()}

    def _filtered(self, query: _Q, where: IdeaFilter, search: TextSearch | None = None) -> _Q:
        if where.state:
            query = query.where(Idea.state == where.state)
        if where.owner_id is not None:
            query = query.where(Idea.owner_id == where.owner_id)
        if where.theme_id is not None:
            # The theme's ideas first, then their order: asked inside the list's order, the
            # PostgreSQL planner walks every idea by its date looking for the theme's few
            # (190 ms against 6 at 100,000 ideas). MATERIALIZED keeps the two apart.
            tagged = (
                select(idea_themes.c.idea_id)
                .where(idea_themes.c.theme_id == where.theme_id)
                .cte("tagged")
                .prefix_with("MATERIALIZED", dialect="postgresql")
            )
            query = query.where(Idea.id.in_(select(tagged.c.idea_id)))
        if where.meeting_id is not None:
            query = query.where(Idea.meeting_id == where.meeting_id)
        if where.meeting_title:
            titled = select(Meeting.id).where(
                func.lower(Meeting.title).like(like_pattern(where.meeting_title), escape="\\")
            )
            query = query.where(Idea.meeting_id.in_(titled))
        if where.overdue_on is not None:
            query = query.where(Idea.follow_up_on < where.overdue_on, Idea.state.in_(OPEN_STATES))
        if where.unowned:
            query = query.where(Idea.owner_id.is_(None))
        elif where.owner_email:
            owner_ids = select(User.id).where(User.email == where.owner_email.strip().lower())
            query = query.where(Idea.owner_id.in_(owner_ids.scalar_subquery()))
        if where.text:
            query = query.where((search or text_search(self.session, where.text)).condition)
        return query

    def latest_assessment(self, idea_id: int) -> Assessment | None:
        """The most recent assessment of an idea."""
        return self._latest(Assessment, idea_id)

    def latest_pilot_plan(self, idea_id: int) -> PilotPlan | None:
        """The most recent pilot plan of an idea."""
        return self._latest(PilotPlan, idea_id)

    def latest_evaluation(self, idea_id: int) -> Evaluation | None:
        """The most recent evaluation of an idea."""
        return self._latest(Evaluation, idea_id)

    def _latest(self, model: type[_R], idea_id: int) -> _R | None:
        query = select(model).where(model.idea_id == idea_id).order_by(model.id.desc()).limit(1)
        return self.session.scalars(query).first()

    def add_record(self, record: Assessment | PilotPlan | Evaluation) -> None:
        """Stage an assessment, pilot plan or evaluation."""
        self.session.add(record)

    def texts_for_similarity(self) -> Iterator[tuple[int, str]]:
        """(id, title and description) of every idea that is not merged, streamed (a full scan)."""
        query = select(Idea.id, Idea.title, Idea.description).where(Idea.state != State.MERGED)
        for idea_id, title, description in self.session.execute(
            query.execution_options(yield_per=2000)
        ):
            yield idea_id, similarity_text(title, description)

    def similar_stored(
        self, prints: Sequence[Fingerprint], threshold: float
    ) -> list[list[tuple[int, float]]]:
        """Per fingerprint, the (id, score) of stored ideas resembling it (the terms index)."""
        return similar_stored(self.session, prints, threshold)

    def of_meeting(self, meeting_id: int) -> Sequence[Idea]:
        """A meeting's ideas in the order the minutes list them."""
        query = (
            select(Idea)
            .where(Idea.meeting_id == meeting_id)
            .order_by(Idea.source_position, Idea.id)
        )
        return self.session.scalars(query).all()


def _board_order(idea: Idea) -> tuple[bool, date, float]:
    """Follow-ups due first (earliest first), then the latest to arrive in their state."""
    return (
        idea.follow_up_on is None,
        idea.follow_up_on or date.min,
        -idea.state_changed_at.timestamp(),
    )
