"""A long Danish subject reaches the reader with every space (RFC 2047 encoded words)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from workflow.models import Notification
from workflow.notifications.messages import build_message

SUBJECTS = [
    "Status for idéerne fra mødet “Opsamling på interessentmøde (12.06.25)”",
    "Nyt om idéen “Natbus fra Langå til Randers – også i weekenden og på helligdage”: Afvist",
    "Where the ideas from the meeting “Trafik i Randers midtby, Østervold og omegn” stand",
    "An ASCII subject long enough to be folded over two lines by the email package, surely",
    "Kort æ",
]


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize("linesep", ["\n", "\r\n"])
def test_the_subject_reads_back_exactly(subject: str, linesep: str) -> None:
    notification = Notification(
        recipient_email="anne@example.dk", recipient_name="Anne Andersen", subject=subject,
        message_id="<1@ideer.randers.dk>", language="da", body_text="Hej", body_html="<p>Hej</p>",
    )  # fmt: skip
    message = build_message(notification, sender="ideer@randers.dk")
    raw = message.as_bytes(policy=message.policy.clone(linesep=linesep))
    assert all(len(line) <= 78 for line in raw.split(linesep.encode()))
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == subject
