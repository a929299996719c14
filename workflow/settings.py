"""One settings object, read from ``IDEAFLOW_*`` environment variables, for web and worker.

Only the edges read the environment (``Settings.from_env()`` in the app factory, the Celery app
and the CLI) and pass what they read on; building ``Settings(...)`` directly reads nothing.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

from workflow.errors import ConfigurationError
from workflow.followups.rules import FollowupRules
from workflow.identity_provider import ProviderConfig
from workflow.permissions import ROLES, Role
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
    # Sign-in through the organisation's identity provider (OpenID Connect); off when unset.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    oidc_role_claim: str = "groups"
    oidc_role_map: Annotated[dict[str, Role], NoDecode] = Field(default_factory=dict)
    oidc_name: str | None = None

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

    @property
    def identity_provider(self) -> ProviderConfig | None:
        """The OpenID Connect settings, or None when sign-in is by local passwords only."""
        if not self.oidc_issuer or not self.oidc_client_id or not self.oidc_client_secret:
            return None
        return ProviderConfig(
            issuer=self.oidc_issuer,
            client_id=self.oidc_client_id,
            client_secret=self.oidc_client_secret,
            role_claim=self.oidc_role_claim,
            role_map=dict(self.oidc_role_map),
            name=self.oidc_name or "",
        )

    @model_validator(mode="after")
    def _provider_complete(self) -> Settings:
        given = [self.oidc_issuer, self.oidc_client_id, self.oidc_client_secret]
        if any(given) and not all(given):
            missing = [
                ENV_PREFIX + name.upper()
                for name, value in zip(("oidc_issuer", "oidc_client_id", "oidc_client_secret"),
                                       given, strict=True)
                if not value
            ]  # fmt: skip
            raise ValueError(
                f"{', '.join(missing)} must be set too, or none of the IDEAFLOW_OIDC_ settings"
            )
        if self.oidc_issuer and not self.oidc_role_map:
            raise ValueError(
                "IDEAFLOW_OIDC_ROLE_MAP is empty: nobody could sign in through the provider. "
                'Map its groups to roles, e.g. {"IDEAFLOW-Admins": "admin"}'
            )
        return self

    @field_validator("oidc_role_map", mode="before")
    @classmethod
    def _role_map(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            mapping = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError(f"is not valid JSON ({error.msg} at character {error.pos})") from None
        if not isinstance(mapping, dict):
            raise ValueError('must be a JSON object of group → role, e.g. {"Ledere": "manager"}')
        roles = ", ".join(ROLES)
        for group, role in mapping.items():
            if role not in ROLES:
                raise ValueError(f"maps {group!r} to {role!r}; a role is one of {roles}")
        return mapping

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise ValueError("must be an https:// address (http:// only on this machine)")
        if parts.query or parts.fragment:
            raise ValueError("must be the issuer's address, without ? or #")
        return value.rstrip("/")

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
        if not problem["loc"]:  # a rule across variables: its message names them
            sentences.append(problem["msg"].removeprefix("Value error, ") + ".")
            continue
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
