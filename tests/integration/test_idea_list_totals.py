"""The idea list's total: exact from the kept counts, exact within a meeting, bounded otherwise.

Ideas in random states, with random owners, themes and meetings, are asked for with every
combination of filters; the total must be the number of ideas the same filter lists, or, for
the filters counted up to a limit, that number up to the limit with ``more`` telling there are
others.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select

from tests.conftest import Database, empty
from workflow.models import Idea, Meeting, Theme, User, idea_themes
from workflow.repositories import ideas as idea_repository
from workflow.repositories.ideas import IdeaFilter, IdeaRepository
from workflow.services import idea_counts
from workflow.states import STATES
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
WORDS = ("skole", "natur", "unge")

idea_rows = st.lists(
    st.tuples(
        st.sampled_from(STATES),
        st.integers(0, 2),  # owner: none or one of two
        st.sets(st.integers(0, 1), max_size=2),  # themes
        st.integers(0, 1),  # meeting
        st.sampled_from(WORDS),
        st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2027, 1, 1))),
    ),
    min_size=3,
    max_size=20,
)
EXTRA: tuple[dict[str, object], ...] = (
    {},
    {"text": "skole"},
    {"meeting": 1},
    {"meeting_title": "møde 1"},
    {"overdue": date(2026, 7, 1)},
)
FILTERS = [
    {
        **({"state": state} if state else {}),
        **({"owner": owner} if owner else {}),
        **({"theme": theme} if theme is not None else {}),
        **extra,
    }
    for state in (None, STATES[0])
    for owner in (None, "id0", "id1", "email1", "none", "email-nobody")
    for theme in (None, 0, 1)
    for extra in EXTRA
]


def _where(
    asked: dict[str, object], owners: list[int], themes: list[int], meetings: list[int]
) -> IdeaFilter:
    owner = asked.get("owner")
    return IdeaFilter(
        state=asked.get("state"),  # type: ignore[arg-type]
        owner_id=owners[int(owner[2])]
        if isinstance(owner, str) and owner.startswith("id")
        else None,
        owner_email={"email1": "EJER1@randers.dk ", "email-nobody": "ingen@randers.dk"}.get(
            str(owner)
        ),
        unowned=owner == "none",
        theme_id=themes[asked["theme"]] if "theme" in asked else None,  # type: ignore[index]
        meeting_id=meetings[asked["meeting"]] if "meeting" in asked else None,  # type: ignore[index]
        meeting_title=asked.get("meeting_title"),  # type: ignore[arg-type]
        text=asked.get("text"),  # type: ignore[arg-type]
        overdue_on=asked.get("overdue"),  # type: ignore[arg-type]
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=idea_rows, fold=st.booleans())
def test_the_total_is_what_the_list_holds(
    uow: UowFactory,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[tuple[str, int, set[int], int, str, date | None]],
    fold: bool,
) -> None:
    monkeypatch.setattr(idea_repository, "COUNTED_AT_MOST", 3)
    empty(database)
    with uow() as unit:
        session = unit.session
        for number in range(2):
            session.add(User(email=f"ejer{number}@randers.dk", name=f"Ejer {number}", role="owner"))
            session.add(Theme(name=f"Tema {number}", key=f"tema {number}"))
            session.add(Meeting(title=f"Møde {number}"))
        session.flush()
        owners = list(session.scalars(select(User.id).order_by(User.id)))
        themes = list(session.scalars(select(Theme.id).order_by(Theme.id)))
        meetings = list(session.scalars(select(Meeting.id).order_by(Meeting.id)))
        for state, owner, tagged, meeting, word, follow_up in rows:
            idea_id = session.scalar(
                insert(Idea)
                .values(
                    title=f"Idé om {word}",
                    search_text=f"idé om {word}",
                    state=state,
                    owner_id=owners[owner - 1] if owner else None,
                    meeting_id=meetings[meeting],
                    follow_up_on=follow_up,
                    version=1,
                )
                .returning(Idea.id)
            )
            for theme in tagged:
                session.execute(insert(idea_themes).values(idea_id=idea_id, theme_id=themes[theme]))
        unit.commit()
        if fold:
            idea_counts.fold_counts(unit)
    with uow() as unit:
        repository = IdeaRepository(unit.session)
        for asked in FILTERS:
            where = _where(asked, owners, themes, meetings)
            matching = repository._filtered(select(Idea.id), where).subquery()
            listed = unit.session.scalar(select(func.count()).select_from(matching))
            total = repository.total(where)
            owned = where.owner_id or where.owner_email or where.unowned
            bounded = where.meeting_id is None and bool(
                where.text or where.meeting_title or where.overdue_on or (owned and where.theme_id)
            )
            expected = (min(listed, 3), listed > 3) if bounded else (listed, False)
            assert (total.number, total.more) == expected, asked
