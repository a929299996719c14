"""From minutes to a scaled idea in a real browser: a manager imports and assigns, an owner walks
the idea through every gate, one gate by keyboard alone. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_focus_visible, tab_to
from tests.browser.chromium import sign_in
from tests.browser.seed import MANAGER, OWNER, SAMPLE_MINUTES, add_people

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import OpenPage
    from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e
IDEA = "Sociale partnerskaber"


def import_sample(page: Page, deployment: Deployment) -> None:
    """Upload the sample minutes at /imports/new, look at the preview, confirm."""
    page.click('nav a[href="/imports/new"]')
    expect(page).to_have_url(re.compile(r"/imports/new$"))
    page.set_input_files('main input[type="file"]', str(SAMPLE_MINUTES))
    with page.expect_navigation() as sent:
        page.click('main form:has(input[type="file"]) [type="submit"]')
    assert sent.value is not None and sent.value.status == 200, "the upload was not previewed"
    preview = page.locator("main")
    expect(preview).to_contain_text(IDEA)
    expect(preview).to_contain_text("interessentmøde", ignore_case=True)
    assert deployment.idea_count() == 0, "the preview must not import anything"
    with page.expect_navigation() as confirmed:
        page.click('main form[method="post"]:not([action$="/discard"]) [type="submit"]')
    assert confirmed.value is not None and confirmed.value.status == 200
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    expect(page.locator("main")).to_contain_text(IDEA)
    assert deployment.idea_count() >= 10 and IDEA in deployment.idea_titles()


def assess_by_keyboard(page: Page) -> None:
    """Open the assessment gate and fill it in with Tab, arrow keys, typing and Space only."""
    tab_to(page, 'main a[href$="/transitions/assess"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for name, score in (("impact", 4), ("feasibility", 3), ("cost", 2)):
        tab_to(page, f'input[name="data-{name}"]')
        for _ in range(score - 1):
            page.keyboard.press("ArrowRight")
        chosen = assert_focus_visible(page)
        assert (chosen["name"], chosen["value"]) == (f"data-{name}", str(score))
        assert page.is_checked(f'input[name="data-{name}"][value="{score}"]')
    tab_to(page, "#data-summary")
    page.keyboard.type("Bred opbakning; kan afprøves i Langå")
    tab_to(page, 'main form button[type="submit"]')
    with page.expect_navigation() as sent:
        page.keyboard.press("Space")
    assert sent.value is not None and sent.value.status == 200


def fire_gate(page: Page, trigger: str) -> None:
    """Follow the idea page's button for ``trigger`` to its gate form."""
    with page.expect_navigation():
        page.click(f'main a[href$="/transitions/{trigger}"]')
    expect(page.locator("h1")).to_be_visible()


def submit(page: Page) -> None:
    """Send the main form and expect to land on the idea page."""
    with page.expect_navigation() as sent:
        page.click('main form button[type="submit"]')
    assert sent.value is not None and sent.value.status == 200, page.inner_text("main")[:800]


@pytest.mark.backends("sqlite")
def test_minutes_become_a_scaled_idea_in_the_browser(
    deployment: Deployment, open_page: OpenPage
) -> None:
    add_people(deployment)
    deployment.serve()

    manager = open_page(deployment, None)
    sign_in(manager, MANAGER.email)
    expect(manager).to_have_url(re.compile(r"/board$"))
    import_sample(manager, deployment)

    manager.click('nav a[href="/ideas"]')
    manager.fill("#q", IDEA)
    with manager.expect_navigation():
        manager.press("#q", "Enter")
    with manager.expect_navigation():
        manager.locator("main table a", has_text=IDEA).first.click()
    idea_path = manager.url.split(deployment.base_url, 1)[1]
    assert re.fullmatch(r"/ideas/\d+", idea_path)
    with manager.expect_navigation():
        manager.click(f'main a[href="{idea_path}/edit"]')
    manager.select_option("#owner", OWNER.email)
    submit(manager)
    expect(manager).to_have_url(re.compile(f"{idea_path}$"))
    expect(manager.locator(".flashes")).to_be_visible()
    expect(manager.locator("#status-heading + dl")).to_contain_text(OWNER.email)

    owner = open_page(deployment, None)
    sign_in(owner, OWNER.email)
    expect(owner).to_have_url(re.compile(r"/my$"))
    expect(owner.locator("main h1")).to_have_text("Mine idéer")
    row = owner.locator("main table tbody tr", has_text=IDEA)
    expect(row).to_have_count(1)
    expect(row.locator('a[href$="/transitions/assess"]')).to_be_visible()
    with owner.expect_navigation():
        row.locator(f'a[href="{idea_path}"]').click()

    assess_by_keyboard(owner)
    expect(owner.locator("#status-heading + dl .badge--assessed")).to_be_visible()

    fire_gate(owner, "start_pilot")
    owner.fill("#data-starts_on", "2026-02-01")
    owner.fill("#data-ends_on", "2026-08-31")
    owner.fill("#data-success_criteria", "30 familier hjulpet")
    owner.fill("#data-budget_dkk", "125.000,50")
    owner.fill("#data-site", "Langå")
    submit(owner)
    expect(owner.locator("#status-heading + dl .badge--piloted")).to_be_visible()

    fire_gate(owner, "scale")
    owner.check('input[name="data-outcome"][value="success"]')
    owner.fill("#data-evaluation", "Alle mål nået")
    owner.fill("#data-scale_to", "Assentoft\nRanders C\n")
    submit(owner)

    expect(owner).to_have_url(re.compile(f"{idea_path}$"))
    expect(owner.locator("#status-heading + dl .badge--scaled")).to_be_visible()
    entries = owner.locator("ol.timeline > li:has(strong)")
    expect(entries).to_have_count(4)  # the three steps, and the manager's edit naming the owner
    expect(entries.filter(has_text="Redigeret")).to_have_count(1)
    expect(entries.filter(has_text="Ejer:")).to_have_count(1)
    records = owner.locator("section[aria-labelledby=records-heading]")
    expect(records).to_contain_text("Bred opbakning; kan afprøves i Langå")
    expect(records).to_contain_text("125.000,50")
    expect(records.locator("ul.places li")).to_have_text(["Assentoft", "Randers C"])
    assert owner.locator('main a[href*="/transitions/"]').count() == 0, "scaled is the end"
    expect(owner.locator("#status-heading + dl .badge")).to_have_text("Skaleret")
