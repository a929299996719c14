"""The board and the dashboard with 60-odd ideas in every state; moving around by keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_focus_visible, focused, tab_to
from tests.browser.seed import MANAGER, STATES

if TYPE_CHECKING:
    from tests.browser.conftest import OpenPage, Seeded

pytestmark = pytest.mark.e2e


def test_the_board_counts_every_idea_in_its_column(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, MANAGER)
    page.goto("/board")
    counts = seeded.data.counts
    assert sum(counts.values()) >= 60
    for state in STATES:
        column = page.locator(f"section.board__column--{state}")
        expect(column.locator(f"#col-{state} .count")).to_have_text(str(counts[state]))
        cards = column.locator("article.card").count()
        assert 0 < cards <= counts[state] or cards == counts[state] == 0, (state, cards)
        more = column.locator(f'a[href="/ideas?state={state}"]')
        expect(more).to_have_count(1 if counts[state] else 0)
    overdue = page.locator("section.board__column--proposed article.card--overdue")
    assert overdue.count() > 0, "overdue follow-ups come first in a column"
    assert page.locator("section.board__column--proposed article.card").first.evaluate(
        "card => card.classList.contains('card--overdue')"
    )

    with page.expect_navigation():
        page.click('section.board__column--piloted a[href="/ideas?state=piloted"]')
    expect(page.locator(".result-count")).to_contain_text(str(counts["piloted"]))
    expect(page.locator("main table tbody tr")).to_have_count(min(counts["piloted"], 25))


def test_the_board_is_worked_by_keyboard(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, MANAGER)
    page.goto("/board")
    page.keyboard.press("Tab")
    skip = assert_focus_visible(page)
    assert skip["href"] == "#main", f"the first Tab stop is the skip link, not {skip}"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    tab_to(page, "#col-assessed ~ ul .card__title a")
    title = focused(page)["text"]
    tab_to(page, 'a[href="/ideas?state=assessed"]')
    tab_to(page, "#col-assessed ~ ul .card__title a", backwards=True)
    assert focused(page)["text"] != title, "Shift+Tab walks back through the column's cards"
    title = focused(page)["text"]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#status-heading + dl .badge--assessed")).to_be_visible()


def test_the_dashboard_shows_the_pipeline_in_numbers(seeded: Seeded, open_page: OpenPage) -> None:
    page = open_page(seeded.deployment, MANAGER)
    response = page.goto("/dashboard")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_count(1)
    tables = page.locator("main table")
    assert tables.count() > 0, "the charts' numbers come as tables"
    cells = {cell.strip() for cell in page.locator("main td").all_text_contents()}
    for state in STATES:  # text_content: also the tables inside closed <details>
        assert str(seeded.data.counts[state]) in cells, (state, sorted(cells)[:80])
    expect(page.locator("main")).to_contain_text(str(sum(seeded.data.counts.values())))
    for table in tables.all():
        expect(table.locator("caption")).to_have_count(1)
    charts = page.locator("main svg")
    for index in range(charts.count()):
        chart = charts.nth(index)
        label = chart.get_attribute("aria-label") or chart.get_attribute("aria-labelledby")
        assert label or chart.get_attribute("aria-hidden") == "true", "a chart needs a text"


_WORDS_BROKEN_ACROSS_LINES = """() => {
  const broken = [];
  for (const link of document.querySelectorAll(".board .card__title a")) {
    const text = link.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    for (const match of text.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


def test_the_board_fits_a_desktop_and_folds_the_side_exits(
    seeded: Seeded, open_page: OpenPage
) -> None:
    page = open_page(seeded.deployment, MANAGER)
    page.goto("/board")
    board = page.locator(".board").first
    hidden = board.evaluate("board => board.scrollWidth - board.clientWidth")
    assert hidden <= 1, f"the board hides {hidden}px of its columns at 1280px"
    for state in ("proposed", "assessed", "piloted", "scaled"):
        expect(board.locator(f"section.board__column--{state}")).to_be_in_viewport()
    assert page.evaluate(_WORDS_BROKEN_ACROSS_LINES) == [], "a card title breaks mid-word"

    exits = page.locator("details.board__exits")
    for state in ("rejected", "parked", "merged"):
        name = {"rejected": "Afvist", "parked": "Parkeret", "merged": "Lagt sammen"}[state]
        expect(exits.locator("summary")).to_contain_text(f"{name} {seeded.data.counts[state]}")
        expect(exits.locator(f"section.board__column--{state}")).to_be_hidden()
    exits.locator("summary").click()
    for state in ("rejected", "parked", "merged"):
        expect(exits.locator(f"section.board__column--{state}")).to_be_visible()
