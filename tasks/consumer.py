"""The worker's consumer: Celery's own, made to survive a broker that goes away while the
worker holds unacknowledged messages (``worker_consumer`` in ``tasks.celery_app``).

On a lost connection Celery 5.7 first lets go of the connection's transport and then closes the
connection. Two things then touch the transport that is gone and raise AttributeError, which
ends the worker ("Unrecoverable error"): closing the channel, which hands the unacknowledged
messages back to the broker, and acknowledging, after the reconnect, a task that was running
during the loss (``task_acks_late``). Under load a worker always holds such messages, so every
Redis restart killed every worker. Neither can reach a broker that is gone anyway: the database
knows what is due and the relay's sweep re-queues it, and a message redelivered later finds its
work done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery.worker.consumer import Consumer

logger = logging.getLogger(__name__)


class ResilientConsumer(Consumer):  # type: ignore[misc]
    """Celery's consumer; cleaning up after a lost connection never ends the worker."""

    def on_connection_error_after_connected(self, exc: Any) -> None:
        """Clean up after the lost connection as Celery does, then reconnect regardless."""
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError as error:
            logger.warning(
                "the lost broker connection did not close cleanly (%r); its unacknowledged "
                "messages were not handed back (the sweep re-queues what is due)",
                error,
            )

    def call_soon_ack(self, p: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Acknowledge or reject as Celery does; one that arrives for a message of a connection
        lost meanwhile is logged (its broker is gone or will redeliver it)."""

        def guarded(*call_args: Any, **call_kwargs: Any) -> Any:
            try:
                return p(*call_args, **call_kwargs)
            except AttributeError as error:
                logger.warning("a message of a lost broker connection was not acknowledged "
                               "(%r)", error)  # fmt: skip
                return None

        return super().call_soon_ack(guarded, *args, **kwargs)
