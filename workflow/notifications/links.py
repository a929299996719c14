"""The addresses emails point to, built from the public base URL and signed where needed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from workflow.notifications.tokens import report_token, status_token, unsubscribe_token


@dataclass(frozen=True)
class Links:
    """Links for emails: ``base_url`` is IDEAFLOW_BASE_URL, ``secret`` signs the tokens."""

    base_url: str
    secret: str

    def idea_url(self, idea_id: int) -> str:
        """The idea's page (for staff)."""
        return f"{self.base_url}/ideas/{idea_id}"

    def meeting_url(self, meeting_id: int) -> str:
        """The meeting's page (for staff)."""
        return f"{self.base_url}/meetings/{meeting_id}"

    def notifications_url(self) -> str:
        """The notification log (for managers and admins)."""
        return f"{self.base_url}/admin/notifications"

    def status_url(self, idea_id: int) -> str:
        """The idea's public, read-only status page (for stakeholders)."""
        return f"{self.base_url}/status/{status_token(self.secret, idea_id)}"

    def report_url(self, report_id: int) -> str:
        """A sent meeting report's public, read-only (and printable) page."""
        return f"{self.base_url}/reports/{report_token(self.secret, report_id)}"

    def unsubscribe_url(self, contact_id: int, list_name: str) -> str:
        """The one-click unsubscribe address for this contact and list."""
        return (
            f"{self.base_url}/unsubscribe/{unsubscribe_token(self.secret, contact_id, list_name)}"
        )

    def new_message_id(self) -> str:
        """A fresh, globally unique Message-ID in ideaflow's own domain."""
        host = urlsplit(self.base_url).hostname or "ideaflow.invalid"
        return f"<{uuid.uuid4().hex}@{host}>"
