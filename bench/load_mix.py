"""The sustained load's traffic: 70% page and API reads, 20% transitions, 10% edits.

People sign in over HTTP (managers and owners, the seed's password) and act as they may: owners
on their own ideas, managers on anybody's. Transitions and edits go through the pages' forms
with the CSRF token, each to an idea nobody else touches in the run, with the version read
before the run, so a 409 would be the server's doing, not the generator's. Which idea gets which
trigger follows its state: proposed ideas are assessed (one in four parked), assessed ones start
a pilot, pilots are scaled, parked and rejected ideas reopened.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select

from bench.http_client import Answer, ApiClient, Browser, api_token
from bench.load_generator import Operation
from workflow.db import Database
from workflow.models import Idea, Theme
from workflow.models.ideas import idea_themes
from workflow.models.people import User
from workflow.states import State

READS = (  # kind, weight (of 70)
    ("board", 8),
    ("ideas_filtered", 14),
    ("idea_page", 18),
    ("dashboard", 5),
    ("my", 8),
    ("api_ideas", 11),
    ("api_meetings", 6),
)
TRANSITION_SHARE, EDIT_SHARE = 20, 10
MOVABLE = (State.PROPOSED, State.ASSESSED, State.PILOTED, State.PARKED, State.REJECTED)
EDITABLE = (*MOVABLE, State.SCALED)
FILTERS = ("state", "owner", "q", "sort", "overdue", "theme")
ORDERS = ("newest", "title", "updated", "follow_up", "waiting")


@dataclass(frozen=True)
class Target:
    """An idea one request will change: its id, state and version before the run."""

    id: int
    state: State
    version: int
    owner_id: int | None


@dataclass
class Person:
    """A signed-in person with the ideas they will move and edit, one request each."""

    browser: Browser
    api: ApiClient
    moves: deque[Target] = field(default_factory=deque)
    edits: deque[Target] = field(default_factory=deque)


@dataclass
class Snapshot:
    """What the generator needs to know of the data, read once before the run."""

    max_idea_id: int
    owner_emails: list[str]
    theme_ids: list[int]
    words: list[str]
    targets: list[Target]
    emails: dict[int, str]
    themes: dict[int, list[str]] = field(default_factory=dict)
    texts: dict[int, tuple[str, str, date | None]] = field(default_factory=dict)


def snapshot(database: Database, needed: int, rng: random.Random) -> Snapshot:
    """Ideas to change (at least ``needed``, shuffled) and the values the filters use."""
    with database.session_factory() as session:
        max_id = session.scalar(select(func.max(Idea.id))) or 1
        users = session.execute(select(User.id, User.email, User.role)).all()
        theme_ids = list(session.scalars(select(Theme.id)))
        rows = session.execute(
            select(Idea.id, Idea.state, Idea.version, Idea.owner_id).where(Idea.state.in_(EDITABLE))
        ).all()
        titles = session.scalars(select(Idea.title).limit(200)).all()
    targets = [Target(*row) for row in rows]
    rng.shuffle(targets)
    if len(targets) < needed:
        raise RuntimeError(f"{len(targets)} ideas to change, {needed} needed")
    words = sorted({w for t in titles for w in t.split() if len(w) > 4 and w.isalpha()})
    return Snapshot(
        max_idea_id=max_id,
        owner_emails=[email for _, email, role in users if role in ("owner", "manager")],
        theme_ids=theme_ids,
        words=words or ["park"],
        targets=targets,
        emails={user_id: email for user_id, email, _ in users},
    )


def load_edit_fields(database: Database, data: Snapshot, ids: list[int]) -> None:
    """The title, description, follow-up date and themes of the ideas to edit (as the form)."""
    with database.session_factory() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            query = select(Idea.id, Idea.title, Idea.description, Idea.follow_up_on)
            for idea_id, title, description, follow_up in session.execute(
                query.where(Idea.id.in_(chunk))
            ):
                data.texts[idea_id] = (title, description, follow_up)
            named = select(idea_themes.c.idea_id, Theme.name).join(
                Theme, Theme.id == idea_themes.c.theme_id
            )
            for idea_id, name in session.execute(named.where(idea_themes.c.idea_id.in_(chunk))):
                data.themes.setdefault(idea_id, []).append(name)


def people_for(database: Database, managers: int, owners: int) -> tuple[list[str], list[str]]:
    """The emails of the managers and of the owners with the most ideas that will sign in."""
    with database.session_factory() as session:
        manager_emails = list(
            session.scalars(
                select(User.email).where(User.role == "manager").order_by(User.id).limit(managers)
            )
        )
        owned = (
            select(User.email)
            .join(Idea, Idea.owner_id == User.id)
            .where(User.role == "owner", Idea.state.in_(MOVABLE))
            .group_by(User.email)
            .order_by(func.count().desc(), User.email)
            .limit(owners)
        )
        owner_emails = list(session.scalars(owned))
    return manager_emails, owner_emails


def sign_in_all(
    database_url: str, port: int, emails: dict[str, str], password: str
) -> list[Person]:
    """Sign each person in over HTTP and give them an API token; ``emails``: email → role."""
    database = Database(database_url)
    try:
        with database.session_factory() as session:
            query = select(User.email, User.id).where(User.email.in_(emails))
            ids = {row.email: row.id for row in session.execute(query)}
    finally:
        database.dispose()
    people = []
    for email, role in emails.items():
        browser = Browser(port, email, role=role, user_id=ids[email])
        browser.sign_in(password)
        people.append(Person(browser, ApiClient(port, api_token(database_url, email))))
    return people


def share_out(people: list[Person], targets: list[Target], moves: int, edits: int) -> None:
    """Give each change one idea: owners up to half of them on their own ideas, managers the rest
    on anybody's."""
    owners = {p.browser.user_id: p for p in people if p.browser.role == "owner"}
    managers = [p for p in people if p.browser.role == "manager"]
    owned = [t for t in targets if t.owner_id in owners]
    ordered = owned + [t for t in targets if t.owner_id not in owners]
    owners_left, turn = (moves + edits) // 2, 0
    for target in ordered:
        if moves <= 0 and edits <= 0:
            break
        person = owners.get(target.owner_id or 0) if owners_left > 0 else None
        if person is None:
            person, turn = managers[turn % len(managers)], turn + 1
        else:
            owners_left -= 1
        if target.state in MOVABLE and moves > 0 and (edits <= 0 or moves >= 2 * edits):
            person.moves.append(target)
            moves -= 1
        elif edits > 0:
            person.edits.append(target)
            edits -= 1
    if moves > 0 or edits > 0:
        raise RuntimeError(f"not enough ideas to change: {moves} moves, {edits} edits short")


class Mix:
    """Chooses each request of the run: its kind, who sends it, and what it asks."""

    def __init__(
        self, people: list[Person], data: Snapshot, rng: random.Random, *, changes: bool = True
    ) -> None:
        self.people = people
        self.managers = [p for p in people if p.browser.role == "manager"]
        self.data = data
        self.rng = rng
        self.kinds = [kind for kind, _ in READS] + (["transition", "edit"] if changes else [])
        self.weights = [weight for _, weight in READS]
        self.weights += [TRANSITION_SHARE, EDIT_SHARE] if changes else []

    def __call__(self, number: int) -> Operation:
        """The request numbered ``number``."""
        kind = self.rng.choices(self.kinds, self.weights)[0]
        if kind in ("transition", "edit"):
            return self._change(kind)
        return kind, self.read(kind)

    def read(self, kind: str) -> Callable[[], Answer]:
        """A read request of this kind by someone who may send it."""
        rng, data = self.rng, self.data
        person = rng.choice(self.managers if kind in ("board", "dashboard") else self.people)
        if kind == "board":
            return lambda: person.browser.get("/board")
        if kind == "dashboard":
            return lambda: person.browser.get("/dashboard")
        if kind == "my":
            return lambda: person.browser.get("/my")
        if kind == "idea_page":
            idea_id = rng.randint(1, data.max_idea_id)
            return lambda: person.browser.get(f"/ideas/{idea_id}")
        if kind == "ideas_filtered":
            path = "/ideas?" + urlencode(self._filters())
            return lambda: person.browser.get(path)
        if kind == "api_ideas":
            query = {"state": rng.choice(list(State)).value, "page": rng.randint(1, 3)}
            return lambda: person.api.get("/api/v1/ideas?" + urlencode(query))
        meetings = f"/api/v1/meetings?page={rng.randint(1, 3)}"
        return lambda: person.api.get(meetings)

    def _filters(self) -> dict[str, str]:
        rng, data = self.rng, self.data
        chosen: dict[str, str] = {}
        for name in rng.sample(FILTERS, rng.randint(1, 3)):
            if name == "state":
                chosen[name] = rng.choice(list(State)).value
            elif name == "owner":
                chosen[name] = rng.choice(data.owner_emails)
            elif name == "q":
                chosen[name] = rng.choice(data.words)
            elif name == "sort":
                chosen[name] = rng.choice(ORDERS)
            elif name == "overdue":
                chosen[name] = "1"
            elif data.theme_ids:
                chosen[name] = str(rng.choice(data.theme_ids))
        return chosen

    def _change(self, kind: str) -> Operation:
        pool = [p for p in self.people if (p.moves if kind == "transition" else p.edits)]
        if not pool:
            raise RuntimeError(f"no idea left for a {kind}")
        person = self.rng.choice(pool)
        if kind == "transition":
            target = person.moves.popleft()
            trigger, fields = gate_fields(target, person.browser)
            path = f"/ideas/{target.id}/transitions/{trigger}"
            return f"transition_{trigger}", lambda: person.browser.post(path, fields)
        target = person.edits.popleft()
        fields = self.edit_fields(target, person.browser)
        return "edit", lambda: person.browser.post(f"/ideas/{target.id}/edit", fields)

    def edit_fields(self, target: Target, browser: Browser) -> dict[str, str]:
        """The edit form as a browser sends it: every field, title and description changed."""
        title, description, follow_up = self.data.texts[target.id]
        fields = {
            "expected_version": str(target.version),
            "title": f"{title[:180]} (rev. {target.version + 1})",
            "description": f"{description}\n\nÆndret under belastningsprøven.",
            "themes": "\n".join(self.data.themes.get(target.id, [])),
            "follow_up_on": follow_up.isoformat() if follow_up else "",
        }
        if browser.role == "manager":
            fields["owner"] = self.data.emails.get(target.owner_id or 0, "")
        return fields


def gate_fields(target: Target, browser: Browser) -> tuple[str, dict[str, str]]:
    """The trigger an idea in this state gets, and its gate form as a browser posts it."""
    today = datetime.now(UTC).date()
    fields = {"expected_version": str(target.version)}
    if target.state == State.PROPOSED and target.id % 4 == 0:
        revisit = (today + timedelta(days=180)).isoformat()
        return "park", {**fields, "reason": "Afventer budget", "data-revisit_on": revisit}
    if target.state == State.PROPOSED:
        scores = {f"data-{name}": str(1 + target.id % 5) for name in ("impact", "feasibility")}
        summary = "Vurderet på møde i styregruppen."
        return "assess", {**fields, **scores, "data-cost": "3", "data-summary": summary}
    if target.state == State.ASSESSED:
        plan = {
            "data-starts_on": today.isoformat(),
            "data-ends_on": (today + timedelta(days=90)).isoformat(),
            "data-success_criteria": "Flere borgere bruger tilbuddet.",
        }
        if browser.role == "manager":
            plan["data-owner"] = browser.email
        return "start_pilot", {**fields, **plan}
    if target.state == State.PILOTED:
        evaluation = {
            "data-outcome": "success",
            "data-evaluation": "Piloten nåede sine mål.",
            "data-scale_to": "Aarhus\nOdense",
        }
        return "scale", {**fields, **evaluation}
    return "reopen", {**fields, "reason": "Tages op igen"}
