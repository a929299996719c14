"""Exactly one beat: the lock in Redis is taken, renewed and let go by its holder alone."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

from tasks.beat_lock import KEY, BeatLock
from tests.worker.stack import wait_until

TTL_S = 1.0


@pytest.fixture
def locks(redis_url: str) -> Iterator[list[BeatLock]]:
    made: list[BeatLock] = []
    yield made
    for lock in made:
        lock._stop.set()
        lock.client.close()


def beat(redis_url: str, locks: list[BeatLock], lost: list[str] | None = None) -> BeatLock:
    lock = BeatLock(
        redis_url,
        ttl=TTL_S,
        renew_every=0.2,
        wait=0.1,
        on_lost=lambda: (lost if lost is not None else []).append("lost"),
    )
    locks.append(lock)
    return lock


def test_a_stand_by_takes_over_once_the_holder_died_and_the_dead_one_cannot_renew(
    redis_url: str, locks: list[BeatLock]
) -> None:
    first, second = beat(redis_url, locks), beat(redis_url, locks)
    assert first.try_take()
    assert not second.try_take() and second.holder() == first.token
    # The first beat dies: nobody renews its lock, which runs out on its own.
    wait_until(second.try_take, "the stand-by taking the lock", timeout=10)
    assert second.holder() == second.token
    # Come back to life, the first one finds the lock another's: renewing changes nothing.
    assert not first.renew()
    assert second.holder() == second.token
    first.release()  # nor does letting go delete another's lock
    assert second.holder() == second.token


def test_while_the_holder_renews_nobody_else_takes_the_lock(
    redis_url: str, locks: list[BeatLock]
) -> None:
    first, second = beat(redis_url, locks), beat(redis_url, locks)
    first.acquire()
    deadline = time.monotonic() + 3 * TTL_S
    while time.monotonic() < deadline:  # three lifetimes of the lock: renewed all along
        assert not second.try_take()
        time.sleep(0.1)
    first.release()
    assert second.try_take()


def test_a_lock_redis_lost_is_taken_again_and_a_stolen_one_stops_the_beat(
    redis_url: str, locks: list[BeatLock]
) -> None:
    lost: list[str] = []
    first = beat(redis_url, locks, lost)
    first.acquire()
    client = redis.Redis.from_url(redis_url)
    client.delete(KEY)  # a Redis restarted without persistence
    wait_until(lambda: first.holder() == first.token, "the lock taken again")
    client.set(KEY, "elsewhere:1:abc", px=int(TTL_S * 1000))  # another beat got in between
    wait_until(lambda: lost == ["lost"], "the beat told it lost the lock")
    assert client.get(KEY) == b"elsewhere:1:abc"
    client.close()
