"""Which role a provider's claims give, and its settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.errors import ConfigurationError
from workflow.identity_provider import ROLE_STRENGTH, claim_values, role_from_claims
from workflow.permissions import Role
from workflow.settings import Settings

groups = st.text(min_size=1, max_size=12)
role_maps = st.dictionaries(groups, st.sampled_from(list(Role)), max_size=6)
claim_shapes = st.one_of(
    st.lists(st.one_of(groups, st.integers(), st.none()), max_size=8),
    groups,
    st.none(),
    st.integers(),
    st.dictionaries(groups, groups, max_size=2),
)


@given(role_map=role_maps, claim=claim_shapes)
def test_the_strongest_mapped_role_wins_and_nothing_else_counts(
    role_map: dict[str, Role], claim: object
) -> None:
    grant = role_from_claims({"groups": claim}, "groups", role_map)
    mapped = [
        role_map[value] for value in claim_values({"groups": claim}, "groups") if value in role_map
    ]
    if not mapped:
        assert grant is None
        return
    assert grant is not None
    assert grant.role == min(mapped, key=ROLE_STRENGTH.index)
    assert role_map[grant.because_of] == grant.role


def test_another_claim_name_is_read() -> None:
    grant = role_from_claims({"roles": ["Ledere"], "groups": ["Admins"]}, "roles",
                             {"Ledere": Role.MANAGER, "Admins": Role.ADMIN})  # fmt: skip
    assert grant is not None and grant.role is Role.MANAGER


BASE = {
    "IDEAFLOW_ENV": "test",
    "IDEAFLOW_OIDC_ISSUER": "https://login.microsoftonline.com/tenant/v2.0/",
    "IDEAFLOW_OIDC_CLIENT_ID": "ideaflow",
    "IDEAFLOW_OIDC_CLIENT_SECRET": "hemmelig",
    "IDEAFLOW_OIDC_ROLE_MAP": '{"IDEAFLOW-Admins": "admin", "IDEAFLOW-Ledere": "manager"}',
}


def test_settings_describe_the_provider() -> None:
    provider = Settings.from_env(BASE).identity_provider
    assert provider is not None
    assert provider.issuer == "https://login.microsoftonline.com/tenant/v2.0"
    assert provider.metadata_url.endswith("/v2.0/.well-known/openid-configuration")
    assert provider.display_name == "login.microsoftonline.com"
    assert provider.origin == "https://login.microsoftonline.com"
    assert provider.role_map == {"IDEAFLOW-Admins": Role.ADMIN, "IDEAFLOW-Ledere": Role.MANAGER}
    assert "hemmelig" not in repr(provider)
    assert Settings.from_env({"IDEAFLOW_ENV": "test"}).identity_provider is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"IDEAFLOW_OIDC_CLIENT_SECRET": ""}, "IDEAFLOW_OIDC_CLIENT_SECRET must be set too"),
        ({"IDEAFLOW_OIDC_ISSUER": "http://login.example.org"}, "must be an https:// address"),
        ({"IDEAFLOW_OIDC_ISSUER": "https://x.org/?a=1"}, "without ? or #"),
        ({"IDEAFLOW_OIDC_ROLE_MAP": ""}, "IDEAFLOW_OIDC_ROLE_MAP is empty"),
        ({"IDEAFLOW_OIDC_ROLE_MAP": "{}"}, "IDEAFLOW_OIDC_ROLE_MAP is empty"),
        ({"IDEAFLOW_OIDC_ROLE_MAP": '{"A": "boss"}'}, "maps 'A' to 'boss'"),
        ({"IDEAFLOW_OIDC_ROLE_MAP": "[1,2]"}, "must be a JSON object"),
        ({"IDEAFLOW_OIDC_ROLE_MAP": "{nope"}, "is not valid JSON"),
    ],
)
def test_a_provider_half_set_up_stops_the_start_with_the_reason(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("?", r"\?")):
        Settings.from_env({**BASE, **changes})
