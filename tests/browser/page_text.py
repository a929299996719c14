"""What a rendered page says: English left in a Danish page, and text too small to read."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Common English words that are not Danish words too ("for", "to", "is", "and", "at", "under",
# "side", "her" and "by" are Danish, so they are not here). One of these in a Danish page is
# almost always a sentence nobody translated.
ENGLISH_ONLY = frozenset(
    """
    the this that these those with without your you yours have has had been was were will would
    should could please not are which when where what who whom whose there their they them from
    into about after before between while because than then also only just again already still
    must cannot can't don't doesn't isn't won't it's its our ours we us idea ideas owner owners
    meeting meetings state states sign save cancel back email emails page pages new show hide
    all each every none yes no day days week weeks month months year years field fields required
    error errors invalid missing found forbidden allowed here more less least most why how
    follow followers follower unsubscribe subscribe stakeholder stakeholders created updated
    changed added removed deleted pending failed done open closed nothing something
    anyone nobody someone everyone please thanks welcome reason score scores summary comment
    comments assessed proposed piloted scaled rejected parked merged assess reject merge
    """.split()
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_TEXT = """() => {
  // A part marked in another language (a link to the English report, a preview) is not Danish.
  const danish = (element) => (element.closest("[lang]")?.lang || "da").startsWith("da");
  const skip = new Set(["SCRIPT", "STYLE", "TEMPLATE", "NOSCRIPT"]);
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!skip.has(element.tagName) && danish(element)) parts.push(node.data);
  }
  const said = "[placeholder], [title], [aria-label], img[alt], input[type=submit]";
  for (const element of document.querySelectorAll(said)) {
    if (!danish(element)) continue;
    for (const name of ["placeholder", "title", "aria-label", "alt", "value"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
  }
  return parts.join("\\n");
}"""


def all_text(page: Page) -> str:
    """Every Danish text the page holds: shown, folded away, or read out by assistive technology."""
    return str(page.evaluate(_TEXT))


def english_words(text: str) -> list[str]:
    """The English-only words in ``text``, in order, each with a few words around it."""
    words = _WORD.findall(text)
    found = []
    for index, word in enumerate(words):
        if word.lower() in ENGLISH_ONLY:
            found.append(" ".join(words[max(0, index - 3) : index + 4]))
    return found


_SMALLEST = """(limit) => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.data.trim() || !element || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    let size = parseFloat(style.fontSize);
    if (element instanceof SVGGraphicsElement && element.getScreenCTM()) {
      size *= Math.abs(element.getScreenCTM().a);  // SVG text shrinks with its viewBox
    }
    if (size < limit) small.push(`${size.toFixed(1)}px: ${node.data.trim().slice(0, 40)}`);
  }
  return small;
}"""


def text_smaller_than(page: Page, pixels: float) -> list[str]:
    """Each visible text on the page drawn smaller than ``pixels``, with its size."""
    return list(page.evaluate(_SMALLEST, pixels))
