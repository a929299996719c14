"""Repositories: add and query through the unit of work's session. They never commit."""

from workflow.repositories.ideas import (
    IDEA_ORDERS,
    HistoryRepository,
    IdeaFilter,
    IdeaRepository,
    ThemeRepository,
)
from workflow.repositories.meetings import MeetingRepository
from workflow.repositories.people import ContactRepository, TokenRepository, UserRepository

__all__ = [
    "IDEA_ORDERS",
    "ContactRepository",
    "HistoryRepository",
    "IdeaFilter",
    "IdeaRepository",
    "MeetingRepository",
    "ThemeRepository",
    "TokenRepository",
    "UserRepository",
]
