"""How new mail is split into delivery tasks: up to ``BATCH_SIZE`` notifications each, sent
over one SMTP connection (5,000 stakeholders cost 50 tasks and connections, not 5,000)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

# Large enough that a task's fixed cost (the broker's hop, the leases, one durable commit of the
# outcomes, a connection) is small beside its messages' cost; small enough to spread a large
# mailing over every worker.
BATCH_SIZE = 100


def delivery_batches(notification_ids: Iterable[int]) -> Iterator[list[int]]:
    """The notifications in the batches that one delivery task each sends."""
    remaining = iter(notification_ids)
    while batch := list(islice(remaining, BATCH_SIZE)):
        yield batch
