"""Every page runs a fixed number of SQL statements, whatever the number of ideas: each page is
counted with a few ideas and again with many more (themes, meetings, owners, followers and
history on each), and the two counts must be equal. A count that grows is an N+1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, update

from tests.web.conftest import Web
from web.views import ideas as idea_views
from workflow.models import HistoryEntry, Idea, Meeting
from workflow.permissions import Actor
from workflow.services import collaboration, ideas, listing, meetings, users
from workflow.states import STATES
from workflow.uow import UnitOfWork

SMALL, LARGE = 5, 45
PAGES = (
    "/board",
    "/ideas",
    "/ideas?sort=title",
    "/ideas?sort=updated",
    "/ideas?sort=waiting&state=assessed",
    "/ideas?state=proposed&sort=follow_up",
    "/ideas?theme={theme_id}&meeting={meeting_id}&q=Idé",
    "/ideas?owner={owner_email}&overdue=1&sort=title",
    "/ideas?meeting_title=borgermøde&state=assessed",
    "/my",
    "/dashboard",
    "/meetings",
    "/meetings/{meeting_id}",
    "/ideas/{idea_id}",
)
API = (
    "/api/v1/ideas",
    "/api/v1/ideas?state=proposed",
    "/api/v1/ideas?owner={owner_email}&q=Idé",
    "/api/v1/ideas/{idea_id}",
    "/api/v1/ideas/{idea_id}/history",
    "/api/v1/pipeline",
    "/api/v1/meetings",
    "/api/v1/meetings/{meeting_id}",
    "/api/v1/meetings/{meeting_id}/report",
    "/api/v1/notifications",
)


HISTORY = (("assess", "proposed", "assessed"), ("park", "assessed", "parked"))


class Seeder:
    """Adds ideas spread over every state, each with three themes, a meeting, an owner, two
    followers, a follow-up date and history; the first idea's history, followers and comments
    grow with every idea."""

    def __init__(self, uow: Callable[[], UnitOfWork], manager: Actor, owner: Actor) -> None:
        self.uow, self.manager, self.owner = uow, manager, owner
        self.made = 0
        self.first: dict[str, int] = {}

    def add(self, count: int) -> None:
        """Add ``count`` more ideas (and a meeting for every five)."""
        for _ in range(count):
            number, self.made = self.made, self.made + 1
            with self.uow() as unit:
                if number % 5 == 0:
                    meeting = Meeting(title=f"Borgermøde {number}", held_on=date(2025, 1, 1))
                    unit.session.add(meeting)
                    unit.session.flush()
                    self.meeting_id = meeting.id
                fields = {
                    "title": f"Idé {number}",
                    "description": "Flere bænke langs åen.",
                    "themes": [
                        f"Tema {number % 11}",
                        f"Tema {(number + 3) % 11}",
                        f"Tema {(number + 7) % 11}",
                    ],
                    "owner": self.owner.email,
                    "follow_up_on": (date(2025, 1, 1) + timedelta(days=number)).isoformat(),
                }
                idea_id = ideas.create_idea(unit, self.manager, fields).id
                unit.session.execute(
                    update(Idea)
                    .where(Idea.id == idea_id)
                    .values(state=STATES[number % len(STATES)], meeting_id=self.meeting_id)
                    .execution_options(synchronize_session=False)
                )
                for target in {idea_id, self.first.get("idea_id", idea_id)}:
                    unit.session.add_all(
                        HistoryEntry(idea_id=target, trigger=trigger, from_state=source,
                                     to_state=dest, actor_id=self.manager.id, data={})
                        for trigger, source, dest in HISTORY
                    )  # fmt: skip
                unit.commit()
            first = self.first.get("idea_id", idea_id)
            for target, follower in (
                (idea_id, f"foelger{number}"), (idea_id, f"nabo{number}"), (first, f"ven{number}")
            ):  # fmt: skip
                with self.uow() as unit:
                    collaboration.add_follower(
                        unit, self.manager, target, name=f"Følger {number}",
                        email=f"{follower}@example.dk",
                    )  # fmt: skip
            with self.uow() as unit:
                author = (self.manager, self.owner)[number % 2]
                collaboration.add_comment(unit, author, first, f"Kommentar {number}")
            self.first.setdefault("idea_id", idea_id)
            self.first.setdefault("meeting_id", self.meeting_id)

    def url(self, template: str) -> str:
        """``template`` with the first idea, its meeting, a theme and the owner filled in."""
        return template.format(theme_id=1, owner_email=self.owner.email, **self.first)


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    """The statements the app's engine runs inside the block."""
    engine = app.extensions["ideaflow.database"].engine
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def counts(app: Flask, web: Web, paths: list[str], headers: dict[str, str]) -> dict[str, int]:
    """How many statements each path runs (each must answer 200)."""
    found = {}
    web.get(paths[0], headers=headers)  # warm up: first-request work is not the page's
    for path in paths:
        with counting(app) as statements:
            response = web.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        found[path] = len(statements)
    return found


@pytest.fixture
def seeded(uow: Callable[[], UnitOfWork], make_user: Callable[..., Actor]) -> Seeder:
    """A manager, an owner and the first few ideas."""
    seeder = Seeder(uow, make_user("manager"), make_user("owner"))
    seeder.add(SMALL)
    return seeder


def test_pages_run_as_many_statements_for_many_ideas_as_for_few(
    app: Flask, web: Web, seeded: Seeder
) -> None:
    web.login(seeded.manager)
    paths = [seeded.url(page) for page in PAGES]
    few = counts(app, web, paths, {})
    seeded.add(LARGE - SMALL)
    many = counts(app, web, paths, {})
    assert many == few


def test_api_lists_run_as_many_statements_for_many_ideas_as_for_few(
    app: Flask, web: Web, seeded: Seeder, uow: Callable[[], UnitOfWork]
) -> None:
    with uow() as unit:
        token = users.issue_token(unit, seeded.manager.email).secret
    headers = {"Authorization": f"Bearer {token}"}
    paths = [seeded.url(page) for page in API]
    few = counts(app, web, paths, headers)
    seeded.add(LARGE - SMALL)
    many = counts(app, web, paths, headers)
    assert many == few


def test_the_meeting_filter_searches_titles_instead_of_listing_every_meeting(
    web: Web, seeded: Seeder
) -> None:
    seeded.add(LARGE - SMALL)
    web.login(seeded.manager)
    page = web.text("/ideas")
    assert "Borgermøde 40</option>" not in page  # no option per meeting
    assert 'name="meeting_title"' in page

    found = web.text("/ideas?meeting_title=MØDE 35")
    assert "Idé 35" in found and "Idé 39" in found and "Idé 34" not in found

    named = web.text(seeded.url("/ideas?meeting={meeting_id}"))
    assert "Only ideas from the meeting “Borgermøde 0”." in named
    assert 'type="hidden" name="meeting"' in named
    assert "Idé 0" in named and "Idé 5<" not in named

    too_long = web.get("/ideas?meeting_title=" + "x" * 301)
    assert too_long.status_code == 422


def test_board_cards_come_due_follow_ups_first_then_the_latest_to_arrive(
    uow: Callable[[], UnitOfWork], make_user: Callable[..., Actor]
) -> None:
    manager = make_user("manager")
    follow_ups = [None, "2025-03-01", "2025-01-01", None, "2025-02-01"]
    with uow() as unit:
        for number, follow_up in enumerate(follow_ups):
            fields = {"title": f"Idé {number}", "follow_up_on": follow_up}
            ideas.create_idea(unit, manager, {k: v for k, v in fields.items() if v})
            unit.session.flush()
            unit.session.execute(
                update(Idea)
                .where(Idea.title == f"Idé {number}")
                .values(state_changed_at=datetime(2025, 1, 1, 12, number, tzinfo=UTC))
                .execution_options(synchronize_session=False)
            )
        unit.commit()
    with uow() as unit:
        columns = {column.state: column for column in listing.board(unit, manager, cards=4)}
    proposed = columns[STATES[0]]
    assert proposed.count == 5
    assert [card.title for card in proposed.cards] == ["Idé 2", "Idé 4", "Idé 1", "Idé 3"]
    assert all(not column.cards for state, column in columns.items() if state != STATES[0])


def test_a_meeting_page_lists_its_first_ideas_and_counts_them_all(
    web: Web, seeded: Seeder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meetings, "IDEAS_SHOWN", 2)
    web.login(seeded.manager)
    page = web.text(seeded.url("/meetings/{meeting_id}"))
    assert "5 ideas came from this meeting." in page
    assert "The first 2 of 5 ideas, in the order of the minutes." in page
    assert "Idé 1<" in page and "Idé 2<" not in page
    assert seeded.url('href="/ideas?meeting={meeting_id}"') in page


def test_an_idea_page_lists_its_latest_steps_and_comments_and_counts_them_all(
    web: Web, seeded: Seeder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idea_views, "SHOWN", 3)
    web.login(seeded.manager)
    page = web.text(seeded.url("/ideas/{idea_id}"))
    # The first idea: 2 steps for each of the 5 ideas; 3 followers of its own
    # and one for each idea; a comment for each idea.
    assert "The latest 3 of 10 steps." in page
    assert "The first 3 of 7 followers." in page
    assert "The latest 3 of 5 comments." in page
    assert "Kommentar 4" in page and "Kommentar 1<" not in page


def test_the_idea_list_pages_through_the_first_ten_thousand_ideas(web: Web, seeded: Seeder) -> None:
    web.login(seeded.manager)
    assert web.get(f"/ideas?page={10_000 // 25 + 1}").status_code == 200
    deeper = web.get(f"/ideas?page={10_000 // 25 + 2}&sort=title")
    assert deeper.status_code == 422
    assert "Only the first 10,000 ideas are paged through" in deeper.get_data(as_text=True)


def _reads_of_ideas(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and " ideas" in s)


def test_a_sent_form_reads_its_idea_once(app: Flask, web: Web, seeded: Seeder) -> None:
    """The service checks who may do what on the idea it reads; the view reads it again only to
    show the form again."""
    with seeded.uow() as unit:
        idea = ideas.create_idea(unit, seeded.manager, {"title": "Sociale partnerskaber"})
    web.login(seeded.manager)
    token = web.csrf_token()  # read before counting: fetching it reads a page
    web.get(f"/ideas/{idea.id}")  # warm up
    with counting(app) as edit:
        response = web.client.post(
            f"/ideas/{idea.id}/edit",
            data={"csrf_token": token, "title": "Sociale partnerskaber i Randers",
                  "description": "Ny tekst.", "expected_version": str(idea.version),
                  "owner": seeded.owner.email},
        )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    with counting(app) as gate:
        response = web.client.post(
            f"/ideas/{idea.id}/transitions/assess",
            data={"csrf_token": token, "expected_version": str(idea.version + 1),
                  "data-impact": "4", "data-feasibility": "3", "data-cost": "2",
                  "data-summary": "Vurderet."},
        )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    reads = [s for s in edit + gate if " ideas" in s]
    assert (_reads_of_ideas(edit), _reads_of_ideas(gate)) == (1, 1), "\n\n".join(reads)
