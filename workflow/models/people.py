"""People: users who sign in, their tokens and sessions, and stakeholder contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.clock import utcnow
from workflow.models.base import Base, UTCDateTime, sql_in
from workflow.permissions import ROLES


class User(Base):
    """A person who signs in (or uses an API token)."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({sql_in(ROLES)})", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(5))  # None: follow the browser
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Signed in through the organisation's identity provider: its issuer and subject, the claim
    # value that gave the role (None: the role was set in ideaflow), and when it last signed in.
    provider_subject: Mapped[str | None] = mapped_column(String(500), unique=True)
    role_source: Mapped[str | None] = mapped_column(String(200))
    provider_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Deactivated because the provider no longer gave a role (a later sign-in with one reopens
    # the account); an administrator's deactivation is not, and only an administrator undoes it.
    provider_deactivated: Mapped[bool] = mapped_column(default=False, server_default=false())


class ApiToken(Base):
    """A bearer token; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class Contact(Base):
    """A stakeholder who may hear about ideas without having an account."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("delivery IN ('immediate', 'daily', 'weekly')", name="delivery"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="da", server_default="da")
    delivery: Mapped[str] = mapped_column(String(10), default="daily", server_default="daily")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # GDPR: data anonymised
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(Base):
    """A signed-in browser. Only the digest of its random token is stored; logout deletes it."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class SignInWindow(Base):
    """Sign-in checks counted for one key (an account at an address, or an address) in one
    fixed window; a check is allowed only while ``checks`` is below the key's limit."""

    __tablename__ = "sign_in_windows"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (Index("ix_sign_in_windows_window_start", "window_start"),)


class Invitation(Base):
    """A one-time link with which an invited user sets a password."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class SiteSetting(Base):
    """A choice an administrator makes for the whole installation (see ``site_settings``)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
