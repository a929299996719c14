"""Sign-in throttling: a slot is taken before a password is checked, never after.

Each key (an account at one client address, and the client address alone) has a counter per
fixed one-minute window. Taking a slot is one compare-and-set (``checks < limit``) committed
before the password is checked, so however many attempts race, exactly ``limit`` checks are
made in a window. A wrong password keeps its slots; a right one gives them back. Nothing is
counted per account alone, so failures from one address never lock the account's owner out at
another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite

from workflow.errors import WorkflowError
from workflow.models import SignInWindow
from workflow.uow import UnitOfWork

WINDOW = timedelta(minutes=1)
ACCOUNT_AT_ADDRESS_LIMIT = 10  # checks per account and address in a window
ADDRESS_LIMIT = 50  # checks per address in a window, whichever accounts they are for
KEEP = timedelta(days=1)
KEY_MAX = 400


class SignInThrottled(WorkflowError):
    """Too many sign-ins from this address (for this account) in the current minute."""

    code = "sign_in_throttled"

    def __init__(self, retry_after: int) -> None:
        super().__init__("Too many failed sign-ins. Wait a minute and try again.")
        self.retry_after = retry_after

    def details(self) -> dict[str, object]:
        """Seconds until a new window opens."""
        return {"retry_after": self.retry_after}


@dataclass(frozen=True)
class Slots:
    """The slots one attempt holds: its keys in one window."""

    keys: tuple[str, ...]
    window_start: datetime


def window_start(now: datetime) -> datetime:
    """The start of the window ``now`` falls in."""
    seconds = WINDOW.total_seconds()
    start = math.floor(now.timestamp() / seconds) * seconds
    return datetime.fromtimestamp(start, UTC)


def keys_for(email: str, address: str) -> tuple[tuple[str, int], ...]:
    """The keys an attempt counts against, each with its limit (the address first)."""
    account = email.strip().lower()
    return (
        (f"address:{address}"[:KEY_MAX], ADDRESS_LIMIT),
        (f"account:{account}|address:{address}"[:KEY_MAX], ACCOUNT_AT_ADDRESS_LIMIT),
    )


def take(uow: UnitOfWork, email: str, address: str, now: datetime) -> Slots:
    """Take a slot on every key and commit, or take none and raise SignInThrottled."""
    start = window_start(now)
    taken: list[str] = []
    for key, limit in keys_for(email, address):
        if not _take_one(uow, key, limit, start):
            _release(uow, taken, start)
            uow.commit()
            retry_after = max(math.ceil((start + WINDOW - now).total_seconds()), 1)
            raise SignInThrottled(retry_after)
        taken.append(key)
    uow.commit()
    return Slots(tuple(taken), start)


def give_back(uow: UnitOfWork, slots: Slots) -> None:
    """Return the slots of an attempt whose password was right (the caller commits)."""
    _release(uow, list(slots.keys), slots.window_start)


def forget_old(uow: UnitOfWork, now: datetime) -> None:
    """Delete windows older than a day (the caller commits)."""
    uow.session.execute(delete(SignInWindow).where(SignInWindow.window_start < now - KEEP))


def _take_one(uow: UnitOfWork, key: str, limit: int, start: datetime) -> bool:
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    uow.session.execute(
        insert(SignInWindow).values(key=key, window_start=start, checks=0).on_conflict_do_nothing()
    )
    # The row lock makes a racing UPDATE re-read ``checks`` after the winner commits.
    result = uow.session.execute(
        update(SignInWindow)
        .where(
            SignInWindow.key == key,
            SignInWindow.window_start == start,
            SignInWindow.checks < limit,
        )
        .values(checks=SignInWindow.checks + 1)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def _release(uow: UnitOfWork, keys: list[str], start: datetime) -> None:
    if not keys:
        return
    uow.session.execute(
        update(SignInWindow)
        .where(
            SignInWindow.key.in_(keys),
            SignInWindow.window_start == start,
            SignInWindow.checks > 0,
        )
        .values(checks=SignInWindow.checks - 1)
        .execution_options(synchronize_session=False)
    )
