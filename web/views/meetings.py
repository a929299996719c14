"""Meetings and what became of their ideas."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("meetings", __name__)


@bp.get("/meetings")
def meetings_list() -> str:
    """Every meeting with the outcome of its ideas."""
    return render_template("meetings/list.html", meetings=[])


@bp.get("/meetings/<int:meeting_id>")
def meeting_detail(meeting_id: int) -> str:
    """One meeting with its ideas and what became of them."""
    return render_template("meetings/detail.html", meeting_id=meeting_id)
