"""The sustained load's machinery on a tiny database: people sign in over HTTP to a real
``ideaflow serve``, the open-loop generator sends its mix, and every change lands."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bench.seed import seed
from bench.sustained_load import run_load
from workflow.db import Database
from workflow.models import HistoryEntry, Idea

pytestmark = pytest.mark.slow  # a server and its worker: left out of `make test-fast`


def test_open_loop_mix_against_a_served_database(database: Database) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    seed(url, 150, 4)
    with database.session_factory() as session:
        steps_before = session.scalar(select(func.count()).select_from(HistoryEntry))

    summary = run_load(url, rate=10, seconds=3)

    assert summary["requests"] == 30
    assert summary["errors"] == 0, summary["error_samples"]
    kinds = summary["kinds"]
    moves = sum(v["count"] for k, v in kinds.items() if k.startswith("transition_"))
    edits = kinds.get("edit", {"count": 0})["count"]
    assert moves and edits and len(kinds) > 3, kinds
    with database.session_factory() as session:
        edited = session.scalar(
            select(func.count()).where(Idea.description.contains("belastningsprøven"))
        )
        steps = session.scalar(select(func.count()).select_from(HistoryEntry))
    assert edited == edits
    assert steps == steps_before + moves
