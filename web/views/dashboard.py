"""The managers' dashboard: the pipeline's health at a glance."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from web.auth import current_actor, requires_role
from web.database import reading
from workflow.permissions import Role
from workflow.services.dashboard import FUNNEL_STAGES, OPEN_STATES, StageLimits, dashboard
from workflow.states import STATES

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@requires_role(Role.ADMIN, Role.MANAGER)
def dashboard_page() -> str:
    """Funnel, time in stage, stuck and overdue ideas, load per owner, meetings and themes."""
    limits = current_app.config.get("IDEAFLOW_STAGE_LIMITS") or StageLimits()
    with reading() as uow:
        figures = dashboard(uow, current_actor(), limits=limits)
    return render_template(
        "dashboard/dashboard.html",
        d=figures,
        states=STATES,
        open_states=OPEN_STATES,
        funnel_stages=FUNNEL_STAGES,
    )
