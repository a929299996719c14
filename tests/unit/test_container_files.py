"""The Dockerfile and docker-compose.yml keep their rules (the CI has no Docker to build them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from workflow.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def compose() -> dict[str, Any]:
    """docker-compose.yml as data."""
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    return document


def test_the_dockerfile_installs_the_locked_dependencies_before_the_source() -> None:
    steps = instructions()
    runs = [index for index, (word, rest) in enumerate(steps) if word == "RUN"]
    (locked,) = [i for i in runs if "--require-hashes" in steps[i][1]]
    assert "requirements/runtime.txt" in steps[locked][1]
    source = [i for i, (word, rest) in enumerate(steps) if word == "COPY" and "workflow" in rest]
    assert source and locked < min(source)
    (project,) = [i for i in runs if re.search(r"pip install --no-deps \.(\s|$)", steps[i][1])]
    assert project > max(source)
    assert not any("constraints.txt" in rest for _, rest in steps)


def test_the_image_runs_as_someone_else_than_root_and_checks_its_health() -> None:
    steps = instructions()
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    (health,) = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert "/healthz" in health
    (base,) = [rest for word, rest in steps if word == "FROM"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim\S*", base)


def test_every_image_is_pinned_by_version_and_beat_has_a_healthcheck() -> None:
    document = compose()
    images = [document["x-ideaflow"]["image"]]
    images += [service["image"] for service in document["services"].values() if "image" in service]
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and tag != "latest" and re.search(r"\d+\.\d+", tag), image
    beat = document["services"]["beat"]
    assert beat["healthcheck"]["test"] and beat["deploy"]["replicas"] == 1
    assert document["services"]["web"]["healthcheck"]["test"]


def test_the_locks_carry_hashes_and_the_dev_lock_follows_the_runtime_lock() -> None:
    runtime = (ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    dev = (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", runtime, re.M))
    dev_pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", dev, re.M))
    assert {"flask", "pydantic", "pydantic-settings", "itsdangerous"} <= set(pins)
    assert {"pytest", "mypy", "uv"} <= set(dev_pins) and "pytest" not in pins
    assert all(dev_pins[name] == version for name, version in pins.items())
    for lock in (runtime, dev):
        blocks = re.split(r"\n(?=[A-Za-z])", lock.strip())
        assert all("--hash=sha256:" in block for block in blocks if "==" in block)
    assert not (ROOT / "constraints.txt").exists()


def test_the_compose_environment_is_made_of_settings() -> None:
    shared = compose()["x-ideaflow"]["environment"]
    fields = {"IDEAFLOW_" + name.upper() for name in Settings.model_fields}
    assert set(shared) <= fields
    assert shared["IDEAFLOW_LOG_FORMAT"].endswith("json}")
