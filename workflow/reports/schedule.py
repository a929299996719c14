"""A meeting's report plan: months after the meeting, the dates they fall on, which are due.

A planned date is covered once a report of the meeting went out on or after it (by the sweep or
by hand), or a report was sent for it or for a later planned date. The sweep sends one report
for all planned dates that are due and not covered: a meeting imported after several of its
dates had passed gets one catch-up report, not one per date.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from workflow.clock import local_today
from workflow.errors import ValidationFailed
from workflow.gates import N_

MONTHS_MIN = 1
MONTHS_MAX = 36


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` calendar months on (31 January + 1 month is 28/29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def planned_dates(held_on: date | None, months: Sequence[int]) -> list[tuple[int, date]]:
    """(months, date) of each planned report, earliest first; none without a meeting date."""
    if held_on is None:
        return []
    return [(offset, add_months(held_on, offset)) for offset in sorted(set(months))]


def covered_until(reports: Iterable[tuple[date | None, datetime]]) -> date | None:
    """The last planned date the reports (due date, sent at) cover; None without reports."""
    latest: date | None = None
    for due_on, sent_at in reports:
        for day in (due_on, local_today(sent_at)):
            if day is not None and (latest is None or day > latest):
                latest = day
    return latest


def due_dates(
    held_on: date | None, months: Sequence[int], covered: date | None, today: date
) -> list[date]:
    """The planned dates that have come (on or before ``today``) and no report covers yet."""
    return [
        day
        for _, day in planned_dates(held_on, months)
        if day <= today and (covered is None or day > covered)
    ]


def clean_months(value: Any) -> list[int]:
    """A report plan as given (whole numbers 1 to 36, each once), sorted; else ValidationFailed."""
    if not isinstance(value, list | tuple):
        raise ValidationFailed({"months": N_("Must be a list of whole numbers of months.")})
    months: list[int] = []
    for item in value:
        number = _whole(item)
        if number is None:
            raise ValidationFailed({"months": N_("Must be a list of whole numbers of months.")})
        if not MONTHS_MIN <= number <= MONTHS_MAX:
            raise ValidationFailed(
                {"months": N_("Each report is 1 to 36 months after the meeting.")}
            )
        if number in months:
            raise ValidationFailed({"months": N_("Each number of months may appear only once.")})
        months.append(number)
    return sorted(months)


def _whole(item: Any) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item
    text = item.strip() if isinstance(item, str) else ""
    if text.isascii() and text.isdecimal() and len(text) <= 3:
        return int(text)
    return None
