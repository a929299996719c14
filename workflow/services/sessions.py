"""Signing in and out of the web app: passwords, throttling, and server-side sessions.

A session is a random token kept (as a digest) in ``user_sessions``; the browser holds the token
in its signed session cookie. Signing out deletes the row, so a copied cookie stops working at
once. Sign-ins are throttled per account at an address and per address (``throttle``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from workflow.clock import utcnow
from workflow.errors import WorkflowError
from workflow.i18n import LANGUAGES
from workflow.models import UserSession
from workflow.permissions import Actor
from workflow.security import token_digest, verify_password
from workflow.services import throttle
from workflow.services.users import actor_for
from workflow.uow import UnitOfWork

SESSION_IDLE_LIMIT = timedelta(hours=12)
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
SignInThrottled = throttle.SignInThrottled


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
    uow: UnitOfWork, email: str, password: str, address: str, now: datetime | None = None
) -> SignedIn:
    """Check the password and open a new session.

    A slot is taken before the check (``throttle``): at most 10 checks a minute for an account
    at one address and 50 for an address; more raise SignInThrottled. An unknown or inactive
    account is checked against a dummy hash, so it answers in the same time as a known one.
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
    session = uow.session.scalars(
        select(UserSession).where(UserSession.token_hash == token_digest(token))
    ).first()
    if session is None or not session.user.active:
        return None
    if now - session.last_seen_at > SESSION_IDLE_LIMIT:
        uow.session.delete(session)
        uow.commit()
        return None
    if now - session.last_seen_at > LAST_SEEN_RESOLUTION:
        session.last_seen_at = now
        uow.commit()
    return SessionUser(actor_for(session.user), session.user.language)


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
