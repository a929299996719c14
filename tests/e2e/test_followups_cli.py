"""`ideaflow followups run` and `ideaflow digests run` as staff run them, to a real SMTP server."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.e2e.conftest import Deployment
from tests.mailsink import MailSink
from workflow.clock import local_today
from workflow.db import Database
from workflow.models import Contact
from workflow.notifications.links import Links
from workflow.services import collaboration, ideas, notifications, transitions, users

pytestmark = pytest.mark.e2e

OWNER = "ole@randers.dk"
MANAGER = "mette@randers.dk"


@pytest.mark.backends("postgres")
def test_a_date_past_the_follow_up_sends_the_owner_one_reminder_and_a_second_run_none(
    deployment: Deployment, smtp_sink: MailSink
) -> None:
    deployment.env["IDEAFLOW_SMTP_URL"] = smtp_sink.url
    deployment.env["IDEAFLOW_BASE_URL"] = "https://ideer.randers.dk"
    deployment.add_users((MANAGER, "manager"), (OWNER, "owner"))
    follow_up = local_today() + timedelta(days=3)
    database = Database(deployment.database_url)
    try:
        with database.unit_of_work() as uow:
            manager = users.find_actor(uow, MANAGER)
            body = {"title": "Natbus fra Langå", "owner": OWNER,
                    "follow_up_on": follow_up.isoformat()}  # fmt: skip
            idea_id = ideas.create_idea(uow, manager, body).id
    finally:
        database.dispose()
    past = (follow_up + timedelta(days=1)).isoformat() + "T09:00"

    first = deployment.cli("followups", "run", "--now", past, "--send")
    assert f"reminder 1 for idea {idea_id}" in first.stdout
    assert "Delivered now: 2 sent." in first.stdout  # the reminder and the weekly summary
    (reminder,) = smtp_sink.to(OWNER)
    assert reminder["Subject"] == "Påmindelse: “Natbus fra Langå” venter på dig"
    text = reminder.get_body(("plain",)).get_content()
    assert f"https://ideer.randers.dk/ideas/{idea_id}" in text
    assert "Følg op som planlagt" in text
    assert reminder["List-Unsubscribe"] is None  # staff mail has no unsubscribe list
    assert len(smtp_sink.to(MANAGER)) == 1  # this week's summary

    second = deployment.cli("followups", "run", "--now", past, "--send", "--json")
    report = json.loads(second.stdout)
    assert report["queued"] == [] and report["weekly_summary"]["queued"] == []
    assert len(smtp_sink.messages) == 2


@pytest.mark.backends("sqlite")
def test_digests_run_sends_each_waiting_stakeholder_one_digest(
    deployment: Deployment, smtp_sink: MailSink
) -> None:
    deployment.env["IDEAFLOW_SMTP_URL"] = smtp_sink.url
    deployment.add_users((MANAGER, "manager"))
    database = Database(deployment.database_url)
    try:
        with database.unit_of_work() as uow:
            manager = users.find_actor(uow, MANAGER)
            idea_id = ideas.create_idea(uow, manager, {"title": "Bænke ved stien"}).id
            collaboration.add_follower(uow, manager, idea_id, name="Anne", email="anne@x.dk")
            contact = uow.session.scalar(select(Contact).filter_by(email="anne@x.dk"))
            assert contact is not None and contact.delivery == "daily"
        with database.unit_of_work() as uow:
            transitions.fire_trigger(uow, manager, idea_id, "reject", reason="Ingen plads")
    finally:
        database.dispose()
    # The relay (the Celery side's job) turns the transition into an update waiting for a digest.
    database = Database(deployment.database_url)
    try:
        with database.unit_of_work() as uow:
            notifications.relay_outbox(uow, Links("http://127.0.0.1:5000", "e2e-secret-key"))
    finally:
        database.dispose()
    first = deployment.cli("digests", "run", "--period", "daily", "--send")
    assert "Queued daily digest" in first.stdout and "Delivered now: 1 sent." in first.stdout
    assert "anne@x.dk: 1 update about 1 idea\n" in first.stdout
    assert "1 digest queued" in first.stdout
    (digest,) = smtp_sink.to("anne@x.dk")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Ingen plads" in digest.get_body(("plain",)).get_content()
    second = deployment.cli("digests", "run", "--period", "daily", "--send")
    assert "0 digests queued" in second.stdout
    assert len(smtp_sink.to("anne@x.dk")) == 1
