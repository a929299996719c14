"""Exactly one beat: a beat holds a lock in Redis while it runs; a second one waits for it.

The lock is redis-py's ``Lock``: taking it, renewing it and letting go are each one Lua script
that first checks the holder's token, so a beat never renews or deletes a lock another beat has
taken meanwhile. It expires on its own when its holder dies without letting go (``TTL_S``), so a
stand-by beat takes over within a minute. While Redis is down nobody can schedule anything
anyway; after a restart that lost the lock, the running beat takes it again.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable

import redis
from redis.exceptions import LockError, LockNotOwnedError
from redis.lock import Lock

logger = logging.getLogger(__name__)
KEY = "ideaflow:beat-lock"
TTL_S = 60.0
RENEW_S = 15.0
WAIT_S = 5.0


def _stop_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


class BeatLock:
    """A renewed lock on ``KEY`` in the broker's Redis."""

    def __init__(
        self,
        redis_url: str,
        *,
        ttl: float = TTL_S,
        renew_every: float = RENEW_S,
        wait: float = WAIT_S,
        on_lost: Callable[[], None] = _stop_this_process,
    ) -> None:
        self.client = redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Not thread-local: the renewing thread uses the token the main thread took it with.
        self.lock = Lock(self.client, KEY, timeout=ttl, thread_local=False)
        self.renew_every, self.wait, self.on_lost = renew_every, wait, on_lost
        self._stop = threading.Event()

    def acquire(self) -> None:
        """Block until this process holds the lock, then keep renewing it in the background."""
        announced = False
        while not self.try_take():
            if not announced:
                logger.warning("another beat (%s) is running; waiting to take over", self.holder())
                announced = True
            time.sleep(self.wait)
        logger.info("beat lock taken (%s)", self.token)
        threading.Thread(target=self._renew, name="beat-lock", daemon=True).start()

    def release(self) -> None:
        """Let go of the lock if it is still ours (checked and deleted in one step)."""
        self._stop.set()
        try:
            self.lock.release()
        except (LockError, redis.RedisError) as error:
            logger.warning("could not release the beat lock: %s", error)

    def try_take(self) -> bool:
        """Take the lock if nobody holds it."""
        try:
            return bool(self.lock.acquire(blocking=False, token=self.token))
        except redis.RedisError as error:
            logger.warning("Redis unreachable while taking the beat lock: %s", error)
            return False

    def holder(self) -> str | None:
        """Whoever holds the lock now (host:pid:nonce), if anyone."""
        try:
            value = self.client.get(KEY)
        except redis.RedisError:
            return None
        return value.decode() if isinstance(value, bytes) else None

    def renew(self) -> bool:
        """Renew the lock (reset its time to live if it is still ours, in one step); take it
        again if Redis lost it. False when another beat holds it."""
        try:
            self.lock.reacquire()
            return True
        except LockNotOwnedError:
            if self.try_take():
                logger.info("beat lock taken again (Redis lost it)")
                return True
            return False
        except redis.RedisError as error:
            logger.warning("could not renew the beat lock: %s", error)
            return True  # nobody can take it while Redis is away; try again next round

    def _renew(self) -> None:
        while not self._stop.wait(self.renew_every):
            if not self.renew():
                logger.error("another beat (%s) took the lock: stopping this one", self.holder())
                self.on_lost()
                return
