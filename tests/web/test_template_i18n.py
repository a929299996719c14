"""The templates' own translation helpers say what Flask-Babel would: the catalogue looked up once
per request, and dates written without Babel's pattern machinery, in Danish and in English."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from flask_babel import format_date
from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.i18n import local_date

MESSAGES = ("Board", "No owner", "My ideas", "Follow-up overdue", "Next")


def test_templates_translate_as_flask_babel_does_in_each_language(app: Flask) -> None:
    for language in ("da", "en"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            for message in MESSAGES:
                rendered = app.jinja_env.from_string("{{ _(m) }}").render(m=message)
                assert rendered == babel_gettext(message)
            plural = "{{ ngettext('%(num)d day in this state', '%(num)d days in this state', n) }}"
            for number in (1, 2, 31):
                expected = babel_ngettext(
                    "%(num)d day in this state", "%(num)d days in this state", number
                )
                assert app.jinja_env.from_string(plural).render(n=number) == expected


def test_each_request_reads_its_own_language(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        danish = app.jinja_env.from_string("{{ _('My ideas') }}").render()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = app.jinja_env.from_string("{{ _('My ideas') }}").render()
    assert (danish, english) == ("Mine idéer", "My ideas")


# The app is only read from: one for every example is fine.
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_dates_are_written_as_babel_writes_them(app: Flask, day: date) -> None:
    for language, pattern in (("da", "dd.MM.yyyy"), ("en", "d MMM yyyy")):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert local_date(day) == format_date(day, pattern)


def test_a_moment_is_dated_in_danish_time(app: Flask) -> None:
    late_evening = datetime(2025, 6, 12, 22, 30, tzinfo=UTC)  # 00:30 on the 13th in Denmark
    with app.test_request_context("/", headers={"Accept-Language": "da"}):
        assert local_date(late_evening) == "13.06.2025"
        assert local_date(None) == ""
