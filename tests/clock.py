"""Test days that stay put: tests that count days from "today" must not straddle Danish midnight."""

from __future__ import annotations

import time
from datetime import date, timedelta

from workflow.clock import local_today, utcnow
from workflow.followups.decisions import start_of_local_day

MIDNIGHT_MARGIN = timedelta(seconds=90)


def today_clear_of_midnight(margin: timedelta = MIDNIGHT_MARGIN) -> date:
    """Today's Danish date, after waiting out midnight if it is less than ``margin`` away."""
    now = utcnow()
    midnight = start_of_local_day(local_today(now) + timedelta(days=1))
    if midnight - now < margin:
        time.sleep((midnight - now).total_seconds() + 1)
    return local_today()
