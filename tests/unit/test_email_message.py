"""The email a notification becomes: readable back exactly, folded where it may be, not where
it must not be."""

from __future__ import annotations

from email import message_from_bytes, policy

from workflow.models import Notification
from workflow.notifications.messages import build_message

URL = "https://ideer.randers.dk/unsubscribe/" + "k" * 160
TEXT = "Hej Åse\n\nIdéen »Natbus fra Langå« er vurderet: " + "bred opbakning " * 12 + "\n"
HTML = "<p>Hej Åse</p>\n<p>Idéen »Natbus fra Langå« er vurderet.</p>\n"


def test_the_message_reads_back_exactly_and_only_list_unsubscribe_is_unfolded() -> None:
    notification = Notification(
        recipient_email="aase@langaa.dk", recipient_name="Åse Østergård-Ibsen, Langå Borgerforen.",
        subject="Idéen »Natbus fra Langå« er vurderet", message_id="<7.1@ideer.randers.dk>",
        language="da", body_text=TEXT, body_html=HTML,
    )  # fmt: skip
    message = build_message(notification, sender="Idéer i Randers <ideer@randers.dk>",
                            reply_to="svar@randers.dk", unsubscribe_url=URL)  # fmt: skip

    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))

    lines = raw.split(b"\r\n")
    assert f"List-Unsubscribe: <{URL}>".encode() in lines
    assert all(len(line) <= 78 for line in lines if not line.startswith(b"List-Unsubscribe:"))
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["To"].addresses[0].display_name == notification.recipient_name
    assert parsed["From"].addresses[0].display_name == "Idéer i Randers"
    assert parsed["Subject"] == notification.subject
    assert (parsed["Message-ID"], parsed["Content-Language"]) == ("<7.1@ideer.randers.dk>", "da")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for subtype, sent in (("plain", TEXT), ("html", HTML)):
        part = parsed.get_body((subtype,))
        assert part is not None and part.get_content().replace("\r\n", "\n") == sent
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.get_boundary().startswith("=_")  # never in quoted-printable text
