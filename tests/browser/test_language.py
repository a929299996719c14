"""Danish for a Danish browser, English for an English one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.seed import OWNER

if TYPE_CHECKING:
    from tests.browser.conftest import OpenPage, Seeded

pytestmark = pytest.mark.e2e


def test_a_danish_browser_gets_danish_pages(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, OWNER, locale="da-DK")
    page.goto("/my")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("form.language-switch button")).to_have_text("English")
    expect(page.locator("main h1")).to_have_text("Mine idéer")
    expect(page.locator('nav a[href="/my"]')).to_have_text("Mine idéer")


def test_an_english_browser_gets_english_pages(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, OWNER, locale="en-US")
    page.goto("/my")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("My ideas")
    expect(page.locator('nav a[href="/my"]')).to_have_text("My ideas")
    expect(page.locator("form.language-switch button")).to_have_text("Dansk")
    expect(page.locator("main")).to_contain_text("You own")
