"""axe-core on every page, signed in as the role that uses it; pages that fit a 390 px phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible, horizontal_overflow, widest_elements
from tests.browser.page_text import all_text, english_words, text_smaller_than
from tests.browser.seed import ADMIN, MANAGER, OWNER, SAMPLE_MINUTES, VIEWER, Dataset, Person
from tests.e2e.conftest import E2E_SECRET
from workflow.notifications.tokens import report_token, status_token

if TYPE_CHECKING:
    from pathlib import Path

    from tests.browser.conftest import OpenPage, Seeded

pytestmark = pytest.mark.e2e
Where = Callable[[Dataset], str]
SMALLEST_TEXT_PX = 12


def first(state: str, suffix: str = "") -> Where:
    """The address of the first seeded idea in ``state``, plus ``suffix``."""
    return lambda data: f"/ideas/{data.first(state)}{suffix}"


def public_report(data: Dataset) -> str:
    """The token of the seeded meeting's sent report."""
    assert data.report_id is not None
    return report_token(E2E_SECRET, data.report_id)


PAGES: list[tuple[str, Person | None, Where, int]] = [
    ("login", None, lambda _: "/login", 200),
    ("board", MANAGER, lambda _: "/board", 200),
    ("my-ideas", OWNER, lambda _: "/my", 200),
    ("idea-list", MANAGER, lambda _: "/ideas", 200),
    ("idea-list-filtered", VIEWER, lambda _: "/ideas?state=proposed&overdue=1&sort=title", 200),
    ("idea-scaled-from-minutes", MANAGER, lambda data: f"/ideas/{data.showcase_id}", 200),
    ("idea-as-owner", OWNER, first("proposed"), 200),
    ("idea-as-viewer", VIEWER, first("rejected"), 200),
    ("new-idea", MANAGER, lambda _: "/ideas/new", 200),
    ("edit-idea", MANAGER, first("proposed", "/edit"), 200),
    ("gate-assess", MANAGER, first("proposed", "/transitions/assess"), 200),
    ("gate-start-pilot", MANAGER, first("assessed", "/transitions/start_pilot"), 200),
    ("gate-scale", OWNER, first("piloted", "/transitions/scale"), 200),
    ("gate-reject", MANAGER, first("assessed", "/transitions/reject"), 200),
    ("gate-park", MANAGER, first("proposed", "/transitions/park"), 200),
    ("gate-reopen", MANAGER, first("parked", "/transitions/reopen"), 200),
    ("gate-merge", MANAGER, first("proposed", "/transitions/merge"), 200),
    ("meetings", VIEWER, lambda _: "/meetings", 200),
    ("meeting", VIEWER, lambda data: f"/meetings/{data.meeting_id}", 200),
    ("meeting-as-manager", MANAGER, lambda data: f"/meetings/{data.meeting_id}", 200),
    ("report-preview", MANAGER, lambda data: f"/meetings/{data.meeting_id}/report/preview", 200),
    (
        "report-preview-en",
        ADMIN,
        lambda data: f"/meetings/{data.meeting_id}/report/preview?lang=en",
        200,
    ),
    ("import-upload", MANAGER, lambda _: "/imports/new", 200),
    ("dashboard", MANAGER, lambda _: "/dashboard", 200),
    ("admin-users", ADMIN, lambda _: "/admin/users", 200),
    ("notifications", MANAGER, lambda _: "/admin/notifications", 200),
    ("mail-outbox", ADMIN, lambda _: "/admin/mail", 200),
    ("contacts", ADMIN, lambda _: "/admin/contacts", 200),
    (
        "public-status",
        None,
        lambda data: f"/status/{status_token(E2E_SECRET, data.showcase_id)}",
        200,
    ),
    ("public-report", None, lambda data: f"/reports/{public_report(data)}", 200),
    ("public-report-en", None, lambda data: f"/reports/{public_report(data)}?lang=en", 200),
    ("public-report-invalid", None, lambda _: "/reports/not-a-token", 404),
    ("not-found", MANAGER, lambda _: "/ideas/999999", 404),
    ("forbidden", OWNER, lambda _: "/dashboard", 403),
]
# Every page that answers 200, at a phone's 390 px: none may need sideways scrolling.
NARROW: list[tuple[str, Person | None, Where]] = [
    (name, person, where) for name, person, where, status in PAGES if status == 200
]


@pytest.mark.parametrize(
    ("person", "where", "status"),
    [pytest.param(person, where, status, id=name) for name, person, where, status in PAGES],
)
def test_axe_finds_no_serious_violation(
    seeded: Seeded,
    open_page: OpenPage,
    axe_report: Path,
    person: Person | None,
    where: Where,
    status: int,
) -> None:
    page = open_page(seeded.deployment, person, bypass_csp=True, shared=True)
    path = where(seeded.data)
    response = page.goto(path)
    assert response is not None and response.status == status, path
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page, f"{path} as {person.role if person else 'anonymous'}", axe_report)
    if page.locator("html").get_attribute("lang") == "da":
        assert english_words(all_text(page)) == [], f"English in the Danish page {path}"


@pytest.mark.parametrize(
    ("person", "where"), [pytest.param(person, where, id=name) for name, person, where in NARROW]
)
def test_a_phone_needs_no_sideways_scrolling(
    seeded: Seeded,
    open_page: OpenPage,
    axe_report: Path,
    person: Person | None,
    where: Where,
) -> None:
    page = open_page(seeded.deployment, person, phone=True, bypass_csp=True, shared=True)
    path = where(seeded.data)
    response = page.goto(path)
    assert response is not None and response.status == 200
    overflow = horizontal_overflow(page)
    assert overflow == 0, (
        f"{path} is {overflow}px wider than 390px; sticking out: {widest_elements(page)}"
    )
    assert_accessible(page, f"{path} at 390px", axe_report)
    assert text_smaller_than(page, SMALLEST_TEXT_PX) == [], f"{path}: text too small on a phone"


def test_the_public_report_prints_without_the_page_around_it(
    seeded: Seeded, open_page: OpenPage
) -> None:
    page = open_page(seeded.deployment, None)
    page.goto(f"/reports/{public_report(seeded.data)}")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".public-language")).to_be_hidden()
    expect(page.locator(".report-idea").first).to_be_visible()
    colour = page.locator("main h1").evaluate("element => getComputedStyle(element).color")
    assert colour == "rgb(0, 0, 0)"
    avoid = page.locator(".report-idea").first.evaluate(
        "element => getComputedStyle(element).breakInside"
    )
    assert avoid == "avoid"


def test_the_participant_form_sent_wrong_is_accessible(
    seeded: Seeded, open_page: OpenPage, axe_report: Path
) -> None:
    page = open_page(seeded.deployment, MANAGER, bypass_csp=True)
    page.goto(f"/meetings/{seeded.data.meeting_id}")
    page.fill("#participant-email", "not-an-address")  # and no name: nothing is added
    with page.expect_navigation() as sent:
        page.click("#participants form button[type=submit]")
    assert sent.value is not None and sent.value.status == 422
    expect(page.locator(".error-summary")).to_have_attribute("role", "alert")
    for key in ("participant-name", "participant-email"):
        expect(page.locator(f"#{key}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{key}-error")).to_be_visible()
    expect(page.locator("#participant-email")).to_have_value("not-an-address")
    expect(page.locator("h1")).to_have_count(1)
    assert_accessible(page, "meeting page: participant form with errors", axe_report)


def test_the_csv_download_is_for_excel(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, MANAGER)
    page.goto("/ideas?state=scaled")
    with page.expect_download() as download:
        page.click('main a[href^="/ideas.csv"]')
    body = download.value.path().read_bytes()
    assert download.value.suggested_filename.endswith(".csv")
    assert body.startswith("\ufeff".encode()), "a BOM so Excel reads UTF-8"
    rows = body.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 1 + seeded.data.counts["scaled"] and ";" in rows[0]


def test_axe_finds_no_serious_violation_on_the_import_preview(
    seeded: Seeded, open_page: OpenPage, axe_report: Path, tmp_path: Path
) -> None:
    minutes = tmp_path / "interessentmoede-2025-06-19.txt"
    minutes.write_text(
        SAMPLE_MINUTES.read_text(encoding="utf-8").replace("12.06.25", "19.06.25"),
        encoding="utf-8",
    )
    page = open_page(seeded.deployment, MANAGER, bypass_csp=True)
    page.goto("/imports/new")
    page.set_input_files('main input[type="file"]', str(minutes))
    with page.expect_navigation() as sent:
        page.click('main form:has(input[type="file"]) [type="submit"]')
    assert sent.value is not None and sent.value.status == 200
    expect(page.locator("main input[type=checkbox]").first).to_be_visible()
    assert_accessible(page, "/imports/<token> (preview) as manager", axe_report)
    with page.expect_navigation():  # leave nothing pending behind
        page.click('main form[action$="/discard"] [type="submit"]')
