"""Lists read their ideas' owners, meetings and themes as rows; what they show must be what the
ideas' own relations say (``workflow.views.idea_view``), for any mix of ideas with and without
each, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from tests.conftest import Database, empty
from workflow.models import Idea, Meeting, Theme, User, idea_themes
from workflow.repositories.ideas import IdeaFilter, IdeaRepository
from workflow.states import STATES, State
from workflow.uow import UnitOfWork
from workflow.views import idea_view

UowFactory = Callable[[], UnitOfWork]

idea_rows = st.lists(
    st.tuples(
        st.sampled_from(STATES),
        st.integers(0, 3),  # owner: none or one of three
        st.sets(st.integers(0, 3), max_size=4),  # themes
        st.integers(0, 3),  # meeting: none or one of three
        st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2027, 1, 1))),
        st.booleans(),  # notes from the minutes' table
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=idea_rows, per_page=st.integers(1, 30))
def test_listed_ideas_show_what_their_relations_say(
    uow: UowFactory,
    database: Database,
    rows: list[tuple[str, int, set[int], int, date | None, bool]],
    per_page: int,
) -> None:
    empty(database)
    with uow() as unit:
        session = unit.session
        for number in range(3):
            session.add(User(email=f"ejer{number}@randers.dk", name=f"Ejer {number}", role="owner"))
            session.add(Meeting(title=f"Møde {number}", held_on=date(2026, 1, number + 1)))
        for number in range(4):
            session.add(Theme(name=f"{'æøå'[number % 3]}tema {number}", key=f"tema {number}"))
        session.flush()
        owners = list(session.scalars(select(User.id).order_by(User.id)))
        meetings = list(session.scalars(select(Meeting.id).order_by(Meeting.id)))
        themes = list(session.scalars(select(Theme.id).order_by(Theme.id)))
        for state, owner, tagged, meeting, follow_up, noted in rows:
            idea_id = session.scalar(
                insert(Idea)
                .values(
                    title="Idé",
                    state=state,
                    owner_id=owners[owner - 1] if owner else None,
                    meeting_id=meetings[meeting - 1] if meeting else None,
                    follow_up_on=follow_up,
                    source_notes=[["Hvem", "Skolen"]] if noted else None,
                    version=1,
                )
                .returning(Idea.id)
            )
            for theme in tagged:
                session.execute(insert(idea_themes).values(idea_id=idea_id, theme_id=themes[theme]))
        unit.commit()

    with uow() as unit:
        repository = IdeaRepository(unit.session)
        for order in ("newest", "title", "follow_up"):
            listed, _ = repository.page(IdeaFilter(), offset=0, limit=per_page, order=order)
            unit.session.expunge_all()
            expected = [idea_view(repository.get(view.id)) for view in listed]  # type: ignore[arg-type]
            assert listed == expected
        cards = repository.board_cards(list(State), limit=per_page)
        unit.session.expunge_all()
        for state, shown in cards.items():
            assert all(card.state == state for card in shown)
            assert shown == [idea_view(repository.get(card.id)) for card in shown]  # type: ignore[arg-type]
