"""Timings and programs the domain works with, set once per process by its edge.

The app factory, the Celery app and the reading child process build a ``Tuning`` from the
settings and ``configure`` it; the domain asks ``current()`` and never reads the environment.
Without ``configure``, production's values apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Tuning:
    """Delivery timings, the reading time limit, the Tesseract program and the legal basis the
    municipality chose for emailing meeting participants."""

    lease_seconds: float = 90.0  # how long a worker holds a notification it sends
    retry_first_seconds: float = 30.0  # wait before the first retry of an SMTP 4xx (doubles)
    requeue_after_seconds: float = 120.0  # age at which the sweep re-sends an unheld notification
    read_seconds: float = 20.0  # time limit for reading one document (a scan: per page)
    tesseract: str | None = None  # the Tesseract program; None: ``tesseract`` on PATH
    participant_legal_basis: str = "public_task"  # or "consent": see README, Privacy

    @property
    def lease(self) -> timedelta:
        """``lease_seconds`` as a timedelta."""
        return timedelta(seconds=self.lease_seconds)

    @property
    def requeue_after(self) -> timedelta:
        """``requeue_after_seconds`` as a timedelta."""
        return timedelta(seconds=self.requeue_after_seconds)


_current = Tuning()


def configure(tuning: Tuning) -> None:
    """Use ``tuning`` in this process from now on (the edges call this once, at start)."""
    global _current
    _current = tuning


def current() -> Tuning:
    """The tuning this process was configured with (production's by default)."""
    return _current
