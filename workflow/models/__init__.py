"""Typed SQLAlchemy models: people, meetings, ideas and the records they leave behind."""

from workflow.models.base import NAMING_CONVENTION, Base, JsonDocument, UTCDateTime
from workflow.models.ideas import (
    Assessment,
    Comment,
    Evaluation,
    HistoryEntry,
    Idea,
    IdeaFollower,
    PilotPlan,
    idea_themes,
)
from workflow.models.meetings import (
    Meeting,
    MeetingDocument,
    MeetingParticipant,
    MeetingTheme,
    PendingImport,
    Theme,
)
from workflow.models.notifications import (
    MAILING_LISTS,
    NOTIFICATION_STATUSES,
    Notification,
    Reminder,
    Suppression,
    Unsubscription,
)
from workflow.models.outbox import OutboxMessage
from workflow.models.people import (
    ApiToken,
    Contact,
    Invitation,
    LoginAttempt,
    User,
    UserSession,
)

__all__ = [
    "MAILING_LISTS",
    "NAMING_CONVENTION",
    "NOTIFICATION_STATUSES",
    "ApiToken",
    "Assessment",
    "Base",
    "Comment",
    "Contact",
    "Evaluation",
    "HistoryEntry",
    "Idea",
    "IdeaFollower",
    "Invitation",
    "JsonDocument",
    "LoginAttempt",
    "Meeting",
    "MeetingDocument",
    "MeetingParticipant",
    "MeetingTheme",
    "Notification",
    "OutboxMessage",
    "PendingImport",
    "PilotPlan",
    "Reminder",
    "Suppression",
    "Theme",
    "UTCDateTime",
    "Unsubscription",
    "User",
    "UserSession",
    "idea_themes",
]
