"""Use cases on ideas themselves: record, edit, look up and list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from workflow.clock import utcnow
from workflow.errors import Forbidden, NotFound, ValidationFailed, VersionConflict
from workflow.events import IdeaCreated, IdeaUpdated
from workflow.gates import MAX_ID, N_, PILOT_OWNER_ROLES, REQUIRED, iso_day, whole
from workflow.models import Idea, IdeaEdit, User
from workflow.permissions import Actor, may_assign_owner, may_create_idea, may_edit_idea
from workflow.repositories.idea_step import idea_for_step
from workflow.repositories.ideas import IdeaWithRecords
from workflow.text import search_text
from workflow.uow import UnitOfWork
from workflow.views import IdeaDetail, idea_detail, jsonable

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
THEMES_MAX = 20
THEME_MAX = 200
EDITABLE_FIELDS = ("title", "description", "themes", "owner", "follow_up_on")


def create_idea(uow: UnitOfWork, actor: Actor, fields: Mapping[str, Any]) -> IdeaDetail:
    """Record a new idea in ``proposed``; an owner who records one owns it."""
    if not may_create_idea(actor):
        raise Forbidden("Viewers cannot record ideas.")
    _refuse_unknown(fields, EDITABLE_FIELDS)
    if "title" not in fields:
        raise ValidationFailed({"title": REQUIRED})
    clean = _clean_fields(uow, fields)
    owner: User | None = clean.get("owner")
    if "owner" in clean and not may_assign_owner(actor) and (owner is None or owner.id != actor.id):
        raise Forbidden("Only managers choose who owns an idea.")
    if "owner" not in clean and not actor.manages:
        owner = uow.users.get(actor.id)
    now = utcnow()
    idea = Idea(
        title=clean["title"],
        description=clean.get("description", ""),
        owner=owner,
        created_by_id=actor.id,
        follow_up_on=clean.get("follow_up_on"),
        themes=uow.themes.get_or_create(clean.get("themes", [])),
        state_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    idea.search_text = search_text(idea.title, idea.description)
    uow.ideas.add(idea)
    uow.flush()
    owner_email = idea.owner.email if idea.owner else None
    uow.publish(IdeaCreated(idea.id, title=idea.title, actor_id=actor.id, owner=owner_email))
    uow.commit()
    return idea_detail(idea, None, None, None)


def update_idea(
    uow: UnitOfWork,
    actor: Actor,
    idea_id: int,
    fields: Mapping[str, Any],
    expected_version: Any = None,
) -> IdeaDetail:
    """Edit an idea's title, description, themes, follow-up date or (managers) owner; return
    it as it is now."""
    change_idea(uow, actor, idea_id, fields, expected_version)
    return get_idea(uow, actor, idea_id)


def change_idea(
    uow: UnitOfWork,
    actor: Actor,
    idea_id: int,
    fields: Mapping[str, Any],
    expected_version: Any = None,
) -> None:
    """As ``update_idea``, for a caller that does not show the idea afterwards (a form that
    goes on to the idea's page): nothing is read after the commit."""
    idea = load_idea(uow, idea_id)
    if not may_edit_idea(actor, idea.owner_id):
        raise Forbidden("You may only edit the ideas you own.")
    if "owner" in fields and not may_assign_owner(actor):
        raise Forbidden("Only managers choose who owns an idea.")
    _refuse_unknown(fields, EDITABLE_FIELDS)
    check_expected_version(idea, expected_version)
    clean = _clean_fields(uow, fields)
    before = _editable_values(idea)
    changes = _apply_changes(uow, idea, clean)
    if changes:
        now = utcnow()
        idea.search_text = search_text(idea.title, idea.description)
        idea.updated_at = now
        after = _editable_values(idea)
        uow.session.add(
            IdeaEdit(
                idea_id=idea.id,
                actor_id=actor.id,
                at=now,
                changes={name: {"from": before[name], "to": after[name]} for name in changes},
            )
        )
        uow.flush()
        uow.publish(IdeaUpdated(idea.id, changes=jsonable(changes), actor_id=actor.id))
        uow.commit()


def _editable_values(idea: Idea) -> dict[str, Any]:
    """The editable fields as an edit records them (JSON-ready)."""
    return {
        "title": idea.title,
        "description": idea.description,
        "follow_up_on": idea.follow_up_on.isoformat() if idea.follow_up_on else None,
        "owner": idea.owner.email if idea.owner else None,
        "themes": [theme.name for theme in idea.themes],
    }


def _apply_changes(uow: UnitOfWork, idea: Idea, clean: Mapping[str, Any]) -> dict[str, Any]:
    """Set the fields that differ; return them. One edit must be one new version."""
    changes: dict[str, Any] = {}
    # Loading owner or themes would otherwise flush the first changed field on its own,
    # bumping the version twice for one edit.
    with uow.session.no_autoflush:
        for name in ("title", "description", "follow_up_on"):
            if name in clean and getattr(idea, name) != clean[name]:
                setattr(idea, name, clean[name])
                changes[name] = clean[name]
        if "owner" in clean and idea.owner != clean["owner"]:
            idea.owner = clean["owner"]
            changes["owner"] = idea.owner.email if idea.owner else None
        if "themes" in clean:
            themes = uow.themes.get_or_create(clean["themes"])
            if [t.key for t in themes] != [t.key for t in idea.themes]:
                idea.themes = themes
                changes["themes"] = [t.name for t in themes]
    return changes


def theme_choices(uow: UnitOfWork, idea_id: int | None, limit: int) -> list[str]:
    """The themes an idea's form offers: its meeting's, its own, then others by name."""
    return uow.themes.choices_for(idea_id, limit)


def get_idea(uow: UnitOfWork, actor: Actor, idea_id: int) -> IdeaDetail:
    """One idea with its latest assessment, pilot plan and evaluation."""
    return get_idea_as_stored(uow, actor, idea_id)[0]


def get_idea_as_stored(uow: UnitOfWork, actor: Actor, idea_id: int) -> tuple[IdeaDetail, Idea]:
    """As ``get_idea``, and the stored idea it was read from (its owner's id, its provenance),
    without reading it again."""
    found = load_with_records(uow, idea_id)
    detail = idea_detail(
        found.idea, found.assessment, found.pilot_plan, found.evaluation, found.themes
    )
    return detail, found.idea


def check_expected_version(idea: Idea, expected_version: Any) -> None:
    """Refuse to act on a version of the idea the caller has not seen."""
    if expected_version is None:
        return
    version = whole(expected_version)
    if version is None:
        raise ValidationFailed({"expected_version": N_("Must be a whole number.")})
    if version != idea.version:
        raise VersionConflict(idea.version)


def load_with_records(uow: UnitOfWork, idea_id: int) -> IdeaWithRecords:
    """The idea with this id and its latest records (two statements); NotFound without it."""
    found = uow.ideas.with_records(idea_id) if 1 <= idea_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"There is no idea {idea_id}.")
    return found


def load_for_step(uow: UnitOfWork, idea_id: int) -> IdeaWithRecords:
    """As ``load_with_records``, read as plain columns outside the session (a step writes the
    idea back with its own statements); NotFound without it."""
    found = idea_for_step(uow.session, idea_id) if 1 <= idea_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"There is no idea {idea_id}.")
    return found


def load_idea(uow: UnitOfWork, idea_id: int) -> Idea:
    """The idea with this id; NotFound when there is none."""
    idea = uow.ideas.get(idea_id) if 1 <= idea_id <= MAX_ID else None
    if idea is None:
        raise NotFound(f"There is no idea {idea_id}.")
    return idea


def _refuse_unknown(fields: Mapping[str, Any], known: tuple[str, ...]) -> None:
    unknown = [name for name in fields if name not in known]
    if unknown:
        raise ValidationFailed({name: N_("Unknown field.") for name in unknown})


def _clean_fields(uow: UnitOfWork, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate editable fields; owner becomes a ``User`` (or None), dates become ``date``."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if "title" in fields:
        title = fields["title"]
        if not isinstance(title, str) or not title.strip():
            errors["title"] = REQUIRED
        elif len(title) > TITLE_MAX:  # as sent, spaces included: what the OpenAPI maxLength says
            errors["title"] = N_("Must be at most 200 characters.")
        else:
            clean["title"] = " ".join(title.split())
    if "description" in fields:
        description = fields["description"] if fields["description"] is not None else ""
        if not isinstance(description, str):
            errors["description"] = N_("Must be text.")
        elif len(description) > DESCRIPTION_MAX:
            errors["description"] = N_("Must be at most 10,000 characters.")
        else:
            clean["description"] = description.strip()
    if "themes" in fields:
        themes = fields["themes"] if fields["themes"] is not None else []
        if not isinstance(themes, list) or not all(isinstance(t, str) for t in themes):
            errors["themes"] = N_("Must be a list of texts.")
        elif len(themes) > THEMES_MAX or any(len(t) > THEME_MAX for t in themes):
            errors["themes"] = N_("At most 20 themes of at most 200 characters each.")
        else:
            clean["themes"] = [t for t in themes if t.strip()]
    if "follow_up_on" in fields:
        clean_date = _optional_date(fields["follow_up_on"])
        if clean_date is False:
            errors["follow_up_on"] = N_("Must be a date written YYYY-MM-DD, or null.")
        else:
            clean["follow_up_on"] = clean_date
    if "owner" in fields:
        owner = _assignable_owner(uow, fields["owner"])
        if owner is False:
            errors["owner"] = N_("No active owner or manager has this email address.")
        else:
            clean["owner"] = owner
    if errors:
        raise ValidationFailed(errors)
    return clean


def _optional_date(raw: Any) -> date | bool | None:
    if raw is None:
        return None
    if isinstance(raw, date):
        return raw
    return iso_day(raw) or False


def _assignable_owner(uow: UnitOfWork, raw: Any) -> User | bool | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        return False
    user = uow.users.by_email(raw)
    if user is None or not user.active or user.role not in PILOT_OWNER_ROLES:
        return False
    return user
