"""A meeting's report plan: calendar months, covered dates, catch-up, and what a plan may be."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflow.errors import ValidationFailed
from workflow.reports.schedule import add_months, clean_months, covered_until, due_dates

HELD = date(2025, 6, 12)
PLAN = [1, 3, 6]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 6, 12), 1, date(2025, 7, 12)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 8, 31), 3, date(2025, 11, 30)),
        (date(2025, 11, 15), 3, date(2026, 2, 15)),
        (date(2025, 6, 12), 36, date(2028, 6, 12)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
    ],
)
def test_months_are_calendar_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_dates_come_due_on_their_day_and_stay_due_until_a_report_covers_them() -> None:
    assert due_dates(HELD, PLAN, None, date(2025, 7, 11)) == []
    assert due_dates(HELD, PLAN, None, date(2025, 7, 12)) == [date(2025, 7, 12)]
    assert due_dates(HELD, PLAN, date(2025, 7, 12), date(2025, 9, 11)) == []
    assert due_dates(HELD, PLAN, date(2025, 7, 12), date(2026, 1, 1)) == [
        date(2025, 9, 12),
        date(2025, 12, 12),
    ]
    assert due_dates(None, PLAN, None, date(2030, 1, 1)) == []
    assert due_dates(HELD, [], None, date(2030, 1, 1)) == []


def test_a_meeting_imported_late_is_due_for_every_passed_date_at_once() -> None:
    assert due_dates(HELD, PLAN, None, date(2025, 10, 1)) == [date(2025, 7, 12), date(2025, 9, 12)]


def test_a_report_covers_the_dates_up_to_its_due_date_or_the_day_it_went_out() -> None:
    # 22:30 UTC on 11 September is 00:30 on 12 September in Denmark.
    by_hand = (None, datetime(2025, 9, 11, 22, 30, tzinfo=UTC))
    scheduled = (date(2025, 7, 12), datetime(2025, 7, 12, 4, 30, tzinfo=UTC))
    assert covered_until([]) is None
    assert covered_until([scheduled]) == date(2025, 7, 12)
    assert covered_until([scheduled, by_hand]) == date(2025, 9, 12)
    assert due_dates(HELD, PLAN, covered_until([scheduled, by_hand]), date(2025, 9, 12)) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [([], []), ([6, 1, 3], [1, 3, 6]), (["12", " 2 "], [2, 12]), ((36, 1), [1, 36])],
)
def test_a_plan_is_sorted_whole_months(given: list[object], expected: list[int]) -> None:
    assert clean_months(given) == expected


@pytest.mark.parametrize(
    "given", [None, "1,3", 3, [0], [37], [-1], [3, 3], [True], [2.5], ["²"], ["x"], [None]]
)
def test_anything_else_is_refused_for_the_months_field(given: object) -> None:
    with pytest.raises(ValidationFailed) as error:
        clean_months(given)
    assert list(error.value.fields) == ["months"]
