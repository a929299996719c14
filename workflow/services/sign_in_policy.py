"""Whether local passwords still sign people in once the identity provider does.

An administrator chooses; the choice matters only while a provider is configured (without
one, local passwords are the only way in, and always allowed).
"""

from __future__ import annotations

from enum import StrEnum

from workflow.clock import utcnow
from workflow.errors import Forbidden, ValidationFailed
from workflow.models import SiteSetting
from workflow.permissions import Actor, Role
from workflow.uow import UnitOfWork

KEY = "local_passwords"


class LocalPasswords(StrEnum):
    """Who may still sign in with a local password."""

    EVERYONE = "everyone"
    ADMINS = "admins"  # a break-glass administrator, for when the provider is down


def local_passwords(uow: UnitOfWork) -> LocalPasswords:
    """The current choice (everyone, until an administrator narrows it)."""
    row = uow.session.get(SiteSetting, KEY)
    if row is None or row.value not in LocalPasswords.__members__.values():
        return LocalPasswords.EVERYONE
    return LocalPasswords(row.value)


def may_use_password(uow: UnitOfWork, role: str) -> bool:
    """Whether a user of ``role`` may sign in with a local password while a provider is set."""
    return local_passwords(uow) is LocalPasswords.EVERYONE or role == Role.ADMIN


def choose_local_passwords(uow: UnitOfWork, actor: Actor, choice: str) -> LocalPasswords:
    """Record an administrator's choice of who may still use local passwords."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("Only administrators choose how people sign in.")
    if choice not in LocalPasswords.__members__.values():
        raise ValidationFailed({"local_passwords": "Choose who may sign in with a password."})
    row = uow.session.get(SiteSetting, KEY)
    if row is None:
        row = SiteSetting(key=KEY, value=choice)
        uow.session.add(row)
    row.value, row.updated_at, row.updated_by_id = choice, utcnow(), actor.id
    uow.commit()
    return LocalPasswords(choice)
