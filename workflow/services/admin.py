"""Administration: users' roles and status, invitations, and accepting an invitation.

Only active administrators administer (checked here, on the stored user, not just on the actor).
An invitation is a random token of which only the SHA-256 digest is stored; it works once, for
seven days, and only while it is the user's newest one and the user has no password yet.

Two rules protect the administration itself: nobody demotes or deactivates themselves, and the
last active administrator (active, with a password) is never demoted or deactivated. The second
rule is enforced against races too: the active administrators' rows are locked (PostgreSQL), and
the write itself is a guarded ``UPDATE`` that changes nothing when the rule no longer holds
(SQLite, which runs one writer at a time).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound, ValidationFailed, WorkflowError
from workflow.gates import N_, REQUIRED
from workflow.models import Invitation, User, UserSession
from workflow.permissions import ROLES, Actor, Role
from workflow.security import MIN_PASSWORD_LENGTH, hash_password, token_digest
from workflow.services.users import EMAIL_PATTERN
from workflow.uow import UnitOfWork

INVITATION_LIFETIME = timedelta(days=7)
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 320

NOT_ADMIN = N_("Only administrators manage users.")
DUPLICATE_EMAIL = N_("A user with this email address exists already.")
OWN_ROLE = N_("You cannot change your own role. Ask another administrator to do it.")
OWN_DEACTIVATION = N_("You cannot deactivate yourself. Ask another administrator to do it.")
LAST_ADMIN = N_("This is the last active administrator. Make someone else an administrator first.")
ROLE_FROM_PROVIDER = N_("This role comes from a group at the identity provider: change it there.")


class UserStatus(StrEnum):
    """Where a user stands: may sign in, may not, or has not set a password yet."""

    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    INVITED = "invited"


class InvitationProblem(StrEnum):
    """Why an invitation link cannot be used."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"  # also: replaced by a newer one, or the user was deactivated


class InvitationInvalid(WorkflowError):
    """The invitation link is unknown, used, expired or replaced."""

    code = "invitation_invalid"

    def __init__(self, problem: InvitationProblem) -> None:
        super().__init__(N_("This invitation link cannot be used."))
        self.problem = problem

    def details(self) -> dict[str, object]:
        """Why the link cannot be used."""
        return {"problem": self.problem.value}


@dataclass(frozen=True)
class AdminUser:
    """A user as the administration lists them."""

    id: int
    email: str
    name: str
    role: str
    status: UserStatus
    invitation_expires_at: datetime | None  # the open invitation's end, for invited users
    role_source: str | None = None  # the provider's group that gave the role (None: set here)
    provider_seen_at: datetime | None = None  # last sign-in through the identity provider
    provider_deactivated: bool = False  # closed because no group gave a role any more


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation; ``token`` is shown to the administrator once and never stored."""

    user: AdminUser
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenInvitation:
    """A usable invitation, as the person who follows the link sees it."""

    name: str
    email: str
    expires_at: datetime


def list_users(uow: UnitOfWork, actor: Actor, now: datetime | None = None) -> list[AdminUser]:
    """Every user, by name, with their status (administrators only)."""
    _require_admin(uow, actor)
    now = now or utcnow()
    open_until: dict[int, datetime] = dict(
        uow.session.execute(
            select(Invitation.user_id, func.max(Invitation.expires_at))
            .where(Invitation.used_at.is_(None), Invitation.expires_at > now)
            .group_by(Invitation.user_id)
        ).all()
    )
    people = uow.session.scalars(select(User).order_by(func.lower(User.name), User.email)).all()
    return [_view(user, open_until.get(user.id)) for user in people]


def invite_user(
    uow: UnitOfWork, actor: Actor, *, name: str, email: str, role: str, now: datetime | None = None
) -> IssuedInvitation:
    """Add a user without a password, and an invitation with which they set one."""
    _require_admin(uow, actor)
    errors: dict[str, str] = {}
    email = email.strip().lower()
    name = " ".join(name.split())
    if not email:
        errors["email"] = REQUIRED
    elif len(email) > EMAIL_MAX_LENGTH or not EMAIL_PATTERN.match(email):
        errors["email"] = N_("Must be an email address.")
    elif uow.users.by_email(email) is not None:
        errors["email"] = DUPLICATE_EMAIL
    if not name:
        errors["name"] = REQUIRED
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = N_("The text is too long.")
    if role not in ROLES:
        errors["role"] = N_("Must be one of: admin, manager, owner, viewer.")
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name, role=role, active=True, password_hash=None)
    uow.users.add(user)
    try:
        uow.flush()
    except IntegrityError:  # someone added the same address a moment ago
        uow.rollback()
        raise ValidationFailed({"email": DUPLICATE_EMAIL}) from None
    return _issue(uow, actor, user, now or utcnow())


def reinvite_user(
    uow: UnitOfWork, actor: Actor, user_id: int, now: datetime | None = None
) -> IssuedInvitation:
    """A new invitation for a user without a password; their older links stop working."""
    _require_admin(uow, actor)
    user = _target(uow, user_id)
    if user.password_hash is not None:
        raise ValidationFailed({"invitation": N_("This user has set a password already.")})
    if not user.active:
        raise ValidationFailed(
            {"invitation": N_("Reactivate the user before you send a new invitation.")}
        )
    return _issue(uow, actor, user, now or utcnow())


def change_role(uow: UnitOfWork, actor: Actor, user_id: int, role: str) -> AdminUser:
    """Give a user another role; it applies from their next request."""
    _require_admin(uow, actor, lock=True)
    user = _target(uow, user_id)
    if role not in ROLES:
        raise ValidationFailed({"role": N_("Must be one of: admin, manager, owner, viewer.")})
    if role == user.role:
        return _view(user, None)
    if user.id == actor.id:
        raise ValidationFailed({"role": OWN_ROLE})
    if user.role_source is not None:  # the next sign-in would set it back
        raise ValidationFailed({"role": ROLE_FROM_PROVIDER})
    removes_admin = role != Role.ADMIN and _counts_as_admin(user)
    if removes_admin and not _other_admin_exists(uow, user.id):
        raise ValidationFailed({"role": LAST_ADMIN})
    if not _guarded_update(uow, actor, user, removes_admin, role=role):
        raise ValidationFailed({"role": LAST_ADMIN})
    set_committed_value(user, "role", role)
    uow.commit()
    return _view(user, None)


def deactivate_user(
    uow: UnitOfWork, actor: Actor, user_id: int, now: datetime | None = None
) -> AdminUser:
    """Stop a user signing in: their sessions end now and their open invitations expire."""
    _require_admin(uow, actor, lock=True)
    user = _target(uow, user_id)
    if not user.active:
        return _view(user, None)
    if user.id == actor.id:
        raise ValidationFailed({"active": OWN_DEACTIVATION})
    removes_admin = _counts_as_admin(user)
    if removes_admin and not _other_admin_exists(uow, user.id):
        raise ValidationFailed({"active": LAST_ADMIN})
    if not _guarded_update(uow, actor, user, removes_admin, active=False):
        raise ValidationFailed({"active": LAST_ADMIN})
    set_committed_value(user, "active", False)
    uow.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    _expire_open_invitations(uow, user.id, now or utcnow())
    uow.commit()
    return _view(user, None)


def reactivate_user(uow: UnitOfWork, actor: Actor, user_id: int) -> AdminUser:
    """Let a deactivated user sign in again (an invited one needs a new invitation)."""
    _require_admin(uow, actor, lock=True)
    user = _target(uow, user_id)
    if user.active:
        return _view(user, None)
    if not _guarded_update(uow, actor, user, False, active=True):
        raise Forbidden(NOT_ADMIN)
    set_committed_value(user, "active", True)
    user.provider_deactivated = False
    uow.commit()
    return _view(user, None)


def open_invitation(uow: UnitOfWork, token: str, now: datetime | None = None) -> OpenInvitation:
    """The invitation behind a link, if it can still be used (else ``InvitationInvalid``)."""
    invitation = _usable_invitation(uow, token, now or utcnow())
    user = invitation.user
    return OpenInvitation(name=user.name, email=user.email, expires_at=invitation.expires_at)


def accept_invitation(
    uow: UnitOfWork, token: str, password: str, password_again: str, now: datetime | None = None
) -> AdminUser:
    """Set the invited user's password (argon2id) and use the invitation up."""
    now = now or utcnow()
    invitation = _usable_invitation(uow, token, now)
    errors: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = N_("Must be at least 10 characters.")
    if password_again != password:
        errors["password_again"] = N_("The two passwords are not the same.")
    if errors:
        raise ValidationFailed(errors)
    password_hash = hash_password(password)  # before claiming, so the row lock is short
    claimed = _rowcount(
        uow.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if claimed != 1:  # the same link was used in another tab a moment ago
        uow.rollback()
        raise InvitationInvalid(InvitationProblem.USED)
    user = invitation.user
    user.password_hash = password_hash
    _expire_open_invitations(uow, user.id, now)
    uow.commit()
    return _view(user, None)


def _require_admin(uow: UnitOfWork, actor: Actor, *, lock: bool = False) -> User:
    """The acting administrator as stored now; ``Forbidden`` for anybody else.

    With ``lock``, the active administrators' rows are locked first (see the module docstring).
    """
    if actor.role != Role.ADMIN:
        raise Forbidden(NOT_ADMIN)
    if lock:
        _lock_admins(uow)
    user = uow.users.get(actor.id)
    if user is None or not user.active or user.role != Role.ADMIN:
        raise Forbidden(NOT_ADMIN)
    return user


def _target(uow: UnitOfWork, user_id: int) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise NotFound(N_("There is no such user."))
    return user


def _issue(uow: UnitOfWork, actor: Actor, user: User, now: datetime) -> IssuedInvitation:
    _expire_open_invitations(uow, user.id, now)
    token = secrets.token_urlsafe(32)
    expires_at = now + INVITATION_LIFETIME
    uow.session.add(
        Invitation(
            token_hash=token_digest(token),
            user_id=user.id,
            created_by_id=actor.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    uow.commit()
    return IssuedInvitation(_view(user, expires_at), token, expires_at)


def _expire_open_invitations(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    uow.session.execute(
        update(Invitation)
        .where(
            Invitation.user_id == user_id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def _usable_invitation(uow: UnitOfWork, token: str, now: datetime) -> Invitation:
    invitation = uow.session.scalars(
        select(Invitation).where(Invitation.token_hash == token_digest(token))
    ).first()
    if invitation is None:
        raise InvitationInvalid(InvitationProblem.UNKNOWN)
    if invitation.used_at is not None or invitation.user.password_hash is not None:
        raise InvitationInvalid(InvitationProblem.USED)
    if invitation.expires_at <= now or not invitation.user.active:
        raise InvitationInvalid(InvitationProblem.EXPIRED)
    return invitation


def _counted_admin(table: Any) -> tuple[ColumnElement[bool], ...]:
    """The conditions of an administrator who can act: active, admin, with a password."""
    return (
        table.role == Role.ADMIN.value,
        table.active.is_(True),
        table.password_hash.is_not(None),
    )


def _counts_as_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.active and user.password_hash is not None


def _lock_admins(uow: UnitOfWork) -> None:
    """Lock the active administrators' rows (PostgreSQL; SQLite ignores it) in a fixed order."""
    uow.session.execute(
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.active.is_(True))
        .order_by(User.id)
        .with_for_update()
    ).all()


def _other_admin_exists(uow: UnitOfWork, user_id: int) -> bool:
    others = uow.session.scalar(
        select(func.count(User.id)).where(User.id != user_id, *_counted_admin(User))
    )
    return bool(others)


def _guarded_update(
    uow: UnitOfWork, actor: Actor, user: User, removes_admin: bool, **values: Any
) -> bool:
    """Write ``values`` only while the actor is an administrator (and another one remains)."""
    acting, other = aliased(User), aliased(User)
    conditions: list[ColumnElement[bool]] = [
        User.id == user.id,
        select(acting.id)
        .where(acting.id == actor.id, acting.role == Role.ADMIN.value, acting.active.is_(True))
        .exists(),
    ]
    if removes_admin:
        conditions.append(
            select(other.id).where(other.id != user.id, *_counted_admin(other)).exists()
        )
    statement = (
        update(User)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(uow.session.execute(statement)) == 1


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def _view(user: User, invitation_expires_at: datetime | None) -> AdminUser:
    if not user.active:
        status = UserStatus.DEACTIVATED
    elif user.password_hash is None and user.provider_subject is None:
        status = UserStatus.INVITED
    else:
        status = UserStatus.ACTIVE
    return AdminUser(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        status=status,
        invitation_expires_at=invitation_expires_at if status is UserStatus.INVITED else None,
        role_source=user.role_source,
        provider_seen_at=user.provider_seen_at,
        provider_deactivated=user.provider_deactivated,
    )
