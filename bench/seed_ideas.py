"""One idea's life for the seed: the path to its state, the history, records and reminders."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bench.seed_words import REASONS, SUMMARIES, TOWNS, idea_title
from workflow.followups.decisions import ESCALATION, local_date
from workflow.states import INITIAL_STATE, TRIGGERS_BY_NAME, State
from workflow.text import search_text

# (weight, triggers): the paths an idea takes, each ending in the state its last trigger names.
PATHS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (24, ()),
    (3, ("park", "reopen")),
    (3, ("reject", "reopen")),
    (15, ("assess",)),
    (3, ("park", "reopen", "assess")),
    (8, ("assess", "start_pilot")),
    (6, ("assess", "start_pilot", "scale")),
    (9, ("reject",)),
    (6, ("assess", "reject")),
    (3, ("assess", "start_pilot", "reject")),
    (7, ("park",)),
    (5, ("assess", "park")),
    (4, ("merge",)),
    (2, ("assess", "merge")),
    (2, ("park", "merge")),
)
_WEIGHTS = [weight for weight, _ in PATHS]
OPEN = (State.PROPOSED, State.ASSESSED, State.PILOTED, State.PARKED)


@dataclass
class Rows:
    """Rows for one chunk of ideas, by table name."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: str, row: dict[str, Any]) -> None:
        """Queue ``row`` for ``table``."""
        self.tables.setdefault(table, []).append(row)


@dataclass
class Ids:
    """The next free id of each table the seed writes with explicit ids."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        """A new id for ``table``."""
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass(frozen=True)
class World:
    """What ideas are made from: people, meetings with their themes and participants."""

    owners: list[tuple[int, str]]  # (user id, email) of users who may own ideas
    managers: list[int]
    meetings: list[tuple[int, date, list[int], list[int]]]  # id, held on, themes, contacts
    now: datetime
    aged: bool


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8), UTC) + timedelta(minutes=rng.randrange(600))


def _times(rng: random.Random, start: datetime, steps: int, now: datetime) -> list[datetime]:
    """``steps`` moments after ``start``, in order, the last no later than ``now``."""
    gaps = [rng.uniform(3, 120) for _ in range(steps)]
    room = (now - start).total_seconds() / 86400 - 1
    scale = min(1.0, room / sum(gaps)) if gaps and room > 0 else 0.0
    moments, at = [], start
    for gap in gaps:
        at += timedelta(days=max(gap * scale, 0.01))
        moments.append(at)
    return moments


def make_idea(
    world: World, ids: Ids, rows: Rows, rng: random.Random, survivor: dict[str, Any] | None
) -> dict[str, Any]:
    """One idea with the history, records, themes, followers and reminders its path implies."""
    meeting_id, held_on, themes, contacts = rng.choice(world.meetings)
    path = rng.choices(PATHS, _WEIGHTS)[0][1]
    if "merge" in path and survivor is None:
        path = ()
    idea_id = ids.take("ideas")
    created = _at(held_on, rng)
    title = idea_title(rng)
    description = f"Forslag fra mødet: {title.lower()}."
    owner = rng.choice(world.owners) if path or rng.random() < 0.7 else None
    idea: dict[str, Any] = {
        "id": idea_id,
        "title": title,
        "description": description,
        "state": INITIAL_STATE,
        "owner_id": owner[0] if owner else None,
        "created_by_id": rng.choice(world.managers),
        "meeting_id": meeting_id,
        "source_exercise": "Idéudvikling",
        "source_section": None,
        "source_position": rng.randrange(1, 40),
        "source_text": title,
        "source_notes": None,
        "follow_up_on": None,
        "merged_into_id": None,
        "search_text": search_text(title, description),
        "version": 1 + len(path),
        "state_changed_at": created,
        "created_at": created,
        "updated_at": created,
        "next_check_at": None,  # bench.seed has the sweep work it out once every idea is written
    }
    for theme_id in rng.sample(themes, k=min(len(themes), rng.randint(1, 3))):
        rows.add("idea_themes", {"idea_id": idea_id, "theme_id": theme_id})
    for contact_id in rng.sample(contacts, k=min(len(contacts), rng.randint(0, 3))):
        rows.add(
            "idea_followers",
            {
                "idea_id": idea_id,
                "contact_id": contact_id,
                "source": "Deltog i mødet",
                "added_by_id": None,
                "created_at": created,
            },
        )
    state, moments = INITIAL_STATE, _times(rng, created, len(path), world.now)
    proposed_since = created
    for trigger, at in zip(path, moments, strict=True):
        reason, data = _step(world, ids, rows, rng, idea, trigger, at, survivor)
        dest = TRIGGERS_BY_NAME[trigger].dest
        rows.add(
            "idea_history",
            {
                "id": ids.take("idea_history"),
                "idea_id": idea_id,
                "trigger": trigger,
                "from_state": state,
                "to_state": dest,
                "actor_id": rng.choice(world.managers),
                "at": at,
                "reason": reason,
                "data": data,
            },
        )
        if world.aged and state == State.PROPOSED and idea["owner_id"]:
            _remind(
                ids,
                rows,
                idea,
                f"unassessed:{local_date(proposed_since)}",
                proposed_since + timedelta(days=14),
                at,
            )
        state = dest
        if state not in OPEN:
            idea["follow_up_on"] = None  # as transitions does: a closed idea has none
        if state == State.PROPOSED:
            proposed_since = at
        idea.update(state=state, state_changed_at=at, updated_at=at)
    if world.aged and state in OPEN and idea["owner_id"]:
        if state == State.PROPOSED:  # still waiting for its assessment
            occasion = f"unassessed:{local_date(proposed_since)}"
            _remind(ids, rows, idea, occasion, proposed_since + timedelta(days=14), world.now)
        last = idea["updated_at"]
        _remind(
            ids, rows, idea, f"untouched:{local_date(last)}", last + timedelta(days=30), world.now
        )
        if idea["follow_up_on"] is not None:
            due = datetime.combine(idea["follow_up_on"], time(6), UTC)
            _remind(ids, rows, idea, f"follow_up:{idea['follow_up_on']}", due, world.now)
        if state == State.PILOTED:  # the plan just written is this idea's latest
            plan = rows.tables["pilot_plans"][-1]
            ended = datetime.combine(plan["ends_on"], time(6), UTC) + timedelta(days=1)
            _remind(ids, rows, idea, f"pilot_ended:{plan['id']}", ended, world.now)
    return idea


def _step(
    world: World,
    ids: Ids,
    rows: Rows,
    rng: random.Random,
    idea: dict[str, Any],
    trigger: str,
    at: datetime,
    survivor: dict[str, Any] | None,
) -> tuple[str | None, dict[str, Any]]:
    """Apply ``trigger``'s effect to ``idea``; return the history's reason and data."""
    actor = rng.choice(world.managers)
    day = local_date(at)
    if trigger == "assess":
        scores = {name: rng.randint(1, 5) for name in ("impact", "feasibility", "cost")}
        data: dict[str, Any] = {**scores, "summary": rng.choice(SUMMARIES)}
        rows.add(
            "assessments",
            {
                "id": ids.take("assessments"),
                "idea_id": idea["id"],
                **data,
                "assessed_by_id": actor,
                "created_at": at,
            },
        )
        return None, data
    if trigger == "start_pilot":
        owner_id, email = rng.choice(world.owners)
        ends = day + timedelta(days=rng.randint(30, 240))
        budget = rng.randrange(10, 500) * 1000
        site = rng.choice(TOWNS)
        data = {
            "owner": email,
            "starts_on": day.isoformat(),
            "ends_on": ends.isoformat(),
            "success_criteria": "Flere borgere bruger tilbuddet.",
            "budget_dkk": budget,
            "site": site,
        }
        rows.add(
            "pilot_plans",
            {
                "id": ids.take("pilot_plans"),
                "idea_id": idea["id"],
                "owner_id": owner_id,
                "starts_on": day,
                "ends_on": ends,
                "success_criteria": data["success_criteria"],
                "budget_dkk": budget,
                "site": site,
                "created_by_id": actor,
                "created_at": at,
            },
        )
        idea["owner_id"] = owner_id
        return None, data
    if trigger == "scale":
        data = {
            "outcome": rng.choice(("success", "partial")),
            "evaluation": "Piloten nåede sine mål.",
            "scale_to": list(rng.sample(TOWNS, 2)),
        }
        rows.add(
            "evaluations",
            {
                "id": ids.take("evaluations"),
                "idea_id": idea["id"],
                **data,
                "created_by_id": actor,
                "created_at": at,
            },
        )
        return None, data
    if trigger == "park":
        revisit = day + timedelta(days=rng.randint(14, 300))
        idea["follow_up_on"] = revisit
        return rng.choice(REASONS), {"revisit_on": revisit.isoformat()}
    if trigger == "reopen":
        idea["follow_up_on"] = None
        return "Taget op igen.", {}
    if trigger == "merge":
        assert survivor is not None
        idea["merged_into_id"] = survivor["id"]
        survivor["version"] += 1  # the idea merged into changes too (transitions does so)
        touched, survivor["updated_at"] = survivor["updated_at"], max(survivor["updated_at"], at)
        # Touched again on a new day: its owner hears of it again a month on, as from the
        # sweep (without this, the first sweep after seeding sent hundreds of reminders).
        new_occasion = local_date(at) > local_date(touched)
        if new_occasion and world.aged and survivor["state"] in OPEN and survivor["owner_id"]:
            occasion = f"untouched:{local_date(at)}"
            _remind(ids, rows, survivor, occasion, at + timedelta(days=30), world.now)
        return None, {"into": survivor["id"]}
    return rng.choice(REASONS), {}  # reject


def _remind(
    ids: Ids, rows: Rows, idea: dict[str, Any], occasion: str, first: datetime, until: datetime
) -> None:
    """Reminders 1 and 2, then the escalation, each sent as the sweep sends it: on its (local)
    day, if that day came by ``until`` (a reminder due today went out this morning)."""
    for number, delay in ((1, 0), (2, 7), (ESCALATION, 14)):
        at = first + timedelta(days=delay)
        if local_date(at) > local_date(until):
            return
        at = min(at, until)
        notification_id = ids.take("notifications")
        kind = "escalation" if number == ESCALATION else "owner_reminder"
        key = f"{kind}:{idea['id']}:{occasion}:{number}"
        rows.add(
            "notifications",
            {
                "id": notification_id,
                "kind": kind,
                "dedupe_key": key,
                "recipient_email": "ejer@kommune.example.dk",
                "recipient_name": None,
                "user_id": idea["owner_id"],
                "idea_id": idea["id"],
                "language": "da",
                "subject": f"Påmindelse: {idea['title']}",
                "body_text": "Idéen venter på dig.",
                "body_html": "",
                "message_id": f"<seed-{notification_id}@ideaflow>",
                "status": "sent",
                "attempts": 1,
                "payload": {},
                "created_at": at,
                "sent_at": at,
            },
        )
        rows.add(
            "reminders",
            {
                "id": ids.take("reminders"),
                "idea_id": idea["id"],
                "occasion": occasion,
                "number": number,
                "owner_id": idea["owner_id"],
                "notification_id": notification_id,
                "sent_at": at,
            },
        )
