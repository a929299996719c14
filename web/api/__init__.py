"""The JSON API under ``/api/v1``: bearer tokens in, JSON out."""

from __future__ import annotations

from flask import Blueprint

PREFIX = "/api/v1"
bp = Blueprint("api", __name__)

from web.api import auth, ideas, imports, openapi  # noqa: E402  (routes register on bp)

__all__ = ["PREFIX", "auth", "bp", "ideas", "imports", "openapi"]
