"""Signing in and out of the web app: passwords, throttling, and server-side sessions.

A session is a random token kept (as a digest) in ``user_sessions``; the browser holds the token
in its signed session cookie. Signing out deletes the row, so a copied cookie stops working at
once. Sign-ins are throttled per account at an address and per address (``throttle``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from workflow.clock import utcnow
from workflow.errors import WorkflowError
from workflow.i18n import LANGUAGES
from workflow.models import User, UserSession
from workflow.permissions import Actor, Role
from workflow.security import token_digest, verify_password
from workflow.services import sign_in_policy, throttle
from workflow.services.users import actor_for
from workflow.uow import UnitOfWork

SESSION_IDLE_LIMIT = timedelta(hours=12)
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
SignInThrottled = throttle.SignInThrottled


class PasswordsOff(WorkflowError):
    """The password was right, but this account signs in through the identity provider."""

    code = "passwords_off"


class SignInRefused(WorkflowError):
    """Wrong email or password (the message never says which)."""

    code = "sign_in_refused"


@dataclass(frozen=True)
class SignedIn:
    """A new session: the token for the cookie, and who it is."""

    token: str
    actor: Actor
    language: str | None


@dataclass(frozen=True)
class SessionUser:
    """Who a session signs in, and the interface language they chose (None: the browser's)."""

    actor: Actor
    language: str | None


def sign_in(
    uow: UnitOfWork,
    email: str,
    password: str,
    address: str,
    now: datetime | None = None,
    *,
    provider_on: bool = False,
) -> SignedIn:
    """Check the password and open a new session.

    A slot is taken before the check (``throttle``): at most 10 checks a minute for an account
    at one address and 50 for an address; more raise SignInThrottled. An unknown or inactive
    account is checked against a dummy hash, so it answers in the same time as a known one.
    With an identity provider on (``provider_on``), the administrators' choice of who may still
    use a local password applies (PasswordsOff for the others).
    """
    now = now or utcnow()
    slots = throttle.take(uow, email, address, now)
    user = uow.users.by_email(email)
    usable = user is not None and user.active
    matches = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not usable or not matches:
        throttle.forget_old(uow, now)
        uow.commit()
        raise SignInRefused("The email address or the password is wrong.")
    throttle.give_back(uow, slots)
    if provider_on and not sign_in_policy.may_use_password(uow, user.role):
        uow.commit()
        raise PasswordsOff("Sign in through the identity provider.")
    return open_session(uow, user, now)


def open_session(uow: UnitOfWork, user: User, now: datetime) -> SignedIn:
    """Start a session for ``user`` (already proven to be who they say) and commit."""
    token = secrets.token_urlsafe(32)
    uow.session.add(UserSession(token_hash=token_digest(token), user_id=user.id, created_at=now,
                                last_seen_at=now))  # fmt: skip
    uow.commit()
    return SignedIn(token, actor_for(user), user.language)


def session_actor(uow: UnitOfWork, token: str, now: datetime | None = None) -> Actor | None:
    """The actor behind a session token, or None when it is unknown, idle too long or inactive."""
    signed_in = session_user(uow, token, now)
    return signed_in.actor if signed_in is not None else None


def session_user(uow: UnitOfWork, token: str, now: datetime | None = None) -> SessionUser | None:
    """The actor behind a session token and their interface language (one statement), or None
    when the session is unknown, idle too long or its user inactive."""
    now = now or utcnow()
    # Columns, not entities: this runs on every request, and the ORM's identity map and
    # joined-eager loading cost more than the statement itself.
    columns = (UserSession.id, UserSession.last_seen_at, User.id, User.email, User.name,
               User.role, User.active, User.language)  # fmt: skip
    row = uow.session.execute(
        select(*columns)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    session_id, last_seen, user_id, email, name, role, active, language = row
    if not active:
        return None
    if now - last_seen > SESSION_IDLE_LIMIT:
        uow.session.execute(delete(UserSession).where(UserSession.id == session_id))
        uow.commit()
        return None
    if now - last_seen > LAST_SEEN_RESOLUTION:
        uow.session.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
        )
        uow.commit()
    return SessionUser(Actor(id=user_id, email=email, name=name, role=Role(role)), language)


def sign_out(uow: UnitOfWork, token: str) -> None:
    """End the session: the token no longer signs anybody in."""
    uow.session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(token)))
    uow.commit()


def choose_language(uow: UnitOfWork, actor: Actor, language: str | None) -> None:
    """Remember the user's interface language (None: follow the browser)."""
    user = uow.users.get(actor.id)
    if user is not None:
        user.language = language if language in LANGUAGES else None
        uow.commit()
