"""Use cases on people: users, their passwords and their API tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from workflow.clock import utcnow
from workflow.errors import NotFound, ValidationFailed
from workflow.gates import N_, REQUIRED
from workflow.models import ApiToken, User
from workflow.permissions import ROLES, Actor, Role
from workflow.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token_secret,
    token_digest,
)
from workflow.uow import UnitOfWork

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class UserView:
    """A user as listings show them."""

    id: int
    email: str
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class TokenView:
    """A token's public facts (never its secret)."""

    id: int
    email: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A new token; ``secret`` is shown once and never stored."""

    token: TokenView
    secret: str


def create_user(
    uow: UnitOfWork, *, email: str, name: str, role: str, password: str | None = None
) -> UserView:
    """Add a user; the password (if any) is stored as an argon2id hash."""
    errors: dict[str, str] = {}
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        errors["email"] = N_("Must be an email address.")
    elif uow.users.by_email(email) is not None:
        errors["email"] = N_("A user with this email address exists already.")
    if not name.strip():
        errors["name"] = REQUIRED
    if role not in ROLES:
        errors["role"] = N_("Must be one of: admin, manager, owner, viewer.")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = N_("Must be at least 10 characters.")
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=email,
        name=" ".join(name.split()),
        role=role,
        active=True,
        password_hash=hash_password(password) if password else None,
    )
    uow.users.add(user)
    uow.commit()
    return _user_view(user)


def list_users(uow: UnitOfWork) -> list[UserView]:
    """Every user, by email."""
    return [_user_view(user) for user in uow.users.list()]


def set_active(uow: UnitOfWork, email: str, active: bool) -> UserView:
    """Activate or deactivate a user (a deactivated user's tokens stop working)."""
    user = _user(uow, email)
    user.active = active
    uow.commit()
    return _user_view(user)


def issue_token(uow: UnitOfWork, email: str, name: str = "") -> IssuedToken:
    """Create an API token for the user with this email."""
    user = _user(uow, email)
    secret = new_token_secret()
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        token_hash=token_digest(secret),
        prefix=secret[:12],
    )
    uow.tokens.add(token)
    uow.flush()
    token.user = user
    uow.commit()
    return IssuedToken(_token_view(token), secret)


def revoke_token(
    uow: UnitOfWork, *, token_id: int | None = None, secret: str | None = None
) -> TokenView:
    """Revoke a token, named by its id or by its secret."""
    token = None
    if token_id is not None:
        token = uow.tokens.get(token_id)
    elif secret:
        token = uow.tokens.by_digest(token_digest(secret.strip()))
    if token is None:
        raise NotFound("There is no such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        uow.commit()
    return _token_view(token)


def list_tokens(uow: UnitOfWork, email: str) -> list[TokenView]:
    """A user's tokens, oldest first."""
    user = _user(uow, email)
    return [_token_view(token) for token in uow.tokens.for_user(user.id)]


def authenticate_token(uow: UnitOfWork, secret: str) -> Actor | None:
    """The actor behind a bearer token, or None for an unknown, revoked or inactive one."""
    token = uow.tokens.by_digest(token_digest(secret))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
        uow.commit()
    return actor_for(token.user)


def anybody_can_sign_in(uow: UnitOfWork) -> bool:
    """Whether any active user exists (a fresh installation has none)."""
    query = select(User.id).where(User.active.is_(True)).limit(1)
    return uow.session.scalar(query) is not None


def actor_for(user: User) -> Actor:
    """The actor a use case runs as for this user."""
    return Actor(id=user.id, email=user.email, name=user.name, role=Role(user.role))


def find_actor(uow: UnitOfWork, email: str) -> Actor:
    """The actor for the active user with this email (for the CLI's ``--as``)."""
    user = _user(uow, email)
    if not user.active:
        raise NotFound(f"The user {email} is deactivated.")
    return actor_for(user)


def _user(uow: UnitOfWork, email: str) -> User:
    user = uow.users.by_email(email)
    if user is None:
        raise NotFound(f"There is no user with the email address {email.strip()}.")
    return user


def _user_view(user: User) -> UserView:
    return UserView(user.id, user.email, user.name, user.role, user.active)


def _token_view(token: ApiToken) -> TokenView:
    return TokenView(
        id=token.id,
        email=token.user.email,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )
