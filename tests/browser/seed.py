"""The people and the data the browser tests (and the screenshots) run against.

Users, the sample minutes and the ideas are made through the service layer in this process, on
the installation's database: the calls the API and ``ideaflow import-minutes`` make, without
two hundred HTTP round trips and CLI starts (tests/e2e and tests/api prove those doors). The
catch-up report is written by ``ideaflow reports run``. The dataset is fixed, so
the board's counts are known in advance and screenshots show the same thing every time.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import Deployment
from workflow.contracts.ideas import IdeaDetail as IdeaOut
from workflow.db import Database
from workflow.permissions import Actor
from workflow.services import ideas, imports, participants, transitions, users

SAMPLE_MINUTES = Path(__file__).parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
STATES = ("proposed", "assessed", "piloted", "scaled", "rejected", "parked", "merged")


@dataclass(frozen=True)
class Person:
    """A user the tests sign in as."""

    email: str
    name: str
    role: str


ADMIN = Person("anna@randers.dk", "Anna Admin", "admin")
MANAGER = Person("mette@randers.dk", "Mette Holm", "manager")
OWNER = Person("ole@randers.dk", "Ole Berg", "owner")
OTHER_OWNER = Person("pia@randers.dk", "Pia Lund", "owner")
VIEWER = Person("vera@randers.dk", "Vera Dahl", "viewer")
PEOPLE = (ADMIN, MANAGER, OWNER, OTHER_OWNER, VIEWER)

ASSESS = {"impact": 4, "feasibility": 3, "cost": 2, "summary": "Bred opbakning på mødet"}
PILOT = {
    "starts_on": "2026-02-01",
    "ends_on": "2026-08-31",
    "success_criteria": "30 familier hjulpet i pilotperioden",
    "budget_dkk": 180000,
    "site": "Langå",
}
SCALE = {
    "outcome": "success",
    "evaluation": "Alle mål nået",
    "scale_to": ["Assentoft", "Randers C"],
}
REACH = {  # the triggers that take a new idea to each state (merge is added per idea)
    "proposed": [],
    "assessed": [("assess", ASSESS)],
    "piloted": [("assess", ASSESS), ("start_pilot", PILOT)],
    "scaled": [("assess", ASSESS), ("start_pilot", PILOT), ("scale", SCALE)],
    "rejected": [("reject", None)],
    "parked": [("park", None)],
    "merged": [],
}
PLAN = {  # 60 ideas: how many end in each state
    "proposed": 18,
    "assessed": 12,
    "piloted": 10,
    "scaled": 6,
    "rejected": 6,
    "parked": 5,
    "merged": 3,
}
SUBJECTS = [
    "Lektiecafé", "Cykelbus", "Natbus", "Mentorordning", "Sundhedsplejerske på tværs",
    "Fælles værdisæt", "Ungeråd", "Job First", "Familiecoach", "Åben skole",
    "Foreningspulje", "Sprogvenner", "Lokalt ungehus", "Sagsbehandler-makker", "Praktikbørs",
    "Forældrenetværk", "Naturklub", "Idrætsvenner", "Madskole", "Bibliotek om aftenen",
]  # fmt: skip
PLACES = ["Randers C", "Langå", "Assentoft", "Spentrup", "Havndal"]
THEMES = ["Unge", "Familier", "Samarbejde", "Uddannelse", "Fællesskaber"]


@dataclass
class Dataset:
    """What was made: ideas by state, a few ideas tests refer to, and the meeting imported."""

    counts: Counter[str] = field(default_factory=Counter)
    ids_by_state: dict[str, list[int]] = field(default_factory=dict)
    meeting_id: int | None = None
    report_id: int | None = None  # the meeting's follow-up report, sent to its one participant
    showcase_id: int | None = None  # an imported idea walked to scaled: every panel filled in

    def first(self, state: str) -> int:
        """The first idea made in ``state``."""
        return self.ids_by_state[state][0]


def add_people(deployment: Deployment, *, tokens: tuple[Person, ...] = ()) -> dict[str, str]:
    """Create every test user; return API tokens for ``tokens`` by email."""
    deployment.add_users(
        *((person.email, person.role) for person in PEOPLE),
        names={person.email: person.name for person in PEOPLE},
    )
    return deployment.tokens(*(person.email for person in tokens))


class Walker:
    """Takes ideas through their gates; the subclass says through which door."""

    def fire(self, idea_id: int, trigger: str, data: Any = None, reason: str | None = None) -> Any:
        """Fire a trigger at an idea."""
        raise NotImplementedError

    def walk(self, idea_id: int, state: str) -> None:
        """Take a proposed idea to ``state`` (not merged) the regular way."""
        today = date.today()  # noqa: DTZ011  (the app's "today" is Danish; a day either way is fine)
        for trigger, data in REACH[state]:
            if trigger == "reject":
                self.fire(idea_id, trigger, reason="Ingen midler i år")
            elif trigger == "park":
                self.fire(
                    idea_id,
                    trigger,
                    {"revisit_on": (today + timedelta(days=120)).isoformat()},
                    reason="Tages op igen efter budgettet",
                )
            else:
                self.fire(idea_id, trigger, data)


class Services(Walker):
    """The service calls behind the API, as one user, on an installation's database."""

    def __init__(self, database_url: str, email: str) -> None:
        self.database = Database(database_url)
        with self.database.unit_of_work() as uow:
            self.actor: Actor = users.find_actor(uow, email)

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.database.dispose()

    def create(self, **fields: Any) -> dict[str, Any]:
        """Record an idea (POST /ideas)."""
        with self.database.unit_of_work() as uow:
            return IdeaOut.of(ideas.create_idea(uow, self.actor, fields)).dump()

    def update(self, idea_id: int, **fields: Any) -> None:
        """Edit an idea's fields (PATCH /ideas/<id>)."""
        with self.database.unit_of_work() as uow:
            ideas.update_idea(uow, self.actor, idea_id, fields)

    def fire(self, idea_id: int, trigger: str, data: Any = None, reason: str | None = None) -> Any:
        """Fire a trigger at an idea (POST /ideas/<id>/transitions)."""
        with self.database.unit_of_work() as uow:
            moved = transitions.fire_trigger(
                uow, self.actor, idea_id, trigger, reason=reason, data=data or {}
            )
            return IdeaOut.of(moved).dump()

    def import_minutes(self, path: Path) -> imports.ImportResult:
        """Import minutes as this user (``ideaflow import-minutes --as``)."""
        with self.database.unit_of_work() as uow:
            return imports.import_minutes(uow, self.actor, path.name, path.read_bytes())

    def add_participant(self, meeting_id: int, **fields: str) -> None:
        """Add a participant to a meeting (POST /meetings/<id>/participants)."""
        source = f"added through the API by {self.actor.email}"
        with self.database.unit_of_work() as uow:
            added = participants.add_participant(uow, self.actor, meeting_id, fields, source=source)
        assert added.created, fields


class Api(Walker):
    """The JSON API with one user's token."""

    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=f"{base_url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        """Send one request; fail with the answer unless it has the expected status."""
        response = self.client.request(method, path, json=body)
        assert response.status_code == expect, f"{method} {path}: {response.text}"
        return response.json()

    def create(self, **fields: Any) -> dict[str, Any]:
        """Record an idea."""
        return dict(self.call("POST", "/ideas", fields, expect=201))

    def fire(self, idea_id: int, trigger: str, data: Any = None, reason: str | None = None) -> Any:
        """Fire a trigger at an idea."""
        body: dict[str, Any] = {"trigger": trigger, "data": data or {}}
        if reason:
            body["reason"] = reason
        return self.call("POST", f"/ideas/{idea_id}/transitions", body)

    def idea(self, idea_id: int) -> dict[str, Any]:
        """One idea as the API shows it."""
        return dict(self.call("GET", f"/ideas/{idea_id}"))


def seed(deployment: Deployment) -> Dataset:
    """Import the sample minutes and make the 60 planned ideas as the manager."""
    dataset = Dataset()
    today = date.today()  # noqa: DTZ011
    with Services(deployment.database_url, MANAGER.email) as api:
        imported = api.import_minutes(SAMPLE_MINUTES)
        dataset.meeting_id = imported.meeting["id"]
        imported_ids = [idea.id for idea in imported.ideas]
        showcase = imported_ids[0]
        assert showcase is not None
        api.update(showcase, owner=OWNER.email, themes=["Samarbejde", "Unge"])
        api.walk(showcase, "scaled")
        dataset.showcase_id = showcase
        dataset.counts.update({"proposed": len(imported_ids) - 1, "scaled": 1})
        number = 0
        for state, how_many in PLAN.items():
            made = dataset.ids_by_state.setdefault(state, [])
            for _ in range(how_many):
                subject = SUBJECTS[number % len(SUBJECTS)]
                place = PLACES[(number + number // len(SUBJECTS)) % len(PLACES)]  # no twins
                fields: dict[str, Any] = {
                    "title": f"{subject} i {place}",
                    "description": f"Idé nr. {number + 1} fra interessentmøderne.",
                    "themes": [THEMES[number % len(THEMES)], THEMES[(number + 2) % len(THEMES)]],
                }
                if number % 5 != 4:  # every fifth idea has nobody on it yet
                    fields["owner"] = (OWNER if number % 2 == 0 else OTHER_OWNER).email
                if state in ("proposed", "assessed", "piloted") and number % 4 == 0:
                    fields["follow_up_on"] = (today - timedelta(days=3 + number % 7)).isoformat()
                elif state in ("proposed", "assessed", "piloted"):
                    fields["follow_up_on"] = (today + timedelta(days=14 + number)).isoformat()
                if state in ("piloted", "scaled") and "owner" not in fields:
                    fields["owner"] = OWNER.email  # a pilot needs someone to run it
                idea = api.create(**fields)
                if state == "merged":
                    api.fire(idea["id"], "merge", {"into": dataset.first("proposed")})
                else:
                    api.walk(idea["id"], state)
                made.append(idea["id"])
                dataset.counts[state] += 1
                number += 1
        api.add_participant(
            dataset.meeting_id, name="Anne Andersen", organisation="Randers Ungdomsråd",
            email="anne@example.dk",
        )  # fmt: skip
        api.add_participant(  # long Danish compounds and addresses: must wrap at 390 px
            dataset.meeting_id, name="Bo Kristoffersen-Vestergaard",
            organisation="Ungdomsuddannelsesvejledningscentersamarbejdet",
            email="bo.kristoffersen-vestergaard@ungdomsuddannelsesvejledningen.randers.dk",
        )  # fmt: skip
    # the meeting of June 2025 is long due: one catch-up report, written to the outbox here
    run = json.loads(deployment.cli("reports", "run", "--json", "--send").stdout)
    (report,) = run["queued"]
    dataset.report_id = report["report_id"]
    return dataset
