"""Access to the app's database from request handlers and CLI commands."""

from __future__ import annotations

from flask import current_app

from tasks.kick import RelayKick
from workflow.db import Database
from workflow.settings import Settings
from workflow.uow import UnitOfWork


def database() -> Database:
    """The current app's database."""
    db: Database = current_app.extensions["ideaflow.database"]
    return db


def unit_of_work() -> UnitOfWork:
    """A fresh unit of work on the current app's database."""
    return database().unit_of_work()


def reading() -> UnitOfWork:
    """A unit of work for a page's reads (``Database.reading``: no transaction around them)."""
    return database().reading()


def settings() -> Settings:
    """The current app's settings."""
    value: Settings = current_app.config["IDEAFLOW_SETTINGS"]
    return value


def relay_kick() -> RelayKick:
    """The current app's link to the workers (wakes the relay, queues deliveries)."""
    kick: RelayKick = current_app.extensions["ideaflow.kick"]
    return kick
