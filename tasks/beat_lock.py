"""Exactly one beat: a beat holds a lock in Redis while it runs; a second one waits for it.

The lock expires on its own when its holder dies without letting go (``TTL_S``), so a stand-by
beat takes over within a minute. While Redis is down nobody can schedule anything anyway; after a
restart that lost the lock, the running beat takes it again.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid

import redis

logger = logging.getLogger(__name__)
KEY = "ideaflow:beat-lock"
TTL_S = 60
RENEW_S = 15
WAIT_S = 5


class BeatLock:
    """A renewed lock on ``KEY`` in the broker's Redis."""

    def __init__(self, redis_url: str) -> None:
        self.client = redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()

    def acquire(self) -> None:
        """Block until this process holds the lock, then keep renewing it in the background."""
        announced = False
        while not self._try_take():
            if not announced:
                holder = self._holder()
                logger.warning("another beat (%s) is running; waiting to take over", holder)
                announced = True
            time.sleep(WAIT_S)
        logger.info("beat lock taken (%s)", self.token)
        threading.Thread(target=self._renew, name="beat-lock", daemon=True).start()

    def release(self) -> None:
        """Let go of the lock if it is still ours."""
        self._stop.set()
        try:
            if self._holder() == self.token:
                self.client.delete(KEY)
        except redis.RedisError as error:
            logger.warning("could not release the beat lock: %s", error)

    def _try_take(self) -> bool:
        try:
            return bool(self.client.set(KEY, self.token, nx=True, ex=TTL_S))
        except redis.RedisError as error:
            logger.warning("Redis unreachable while taking the beat lock: %s", error)
            return False

    def _holder(self) -> str | None:
        value = self.client.get(KEY)
        return value.decode() if isinstance(value, bytes) else None

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_S):
            try:
                holder = self._holder()
                if holder == self.token:
                    self.client.expire(KEY, TTL_S)
                elif holder is None and self._try_take():
                    logger.info("beat lock taken again (Redis lost it)")
                elif holder is not None:
                    logger.error("another beat (%s) took the lock: stopping this one", holder)
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
            except redis.RedisError as error:
                logger.warning("could not renew the beat lock: %s", error)
