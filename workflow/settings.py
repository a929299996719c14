"""One settings object, read from ``IDEAFLOW_*`` environment variables, for web and worker.

Only the edges read the environment (``Settings.from_env()`` in the app factory, the Celery app
and the CLI) and pass what they read on; building ``Settings(...)`` directly reads nothing.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from workflow.errors import ConfigurationError
from workflow.followups.rules import FollowupRules
from workflow.tuning import Tuning

ENV_PREFIX = "IDEAFLOW_"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)
WEEK_S = 7 * 24 * 3600
# A positive, finite number of seconds, at most a week (a timedelta cannot hold 1e300 seconds).
Seconds = Annotated[float, Field(gt=0, le=WEEK_S, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=1)]

# The variables ``from_env`` reads; None outside it, so ``Settings(...)`` takes only its arguments.
_environ: ContextVar[Mapping[str, str] | None] = ContextVar("ideaflow_environ", default=None)


class _MappingSource(EnvSettingsSource):
    """The environment source, over a given mapping instead of ``os.environ``."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._mapping = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # A variable set to blanks counts as unset, as it always has.
        values = {name: value for name, value in self._mapping.items() if value.strip()}
        return parse_env_vars(values, False, True, None)


class Settings(BaseSettings):
    """Everything ideaflow needs to know about its surroundings."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", env_ignore_empty=True
    )

    env: Literal["production", "development", "test"] = "production"
    instance_path: Path = Field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = Field(default="", validate_default=True)
    secret_key: str = Field(default="", validate_default=True, repr=False)
    base_url: str = "http://127.0.0.1:5000"
    redis_url: str | None = None
    smtp_url: str | None = Field(default=None, repr=False)  # may hold a password
    trusted_proxies: int = Field(default=0, ge=0)  # proxies whose X-Forwarded-* to trust
    mail_from: str = "ideaflow <ideaflow@localhost>"
    mail_reply_to: str | None = None
    log_format: Literal["text", "json"] = "text"
    # Why meeting participants may be emailed about the meeting's ideas (GDPR art. 6): as part
    # of the municipality's public task, or only with each one's consent (see README, Privacy).
    participant_legal_basis: Literal["public_task", "consent"] = "public_task"
    sweep_seconds: Seconds = 30.0
    # Production's delivery timings; tests and the quick soak shorten them (a lease must
    # outlast an SMTP exchange with its 30 s timeout).
    lease_seconds: Seconds = 90.0
    retry_first_seconds: Seconds = 30.0
    requeue_after_seconds: Seconds = 120.0
    read_seconds: Seconds = 20.0
    tesseract: str | None = None
    reminder_unassessed_days: Days = FollowupRules.unassessed_days
    reminder_untouched_days: Days = FollowupRules.untouched_days
    reminder_repeat_days: Days = FollowupRules.repeat_days
    reminder_escalate_days: Days = FollowupRules.escalate_days

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments first; the environment only inside ``from_env``."""
        environ = _environ.get()
        if environ is None:
            return (init_settings,)
        return (init_settings, _MappingSource(settings_cls, environ))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build the settings from the environment (``os.environ`` by default).

        A bad value raises ``ConfigurationError`` naming its variable.
        """
        with _reading(os.environ if environ is None else environ):
            try:
                return cls()
            except ValidationError as error:
                raise ConfigurationError(_explain(error)) from None

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with some fields replaced (tests and the CLI use this)."""
        return type(self)(**{**self.model_dump(), **changes})

    @property
    def followup_rules(self) -> FollowupRules:
        """The reminder rules (``IDEAFLOW_REMINDER_*``)."""
        return FollowupRules(
            unassessed_days=self.reminder_unassessed_days,
            untouched_days=self.reminder_untouched_days,
            repeat_days=self.reminder_repeat_days,
            escalate_days=self.reminder_escalate_days,
        )

    @property
    def tuning(self) -> Tuning:
        """The timings and programs the domain works with, set once per process."""
        return Tuning(
            lease_seconds=self.lease_seconds,
            retry_first_seconds=self.retry_first_seconds,
            requeue_after_seconds=self.requeue_after_seconds,
            read_seconds=self.read_seconds,
            tesseract=self.tesseract,
            participant_legal_basis=self.participant_legal_basis,
        )

    @field_validator("*", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("env", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("instance_path")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.resolve()

    @field_validator("base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _count(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.isdigit():
            raise ValueError("must be a whole number")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str, info: ValidationInfo) -> str:
        instance = info.data.get("instance_path")
        if not value and instance is not None:
            value = default_database_url(instance)
        return normalise_database_url(value)

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: str, info: ValidationInfo) -> str:
        instance, env = info.data.get("instance_path"), info.data.get("env")
        if value or instance is None or env is None:
            return value
        return _secret_key(instance, env)


@contextmanager
def _reading(environ: Mapping[str, str]) -> Iterator[None]:
    token = _environ.set(environ)
    try:
        yield
    finally:
        _environ.reset(token)


def _explain(error: ValidationError) -> str:
    """One sentence per bad variable, named as it is set."""
    sentences = []
    for problem in error.errors():
        name = ENV_PREFIX + "_".join(str(part) for part in problem["loc"]).upper()
        if problem["type"] == "value_error":  # our own validators: written to follow the name
            sentence = f"{name} {problem['msg'].removeprefix('Value error, ')}"
        else:
            sentence = f"{name}: {problem['msg']}"
        raw = problem.get("input")
        sentences.append(sentence + (f", not {raw!r}." if raw not in ("", None) else "."))
    return " ".join(sentences)


WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 (names, not a bind)


def served_base_url(host: str, port: int) -> str:
    """The address a server listening on ``host``:``port`` is reached at from this machine."""
    if host in WILDCARD_HOSTS:
        host = "localhost"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"


def base_url_for_server(settings: Settings, host: str, port: int) -> str:
    """The base URL for links from a server on ``host``:``port``: IDEAFLOW_BASE_URL when it is
    set, else the served address, put in the environment for the processes the server starts."""
    if "base_url" in settings.model_fields_set:
        return settings.base_url
    os.environ[ENV_PREFIX + "BASE_URL"] = served = served_base_url(host, port)
    return served


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


def _secret_key(instance: Path, env: str) -> str:
    key_file = instance / SECRET_KEY_FILE
    if key_file.exists():
        return key_file.read_text(encoding="ascii").strip()
    if env == "production":
        raise ValueError(
            "is not set: set it, or run 'make run' once to create "
            f"{key_file}, or set IDEAFLOW_ENV=development"
        )
    if env == "development":
        return write_secret_key(instance).read_text(encoding="ascii").strip()
    return secrets.token_hex(32)
