"""The JSON API under ``/api/v1``: bearer tokens in, JSON out."""

from __future__ import annotations

from flask import Blueprint

PREFIX = "/api/v1"
bp = Blueprint("api", __name__)

from web.api import (  # noqa: E402  (routes register on bp)
    auth,
    followers,
    ideas,
    imports,
    meetings,
    notifications,
    openapi,
)

__all__ = [
    "PREFIX",
    "auth",
    "bp",
    "followers",
    "ideas",
    "imports",
    "meetings",
    "notifications",
    "openapi",
]
