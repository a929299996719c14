"""The screenshot script keeps working (it writes to a temporary folder here, not docs/)."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.chromium import DESKTOP, PHONE
from tests.browser.screenshots import SHOTS, take_screenshots

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Browser

    from tests.browser.conftest import Seeded
    from tests.browser.seed import Person
    from tests.e2e.conftest import Deployment

pytestmark = pytest.mark.e2e


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_page_is_shot_on_a_desktop_and_a_phone(
    seeded: Seeded,
    browser: Browser,
    signed_in_states: Callable[[Deployment, Person], Any],
    tmp_path: Path,
) -> None:
    saved = take_screenshots(
        browser,
        seeded.deployment.base_url,
        seeded.data,
        tmp_path,
        lambda person: signed_in_states(seeded.deployment, person),
    )
    assert sorted(path.name for path in saved) == sorted(
        f"{name}-{device}.png" for name, _, _ in SHOTS for device in ("desktop", "phone")
    )
    for path in saved:
        size = DESKTOP if path.stem.endswith("desktop") else PHONE
        assert png_size(path) == (size["width"], size["height"]), path.name
        assert 10_000 < path.stat().st_size < 1_000_000, f"{path.name}: odd size"
