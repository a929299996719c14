"""Browser fixtures: deployments served by gunicorn, Chromium, signed-in pages, axe-core.

Three kinds of installation: ``seeded`` (session-wide, the fixed dataset, only read by tests),
``workspace`` (session-wide, empty but for the users; tests add their own ideas) and
``deployment`` (tests/e2e's fresh installation per test, on SQLite and on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.a11y import missing_axe
from tests.browser.chromium import Watched, launch, missing_chromium, new_context, signed_in_state
from tests.browser.seed import MANAGER, OWNER, Api, Dataset, Person, add_people, seed
from tests.conftest import service_unavailable
from tests.e2e.conftest import (  # noqa: F401  (the fixtures, reused as they are)
    Deployment,
    Templates,
    deployment,
    installation_templates,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

OpenPage = Callable[..., "Page"]


@dataclass
class Seeded:
    """The installation with the fixed dataset."""

    deployment: Deployment
    data: Dataset


@dataclass
class Workspace:
    """An installation for tests that change things: each makes its own ideas through the API."""

    deployment: Deployment
    tokens: dict[str, str]

    def api(self, person: Person) -> Api:
        """The JSON API as ``person`` (a manager or the first owner)."""
        return Api(self.deployment.base_url, self.tokens[person.email])


def _sqlite_deployment(
    tmp_path_factory: pytest.TempPathFactory, templates: Templates, name: str
) -> Deployment:
    instance = tmp_path_factory.mktemp(name) / "instance"
    instance.mkdir()
    return Deployment(database_url=templates.sqlite_copy(instance), instance=instance)


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver, once per session (skips, or fails in CI, without Chromium)."""
    reason = missing_chromium()
    if reason:
        service_unavailable(reason)
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Headless Chromium from /usr/bin/chromium."""
    chromium = launch(playwright_driver)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where every violation found (of any impact) is written, one JSON object a line."""
    reason = missing_axe()
    if reason:
        service_unavailable(reason)
    return tmp_path_factory.getbasetemp() / "axe-violations.jsonl"


@pytest.fixture(scope="session")
def seeded(
    tmp_path_factory: pytest.TempPathFactory,
    installation_templates: Templates,  # noqa: F811  (the fixture imported above)
) -> Iterator[Seeded]:
    """The fixed dataset on SQLite behind a running server (tests must not change it)."""
    if missing_chromium():
        service_unavailable(str(missing_chromium()))
    installation = _sqlite_deployment(tmp_path_factory, installation_templates, "seeded")
    add_people(installation)
    installation.serve()
    try:
        data = seed(installation)
        yield Seeded(installation, data)
    finally:
        installation.stop()


@pytest.fixture(scope="session")
def workspace(
    tmp_path_factory: pytest.TempPathFactory,
    installation_templates: Templates,  # noqa: F811  (the fixture imported above)
) -> Iterator[Workspace]:
    """Users and a running server on SQLite, for tests that make and change their own ideas."""
    if missing_chromium():
        service_unavailable(str(missing_chromium()))
    installation = _sqlite_deployment(tmp_path_factory, installation_templates, "workspace")
    tokens = add_people(installation, tokens=(MANAGER, OWNER))
    installation.serve()
    yield Workspace(installation, tokens)
    installation.stop()


@pytest.fixture(scope="session")
def signed_in_states(browser: Browser) -> Callable[[Deployment, Person], Any]:
    """Cookies of a signed-in session per (server, person), made once through the login form."""
    states: dict[tuple[str, str], Any] = {}

    def state(installation: Deployment, person: Person) -> Any:
        key = (installation.base_url, person.email)
        if key not in states:
            states[key] = signed_in_state(browser, installation.base_url, person.email)
        return states[key]

    return state


@dataclass
class SharedPage:
    """A page kept open across tests that only look (one per server, person and device)."""

    watched: Watched
    page: Page


@pytest.fixture(scope="session")
def shared_pages() -> Iterator[dict[tuple[Any, ...], SharedPage]]:
    """The pages ``open_page(..., shared=True)`` hands out, closed at the end of the session."""
    pages: dict[tuple[Any, ...], SharedPage] = {}
    yield pages
    for shared in pages.values():
        shared.watched.context.close()


@pytest.fixture
def open_page(
    browser: Browser,
    signed_in_states: Callable[[Deployment, Person], Any],
    shared_pages: dict[tuple[Any, ...], SharedPage],
) -> Iterator[OpenPage]:
    """Open a page in a browser profile of its own, signed in as ``person`` (None: signed out).

    Pages fail the test on script errors and on anything the Content-Security-Policy refused,
    except with ``bypass_csp=True`` (needed to inject axe-core). ``shared=True``, for tests that
    only go to a page and look at it: the same page as the last such test with the same
    arguments, in the same profile (a new profile and a fresh axe-core compile cost about 0.2 s).
    """
    opened: list[Watched] = []
    shared_problems: list[tuple[Watched, int]] = []

    def open_(
        installation: Deployment,
        person: Person | None,
        *,
        locale: str = "da-DK",
        phone: bool = False,
        bypass_csp: bool = False,
        shared: bool = False,
    ) -> Page:
        key = (installation.base_url, person, locale, phone, bypass_csp)
        if shared and key in shared_pages:
            watched = shared_pages[key].watched
            shared_problems.append((watched, len(watched.problems)))
            return shared_pages[key].page
        state = signed_in_states(installation, person) if person else None
        watched = new_context(
            browser,
            installation.base_url,
            locale=locale,
            phone=phone,
            bypass_csp=bypass_csp,
            storage_state=state,
        )
        page = watched.new_page()
        if shared:
            shared_pages[key] = SharedPage(watched, page)
            shared_problems.append((watched, 0))
        else:
            opened.append(watched)
        return page

    yield open_
    problems = [problem for watched in opened for problem in watched.problems]
    problems += [
        problem for watched, seen in shared_problems for problem in watched.problems[seen:]
    ]
    for watched in opened:
        watched.context.close()
    assert not problems, "the browser reported:\n" + "\n".join(problems)
