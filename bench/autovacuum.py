"""PostgreSQL's autovacuum for a benchmark whose server has it switched off.

A production PostgreSQL runs autovacuum (it is on by default): every ``autovacuum_naptime`` it
vacuums the tables whose dead rows passed ``threshold + scale_factor × rows`` and analyses the
ones changed past theirs. A server with it off (some test machines turn it off for speed) lets
the tables the app churns (the count changes folded every half minute, the outbox) fill with
dead rows and keep the planner's figures of when they were empty, so a long run under writes
measures that server's set-up, not the app. ``as_in_production`` does the same work on the
same rule from the benchmark while it runs, with the server's own settings, and says so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, create_engine, text

from workflow.settings import normalise_database_url

_SETTINGS = (
    "autovacuum_naptime",
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_insert_threshold",
    "autovacuum_vacuum_insert_scale_factor",
    "autovacuum_analyze_threshold",
    "autovacuum_analyze_scale_factor",
)
_TABLES = text(
    "SELECT s.relname, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze, "
    "greatest(c.reltuples, 0) FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
)


@dataclass
class Emulation:
    """What the benchmark did in autovacuum's place: the rounds and the tables each handled."""

    server_autovacuum: bool
    naptime_s: float = 60.0
    rounds: int = 0
    vacuumed: dict[str, int] = field(default_factory=dict)
    analysed: dict[str, int] = field(default_factory=dict)

    def describe(self) -> dict[str, object]:
        """The emulation as the benchmark's result states it."""
        if self.server_autovacuum:
            return {"autovacuum": "on (the server's own)"}
        return {
            "autovacuum": (
                "off on this server: done by the benchmark on PostgreSQL's rule with the "
                f"server's thresholds, every {self.naptime_s:g} s"
            ),
            "rounds": self.rounds,
            "vacuumed": self.vacuumed,
            "analysed": self.analysed,
        }


def due_work(
    dead: int, inserted: int, modified: int, rows: float, limits: dict[str, float]
) -> str | None:
    """``VACUUM ANALYZE``, ``ANALYZE`` or nothing for one table, by autovacuum's rule."""

    def past(count: int, kind: str) -> bool:
        threshold, scale = (
            limits[f"autovacuum_{kind}_threshold"],
            limits[f"autovacuum_{kind}_scale_factor"],
        )
        return count > threshold + scale * rows

    if past(dead, "vacuum") or past(inserted, "vacuum_insert"):
        return "VACUUM ANALYZE"
    return "ANALYZE" if past(modified, "analyze") else None


@contextmanager
def as_in_production(url: str, *, naptime_s: float | None = None) -> Iterator[Emulation]:
    """While the block runs, vacuum and analyse as autovacuum would if the server has it off
    (nothing to do for SQLite, which has no dead rows to collect between writes); every
    ``naptime_s``, the server's ``autovacuum_naptime`` unless given."""
    if not url.startswith("postgresql"):
        yield Emulation(server_autovacuum=True)
        return
    engine = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            on = connection.execute(text("SHOW autovacuum")).scalar() == "on"
            limits = {name: _setting(connection, name) for name in _SETTINGS}
        emulation = Emulation(on, naptime_s or limits["autovacuum_naptime"])
        if on:
            yield emulation
            return
        stop = threading.Event()
        worker = threading.Thread(
            target=_rounds, args=(engine, limits, emulation, stop), daemon=True
        )
        worker.start()
        try:
            yield emulation
        finally:
            stop.set()
            worker.join()
    finally:
        engine.dispose()


def _setting(connection: Connection, name: str) -> float:
    value = connection.execute(
        text("SELECT setting FROM pg_settings WHERE name = :name"), {"name": name}
    ).scalar()
    return float(value) if value is not None else 0.0


def _rounds(
    engine: Engine, limits: dict[str, float], emulation: Emulation, stop: threading.Event
) -> None:
    while not stop.wait(emulation.naptime_s):
        with engine.connect() as connection:
            for name, dead, inserted, modified, rows in connection.execute(_TABLES).all():
                work = due_work(dead, inserted, modified, rows, limits)
                if work is None:
                    continue
                connection.execute(text(f'{work} "{name}"'))
                tally = emulation.vacuumed if work.startswith("VACUUM") else emulation.analysed
                tally[name] = tally.get(name, 0) + 1
        emulation.rounds += 1
