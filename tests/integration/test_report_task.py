"""The daily Celery task: beat runs the report sweep at 06:30 and the emails go to the workers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery.schedules import crontab

from tasks.celery_app import IdeaflowCelery, create_celery
from tasks.names import DELIVER_NOTIFICATIONS, MEETING_REPORTS
from tasks.schedule import beat_schedule
from tests.integration.report_scenario import Person, add_participants
from workflow.clock import local_today
from workflow.models import Meeting
from workflow.settings import Settings
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def test_beat_runs_the_meeting_reports_every_morning_at_half_past_six() -> None:
    entry = beat_schedule()["meeting-reports"]
    assert entry["task"] == MEETING_REPORTS
    assert entry["schedule"] == crontab(hour=6, minute=30)


@pytest.fixture
def celery_app(settings: Settings) -> Iterator[IdeaflowCelery]:
    app = create_celery(settings, set_as_current=False)
    yield app
    app.database.dispose()


def test_the_task_sends_the_due_reports_and_hands_their_emails_to_the_workers(
    uow: UowFactory, celery_app: IdeaflowCelery, monkeypatch: pytest.MonkeyPatch
) -> None:
    with uow() as unit:
        meeting = Meeting(title="Borgermøde", held_on=local_today() - timedelta(days=40))
        unit.meetings.add(meeting)
        unit.commit()
        meeting_id = meeting.id
    add_participants(uow, meeting_id, (Person("Anne", None, "anne@example.dk"),
                                       Person("Bo", None, "bo@example.dk")))  # fmt: skip
    queued: list[tuple[str, Any]] = []
    monkeypatch.setattr(celery_app, "send_task",
                        lambda name, args=None, **_: queued.append((name, args)))  # fmt: skip
    assert celery_app.tasks[MEETING_REPORTS]() == 2
    [(name, [batch])] = queued  # both reports' emails in one delivery batch
    assert name == DELIVER_NOTIFICATIONS
    assert len(batch) == 2
    assert celery_app.tasks[MEETING_REPORTS]() == 0  # nothing is due twice
