"""``/reports/<token>``: a sent meeting report as it went out, for anyone with the link."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.integration import report_scenario as scenario
from workflow.models import Notification
from workflow.notifications.tokens import report_token
from workflow.permissions import Actor
from workflow.services import collaboration
from workflow.services.meeting_reports import run_reports, sent_reports
from workflow.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]
JULY = date(2025, 7, 12)
INTERNAL = "INTERNT: borgmesteren tøver"
CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "css" / "app.css"


@pytest.fixture
def sent(uow: UowFactory, make_user: Callable[..., Actor]) -> tuple[int, dict[str, str]]:
    """The July report on the sample meeting (ideas moved, an internal comment), sent by the
    sweep; later changes follow. Returns its id and each recipient's email text."""
    staff = scenario.Staff(
        manager=make_user("manager", "mette@randers.dk", "Mette Leder"),
        ole=make_user("owner", "ole@randers.dk", "Ole Ejer"),
        sara=make_user("owner", "sara@randers.dk", "Sara Holm"),
    )
    meeting_id = scenario.import_sample(uow, staff.manager)
    scenario.add_participants(uow, meeting_id)
    ids = scenario.idea_ids(uow, meeting_id)
    scenario.before_first_report(uow, staff, ids)
    with uow() as unit:
        collaboration.add_comment(unit, staff.manager, ids[1], INTERNAL)
        run_reports(unit, scenario.LINKS, now=scenario.sweep_time(JULY))
    scenario.before_second_report(uow, staff, ids)  # what the report said stays as it was
    with uow() as unit:
        (report,) = sent_reports(unit, staff.manager, meeting_id)
        texts = dict(
            unit.session.execute(
                select(Notification.recipient_email, Notification.body_text).where(
                    Notification.kind == "meeting_report"
                )
            ).all()
        )
    return report.id, texts


def page_text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text))


def said(email: str) -> list[str]:
    """The sentences of an email's text that describe the meeting and its ideas."""
    body = email.split("\n-- \n")[0]
    lines = [line.strip().removeprefix("* ").removeprefix("- ") for line in body.splitlines()]
    return [
        line
        for line in lines[1:]  # not the greeting, which names the recipient
        if line and not line.isupper() and "http" not in line
    ]


def test_anyone_with_the_link_reads_what_the_email_said(
    client: FlaskClient, sent: tuple[int, dict[str, str]]
) -> None:
    report_id, texts = sent
    path = f"/reports/{report_token('test-secret', report_id)}"
    response = client.get(path)  # nobody signed in
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    body = response.get_data(as_text=True)
    assert '<html lang="da">' in body and body.count("<h1>") == 1
    assert '<meta name="robots" content="noindex, nofollow">' in body
    danish = page_text(client, path)
    lines = said(texts["anne@example.dk"])
    assert len(lines) > 40
    for line in lines:
        assert line in danish, line
    assert "Af de 21 idéer er 2 under afprøvning, 18 under vurdering og 1 afvist." in danish
    english = page_text(client, f"{path}?lang=en")
    for line in said(texts["bo@example.dk"]):
        assert line in english, line
    assert 'lang="en"' in client.get(f"{path}?lang=en").get_data(as_text=True)
    assert f'href="{path}?lang=en"' in body  # the other language, one click away


def test_nothing_internal_and_nothing_that_happened_later(
    client: FlaskClient, sent: tuple[int, dict[str, str]]
) -> None:
    report_id, _ = sent
    path = f"/reports/{report_token('test-secret', report_id)}"
    for language in ("da", "en"):
        body = html.unescape(client.get(f"{path}?lang={language}").get_data(as_text=True))
        for secret in (INTERNAL, "INTERNT", "anne@example.dk", "bo@example.dk", "Anne Andersen",
                       "Bo Berg", "Dorte", "Carl Clausen", "mette@randers.dk", "Mette Leder",
                       "250000", "250.000", "/unsubscribe/", scenario.NO_AGENCY):  # fmt: skip
            assert secret not in body, secret
        assert "Ole Ejer" in body  # who is responsible is public


@pytest.mark.parametrize(
    "token",
    ["tampered", "other-secret", "unknown", "x" * 500],
)
def test_a_tampered_or_unknown_link_is_not_found(
    client: FlaskClient, sent: tuple[int, dict[str, str]], token: str
) -> None:
    report_id, _ = sent
    genuine = report_token("test-secret", report_id)
    path = {
        "tampered": genuine[:-1] + ("x" if genuine[-1] != "x" else "y"),
        "other-secret": report_token("another-secret", report_id),
        "unknown": report_token("test-secret", report_id + 99),
        "x" * 500: "x" * 500,
    }[token]
    response = client.get(f"/reports/{path}")
    assert response.status_code == 404
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Linket virker ikke" in response.get_data(as_text=True)


def test_the_page_prints_as_a_handout(
    client: FlaskClient, sent: tuple[int, dict[str, str]]
) -> None:
    report_id, _ = sent
    body = client.get(f"/reports/{report_token('test-secret', report_id)}").get_data(as_text=True)
    assert 'href="/static/css/app.css"' in body
    assert body.count('class="panel report-idea"') == 21
    css = CSS.read_text(encoding="utf-8")
    printing = css[css.rindex("@media print") :]
    for rule in (".public-language", "break-inside: avoid", "#000", "content: none"):
        assert rule in printing, rule
