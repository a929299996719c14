"""Administration: users, their roles, invitations."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.auth import requires_role
from workflow.permissions import Role

bp = Blueprint("admin", __name__)


@bp.get("/admin/users")
@requires_role(Role.ADMIN)
def users() -> str:
    """Every user, with their role and status."""
    return render_template("admin/users.html", users=[])
