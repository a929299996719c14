"""Signing in through the organisation's identity provider: accounts follow its claims.

The provider has already proven who the person is (``web.oidc`` verified the ID token); here
their account is created, updated, reopened or closed to match the role the claims give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update

from workflow.clock import utcnow
from workflow.errors import WorkflowError
from workflow.identity_provider import RoleGrant
from workflow.models import User, UserSession
from workflow.services.sessions import SignedIn, open_session
from workflow.services.users import EMAIL_PATTERN
from workflow.uow import UnitOfWork


class Refusal(StrEnum):
    """Why a person the provider vouched for does not get in."""

    NO_ROLE = "no_role"  # none of their groups maps to a role
    NO_EMAIL = "no_email"  # the provider sent no usable email address for a new account
    DEACTIVATED = "deactivated"  # an administrator closed the account in ideaflow
    EMAIL_TAKEN = "email_taken"  # another provider account already holds this address


class ProviderSignInRefused(WorkflowError):
    """The provider vouched for the person, but ideaflow does not let them in."""

    code = "provider_sign_in_refused"

    def __init__(self, reason: Refusal, email: str | None = None) -> None:
        super().__init__(f"Sign-in refused: {reason.value}")
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says signed in: its key for them, their address and name, their role."""

    subject: str
    email: str | None
    name: str | None
    grant: RoleGrant | None


def sign_in_with_provider(
    uow: UnitOfWork, identity: ProviderIdentity, now: datetime | None = None
) -> SignedIn:
    """Create or update the person's account from the claims and open a session.

    Claims that no longer give a role close the account (and its sessions) until a later sign-in
    gives one again; an account an administrator closed stays closed.
    """
    now = now or utcnow()
    email = _usable_email(identity.email)
    user = _linked_user(uow, identity.subject, email)
    if identity.grant is None:
        if user is not None and (user.active or user.provider_deactivated):
            _close(uow, user)
            uow.commit()
        raise ProviderSignInRefused(Refusal.NO_ROLE, email)
    if user is not None and not user.active and not user.provider_deactivated:
        raise ProviderSignInRefused(Refusal.DEACTIVATED, user.email)
    if user is None:
        if email is None:
            raise ProviderSignInRefused(Refusal.NO_EMAIL)
        user = User(email=email, name=identity.name or email, role=identity.grant.role.value)
        uow.users.add(user)
    elif email is not None and email != user.email and uow.users.by_email(email) is None:
        user.email = email  # renamed at the provider; kept when another account holds it
    user.provider_subject = identity.subject
    user.name = " ".join((identity.name or user.name).split())[:200] or user.email
    user.role, user.role_source = identity.grant.role.value, identity.grant.because_of[:200]
    user.active, user.provider_deactivated, user.provider_seen_at = True, False, now
    uow.session.flush()
    return open_session(uow, user, now)


def deactivate_unseen(uow: UnitOfWork, days: int, now: datetime | None = None) -> list[str]:
    """Close the provider accounts not signed in for ``days`` days; return their addresses.

    Accounts with local passwords only (the break-glass administrator) are left alone.
    """
    now = now or utcnow()
    stale = (
        User.active.is_(True),
        User.provider_subject.is_not(None),
        User.provider_seen_at < now - timedelta(days=days),
    )
    emails = list(uow.session.scalars(select(User.email).where(*stale).order_by(User.email)))
    if emails:
        ids = select(User.id).where(*stale).scalar_subquery()
        uow.session.execute(delete(UserSession).where(UserSession.user_id.in_(ids)))
        uow.session.execute(
            update(User).where(*stale).values(active=False, provider_deactivated=True)
        )
    uow.commit()
    return emails


def _usable_email(email: str | None) -> str | None:
    cleaned = (email or "").strip().lower()
    return cleaned if EMAIL_PATTERN.match(cleaned) and len(cleaned) <= 320 else None


def _linked_user(uow: UnitOfWork, subject: str, email: str | None) -> User | None:
    """The account the provider's subject is linked to, else the unlinked one with the address."""
    user = uow.session.scalars(select(User).where(User.provider_subject == subject)).first()
    if user is not None or email is None:
        return user
    by_email = uow.users.by_email(email)
    if by_email is not None and by_email.provider_subject is not None:
        raise ProviderSignInRefused(Refusal.EMAIL_TAKEN, email)
    return by_email


def _close(uow: UnitOfWork, user: User) -> None:
    user.active, user.provider_deactivated, user.role_source = False, True, None
    uow.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
