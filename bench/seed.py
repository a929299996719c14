"""Fill a database with realistic data: ``python -m bench.seed --ideas N --meetings M [--aged]``.

Writes through the project's models (their tables, in bulk) into the database named by
``IDEAFLOW_DATABASE_URL``, migrating it first. Users with every role (all with the password
``--password``), contacts, themes, meetings with themes and participants, and ideas in every
state, each with the history its path implies (``workflow.states.replay`` gives its state back),
the records its triggers leave (assessments, pilot plans, evaluations), themes, followers and an
owner. ``--aged`` spreads the meetings over three years and adds the reminder history (with its
notifications) the follow-up sweep would have left, and every idea the moment the sweep must
next look at it (``ideas.next_check_at``). The same ``--seed`` gives the same data.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine, func, insert, select

from bench.seed_ideas import Ids, Rows, World, make_idea
from bench.seed_words import ORGANISATIONS, TOWNS, person_name, theme_names
from workflow import migrate, security
from workflow.db import make_engine, make_session_factory
from workflow.models import Base
from workflow.models.idea_terms import term_rows
from workflow.services.followup_queries import mark_open_ideas
from workflow.services.followups import reschedule
from workflow.services.idea_counts import fold_counts, recount_stays
from workflow.settings import normalise_database_url
from workflow.states import State
from workflow.text import casefold_key
from workflow.uow import UnitOfWork

CHUNK = 5_000
# Parents before children: the order rows of one chunk are written in.
TABLES = (
    "ideas",
    "idea_terms",
    "notifications",
    "idea_themes",
    "idea_followers",
    "idea_history",
    "assessments",
    "pilot_plans",
    "evaluations",
    "reminders",
)
WITH_IDS = (
    "users",
    "contacts",
    "themes",
    "meetings",
    "ideas",
    "idea_history",
    "assessments",
    "pilot_plans",
    "evaluations",
    "notifications",
    "reminders",
)
AGED_DAYS, FRESH_DAYS = 3 * 365, 120
PASSWORD = "ideaflow-bench"  # noqa: S105 (every seeded user signs in with it in benchmarks)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _copy_value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return Jsonb(value)
    return value.value if isinstance(value, StrEnum) else value


def _write(connection: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys): COPY on PostgreSQL, executemany elsewhere."""
    if rows and connection.dialect.name == "postgresql":
        columns = list(rows[0])
        # The rows are written as the model's types would bind them: aware UTC datetimes,
        # states by name, JSON documents as JSONB.
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row([_copy_value(row[column]) for column in columns])
        return
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(Base.metadata.tables[table]), rows[start : start + CHUNK])


def _next_ids(connection: Connection) -> Ids:
    tables = Base.metadata.tables
    return Ids(
        {
            name: (connection.scalar(select(func.max(tables[name].c.id))) or 0) + 1
            for name in WITH_IDS
        }
    )


def _people(
    connection: Connection,
    ids: Ids,
    rng: random.Random,
    ideas: int,
    meetings: int,
    password: str,
    now: datetime,
) -> tuple[list[tuple[int, str]], list[int], list[int]]:
    """Users with every role and the contacts meetings draw on."""
    digest = security.hash_password(password)
    counts = {
        "admin": 2,
        "manager": max(3, ideas // 5_000),
        "owner": max(10, ideas // 250),
        "viewer": max(3, ideas // 5_000),
    }
    users, owners, managers = [], [], []
    for role, count in counts.items():
        for n in range(1, count + 1):
            user_id, email = ids.take("users"), f"{role}{n}-{ids.next['users']}@kommune.example.dk"
            users.append(
                {
                    "id": user_id,
                    "email": email,
                    "name": person_name(rng),
                    "role": role,
                    "active": True,
                    "password_hash": digest,
                    "language": "da",
                    "created_at": now - timedelta(days=AGED_DAYS + 30),
                }
            )
            if role in ("owner", "manager"):
                owners.append((user_id, email))
            if role in ("admin", "manager"):
                managers.append(user_id)
    contacts = []
    for _ in range(max(30, meetings * 2)):
        contact_id = ids.take("contacts")
        contacts.append(
            {
                "id": contact_id,
                "name": person_name(rng),
                "organisation": rng.choice(ORGANISATIONS),
                "email": f"borger{contact_id}@example.dk",
                "language": "da",
                "delivery": rng.choice(("immediate", "daily", "weekly")),
                "erased_at": None,
                "created_at": now - timedelta(days=AGED_DAYS),
            }
        )
    _write(connection, "users", users)
    _write(connection, "contacts", contacts)
    return owners, managers, [row["id"] for row in contacts]


def _meetings(
    connection: Connection,
    ids: Ids,
    rng: random.Random,
    count: int,
    contacts: list[int],
    days: int,
    now: datetime,
) -> list[tuple[int, Any, list[int], list[int]]]:
    """Meetings over the last ``days`` days, each with themes and participants."""
    themes, table = [], Base.metadata.tables["themes"]
    for name in theme_names(max(24, count // 10)):
        key = casefold_key(name)
        if connection.scalar(select(table.c.id).where(table.c.key == key)) is None:
            themes.append({"id": ids.take("themes"), "name": name, "key": key})
    _write(connection, "themes", themes)
    theme_ids = [row["id"] for row in themes] or list(connection.scalars(select(table.c.id)))
    meetings, links, participants, world = [], [], [], []
    for _ in range(count):
        meeting_id = ids.take("meetings")
        held_on = (now - timedelta(days=rng.randint(2, days))).date()
        named = rng.sample(theme_ids, k=min(len(theme_ids), rng.randint(2, 4)))
        present = rng.sample(contacts, k=min(len(contacts), rng.randint(3, 8)))
        town = rng.choice(TOWNS)
        meetings.append(
            {
                "id": meeting_id,
                "title": f"Borgermøde i {town} om {len(named)} temaer",
                "held_on": held_on,
                "location": f"Medborgerhuset, {town}",
                "host": person_name(rng),
                "recorder": person_name(rng),
                "content_hash": None,
                "unrecognised": None,
                "imported_by_id": None,
                "created_at": datetime.combine(held_on, datetime.min.time(), UTC),
                "report_months": [1, 3, 6],
            }
        )
        links += [
            {"meeting_id": meeting_id, "theme_id": theme_id, "position": n}
            for n, theme_id in enumerate(named)
        ]
        participants += [
            {
                "meeting_id": meeting_id,
                "contact_id": contact_id,
                "position": n,
                "consent_source": "Tilmeldt på mødet",
                "consent_at": datetime.combine(held_on, datetime.min.time(), UTC),
            }
            for n, contact_id in enumerate(present)
        ]
        world.append((meeting_id, held_on, named, present))
    _write(connection, "meetings", meetings)
    _write(connection, "meeting_themes", links)
    _write(connection, "meeting_participants", participants)
    return world


def _reset_sequences(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the ids written explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for name in WITH_IDS:
        ids = Base.metadata.tables[name].c.id
        after = select(func.coalesce(func.max(ids), 0) + 1).scalar_subquery()
        sequence = func.pg_get_serial_sequence(name, "id")
        connection.execute(select(func.setval(sequence, after, False)))


def seed(
    url: str,
    ideas: int,
    meetings: int,
    *,
    aged: bool = False,
    seed_value: int = 13,
    password: str = PASSWORD,
    now: datetime | None = None,
) -> dict[str, int]:
    """Fill the database at ``url``; return how many ideas ended in each state."""
    started = time.perf_counter()
    migrate.upgrade(url)
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rng = random.Random(seed_value)
    engine = make_engine(url)
    counts = dict.fromkeys((state.value for state in State), 0)
    try:
        with engine.begin() as connection:
            ids = _next_ids(connection)
            owners, managers, contacts = _people(
                connection, ids, rng, ideas, meetings, password, now
            )
            days = AGED_DAYS if aged else FRESH_DAYS
            world = World(
                owners,
                managers,
                _meetings(connection, ids, rng, max(1, meetings), contacts, days, now),
                now,
                aged,
            )
            _progress(
                f"seed: people and {meetings} meetings ({time.perf_counter() - started:.1f} s)"
            )
            done = 0
            while done < ideas:
                rows, survivor = Rows(), None
                for _ in range(min(CHUNK, ideas - done)):
                    idea = make_idea(world, ids, rows, rng, survivor)
                    rows.add("ideas", idea)
                    counts[idea["state"].value] += 1
                    if idea["state"] != State.MERGED:
                        survivor = idea
                        # The similarity index, as the ORM writes it beside every idea.
                        for row in term_rows(idea["id"], idea["title"], idea["description"]):
                            rows.add("idea_terms", row)
                for table in TABLES:
                    _write(connection, table, rows.tables.get(table, []))
                done += len(rows.tables["ideas"])
                _progress(f"seed: {done}/{ideas} ideas ({time.perf_counter() - started:.1f} s)")
            _reset_sequences(connection)
        # When the reminder sweep must next look at each idea, as the sweep itself works it out.
        with UnitOfWork(make_session_factory(engine)) as uow:
            mark_open_ideas(uow)
            uow.commit()
            checked = reschedule(uow, now)
        _progress(f"seed: the next follow-up check of {checked} open ideas "
                  f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
        with UnitOfWork(make_session_factory(engine)) as uow:
            fold_counts(uow)  # as the sweep would: a count reads totals, not every idea's change
        with UnitOfWork(make_session_factory(engine)) as uow:
            recount_stays(uow)  # the history was written whole, with no transition counting it
        _analyze(engine)
    finally:
        engine.dispose()
    _progress(f"seed: done in {time.perf_counter() - started:.1f} s: {counts}")
    return counts


def _analyze(engine: Engine) -> None:
    """Gather the planner's statistics on what was just written. A running database gets them
    from autovacuum (PostgreSQL) or ``PRAGMA optimize``; freshly bulk-written tables have none,
    and PostgreSQL then plans the pages as if the tables were tiny."""
    if engine.dialect.name == "postgresql":
        # VACUUM cannot run inside a transaction block.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _moment(value: str) -> datetime:
    """An ISO 8601 date or moment, in UTC when it names no zone."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def seed_apart(url: str, ideas: int, meetings: int, *, aged: bool = False) -> None:
    """Seed as ``seed`` does, in a process of its own: a benchmark that then measures in this
    process starts as it would on a database filled by someone else, not after the seed's run."""
    command = [sys.executable, "-m", "bench.seed", "--ideas", str(ideas)]
    command += ["--meetings", str(meetings)] + (["--aged"] if aged else [])
    environment = {**os.environ, "IDEAFLOW_DATABASE_URL": url}
    subprocess.run(command, env=environment, check=True)  # noqa: S603 (this interpreter, fixed arguments)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: seed the database ``IDEAFLOW_DATABASE_URL`` names."""
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__)
    parser.add_argument("--ideas", type=int, default=1_000)
    parser.add_argument("--meetings", type=int, default=40)
    parser.add_argument("--aged", action="store_true", help="three years of use and reminders")
    parser.add_argument("--seed", type=int, default=13, dest="seed_value")
    parser.add_argument(
        "--now", type=_moment, help="when the data ends, ISO 8601 (default: this hour, UTC)"
    )
    parser.add_argument("--password", default=os.environ.get("IDEAFLOW_SEED_PASSWORD", PASSWORD))
    args = parser.parse_args(argv)
    if args.ideas < 0 or args.meetings < 1:
        parser.error("--ideas must be 0 or more and --meetings 1 or more")
    url = os.environ.get("IDEAFLOW_DATABASE_URL")
    if not url:
        parser.error("IDEAFLOW_DATABASE_URL names the database to fill")
    url = normalise_database_url(url)
    seed(
        url,
        args.ideas,
        args.meetings,
        aged=args.aged,
        seed_value=args.seed_value,
        password=args.password,
        now=args.now,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
