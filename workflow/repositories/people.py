"""Repositories of people: users, API tokens and stakeholder contacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.models import (
    ApiToken,
    Contact,
    User,
)


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
