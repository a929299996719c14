"""Mixed HTTP load on the JSON API: clients reading ideas and moving them back and forth
(park, reopen), counting every answer by kind and status."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

PARK = {"trigger": "park", "reason": "Afventer budget", "data": {"revisit_on": "2099-01-01"}}
REOPEN = {"trigger": "reopen", "reason": "Budgettet er på plads"}
PAUSE_AFTER_503_S = 0.2  # well under Retry-After: the soak wants to see the recovery at once


@dataclass
class Load:
    """``clients`` threads, each with its own connection, until ``stop``."""

    base_url: str
    token: str
    ideas: list[int]
    clients: int
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (read|write, status)
    without_retry_after: int = 0  # 503s that did not say when to come back
    last_write_at: float = 0.0  # when a transition last succeeded (monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        """Start the clients."""
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        """Stop the clients and wait for them."""
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def count(self, kind: str, status: int) -> None:
        """Record one answer (status 0: the connection failed)."""
        with self.lock:
            self.answers[(kind, status)] += 1

    def _client(self, number: int) -> None:
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=f"{self.base_url}/api/v1", headers=headers,
                          timeout=60) as client:  # fmt: skip
            while not self.stopping.is_set():
                idea_id = rng.choice(self.ideas)
                if rng.random() < 0.2:
                    self._call(client, "read", "GET", "/ideas", None)
                    continue
                read = self._call(client, "read", "GET", f"/ideas/{idea_id}", None)
                if read is None or read.status_code != 200:
                    continue
                idea = read.json()
                move = PARK if idea["state"] in ("proposed", "assessed") else REOPEN
                body = {**move, "expected_version": idea["version"]}
                self._call(client, "write", "POST", f"/ideas/{idea_id}/transitions", body)

    def _call(
        self, client: httpx.Client, kind: str, method: str, path: str, body: object
    ) -> httpx.Response | None:
        try:
            response = client.request(method, path, json=body)
        except httpx.TransportError:
            self.count(kind, 0)
            time.sleep(PAUSE_AFTER_503_S)
            return None
        self.count(kind, response.status_code)
        if response.status_code == 503:
            if "Retry-After" not in response.headers:
                with self.lock:
                    self.without_retry_after += 1
            time.sleep(PAUSE_AFTER_503_S)
        elif kind == "write" and response.status_code == 200:
            with self.lock:
                self.last_write_at = time.monotonic()
        return response

    def figures(self) -> dict[str, Any]:
        """The answers by kind and status, and the totals that matter."""
        with self.lock:
            answers = dict(self.answers)
        by_status: Counter[int] = Counter()
        for (_, status), count in answers.items():
            by_status[status] += count
        return {
            "requests": sum(by_status.values()),
            "reads": sum(c for (kind, _), c in answers.items() if kind == "read"),
            "writes": sum(c for (kind, _), c in answers.items() if kind == "write"),
            "transitions_ok": answers.get(("write", 200), 0),
            "conflicts_409": by_status[409],
            "unavailable_503": by_status[503],
            "server_errors_500": sum(c for s, c in by_status.items() if s >= 500 and s != 503),
            "connection_failures": by_status[0],
            "other_statuses": {s: c for s, c in by_status.items() if s not in (0, 200, 409, 503)},
            "503_without_retry_after": self.without_retry_after,
        }
