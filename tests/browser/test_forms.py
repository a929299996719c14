"""Forms under pressure: a gate form sent incomplete, two people saving the same idea."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible, focused
from tests.browser.seed import MANAGER, OWNER

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.browser.conftest import OpenPage, Workspace

pytestmark = pytest.mark.e2e
SCORES = ("impact", "feasibility", "cost")


def send(page: Page) -> int:
    """Submit the main form; the status the server answered."""
    with page.expect_navigation() as sent:
        page.click('main form button[type="submit"]')
    assert sent.value is not None
    return sent.value.status


def assert_field_in_error(page: Page, key: str) -> None:
    """The field (input or fieldset) is marked invalid and points at its visible error text."""
    field = page.locator(f"#{key}")
    expect(field).to_have_attribute("aria-invalid", "true")
    described_by = (field.get_attribute("aria-describedby") or "").split()
    assert f"{key}-error" in described_by, f"#{key} aria-describedby={described_by}"
    error = page.locator(f"#{key}-error")
    expect(error).to_be_visible()
    assert error.inner_text().strip(), f"#{key}-error is empty"


def test_an_incomplete_gate_form_explains_itself_and_changes_nothing(
    workspace: Workspace, open_page: OpenPage, axe_report: Path
) -> None:
    with workspace.api(OWNER) as api:
        idea = api.create(title="Lektiecafé på biblioteket")
    page = open_page(workspace.deployment, OWNER, bypass_csp=True)
    page.goto(f"/ideas/{idea['id']}/transitions/assess")
    for name, score in zip(SCORES, (4, 3, 2), strict=True):
        page.check(f'input[name="data-{name}"][value="{score}"]')

    assert send(page) == 422
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator('a[href="#data-summary"]')).to_be_visible()
    assert "error-summary" in focused(page)["classes"], f"focus is on {focused(page)}"
    assert_field_in_error(page, "data-summary")
    for name, score in zip(SCORES, (4, 3, 2), strict=True):
        assert page.is_checked(f'input[name="data-{name}"][value="{score}"]'), "choices kept"
        expect(page.locator(f"#data-{name}")).not_to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "gate form with an error (assess)", axe_report)

    page.click('.error-summary a[href="#data-summary"]')
    assert focused(page)["id"] == "data-summary", "the summary's link leads to the field"
    with workspace.api(OWNER) as api:
        after = api.idea(idea["id"])
    assert (after["state"], after["version"]) == ("proposed", idea["version"])


def test_every_missing_gate_field_is_listed_and_marked(
    workspace: Workspace, open_page: OpenPage
) -> None:
    with workspace.api(OWNER) as api:
        idea = api.create(title="Madskole for forældre")
    page = open_page(workspace.deployment, OWNER)
    page.goto(f"/ideas/{idea['id']}/transitions/assess")

    assert send(page) == 422
    keys = [f"data-{name}" for name in (*SCORES, "summary")]
    links = page.locator(".error-summary[role=alert] li a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        f"#{key}" for key in keys
    ]
    for key in keys:
        assert_field_in_error(page, key)
    with workspace.api(OWNER) as api:
        assert api.idea(idea["id"])["state"] == "proposed"


@pytest.mark.parametrize("second_form", ["edit", "assess"])
def test_the_second_of_two_saves_is_told_someone_else_changed_the_idea(
    workspace: Workspace, open_page: OpenPage, second_form: str
) -> None:
    with workspace.api(MANAGER) as api:
        idea = api.create(title="Cykelbus til skolen", owner=OWNER.email)
    path = f"/ideas/{idea['id']}"
    first = open_page(workspace.deployment, MANAGER, locale="en-US")
    second = open_page(workspace.deployment, OWNER, locale="en-US")
    first.goto(f"{path}/edit")
    if second_form == "edit":
        second.goto(f"{path}/edit")
        second.fill("#description", "Ole's version")
    else:
        second.goto(f"{path}/transitions/assess")
        for name in SCORES:
            second.check(f'input[name="data-{name}"][value="3"]')
        second.fill("#data-summary", "Ole's assessment")

    first.fill("#title", "Cykelbus til skolen i Langå")
    assert send(first) == 200
    with workspace.api(MANAGER) as api:
        saved = api.idea(idea["id"])
    assert send(second) == 409

    alert = second.locator(".error-summary[role=alert]")
    expect(alert).to_contain_text("Someone else changed this idea")
    assert "error-summary" in focused(second)["classes"]
    expect(alert.locator("a")).to_have_count(1)
    with workspace.api(MANAGER) as api:
        now = api.idea(idea["id"])
    assert now == saved, "the refused save changed nothing"
    assert (now["title"], now["description"], now["state"]) == (
        "Cykelbus til skolen i Langå",
        "",
        "proposed",
    )
    assert send(second) == 200, "the form now carries the new version: sending again works"


def test_one_save_of_the_edit_form_is_one_new_version(
    workspace: Workspace, open_page: OpenPage
) -> None:
    with workspace.api(MANAGER) as api:
        idea = api.create(title="Natbus til Langå", themes=["Unge"])
    page = open_page(workspace.deployment, MANAGER)
    page.goto(f"/ideas/{idea['id']}/edit")
    page.fill("#title", "Natbus til Langå og Spentrup")
    assert send(page) == 200
    with workspace.api(MANAGER) as api:
        version = api.idea(idea["id"])["version"]
    assert version == idea["version"] + 1
