"""Importing minutes in the browser: upload, preview, adjust, confirm."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("imports", __name__)


@bp.get("/imports/new")
def new_import() -> str:
    """The upload form."""
    return render_template("imports/new.html")
