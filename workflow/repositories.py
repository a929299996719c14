"""Repositories: add and query through the unit of work's session. They never commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from workflow.models import (
    ApiToken,
    Assessment,
    Contact,
    Evaluation,
    HistoryEntry,
    Idea,
    Meeting,
    PilotPlan,
    Theme,
    User,
)
from workflow.text import casefold_key, like_pattern

THEME_MAX = 500
_Q = TypeVar("_Q", bound=Select[Any])
_R = TypeVar("_R", Assessment, PilotPlan, Evaluation)


class UserRepository:
    """Users by id and by email."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, user: User) -> None:
        """Stage a new user."""
        self.session.add(user)

    def get(self, user_id: int) -> User | None:
        """The user with this id, or None."""
        return self.session.get(User, user_id)

    def by_email(self, email: str) -> User | None:
        """The user with this email (case-insensitive), or None."""
        return self.session.scalars(select(User).where(User.email == email.strip().lower())).first()

    def list(self) -> Sequence[User]:
        """Every user, by email."""
        return self.session.scalars(select(User).order_by(User.email)).all()


class TokenRepository:
    """API tokens, found by the digest of their secret."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: ApiToken) -> None:
        """Stage a new token."""
        self.session.add(token)

    def get(self, token_id: int) -> ApiToken | None:
        """The token with this id, or None."""
        return self.session.get(ApiToken, token_id)

    def by_digest(self, digest: str) -> ApiToken | None:
        """The token whose secret hashes to ``digest``, or None."""
        return self.session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()

    def for_user(self, user_id: int) -> Sequence[ApiToken]:
        """A user's tokens, oldest first."""
        query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        return self.session.scalars(query).all()


class ThemeRepository:
    """Themes, unique by their case-folded name."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, names: Sequence[str]) -> list[Theme]:
        """The themes with these names, creating the missing ones (first spelling wins)."""
        wanted: dict[str, str] = {}
        for name in names:
            cleaned = " ".join(name.split())[:THEME_MAX]
            if cleaned:
                wanted.setdefault(casefold_key(cleaned), cleaned)
        if not wanted:
            return []
        found = self.session.scalars(select(Theme).where(Theme.key.in_(wanted))).all()
        by_key = {theme.key: theme for theme in found}
        for key, name in wanted.items():
            if key not in by_key:
                by_key[key] = Theme(name=name, key=key)
                self.session.add(by_key[key])
        return [by_key[key] for key in wanted]


@dataclass(frozen=True)
class IdeaFilter:
    """What a list of ideas is narrowed to; None means no narrowing."""

    state: str | None = None
    owner_email: str | None = None
    unowned: bool = False
    text: str | None = None


class IdeaRepository:
    """Ideas and the records their transitions leave."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, idea: Idea) -> None:
        """Stage a new idea."""
        self.session.add(idea)

    def get(self, idea_id: int) -> Idea | None:
        """The idea with this id, or None."""
        return self.session.get(Idea, idea_id)

    def count(self) -> int:
        """How many ideas there are."""
        return self.session.scalar(select(func.count(Idea.id))) or 0

    def state_of(self, idea_id: int) -> str | None:
        """The state of the idea with this id, without loading it."""
        return self.session.scalar(select(Idea.state).where(Idea.id == idea_id))

    def page(self, where: IdeaFilter, offset: int, limit: int) -> tuple[Sequence[Idea], int]:
        """One page of matching ideas, newest first, and how many match in all."""
        query = self._filtered(select(Idea), where)
        total = self.session.scalar(self._filtered(select(func.count(Idea.id)), where)) or 0
        rows = self.session.scalars(
            query.options(
                selectinload(Idea.owner), selectinload(Idea.themes), selectinload(Idea.meeting)
            )
            .order_by(Idea.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return rows, total

    @staticmethod
    def _filtered(query: _Q, where: IdeaFilter) -> _Q:
        if where.state:
            query = query.where(Idea.state == where.state)
        if where.unowned:
            query = query.where(Idea.owner_id.is_(None))
        elif where.owner_email:
            owner_ids = select(User.id).where(User.email == where.owner_email.strip().lower())
            query = query.where(Idea.owner_id.in_(owner_ids.scalar_subquery()))
        if where.text:
            query = query.where(Idea.search_text.like(like_pattern(where.text), escape="\\"))
        return query

    def latest_assessment(self, idea_id: int) -> Assessment | None:
        """The most recent assessment of an idea."""
        return self._latest(Assessment, idea_id)

    def latest_pilot_plan(self, idea_id: int) -> PilotPlan | None:
        """The most recent pilot plan of an idea."""
        return self._latest(PilotPlan, idea_id)

    def latest_evaluation(self, idea_id: int) -> Evaluation | None:
        """The most recent evaluation of an idea."""
        return self._latest(Evaluation, idea_id)

    def _latest(self, model: type[_R], idea_id: int) -> _R | None:
        query = select(model).where(model.idea_id == idea_id).order_by(model.id.desc()).limit(1)
        return self.session.scalars(query).first()

    def add_record(self, record: Assessment | PilotPlan | Evaluation) -> None:
        """Stage an assessment, pilot plan or evaluation."""
        self.session.add(record)

    def texts_for_similarity(self) -> Iterator[tuple[int, str]]:
        """(id, title and description) of every idea that is not merged, streamed."""
        query = select(Idea.id, Idea.title, Idea.description).where(Idea.state != "merged")
        for idea_id, title, description in self.session.execute(
            query.execution_options(yield_per=2000)
        ):
            yield idea_id, f"{title}. {description}"

    def of_meeting(self, meeting_id: int) -> Sequence[Idea]:
        """A meeting's ideas in the order the minutes list them."""
        query = (
            select(Idea)
            .where(Idea.meeting_id == meeting_id)
            .order_by(Idea.source_position, Idea.id)
        )
        return self.session.scalars(query).all()


class MeetingRepository:
    """Meetings, found by id or by the hash of their minutes."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, meeting: Meeting) -> None:
        """Stage a new meeting."""
        self.session.add(meeting)

    def get(self, meeting_id: int) -> Meeting | None:
        """The meeting with this id, or None."""
        return self.session.get(Meeting, meeting_id)

    def by_content_hash(self, content_hash: str) -> Meeting | None:
        """The meeting imported from minutes with this content hash, or None."""
        query = select(Meeting).where(Meeting.content_hash == content_hash)
        return self.session.scalars(query).first()

    def count(self) -> int:
        """How many meetings there are."""
        return self.session.scalar(select(func.count(Meeting.id))) or 0


class ContactRepository:
    """Stakeholder contacts, unique by email when they have one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def find_or_add(self, name: str, organisation: str | None, email: str | None) -> Contact:
        """The contact with this email (or else name and organisation), or a new one."""
        query = select(Contact)
        if email:
            query = query.where(Contact.email == email.lower())
        else:
            query = query.where(
                Contact.email.is_(None),
                Contact.name == name,
                Contact.organisation.is_(None)
                if organisation is None
                else Contact.organisation == organisation,
            )
        contact = self.session.scalars(query).first()
        if contact is None:
            contact = Contact(name=name, organisation=organisation, email=email)
            self.session.add(contact)
        return contact


class HistoryRepository:
    """The history of fired triggers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: HistoryEntry) -> None:
        """Stage a history row."""
        self.session.add(entry)

    def for_idea(self, idea_id: int) -> Sequence[HistoryEntry]:
        """An idea's history, oldest first."""
        query = (
            select(HistoryEntry)
            .where(HistoryEntry.idea_id == idea_id)
            .options(selectinload(HistoryEntry.actor))
            .order_by(HistoryEntry.at, HistoryEntry.id)
        )
        return self.session.scalars(query).all()
