"""The start page: the board for managers, "Mine idéer" for everybody else."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from web.auth import current_actor
from web.database import reading
from workflow.clock import local_today
from workflow.services import listing

bp = Blueprint("board", __name__)


@bp.get("/")
def home() -> Response:
    """Managers land on the board, owners and readers on their own ideas."""
    return redirect(url_for("board.board" if current_actor().manages else "board.my_ideas"))


@bp.get("/board")
def board() -> str:
    """The pipeline as one column per state, with counts and the most urgent cards."""
    with reading() as uow:
        columns = listing.board(uow, current_actor())
    return render_template("board/board.html", columns=columns, today=local_today())


@bp.get("/my")
def my_ideas() -> str:
    """The signed-in user's own ideas, follow-ups due first."""
    with reading() as uow:
        page = listing.list_ideas(
            uow, current_actor(), {"owner": "me", "sort": "follow_up"}, 1, listing.PER_PAGE_MAX
        )
    return render_template("board/my.html", page=page, today=local_today())
