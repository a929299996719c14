"""Running scenarios one after another, each in a folder of its own, none able to stop the rest."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from pathlib import Path

from soak.config import Sizes
from soak.harness import Context
from soak.report import Outcome
from soak.scenarios import SCENARIOS
from soak.services import Services, empty_redis


def run_scenario(
    name: str, sizes: Sizes, services: Services, redis_url: str, folder: Path,
    say: Callable[[str], None],
) -> Outcome:  # fmt: skip
    """Run one scenario; an exception fails it with the error (figures so far are kept)."""
    outcome = Outcome(name)
    scenario_folder = folder / name
    scenario_folder.mkdir(parents=True, exist_ok=True)
    empty_redis(redis_url)
    ctx = Context(sizes, services, redis_url, scenario_folder,
                  lambda text: say(f"[{name}] {text}"))  # fmt: skip
    started = time.monotonic()
    ctx.say("starting")
    try:
        SCENARIOS[name](ctx, outcome)
    except Exception as error:
        outcome.failures.append(f"did not finish: {type(error).__name__}: {error}")
        ctx.say(traceback.format_exc())
    outcome.figures["seconds"] = round(time.monotonic() - started, 1)
    ctx.say(f"{'passed' if outcome.passed else 'FAILED'} in {outcome.figures['seconds']} s")
    return outcome
