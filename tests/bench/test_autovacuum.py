"""The benchmark's stand-in for autovacuum: PostgreSQL's rule, and its work on a real server."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text

from bench.autovacuum import as_in_production, due_work

DEFAULTS = {
    "autovacuum_vacuum_threshold": 50,
    "autovacuum_vacuum_scale_factor": 0.2,
    "autovacuum_vacuum_insert_threshold": 1000,
    "autovacuum_vacuum_insert_scale_factor": 0.2,
    "autovacuum_analyze_threshold": 50,
    "autovacuum_analyze_scale_factor": 0.1,
}


@pytest.mark.parametrize(
    ("dead", "inserted", "modified", "rows", "work"),
    [
        (0, 0, 0, 1000, None),
        (250, 0, 0, 1000, None),  # 250 is the threshold itself: not past it
        (251, 0, 0, 1000, "VACUUM ANALYZE"),
        (0, 1201, 0, 1000, "VACUUM ANALYZE"),  # inserts alone (PostgreSQL 13 and later)
        (0, 0, 151, 1000, "ANALYZE"),
        (0, 0, 150, 1000, None),
        (51, 0, 0, 0, "VACUUM ANALYZE"),  # an empty table churned: the threshold alone
    ],
)
def test_the_rule_is_postgresqls(
    dead: int, inserted: int, modified: int, rows: float, work: str | None
) -> None:
    assert due_work(dead, inserted, modified, rows, DEFAULTS) == work


def test_a_churned_table_is_vacuumed_where_the_server_would_not(
    make_postgres_database: Callable[[], str],
) -> None:
    url = make_postgres_database()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            server_on = connection.execute(text("SHOW autovacuum")).scalar() == "on"
            connection.execute(text("CREATE TABLE churned (id int)"))
            connection.execute(text("INSERT INTO churned SELECT generate_series(1, 5000)"))
            connection.execute(text("DELETE FROM churned"))
        with as_in_production(url, naptime_s=0.2) as emulation:
            deadline = time.monotonic() + 30
            while not server_on and "churned" not in emulation.vacuumed:
                assert time.monotonic() < deadline, emulation.describe()
                time.sleep(0.1)
        with engine.connect() as connection:
            vacuumed = connection.execute(
                text("SELECT vacuum_count + autovacuum_count FROM pg_stat_user_tables "
                     "WHERE relname = 'churned'")
            ).scalar()  # fmt: skip
    finally:
        engine.dispose()
    described = emulation.describe()
    if server_on:
        assert described == {"autovacuum": "on (the server's own)"}
    else:
        assert vacuumed and described["vacuumed"] == {"churned": 1}, described
        assert "off on this server" in str(described["autovacuum"])
