"""The organisation's identity provider: how it is configured, and which role its claims give.

Pure rules, no HTTP: ``web.oidc`` speaks OpenID Connect and hands the verified claims here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from workflow.permissions import Role

# When the claims name several mapped groups, the strongest role wins.
ROLE_STRENGTH = (Role.ADMIN, Role.MANAGER, Role.OWNER, Role.VIEWER)


@dataclass(frozen=True)
class ProviderConfig:
    """OpenID Connect settings (``IDEAFLOW_OIDC_*``)."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    role_claim: str = "groups"
    role_map: Mapping[str, Role] = field(default_factory=dict)
    name: str = ""

    @property
    def display_name(self) -> str:
        """The name the sign-in button shows: the configured one, else the issuer's host."""
        return self.name or urlsplit(self.issuer).hostname or self.issuer

    @property
    def origin(self) -> str:
        """The issuer's scheme, host and port (where its sign-in and sign-out pages are)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def metadata_url(self) -> str:
        """Where the issuer publishes its configuration (OpenID Connect Discovery)."""
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def subject(self, sub: str) -> str:
        """The key a user is known by: the issuer and its subject (``sub`` is unique per issuer)."""
        return f"{self.issuer.rstrip('/')}|{sub}"


@dataclass(frozen=True)
class RoleGrant:
    """The role the claims give, and the claim value that gave it."""

    role: Role
    because_of: str


def claim_values(claims: Mapping[str, object], claim: str) -> list[str]:
    """The values of ``claim``: a list of strings, one string, or none (anything else: none)."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def role_from_claims(
    claims: Mapping[str, object], claim: str, role_map: Mapping[str, Role]
) -> RoleGrant | None:
    """The strongest role any value of ``claim`` maps to, or None when none maps."""
    granted = {role_map[value]: value for value in claim_values(claims, claim) if value in role_map}
    for role in ROLE_STRENGTH:
        if role in granted:
            return RoleGrant(role, granted[role])
    return None
