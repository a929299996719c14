"""Typed SQLAlchemy models: people, meetings, ideas and the records they leave behind."""

# The session hook that marks ideas for the reminder sweep on every write that concerns them.
from workflow.models import followup_marks  # noqa: F401
from workflow.models.base import NAMING_CONVENTION, Base, JsonDocument, UTCDateTime
from workflow.models.counts import STATE_KEY, IdeaCount, IdeaCountDelta
from workflow.models.idea_terms import idea_terms
from workflow.models.ideas import (
    FOLLOW_UP_ORDER,
    Assessment,
    Comment,
    Evaluation,
    HistoryEntry,
    Idea,
    IdeaEdit,
    IdeaFollower,
    PilotPlan,
    idea_themes,
)
from workflow.models.meetings import (
    DEFAULT_REPORT_MONTHS,
    Meeting,
    MeetingDocument,
    MeetingParticipant,
    MeetingTheme,
    PendingImport,
    Theme,
)
from workflow.models.notifications import (
    DELIVERY_OUTCOMES,
    MAILING_LISTS,
    NOTIFICATION_STATUSES,
    DeliveryAttempt,
    FollowupSchedule,
    IdeaStop,
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
    SignInWindow,
    SiteSetting,
    User,
    UserSession,
)
from workflow.models.reports import SentReport

__all__ = [
    "DEFAULT_REPORT_MONTHS",
    "DELIVERY_OUTCOMES",
    "FOLLOW_UP_ORDER",
    "MAILING_LISTS",
    "NAMING_CONVENTION",
    "NOTIFICATION_STATUSES",
    "STATE_KEY",
    "ApiToken",
    "Assessment",
    "Base",
    "Comment",
    "Contact",
    "DeliveryAttempt",
    "Evaluation",
    "FollowupSchedule",
    "HistoryEntry",
    "Idea",
    "IdeaCount",
    "IdeaCountDelta",
    "IdeaEdit",
    "IdeaFollower",
    "IdeaStop",
    "Invitation",
    "JsonDocument",
    "Meeting",
    "MeetingDocument",
    "MeetingParticipant",
    "MeetingTheme",
    "Notification",
    "OutboxMessage",
    "PendingImport",
    "PilotPlan",
    "Reminder",
    "SentReport",
    "SignInWindow",
    "SiteSetting",
    "Suppression",
    "Theme",
    "UTCDateTime",
    "Unsubscription",
    "User",
    "UserSession",
    "idea_terms",
    "idea_themes",
]
