"""Sign-in throttling: per account at an address and per address, exact under a race, and
never locking an account's owner out because of somebody else's failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.threads import at_once
from workflow.clock import utcnow
from workflow.models import SignInWindow
from workflow.permissions import Actor
from workflow.services import sessions, throttle
from workflow.uow import UnitOfWork

NOW = utcnow().replace(second=1)  # every attempt of a test in one window, whatever the clock
UowFactory = Callable[[], UnitOfWork]
MakeUser = Callable[..., Actor]


def attempt(uow: UowFactory, email: str, password: str, address: str, **kw: object) -> str:
    """Sign in and say how it went: "ok", "refused" or "throttled"."""
    try:
        with uow() as unit:
            sessions.sign_in(unit, email, password, address, **kw)  # type: ignore[arg-type]
    except sessions.SignInThrottled:
        return "throttled"
    except sessions.SignInRefused:
        return "refused"
    return "ok"


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check made, by the email of the attempt (counted thread-safely)."""
    made: list[str] = []
    lock = threading.Lock()
    real = sessions.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        with lock:
            made.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(sessions, "verify_password", counting)
    return made


def test_forty_racing_attempts_make_exactly_ten_checks(
    uow: UowFactory, make_user: MakeUser, checks: list[str]
) -> None:
    user = make_user("owner")
    outcomes = at_once(lambda: attempt(uow, user.email, "wrong guess", "10.1.1.1", now=NOW), 40)
    assert len(checks) == throttle.ACCOUNT_AT_ADDRESS_LIMIT
    assert outcomes.count("refused") == throttle.ACCOUNT_AT_ADDRESS_LIMIT
    assert outcomes.count("throttled") == 40 - throttle.ACCOUNT_AT_ADDRESS_LIMIT


def test_the_owner_signs_in_from_elsewhere_while_an_attacker_is_throttled(
    uow: UowFactory, make_user: MakeUser
) -> None:
    user = make_user("owner")
    for _ in range(throttle.ACCOUNT_AT_ADDRESS_LIMIT):
        assert attempt(uow, user.email, "wrong guess", "203.0.113.9", now=NOW) == "refused"
    assert attempt(uow, user.email, PASSWORD, "203.0.113.9", now=NOW) == "throttled"
    assert attempt(uow, user.email, PASSWORD, "10.20.30.40", now=NOW) == "ok"


def test_an_address_trying_many_accounts_is_throttled_without_touching_the_accounts(
    uow: UowFactory, make_user: MakeUser, checks: list[str]
) -> None:
    user = make_user("owner")
    for n in range(throttle.ADDRESS_LIMIT):
        assert attempt(uow, f"guess{n}@randers.dk", "x", "198.51.100.7", now=NOW) == "refused"
    assert attempt(uow, f"guess{n + 1}@randers.dk", "x", "198.51.100.7", now=NOW) == "throttled"
    assert attempt(uow, user.email, PASSWORD, "198.51.100.7", now=NOW) == "throttled"
    assert len(checks) == throttle.ADDRESS_LIMIT
    assert attempt(uow, user.email, PASSWORD, "198.51.100.8", now=NOW) == "ok"


def test_a_right_password_gives_its_slot_back_and_the_next_minute_starts_afresh(
    uow: UowFactory, make_user: MakeUser
) -> None:
    user = make_user("owner")
    now = utcnow().replace(second=5)
    for _ in range(throttle.ACCOUNT_AT_ADDRESS_LIMIT - 1):
        assert attempt(uow, user.email, "nope", "10.0.0.5", now=now) == "refused"
    for _ in range(3):  # successes do not use up what is left
        assert attempt(uow, user.email, PASSWORD, "10.0.0.5", now=now) == "ok"
    assert attempt(uow, user.email, "nope", "10.0.0.5", now=now) == "refused"
    assert attempt(uow, user.email, PASSWORD, "10.0.0.5", now=now) == "throttled"
    assert attempt(uow, user.email, PASSWORD, "10.0.0.5", now=now + timedelta(minutes=1)) == "ok"


def test_throttled_says_when_to_come_back(uow: UowFactory, make_user: MakeUser) -> None:
    user = make_user("owner")
    now = utcnow().replace(second=20, microsecond=0)
    for _ in range(throttle.ACCOUNT_AT_ADDRESS_LIMIT):
        attempt(uow, user.email, "nope", "10.0.0.6", now=now)
    with uow() as unit, pytest.raises(sessions.SignInThrottled) as raised:
        sessions.sign_in(unit, user.email, PASSWORD, "10.0.0.6", now=now)
    assert raised.value.retry_after == 40


def test_unknown_and_inactive_accounts_cost_a_check_like_known_ones(
    uow: UowFactory, make_user: MakeUser, checks: list[str]
) -> None:
    user = make_user("owner")
    assert attempt(uow, "nobody@randers.dk", "whatever", "10.0.0.7", now=NOW) == "refused"
    assert attempt(uow, user.email, "whatever", "10.0.0.7", now=NOW) == "refused"
    assert checks == ["whatever", "whatever"]


def test_windows_older_than_a_day_are_forgotten(uow: UowFactory, make_user: MakeUser) -> None:
    long_ago = utcnow() - timedelta(days=2)
    attempt(uow, "nobody@randers.dk", "x", "10.0.0.8", now=long_ago)
    attempt(uow, "nobody@randers.dk", "x", "10.0.0.8")
    with uow() as unit:
        starts = unit.session.scalars(select(SignInWindow.window_start)).all()
    assert starts and all(start > utcnow() - timedelta(hours=1) for start in starts)
