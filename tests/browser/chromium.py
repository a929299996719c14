"""Debian's Chromium under Playwright: where it is, how it starts, the contexts tests use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"  # what tests.e2e.conftest.Deployment gives its users
_CSP = re.compile(r"Content Security Policy", re.IGNORECASE)


def missing_chromium() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[dev]')"
    return None


def launch(playwright: Playwright) -> Browser:
    """Start headless Chromium from Debian's package (never a Playwright download)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


@dataclass
class Watched:
    """A browser context whose pages report script errors and Content-Security-Policy refusals."""

    context: BrowserContext
    problems: list[str] = field(default_factory=list)

    def new_page(self) -> Page:
        """A page in this context, watched for errors."""
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._console)
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and _CSP.search(message.text):
            self.problems.append(f"CSP refusal: {message.text}")


def new_context(
    browser: Browser,
    base_url: str,
    *,
    locale: str = "da-DK",
    phone: bool = False,
    bypass_csp: bool = False,
    storage_state: Any = None,
) -> Watched:
    """A fresh browser profile (cookies of its own) on the deployment."""
    options: dict[str, Any] = {
        "base_url": base_url,
        "locale": locale,
        "timezone_id": "Europe/Copenhagen",
        "viewport": PHONE if phone else DESKTOP,
        "bypass_csp": bypass_csp,
        "storage_state": storage_state,
        "reduced_motion": "reduce",
    }
    if phone:
        options.update(is_mobile=True, has_touch=True, device_scale_factor=1)
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    return Watched(context)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")
    assert "/login" not in page.url, f"sign-in as {email} failed: {page.inner_text('main')}"


def signed_in_state(browser: Browser, base_url: str, email: str) -> Any:
    """The cookies of a fresh signed-in session, to open further pages already signed in."""
    watched = new_context(browser, base_url)
    sign_in(watched.new_page(), email)
    state = watched.context.storage_state()
    watched.context.close()
    return state
