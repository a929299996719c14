"""The scenarios, in the order a run takes them: name -> function(context, outcome)."""

from __future__ import annotations

from collections.abc import Callable

from soak.harness import Context
from soak.report import Outcome
from soak.scenarios.broker_loss import broker_loss
from soak.scenarios.db_restart import db_restart
from soak.scenarios.disk_full import disk_full_outbox
from soak.scenarios.fanout_fault import fanout_fault
from soak.scenarios.reminder_overlap import reminder_overlap
from soak.scenarios.smtp_faults import smtp_faults
from soak.scenarios.web_races import concurrency, merge_race
from soak.scenarios.worker_kill import worker_kill

Scenario = Callable[[Context, Outcome], None]

SCENARIOS: dict[str, Scenario] = {
    "concurrency": concurrency,
    "merge_race": merge_race,
    "worker_kill": worker_kill,
    "broker_loss": broker_loss,
    "db_restart": db_restart,
    "smtp_faults": smtp_faults,
    "fanout_fault": fanout_fault,
    "reminder_overlap": reminder_overlap,
    "disk_full_outbox": disk_full_outbox,
}
