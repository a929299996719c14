"""Signing in through a real OpenID Provider in Chromium: each role lands on its page, and a
person whose group is removed is refused at their next sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import _sqlite_deployment
from tests.browser.page_text import all_text, english_words
from tests.conftest import service_unavailable
from tests.e2e.conftest import Deployment, Templates
from tests.identity_provider import TestProvider, missing_provider, start_provider
from tests.mailsink import free_port

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.e2e


@dataclass
class WithProvider:
    """An installation that signs staff in through the test provider."""

    deployment: Deployment
    idp: TestProvider


@pytest.fixture(scope="module")
def with_provider(
    tmp_path_factory: pytest.TempPathFactory, installation_templates: Templates
) -> Iterator[WithProvider]:
    reason = missing_provider()
    if reason:
        service_unavailable(reason)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    idp = start_provider(tmp_path_factory.mktemp("idp"), [base_url])
    installation = _sqlite_deployment(tmp_path_factory, installation_templates, "provider")
    installation.env.update(idp.environment(), IDEAFLOW_BASE_URL=base_url)
    try:
        installation.serve(port=port)
        yield WithProvider(installation, idp)
    finally:
        installation.stop()
        idp.stop()


def sign_in_at_provider(page: Page, idp: TestProvider, login: str) -> None:
    """From ideaflow's sign-in page, through the provider's form, and back."""
    page.goto("/login")
    page.get_by_role("link", name="Log ind med Testkommune").click()
    page.wait_for_url(f"{idp.issuer}/interaction/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", idp.accounts[login].password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(
    ("group", "landing", "allowed", "refused"),
    [
        ("IDEAFLOW-Admins", "/board", "/admin/users", None),
        ("IDEAFLOW-Ledere", "/board", "/dashboard", "/admin/users"),
        ("IDEAFLOW-Ejere", "/my", "/ideas/new", "/dashboard"),
        ("IDEAFLOW-Laesere", "/my", "/ideas", "/ideas/new"),
    ],
)
def test_each_role_signs_in_through_the_provider_and_lands_on_its_page(
    with_provider: WithProvider,
    open_page: OpenPage,
    axe_report: Path,
    group: str,
    landing: str,
    allowed: str,
    refused: str | None,
) -> None:
    idp = with_provider.idp
    login = group.split("-")[1].lower()
    idp.put(login, groups=[group, "Alle-medarbejdere"], name=f"{login.title()} Test")
    page = open_page(with_provider.deployment, None, bypass_csp=True)  # to inject axe-core
    sign_in_at_provider(page, idp, login)
    page.wait_for_url(f"{with_provider.deployment.base_url}{landing}")
    expect(page.locator(".site-header")).to_contain_text(f"{login.title()} Test")
    assert_accessible(page, f"{landing} after signing in through the provider", axe_report)
    response = page.goto(allowed)
    assert response is not None and response.status == 200, allowed
    if refused:
        response = page.goto(refused)
        assert response is not None and response.status == 403, refused


def test_a_removed_group_closes_the_account_at_the_next_sign_in(
    with_provider: WithProvider, open_page: OpenPage
) -> None:
    idp, base_url = with_provider.idp, with_provider.deployment.base_url
    idp.put("gorm", groups=["IDEAFLOW-Ejere"], name="Gorm Ejer")
    page = open_page(with_provider.deployment, None)  # the pages' own CSP, as in production
    sign_in_at_provider(page, idp, "gorm")
    page.wait_for_url(f"{base_url}/my")

    # signing out ends the provider's session too (RP-initiated logout), then comes back
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{idp.issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{base_url}/login")
    expect(page.get_by_role("link", name="Log ind med Testkommune")).to_be_visible()

    idp.put("gorm", groups=["Alle-medarbejdere"], name="Gorm Ejer")  # left the project group
    sign_in_at_provider(page, idp, "gorm")
    page.wait_for_url(f"{base_url}/login/oidc/callback**")
    expect(page.locator("h1")).to_have_text("Ingen adgang til ideaflow")
    expect(page.locator("main")).to_contain_text("ingen af dine grupper")
    response = page.goto("/my")
    assert response is not None and page.url.startswith(f"{base_url}/login")


def test_a_failed_sign_in_explains_itself_in_danish(
    with_provider: WithProvider, open_page: OpenPage, axe_report: Path
) -> None:
    page = open_page(with_provider.deployment, None, bypass_csp=True)
    response = page.goto("/login/oidc/callback?code=planted&state=not-this-browsers")
    assert response is not None and response.status == 400
    expect(page.locator("h1")).to_have_text("Log ind kunne ikke gennemføres")
    expect(page.get_by_role("link", name="Tilbage til log ind")).to_be_visible()
    assert english_words(all_text(page)) == []
    assert_accessible(page, "a failed sign-in", axe_report)
