"""Real workers: ``ideaflow worker``/``beat``/``serve`` as processes, real Redis and PostgreSQL.

Each test run takes a Redis database of its own (1-15, claimed with a lock key, flushed before
each test and at the end) and a PostgreSQL database per test. Without Redis or PostgreSQL the
tests are skipped with the reason, or fail under IDEAFLOW_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.conftest import service_unavailable
from tests.worker.stack import Stack, with_redis_db
from tests.worker.stalling_sink import StallingSink, running_stalling_sink
from workflow import migrate

LOCK_KEY = "ideaflow:test-run-lock"
LOCK_TTL_S = 3600


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    """The Redis server named by IDEAFLOW_TEST_REDIS_URL, checked to answer."""
    url = os.environ.get("IDEAFLOW_TEST_REDIS_URL")
    if not url:
        service_unavailable("Worker tests need Redis: set IDEAFLOW_TEST_REDIS_URL")
        raise AssertionError  # unreachable: skip/fail raise
    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        service_unavailable(f"Redis at {url} is unreachable: {error}")
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def redis_db_url(redis_server_url: str) -> Iterator[str]:
    """A Redis database (1-15) nobody else uses during this run; flushed at the end."""
    for number in range(1, 16):
        url = with_redis_db(redis_server_url, number)
        client = redis.Redis.from_url(url)
        if client.set(LOCK_KEY, str(os.getpid()), nx=True, ex=LOCK_TTL_S):
            break
        client.close()
    else:
        service_unavailable("Every Redis database 1-15 is locked by another test run")
        raise AssertionError
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def redis_url(redis_db_url: str) -> str:
    """This run's Redis database, emptied (but for the run's lock) before the test."""
    client = redis.Redis.from_url(redis_db_url)
    for key in client.scan_iter():
        if key != LOCK_KEY.encode():
            client.delete(key)
    client.close()
    return redis_db_url


@pytest.fixture
def postgres_url(make_postgres_database: Callable[[], str]) -> str:
    """A fresh, migrated PostgreSQL database for this test."""
    url = make_postgres_database()
    migrate.upgrade(url)
    return url


@pytest.fixture
def sink() -> Iterator[StallingSink]:
    """A real SMTP server that can refuse or stall chosen messages."""
    with running_stalling_sink() as server:
        yield server


@pytest.fixture
def stack(tmp_path: Path, postgres_url: str, redis_url: str, sink: StallingSink) -> Iterator[Stack]:
    """ideaflow on PostgreSQL + Redis + the sink, processes started by the test."""
    installation = Stack(
        folder=tmp_path, database_url=postgres_url, redis_url=redis_url, smtp_url=sink.url
    )
    try:
        yield installation
    finally:
        installation.stop_all()
