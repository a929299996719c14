"""One settings object, read from ``IDEAFLOW_*`` environment variables, for web and worker."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from workflow.errors import ConfigurationError

ENVIRONMENTS = ("production", "development", "test")
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)


@dataclass(frozen=True)
class Settings:
    """Everything ideaflow needs to know about its surroundings."""

    env: str
    instance_path: Path
    database_url: str
    secret_key: str
    base_url: str
    redis_url: str | None = None
    smtp_url: str | None = None
    trusted_proxies: int = 0  # reverse proxies in front of the app whose X-Forwarded-* to trust
    mail_from: str = "ideaflow <ideaflow@localhost>"
    mail_reply_to: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build the settings from the environment (``os.environ`` by default)."""
        env_vars = os.environ if environ is None else environ
        env = env_vars.get("IDEAFLOW_ENV", "production").strip().lower()
        if env not in ENVIRONMENTS:
            raise ConfigurationError(
                f"IDEAFLOW_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}."
            )
        instance = Path(env_vars.get("IDEAFLOW_INSTANCE_PATH") or Path.cwd() / "instance")
        instance = instance.resolve()
        database_url = env_vars.get("IDEAFLOW_DATABASE_URL") or default_database_url(instance)
        return cls(
            env=env,
            instance_path=instance,
            database_url=normalise_database_url(database_url),
            secret_key=_secret_key(env_vars, instance, env),
            base_url=(env_vars.get("IDEAFLOW_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
            redis_url=env_vars.get("IDEAFLOW_REDIS_URL") or None,
            smtp_url=env_vars.get("IDEAFLOW_SMTP_URL") or None,
            trusted_proxies=_count(
                env_vars.get("IDEAFLOW_TRUSTED_PROXIES"), "IDEAFLOW_TRUSTED_PROXIES"
            ),
            mail_from=env_vars.get("IDEAFLOW_MAIL_FROM") or "ideaflow <ideaflow@localhost>",
            mail_reply_to=env_vars.get("IDEAFLOW_MAIL_REPLY_TO") or None,
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with some fields replaced (tests and the CLI use this)."""
        return replace(self, **changes)


def default_database_url(instance: Path) -> str:
    """The embedded default: a SQLite file in the instance folder."""
    return f"sqlite:///{instance / 'ideaflow.db'}"


def normalise_database_url(url: str) -> str:
    """Point plain ``postgresql://`` URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def write_secret_key(instance: Path) -> Path:
    """Create ``instance/secret_key`` with a random key unless it exists; return its path."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / SECRET_KEY_FILE
    if not path.exists():
        path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        path.chmod(0o600)
    return path


def env_seconds(name: str, default: float, environ: Mapping[str, str] | None = None) -> float:
    """A positive number of seconds from the environment variable ``name``; ``default`` unset.

    For the timings of mail delivery (retry backoff, leases, re-queueing): the defaults are
    production's, and tests and ``make soak`` shorten them to run in minutes, not hours.
    """
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ConfigurationError(f"{name} must be a positive number, not {raw!r}.")
    return seconds


def _count(raw: str | None, name: str) -> int:
    if not raw:
        return 0
    if not raw.strip().isdigit():
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.")
    return int(raw)


def _secret_key(environ: Mapping[str, str], instance: Path, env: str) -> str:
    key = environ.get("IDEAFLOW_SECRET_KEY", "").strip()
    if key:
        return key
    key_file = instance / SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    if env == "production":
        raise ConfigurationError(
            "IDEAFLOW_SECRET_KEY is not set: set it, or run 'make run' once to create "
            f"{key_file}, or set IDEAFLOW_ENV=development."
        )
    if env == "development":
        return write_secret_key(instance).read_text(encoding="ascii").strip()
    return secrets.token_hex(32)
