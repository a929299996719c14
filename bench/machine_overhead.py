"""``idea_row``, kept here for ``bench.pages_scaling`` until it imports it from elsewhere.

The benchmark this module held (the workflow's cost on a list page against the same page plus a
dictionary lookup) compared the application with itself; ``bench.transitions_vs_raw`` measures
transitions against the raw SQL floor instead.
"""

from __future__ import annotations

from typing import Any

from workflow.states import STATES

ROLES = ("admin", "manager", "owner", "owner", "viewer")
MEETINGS = 20


def idea_row(n: int) -> dict[str, Any]:
    """Idea ``n``: states in turn; 2 in 3 owned, 1 in 4 from a meeting (timestamps default)."""
    state = STATES[n % len(STATES)].value
    return {
        "id": n,
        "title": f"Idea {n}",
        "state": state,
        "version": 1,
        "owner_id": 1 + n % len(ROLES) if n % 3 else None,
        "meeting_id": 1 + n % MEETINGS if n % 4 == 0 else None,
        "merged_into_id": 1 if state == "merged" else None,
    }
