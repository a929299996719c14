"""The shared PostgreSQL and Redis the soak runs against: checked, borrowed, given back.

The soak never stops or flushes anything it did not create: it makes databases of its own on the
PostgreSQL server (dropped afterwards) and claims a free Redis database number with the same lock
key the worker tests use (flushed afterwards).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from tests.worker.stack import with_redis_db
from workflow import migrate
from workflow.settings import normalise_database_url

DATABASE_VARIABLE = "IDEAFLOW_TEST_DATABASE_URL"
REDIS_VARIABLE = "IDEAFLOW_TEST_REDIS_URL"
LOCK_KEY = "ideaflow:test-run-lock"  # as tests/worker/conftest.py: runs never share a number
LOCK_TTL_S = 3600 * 3


class ServiceUnavailable(Exception):
    """PostgreSQL or Redis is not configured or does not answer."""


@dataclass(frozen=True)
class Services:
    """The PostgreSQL server and Redis server named by the environment, checked to answer."""

    postgres_url: str
    redis_url: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Services:
        """Read IDEAFLOW_TEST_DATABASE_URL and IDEAFLOW_TEST_REDIS_URL and check both answer."""
        env = os.environ if environ is None else environ
        postgres_url, redis_url = env.get(DATABASE_VARIABLE), env.get(REDIS_VARIABLE)
        if not postgres_url or not redis_url:
            raise ServiceUnavailable(
                f"The soak needs {DATABASE_VARIABLE} (a PostgreSQL server it may create databases "
                f"on, e.g. postgresql://postgres@127.0.0.1:5432/test) and {REDIS_VARIABLE} "
                "(e.g. redis://127.0.0.1:6379/0)."
            )
        services = cls(normalise_database_url(postgres_url), redis_url)
        services.check()
        return services

    def check(self) -> None:
        """Raise ServiceUnavailable unless both servers answer."""
        engine = create_engine(self.postgres_url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as error:
            host = make_url(self.postgres_url).host
            raise ServiceUnavailable(f"PostgreSQL at {host} is unreachable: {error.orig}") from None
        finally:
            engine.dispose()
        client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=3)
        try:
            client.ping()
        except redis.RedisError as error:
            raise ServiceUnavailable(f"Redis at {self.redis_url} is unreachable: {error}") from None
        finally:
            client.close()

    @contextmanager
    def database(self, migrated: bool = True) -> Iterator[str]:
        """A fresh database of our own on the shared server (migrated), dropped afterwards."""
        with temporary_database(self.postgres_url, migrated) as url:
            yield url

    @contextmanager
    def redis_database(self) -> Iterator[str]:
        """A Redis database number (1-15) nobody else uses; flushed when given back."""
        for number in range(1, 16):
            url = with_redis_db(self.redis_url, number)
            client = redis.Redis.from_url(url)
            if client.set(LOCK_KEY, f"soak-{os.getpid()}", nx=True, ex=LOCK_TTL_S):
                break
            client.close()
        else:
            raise ServiceUnavailable("Every Redis database 1-15 is claimed by another test run")
        try:
            yield url
        finally:
            client.flushdb()
            client.close()


def empty_redis(url: str) -> None:
    """Delete every key of the claimed database but its lock (between scenarios)."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter():
            if key != LOCK_KEY.encode():
                client.delete(key)
    finally:
        client.close()


@contextmanager
def temporary_database(server_url: str, migrated: bool = True) -> Iterator[str]:
    """Create a database on ``server_url``, migrate it, yield its URL, drop it at the end."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"ideaflow_soak_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
