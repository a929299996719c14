"""The relay kick: commits close together wake the relay once, after all of them, and a kick the
broker refused leaves the next commit to try again."""

from __future__ import annotations

from typing import Any

import pytest

from tasks import kick as kick_module
from tasks.kick import GATHER_S, RelayKick
from tasks.names import RELAY_OUTBOX
from workflow.settings import Settings


class FakeCelery:
    """Records what was sent; refuses while ``down``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.down = False

    def send_task(self, name: str, **options: Any) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        self.sent.append((name, options))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(kick_module.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def broker() -> FakeCelery:
    return FakeCelery()


@pytest.fixture
def kick(broker: FakeCelery, tmp_path: Any) -> RelayKick:
    relay_kick = RelayKick(Settings(secret_key="k" * 32, instance_path=tmp_path))
    relay_kick._app = broker  # type: ignore[assignment]
    return relay_kick


def test_commits_within_the_wait_send_one_kick_that_runs_after_them(
    kick: RelayKick, broker: FakeCelery, clock: list[float]
) -> None:
    for _ in range(5):
        kick()
        clock[0] += GATHER_S / 10
    assert [name for name, _ in broker.sent] == [RELAY_OUTBOX]
    assert broker.sent[0][1]["countdown"] == GATHER_S  # runs after the commits it stands for


def test_a_commit_after_the_kick_ran_sends_another(
    kick: RelayKick, broker: FakeCelery, clock: list[float]
) -> None:
    kick()
    clock[0] += GATHER_S  # the kick is due now: a later commit may not be seen by it
    kick()
    assert len(broker.sent) == 2


def test_a_refused_kick_leaves_the_next_commit_to_try(
    kick: RelayKick, broker: FakeCelery, clock: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    broker.down = True
    kick()
    assert "not kicked" in caplog.text
    broker.down = False
    kick()  # at once, not after the wait: nothing is waiting to relay the first commit
    assert len(broker.sent) == 1
