"""The waiting upload is the queue for reading a scan: a fault leaves the claim to go stale for
the sweep, the task never retries on its own, and a fault that lasts ends the reading as failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from tasks.celery_app import IdeaflowCelery, create_celery
from tasks.names import READ_PENDING_IMPORT
from workflow.clock import utcnow
from workflow.models.meetings import PendingImport
from workflow.services import pending_reading
from workflow.settings import Settings
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def waiting_upload(uow: UowFactory) -> int:
    with uow() as unit:
        row = PendingImport(token="t" * 40, filename="scanning.pdf", content=b"%PDF-",
                            status="reading")  # fmt: skip
        unit.session.add(row)
        unit.commit()
        return row.id


def broken_reader(*_: Any, **__: Any) -> Any:
    raise RuntimeError("databasen svarer ikke")


def age(uow: UowFactory, pending_id: int, **ago: timedelta) -> None:
    with uow() as unit:
        values = {column: utcnow() - delta for column, delta in ago.items()}
        unit.session.execute(
            update(PendingImport).where(PendingImport.id == pending_id).values(**values)
        )
        unit.commit()


def test_a_fault_leaves_the_claim_for_the_sweep_and_a_lasting_one_fails_the_reading(
    uow: UowFactory,
) -> None:
    pending_id = waiting_upload(uow)
    with pytest.raises(RuntimeError):
        pending_reading.read_pending(uow, pending_id, reader=broken_reader)
    with uow() as unit:
        assert pending_reading.stale_readings(unit) == []  # still claimed: the backoff
        later = utcnow() + pending_reading.STALE_AFTER * 2
        assert pending_reading.stale_readings(unit, now=later) == [pending_id]
    assert not pending_reading.give_up_when_overdue(uow, pending_id)  # a fresh upload waits
    age(uow, pending_id, created_at=pending_reading.GIVE_UP_AFTER * 2)
    assert pending_reading.give_up_when_overdue(uow, pending_id)
    with uow() as unit:
        row = unit.session.get(PendingImport, pending_id)
        assert row is not None and (row.status, row.error) == ("failed", pending_reading.FAULT)


@pytest.fixture
def celery_app(database_url: str, tmp_path: Path) -> Iterator[IdeaflowCelery]:
    settings = Settings(env="test", instance_path=tmp_path / "instance",
                        database_url=database_url, secret_key="test-secret",
                        base_url="http://ideaflow.test")  # fmt: skip
    app = create_celery(settings, set_as_current=False)
    app.loader.import_default_modules()
    yield app
    app.database.dispose()


def test_the_task_meeting_a_fault_waits_for_the_sweep_instead_of_retrying(
    uow: UowFactory, celery_app: IdeaflowCelery, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending_id = waiting_upload(uow)
    sent: list[str] = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, *_, **__: sent.append(name))
    # The task reads with the default reader: make that one fail as a fault of ours would.
    monkeypatch.setattr(pending_reading.read_pending, "__defaults__", (broken_reader,))
    assert celery_app.tasks[READ_PENDING_IMPORT](pending_id) == "waiting"
    assert sent == []  # no retry of its own
    age(uow, pending_id, created_at=pending_reading.GIVE_UP_AFTER * 2)
    assert celery_app.tasks[READ_PENDING_IMPORT](pending_id) == "skipped"  # claimed still
    age(uow, pending_id, updated_at=pending_reading.STALE_AFTER * 2)
    assert celery_app.tasks[READ_PENDING_IMPORT](pending_id) == "failed"  # the fault lasted
    with uow() as unit:
        row = unit.session.get(PendingImport, pending_id)
        assert row is not None and row.status == "failed"
