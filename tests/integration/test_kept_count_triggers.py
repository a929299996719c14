"""The counts the triggers keep (migrations 0013 and 0014) equal a fresh count after any writes.

Random sequences of raw writes, as any writer could make them (not only the services): ideas
added, moved, handed to another owner or none, deleted (their theme links go by the cascade),
links added and removed, themes deleted, and the beat's fold in between. After each sequence the
kept counts of every key family equal what counting the tables gives, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from tests.conftest import Database, empty
from workflow.models import STATE_KEY, Idea, Theme, User, idea_themes
from workflow.repositories.idea_counts import (
    OWNER_KEY,
    THEME_KEY,
    THEMED_KEY,
    kept_counts,
)
from workflow.services import idea_counts
from workflow.states import STATES
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
OWNERS = 3
THEMES = 3

write = st.one_of(
    st.tuples(st.just("add_idea"), st.sampled_from(STATES), st.integers(0, OWNERS)),
    st.tuples(st.just("move"), st.integers(0, 30), st.sampled_from(STATES)),
    st.tuples(st.just("hand_over"), st.integers(0, 30), st.integers(0, OWNERS)),
    st.tuples(st.just("link"), st.integers(0, 30), st.integers(0, THEMES - 1)),
    st.tuples(st.just("unlink"), st.integers(0, 30), st.integers(0, THEMES - 1)),
    st.tuples(st.just("delete_idea"), st.integers(0, 30), st.just(0)),
    st.tuples(st.just("delete_theme"), st.integers(0, THEMES - 1), st.just(0)),
    st.tuples(st.just("fold"), st.just(0), st.just(0)),
)


def _counted(unit: UnitOfWork) -> Counter[str]:
    """Every key as counting the tables gives it."""
    session = unit.session
    counted: Counter[str] = Counter()
    for state, owner_id in session.execute(select(Idea.state, Idea.owner_id)):
        counted[f"{STATE_KEY}{state}"] += 1
        counted[f"{OWNER_KEY}{owner_id if owner_id is not None else 'none'}:{state}"] += 1
    links = select(idea_themes.c.theme_id, Idea.state).join(Idea, Idea.id == idea_themes.c.idea_id)
    for theme_id, state in session.execute(links):
        counted[f"{THEME_KEY}{theme_id}"] += 1
        counted[f"{THEMED_KEY}{theme_id}:{state}"] += 1
    return counted


def _kept(unit: UnitOfWork) -> Counter[str]:
    kept: Counter[str] = Counter()
    for prefix in (STATE_KEY, OWNER_KEY, THEME_KEY, THEMED_KEY):
        kept.update(kept_counts(unit.session, prefix))
    return kept


def _apply(unit: UnitOfWork, step: tuple[str, object, int], owners: list[int]) -> None:
    session = unit.session
    kind, target, value = step
    ideas = list(session.scalars(select(Idea.id).order_by(Idea.id)))
    themes = list(session.scalars(select(Theme.id).order_by(Theme.id)))
    owner = owners[value - 1] if kind in ("add_idea", "hand_over") and value else None
    if kind == "add_idea":
        row = {"title": "Idé", "state": target, "owner_id": owner, "version": 1}
        session.execute(insert(Idea).values(row))
    elif kind == "fold":
        idea_counts.fold_counts(unit)
    elif kind == "delete_theme":
        if themes:
            session.execute(delete(Theme).where(Theme.id == themes[int(str(target)) % len(themes)]))
    elif ideas:
        idea_id = ideas[int(str(target)) % len(ideas)]
        if kind == "move":
            session.execute(update(Idea).where(Idea.id == idea_id).values(state=value))
        elif kind == "hand_over":
            session.execute(update(Idea).where(Idea.id == idea_id).values(owner_id=owner))
        elif kind == "delete_idea":
            session.execute(delete(Idea).where(Idea.id == idea_id))
        elif themes:
            theme_id = themes[value % len(themes)]
            linked = session.scalar(
                select(idea_themes.c.idea_id).where(
                    idea_themes.c.idea_id == idea_id, idea_themes.c.theme_id == theme_id
                )
            )
            if kind == "link" and linked is None:
                session.execute(insert(idea_themes).values(idea_id=idea_id, theme_id=theme_id))
            elif kind == "unlink" and linked is not None:
                session.execute(
                    delete(idea_themes).where(
                        idea_themes.c.idea_id == idea_id, idea_themes.c.theme_id == theme_id
                    )
                )
    unit.commit()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(write, min_size=1, max_size=25))
def test_kept_counts_equal_a_fresh_count_after_any_writes(
    uow: UowFactory, database: Database, steps: list[tuple[str, object, int]]
) -> None:
    empty(database)
    with uow() as unit:
        for number in range(OWNERS):
            unit.session.add(User(email=f"o{number}@randers.dk", name=f"O{number}", role="owner"))
        for number in range(THEMES):
            unit.session.add(Theme(name=f"Tema {number}", key=f"tema {number}"))
        unit.commit()
        owners = list(unit.session.scalars(select(User.id).order_by(User.id)))
    for step in steps:
        with uow() as unit:
            _apply(unit, step, owners)
    with uow() as unit:
        expected = +_counted(unit)
        assert _kept(unit) == expected
        idea_counts.fold_counts(unit)
    with uow() as unit:
        assert _kept(unit) == expected


def test_deleting_an_idea_uncounts_its_theme_links_once(uow: UowFactory) -> None:
    """The idea's links go by the cascade after its own trigger counted them off: not twice."""
    with uow() as unit:
        unit.session.add(Theme(name="Tema", key="tema"))
        unit.session.execute(insert(Idea).values(title="Idé", state="assessed", version=1))
        theme_id = unit.session.scalar(select(Theme.id))
        idea_id = unit.session.scalar(select(Idea.id))
        unit.session.execute(insert(idea_themes).values(idea_id=idea_id, theme_id=theme_id))
        unit.commit()
        assert kept_counts(unit.session, THEMED_KEY) == {f"{THEMED_KEY}{theme_id}:assessed": 1}
        unit.session.execute(delete(Idea).where(Idea.id == idea_id))
        unit.commit()
        assert kept_counts(unit.session, THEMED_KEY) == {}
        assert kept_counts(unit.session, THEME_KEY) == {}
