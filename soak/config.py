"""How big each scenario runs: full (``make soak``) or quick (``make test``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sizes:
    """The sizes and timings of one soak run."""

    mode: str
    clients: int = 50
    concurrency_rounds: int = 200
    merge_rounds: int = 100
    kill_notifications: int = 10_000
    kills: int = 20
    broker_notifications: int = 5_000
    broker_restarts: int = 3
    db_phase_seconds: float = 30.0  # load before, between and after the two outages
    db_down_seconds: float = 10.0
    db_ideas: int = 12
    db_followers: int = 4
    db_clients: int = 6
    smtp_notifications: int = 2_000
    fanout_ideas: int = 40
    fanout_followers: int = 20
    fanout_failures_before_repair: int = 2  # with production's backoff: one retry (30 s)
    reminder_ideas: int = 240
    reminder_step_minutes: int = 30
    disk_notifications: int = 500
    disk_attempts_during_outage: int = 2
    # Extra IDEAFLOW_* variables for the processes: production's timings unless shortened.
    timings: dict[str, str] = field(default_factory=dict)
    # The longest wait for mail to settle after the last fault (a lease, the re-queue age and
    # the backoff of a retry or two must fit).
    settle_seconds: float = 600.0

    @property
    def quick(self) -> bool:
        """True for the quick variant."""
        return self.mode == "quick"


FULL = Sizes(mode="full")

QUICK = Sizes(
    mode="quick",
    concurrency_rounds=12,
    merge_rounds=20,
    kill_notifications=600,
    kills=4,
    broker_notifications=400,
    broker_restarts=3,
    db_phase_seconds=5.0,
    db_down_seconds=3.0,
    db_ideas=6,
    db_followers=3,
    db_clients=4,
    smtp_notifications=150,
    fanout_ideas=6,
    fanout_followers=5,
    fanout_failures_before_repair=1,
    reminder_ideas=40,
    reminder_step_minutes=240,
    disk_notifications=40,
    disk_attempts_during_outage=2,
    timings={
        "IDEAFLOW_LEASE_SECONDS": "10",
        "IDEAFLOW_RETRY_FIRST_SECONDS": "1",
        "IDEAFLOW_REQUEUE_AFTER_SECONDS": "5",
    },
    settle_seconds=120.0,
)
