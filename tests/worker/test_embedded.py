"""The embedded default: ``ideaflow serve`` alone, with no Redis, sends mail and reminders."""

from __future__ import annotations

import importlib.util
import os
import signal
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.worker.stack import ASSESS, Stack, group_members, wait_until
from tests.worker.stalling_sink import StallingSink
from workflow import migrate
from workflow.clock import local_today
from workflow.services import users

pytestmark = pytest.mark.e2e


def test_serve_alone_delivers_emails_and_reminders_and_stops_with_the_server(
    tmp_path: Path, sink: StallingSink
) -> None:
    """As ``make run PORT=...`` on a fresh machine: no Redis and no IDEAFLOW_BASE_URL, so the
    links in the emails must reach the port served."""
    if importlib.util.find_spec("workflow.services.followups") is None:
        pytest.fail("workflow.services.followups is not there yet: no reminders to send")
    database_url = f"sqlite:///{tmp_path / 'instance' / 'ideaflow.db'}"
    stack = Stack(folder=tmp_path, database_url=database_url, redis_url=None, smtp_url=sink.url)
    del stack.env["IDEAFLOW_BASE_URL"]
    try:
        migrate.upgrade(stack.settings().database_url)
        manager = stack.user("manager", "mette@randers.dk", "Mette Holm")
        owner = stack.user("owner", "ole@randers.dk", "Ole Berg")
        due = stack.idea(manager, "Sociale partnerskaber", owner=owner.email)
        stack.set_follow_up(due, local_today() - timedelta(days=1))
        followed = stack.idea(manager, "Natbus fra Langå")
        stack.follow(manager, followed, "anne@langaa.dk")
        with stack.uow() as uow:
            token = users.issue_token(uow, manager.email, "test").secret

        stack.serve()  # no IDEAFLOW_REDIS_URL: the server runs the worker and scheduler itself
        (reminder,) = wait_until(lambda: sink.reminders_to("ole@randers.dk"), "the reminder")
        assert "Sociale partnerskaber" in str(reminder["Subject"])
        with httpx.Client(base_url=stack.server_url, timeout=10) as api:
            fired = api.post(
                f"/api/v1/ideas/{followed}/transitions",
                headers={"Authorization": f"Bearer {token}"},
                json={"trigger": "assess", "expected_version": 1, "data": ASSESS},
            )
        assert fired.status_code == 200, fired.text
        (mail,) = wait_until(lambda: sink.to("anne@langaa.dk"), "the follower's email", timeout=20)
        text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        links = [word for word in text.split() if word.startswith("http")]
        assert links and all(link.startswith(stack.server_url + "/") for link in links), links
        assert str(mail["List-Unsubscribe"]).startswith(f"<{stack.server_url}/"), mail
        assert f"links in emails: {stack.server_url}" in stack.log("serve")
        assert "Warning" not in stack.log("serve")  # e.g. Celery's about running as root
        wait_until(  # the owner's notice, their reminder and the follower's email
            lambda: [n.status for n in stack.notifications()] == ["sent", "sent", "sent"],
            "every delivery recorded as sent",
        )

        # The server dies without cleaning up: its worker and scheduler go with it.
        server = stack.processes["serve"]
        assert len(group_members(server.pid)) >= 5  # master, web worker, supervisor, worker, beat
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
        wait_until(lambda: not group_members(server.pid), "the embedded processes exiting")
    finally:
        stack.stop_all()
