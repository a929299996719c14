"""Who may do what to which idea. Everything not allowed here is denied."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflow.states import TRIGGERS_BY_NAME


class Role(StrEnum):
    """A user's role; it decides what the user may do."""

    ADMIN = "admin"
    MANAGER = "manager"
    OWNER = "owner"
    VIEWER = "viewer"


MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
ROLES: tuple[Role, ...] = tuple(Role)


@dataclass(frozen=True)
class Actor:
    """The authenticated user a use case runs for."""

    id: int
    email: str
    name: str
    role: Role

    @property
    def manages(self) -> bool:
        """True for admins and managers, who act on every idea."""
        return self.role in MANAGING_ROLES


def may_fire(actor: Actor, idea_owner_id: int | None, trigger: str) -> bool:
    """Admins and managers fire anything; owners fire on their own ideas, except ``merge``."""
    if actor.manages:
        return True
    spec = TRIGGERS_BY_NAME.get(trigger)
    return (
        actor.role == Role.OWNER
        and idea_owner_id is not None
        and idea_owner_id == actor.id
        and (spec is None or spec.owner_may_fire)
    )


def may_create_idea(actor: Actor) -> bool:
    """Everybody but viewers may record a new idea."""
    return actor.role != Role.VIEWER


def may_edit_idea(actor: Actor, idea_owner_id: int | None) -> bool:
    """Managers edit any idea; owners edit the ideas they own."""
    return actor.manages or (
        actor.role == Role.OWNER and idea_owner_id is not None and idea_owner_id == actor.id
    )


def may_assign_owner(actor: Actor) -> bool:
    """Only managers (and admins) change who owns an idea."""
    return actor.manages


def may_comment(actor: Actor) -> bool:
    """Everybody but viewers comments on any idea (internal notes among colleagues)."""
    return actor.role != Role.VIEWER


def may_import(actor: Actor) -> bool:
    """Managers, admins and owners import minutes; viewers do not."""
    return actor.role != Role.VIEWER


def may_see_participants(actor: Actor) -> bool:
    """Managers and admins see who took part in a meeting (names, email addresses, consent)."""
    return actor.manages


def may_download_minutes(actor: Actor) -> bool:
    """Managers and admins download the original minutes (they list participants' addresses)."""
    return actor.manages


def may_see_follower_addresses(actor: Actor, idea_owner_id: int | None) -> bool:
    """Managers and admins see every follower's address; owners those on the ideas they own."""
    return actor.manages or (
        actor.role == Role.OWNER and idea_owner_id is not None and idea_owner_id == actor.id
    )


def may_add_participant(actor: Actor) -> bool:
    """Managers and admins add participants to a meeting; owners and viewers do not."""
    return actor.manages


def may_manage_reports(actor: Actor) -> bool:
    """Managers and admins plan, preview and send a meeting's follow-up reports."""
    return actor.manages
