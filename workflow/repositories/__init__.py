"""Repositories: add and query through the unit of work's session. They never commit."""

from workflow.repositories.ideas import IDEA_ORDERS, IdeaFilter, IdeaRepository
from workflow.repositories.meetings import MeetingRepository
from workflow.repositories.people import ContactRepository, TokenRepository, UserRepository
from workflow.repositories.themes_history import HistoryRepository, ThemeRepository

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
