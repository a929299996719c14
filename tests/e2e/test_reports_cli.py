"""`ideaflow reports run` and `reports preview` as staff run them, to a real SMTP server.

The sample minutes are imported with participants, a few ideas move, and the sweep run for the
one-month date delivers one report to each participant, which states every idea's status and
matches the public report page; a second run sends nothing.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.e2e.conftest import E2E_SECRET, Deployment
from tests.integration import report_scenario as scenario
from tests.mailsink import MailSink
from workflow.db import Database
from workflow.notifications.links import Links
from workflow.notifications.tokens import read_unsubscribe_token
from workflow.reports.words import Words
from workflow.services import users
from workflow.services.meeting_reports import public_report, render_report

pytestmark = pytest.mark.e2e

BASE_URL = "https://ideer.randers.dk"
LINKS = Links(BASE_URL, E2E_SECRET)
JULY = "2025-07-12T06:30"
STAFF = (("mette@randers.dk", "manager"), ("ole@randers.dk", "owner"),
         ("sara@randers.dk", "owner"))  # fmt: skip


def prepare(deployment: Deployment) -> int:
    """The users; the sample meeting with participants and moved ideas; its id."""
    deployment.add_users(*STAFF)
    database = Database(deployment.database_url)
    try:
        with database.unit_of_work() as uow:
            staff = scenario.Staff(*(users.find_actor(uow, email) for email, _ in STAFF))
        meeting_id = scenario.import_sample(database.unit_of_work, staff.manager)
        scenario.add_participants(database.unit_of_work, meeting_id)
        ids = scenario.idea_ids(database.unit_of_work, meeting_id)
        scenario.before_first_report(database.unit_of_work, staff, ids)
    finally:
        database.dispose()
    return meeting_id


@pytest.mark.backends("sqlite")
def test_each_participant_receives_one_report_and_a_second_run_sends_nothing(
    deployment: Deployment, smtp_sink: MailSink
) -> None:
    deployment.env["IDEAFLOW_SMTP_URL"] = smtp_sink.url
    deployment.env["IDEAFLOW_BASE_URL"] = BASE_URL
    meeting_id = prepare(deployment)

    first = deployment.cli("reports", "run", "--now", JULY, "--send")
    assert f"on meeting {meeting_id} " in first.stdout
    assert "to 2 participants: anne@example.dk, bo@example.dk" in first.stdout
    assert "Delivered now: 2 sent." in first.stdout
    (anne,) = smtp_sink.to("anne@example.dk")
    (bo,) = smtp_sink.to("bo@example.dk")
    assert len(smtp_sink.messages) == 2  # Carl has no address, Dorte did not opt in
    assert anne["Subject"] == (
        "Status for idéerne fra mødet “Opsamling på interessentmøde (12.06.25)”"
    )
    assert bo["Subject"].startswith("Where the ideas from the meeting")
    for message in (anne, bo):
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = message["List-Unsubscribe"].strip("<>")
        assert url.startswith(f"{BASE_URL}/unsubscribe/")
        read = read_unsubscribe_token(E2E_SECRET, url.rsplit("/", 1)[1])
        assert read is not None and read[1] == "meeting_reports"

    text = anne.get_body(("plain",)).get_content().replace("\r\n", "\n")
    database = Database(deployment.database_url)
    try:
        with database.unit_of_work() as uow:
            ideas = {idea.title: idea.state for idea in uow.ideas.of_meeting(meeting_id)}
            report_url = next(w for w in text.split() if w.startswith(f"{BASE_URL}/reports/"))
            page = public_report(uow, E2E_SECRET, report_url.rsplit("/", 1)[1])
    finally:
        database.dispose()
    assert page is not None and len(ideas) == 21
    # Every idea is there with its state in words, as it stands.
    told = {idea.title: Words("da").state(idea, date(2025, 7, 12)) for idea in page.report.ideas}
    assert {idea.title: idea.state for idea in page.report.ideas} == ideas
    for title, words in told.items():
        assert f"* {title}\n  {words}\n" in text
    assert "Skal afprøves i Langå og Assentoft fra 01.08.2025 til 31.01.2026." in text
    # The public page says what the email said.
    assert page.report.meeting_id == meeting_id
    again = render_report(page.report, "da", LINKS, report_id=page.id,
                          recipient_name="Anne Andersen", contact_id=read_anne(anne))  # fmt: skip
    assert again.text == text

    second = deployment.cli("reports", "run", "--now", JULY, "--send", "--json")
    assert json.loads(second.stdout)["queued"] == []
    assert len(smtp_sink.messages) == 2

    preview = deployment.cli("reports", "preview", str(meeting_id), "--lang", "en",
                             "--now", "2025-07-13T09:00")  # fmt: skip
    assert preview.stdout.startswith("Subject: Where the ideas from the meeting")
    assert "Dear participant," in preview.stdout
    assert "Nothing new has happened to the ideas since the last report on 12 Jul 2025." in (
        preview.stdout
    )
    missing = deployment.cli("reports", "preview", "999999", check=False)
    assert missing.returncode != 0 and "There is no meeting 999999." in missing.stderr


def read_anne(message: object) -> int:
    """Anne's contact id, from the unsubscribe link in her email."""
    url = message["List-Unsubscribe"].strip("<>")  # type: ignore[index]
    read = read_unsubscribe_token(E2E_SECRET, url.rsplit("/", 1)[1])
    assert read is not None
    return read[0]
