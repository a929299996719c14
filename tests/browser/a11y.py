"""Accessibility checks in the browser: axe-core, visible focus, keyboard travel, page width."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
WIDTH_TOLERANCE_PX = 2
_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200)})),
  }));
}"""


def missing_axe() -> str | None:
    """Why axe-core cannot be injected, or None when it can."""
    if not AXE_JS.exists():
        return f"axe-core is not installed ({AXE_JS} is missing): run `npm ci` in tests/browser"
    return None


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page."""

    page: str
    rule: str
    impact: str
    help: str
    url: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        """One line per violation, with the elements and where the rule is explained."""
        where = "; ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return f"{self.page}: [{self.impact}] {self.rule} — {self.help} — {where} — {self.url}"


def axe_violations(page: Page, label: str | None = None) -> list[Violation]:
    """Every WCAG 2.1 A/AA violation axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    found: list[dict[str, Any]] = page.evaluate(_RUN_AXE, AXE_TAGS)
    name = label or page.url
    return [
        Violation(
            name,
            v["id"],
            v["impact"] or "unknown",
            v["help"],
            v["helpUrl"],
            tuple(n["target"] for n in v["nodes"]),
        )
        for v in found
    ]


def assert_accessible(
    page: Page,
    label: str | None = None,
    report: Path | None = None,
) -> None:
    """Fail on any serious or critical violation; note every violation in ``report``."""
    violations = axe_violations(page, label)
    if report is not None and violations:
        with report.open("a", encoding="utf-8") as out:
            for violation in violations:
                out.write(json.dumps(violation.__dict__, ensure_ascii=False) + "\n")
    blocking = [v for v in violations if v.impact in BLOCKING]
    assert not blocking, "axe-core found serious/critical violations:\n" + "\n".join(
        v.describe() for v in blocking
    )


def focused(page: Page) -> dict[str, Any]:
    """The focused element: its tag, id, name, href, text and outline."""
    return dict(
        page.evaluate(
            """() => {
              const el = document.activeElement;
              const style = getComputedStyle(el);
              return {
                tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
                type: el.getAttribute("type"), value: el.value ?? null,
                href: el.getAttribute("href"), text: (el.innerText || "").trim().slice(0, 80),
                outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                classes: el.className,
              };
            }"""
        )
    )


def assert_focus_visible(page: Page) -> dict[str, Any]:
    """The focused element shows a focus outline; returns what is focused."""
    element = focused(page)
    assert element["tag"] != "body", "nothing is focused"
    assert element["outline"] != "none" and element["outlineWidth"] != "0px", (
        f"the focused element has no visible outline: {element}"
    )
    return element


def tab_to(page: Page, selector: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab until the element matching ``selector`` has focus, checking focus at each stop."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of {key}")


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    width: int = page.evaluate("() => document.documentElement.scrollWidth")
    viewport: int = page.evaluate("() => window.innerWidth")
    return max(0, width - viewport - WIDTH_TOLERANCE_PX)


def widest_elements(page: Page, limit: int = 5) -> list[str]:
    """The elements that stick out past the right edge (to say what overflows)."""
    return list(
        page.evaluate(
            """(limit) => {
              const edge = window.innerWidth;
              const out = [];
              for (const el of document.body.querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                if (box.right > edge + 2 && box.width > 0) {
                  const id = el.id ? "#" + el.id : "";
                  const cls = el.className && typeof el.className === "string"
                    ? "." + el.className.trim().split(/\\s+/).join(".") : "";
                  const right = Math.round(box.right);
                  out.push(`${el.tagName.toLowerCase()}${id}${cls} (right edge ${right}px)`);
                }
              }
              return out.slice(-limit);
            }""",
            limit,
        )
    )
