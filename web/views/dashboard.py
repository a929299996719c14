"""The managers' dashboard: the pipeline's health at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.auth import requires_role
from workflow.permissions import Role

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@requires_role(Role.ADMIN, Role.MANAGER)
def dashboard() -> str:
    """Funnel, time in stage, stuck and overdue ideas, load per owner, meetings and themes."""
    return render_template("dashboard/dashboard.html")
