"""Gate forms: one per trigger, with exactly the fields the transition table demands."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.database import reading, unit_of_work
from web.errors import ExplainedForbidden
from web.forms import GateInput, field_errors, field_id, gate_input
from workflow.errors import (
    Forbidden,
    InvalidTransition,
    ReferencedIdeaMerged,
    ValidationFailed,
    VersionConflict,
)
from workflow.gates import N_, TARGET_MERGED
from workflow.permissions import may_assign_owner, may_fire
from workflow.services import ideas, transitions, users
from workflow.states import TRIGGERS_BY_NAME, State, TriggerSpec
from workflow.views import IdeaDetail

bp = Blueprint("gates", __name__)
MANAGERS_ONLY = N_("Only a manager takes this step. Ask a manager, or go back to the idea.")


def _trigger(name: str) -> TriggerSpec:
    spec = TRIGGERS_BY_NAME.get(name)
    if spec is None:
        abort(404)
    return spec


def _checked(idea_id: int, trigger: TriggerSpec) -> IdeaDetail:
    """The idea, after checking (on the idea itself) that this user may fire this trigger now."""
    actor = current_actor()
    with reading() as uow:
        idea, stored = ideas.get_idea_as_stored(uow, actor, idea_id)
        if not may_fire(actor, stored.owner_id, trigger.name):
            raise ExplainedForbidden(None if trigger.owner_may_fire else MANAGERS_ONLY)
    if trigger.name not in idea.allowed_triggers:
        raise InvalidTransition(trigger.name, idea.state, idea.allowed_triggers)
    return idea


@bp.route("/ideas/<int:idea_id>/transitions/<name>", methods=["GET", "POST"])
def gate(idea_id: int, name: str) -> str | Response | tuple[str, int]:
    """Show the gate's form, or fire the trigger with what the form holds."""
    trigger = _trigger(name)
    if request.method == "GET":
        idea = _checked(idea_id, trigger)
        return _form(idea, trigger, GateInput(None, {}, idea.version, {}), {})
    # The service checks, on the idea, who may fire what and when: the idea is read for the
    # form again only when it has to be shown again.
    posted = gate_input(trigger, request.form)
    try:
        with unit_of_work() as uow:
            moved = transitions.fire_trigger(
                uow,
                current_actor(),
                idea_id,
                trigger.name,
                reason=posted.reason,
                data=posted.data,
                expected_version=posted.expected_version,
            )
    except Forbidden:
        raise ExplainedForbidden(None if trigger.owner_may_fire else MANAGERS_ONLY) from None
    except ValidationFailed as error:
        return _form(_checked(idea_id, trigger), trigger, posted, field_errors(error.fields)), 422
    except ReferencedIdeaMerged as error:
        errors = field_errors({error.field: TARGET_MERGED})
        return _form(_checked(idea_id, trigger), trigger, posted, errors), 409
    except VersionConflict:
        return _form(_checked(idea_id, trigger), trigger, posted, {}, conflict=True), 409
    flash(
        _("%(step)s: the idea is now “%(state)s”.", step=_(trigger.label),
          state=_state_name(moved.state)),
        "success",
    )  # fmt: skip
    return redirect(url_for("ideas.idea_detail", idea_id=idea_id))


def _state_name(state: State) -> str:
    from web.i18n import STATE_NAMES

    return str(STATE_NAMES[state])


def _form(
    idea: IdeaDetail,
    trigger: TriggerSpec,
    posted: GateInput,
    errors: dict[str, str],
    conflict: bool = False,
) -> str:
    with unit_of_work() as uow:
        pilot_owners = [
            u for u in users.list_users(uow) if u.active and u.role in ("owner", "manager")
        ]
    context: dict[str, Any] = {
        "idea": idea,
        "trigger": trigger,
        "fields": trigger.fields,
        "field_id": field_id,
        "values": posted.raw,
        # After a conflict the form carries the version just read, so the user can look at the
        # idea as it is now and send again on purpose.
        "version": idea.version,
        "errors": errors,
        "conflict": conflict,
        # Owners run their own pilots; handing the idea to someone else is for managers.
        "pilot_owners": pilot_owners if may_assign_owner(current_actor()) else [],
    }
    return render_template("ideas/gate.html", **context)
