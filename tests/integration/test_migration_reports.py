"""Revision 0005 gives the meetings that existed before it the default report plan."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from workflow import migrate
from workflow.db import Database
from workflow.models import Meeting
from workflow.services.report_sweep import due_meetings


def test_existing_meetings_get_reports_after_1_3_and_6_months(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url, "0004")
    database = Database(empty_database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO meetings (title, held_on, created_at) VALUES "
                    "('Borgermøde', '2025-06-12', CURRENT_TIMESTAMP), "
                    "('Uden dato', NULL, CURRENT_TIMESTAMP)"
                )
            )
        migrate.upgrade(empty_database_url)
        with database.unit_of_work() as uow:
            plans = dict(uow.session.execute(select(Meeting.title, Meeting.report_months)).all())
            found = due_meetings(uow, date(2025, 10, 1))
    finally:
        database.dispose()
    assert plans == {"Borgermøde": [1, 3, 6], "Uden dato": [1, 3, 6]}
    assert [(title, due) for _, title, due in found] == [
        ("Borgermøde", [date(2025, 7, 12), date(2025, 9, 12)])
    ]
