"""Screenshots of the board, an idea, the dashboard and a gate form, on a desktop and a phone.

``make screenshots`` runs ``python -m tests.browser.screenshots [FOLDER]``: a throw-away
installation with the browser tests' fixed dataset, Danish pages, PNGs in docs/screenshots/.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.chromium import launch, missing_chromium, new_context, signed_in_state
from tests.browser.seed import MANAGER, OWNER, Dataset, Person, add_people, seed
from tests.e2e.conftest import Deployment

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FOLDER = Path(__file__).parents[2] / "docs" / "screenshots"
DEVICES = (("desktop", False), ("phone", True))
SHOTS: list[tuple[str, Person, Callable[[Dataset], str]]] = [
    ("board", MANAGER, lambda _: "/board"),
    ("idea", MANAGER, lambda data: f"/ideas/{data.showcase_id}"),
    ("dashboard", MANAGER, lambda _: "/dashboard"),
    ("gate", OWNER, lambda data: f"/ideas/{data.first('proposed')}/transitions/assess"),
]


def take_screenshots(
    browser: Browser,
    base_url: str,
    data: Dataset,
    folder: Path,
    signed_in: Callable[[Person], Any],
) -> list[Path]:
    """Save ``<page>-<device>.png`` for every page and device; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name, person, where in SHOTS:
        for device, phone in DEVICES:
            watched = new_context(browser, base_url, phone=phone, storage_state=signed_in(person))
            page = watched.new_page()
            response = page.goto(where(data))
            assert response is not None and response.status == 200, where(data)
            page.evaluate("() => document.fonts.ready.then(() => true)")
            target = folder / f"{name}-{device}.png"
            page.screenshot(path=target, animations="disabled", caret="hide")
            watched.context.close()
            saved.append(target)
    return saved


def main(argv: list[str]) -> int:
    """Build the installation, take the screenshots, tidy up."""
    reason = missing_chromium()
    if reason:
        print(f"screenshots: {reason}", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    folder = Path(argv[0]) if argv else FOLDER
    with tempfile.TemporaryDirectory(prefix="ideaflow-screenshots-") as scratch:
        instance = Path(scratch) / "instance"
        instance.mkdir()
        installation = Deployment(f"sqlite:///{instance / 'ideaflow.db'}", instance)
        installation.cli("db", "upgrade")
        add_people(installation)
        installation.serve()
        try:
            data = seed(installation)
            with sync_playwright() as driver:
                browser = launch(driver)
                states: dict[str, Any] = {}

                def signed_in(person: Person) -> Any:
                    if person.email not in states:
                        states[person.email] = signed_in_state(
                            browser, installation.base_url, person.email
                        )
                    return states[person.email]

                saved = take_screenshots(browser, installation.base_url, data, folder, signed_in)
                browser.close()
        finally:
            installation.stop()
    for path in saved:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
