"""The meeting and administration pages show what they are for (colleagues' pages, smoke only)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import axe_violations
from tests.browser.seed import ADMIN, PEOPLE, VIEWER

if TYPE_CHECKING:
    from playwright.sync_api import Browser

    from tests.browser.conftest import OpenPage, Seeded

pytestmark = pytest.mark.e2e


def test_a_meeting_shows_what_became_of_its_ideas(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, VIEWER)
    page.goto("/meetings")
    with page.expect_navigation():
        page.click(f'main a[href="/meetings/{seeded.data.meeting_id}"]')
    expect(page.locator("h1")).to_contain_text("interessentmøde", ignore_case=True)
    showcase = f'a[href="/ideas/{seeded.data.showcase_id}"]'
    expect(page.locator(f"main {showcase}")).to_have_count(1)
    expect(page.locator(f"main tr:has({showcase}) .badge--scaled")).to_have_count(1)


def test_the_admin_sees_every_user(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, ADMIN)
    page.goto("/")
    page.click('nav a[href="/admin/users"]')
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    for person in PEOPLE:
        expect(page.locator("main")).to_contain_text(person.email)


def test_axe_really_runs(browser: Browser, axe_report: object) -> None:
    page = browser.new_page()
    page.set_content('<html><head><title>x</title></head><body><main><input id="q"></main>')
    assert {violation.rule for violation in axe_violations(page, "a broken page")} >= {
        "html-has-lang",
        "label",
    }
    page.close()
