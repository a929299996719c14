"""What a newcomer types first: ``ideaflow --help`` and creating the first administrator."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import IDEAFLOW, Deployment

pytestmark = [pytest.mark.e2e, pytest.mark.backends("sqlite")]


def test_help_lists_the_commands_before_anything_is_configured(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDEAFLOW_")}
    env["IDEAFLOW_ENV"] = "production"  # no secret key anywhere: building the app would refuse
    result = subprocess.run(
        [IDEAFLOW, "--help"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for command in ("serve", "users", "import-minutes", "db", "worker"):
        assert f"  {command}" in result.stdout, result.stdout
    assert "Traceback" not in result.stderr


def test_creating_a_user_without_a_terminal_asks_for_the_password_option(
    deployment: Deployment,
) -> None:
    args = ("users", "create", "--email", "a@randers.dk", "--name", "Anne", "--role", "admin")
    refused = deployment.cli(*args, input_text="", check=False)
    assert refused.returncode == 2, refused
    assert "--password" in refused.stderr and "at least 10 characters" in refused.stderr
    assert "Aborted" not in refused.stderr

    too_short = deployment.cli(*args, "--password", "kort", check=False)
    assert too_short.returncode != 0 and "10" in too_short.stderr, too_short

    created = deployment.cli(*args, "--password", "ti tegn mindst")
    assert "Created admin a@randers.dk" in created.stdout
    piped = ("users", "create", "--email", "b@randers.dk", "--name", "Bo", "--role", "owner")
    assert "Created owner" in deployment.cli(*piped, input_text="ti tegn mindst\n").stdout


def test_the_help_of_users_create_states_the_password_rule(deployment: Deployment) -> None:
    shown = deployment.cli("users", "create", "--help").stdout
    assert "at least 10 characters" in " ".join(shown.split())


def test_the_demo_loads_once_and_prints_who_can_sign_in(deployment: Deployment) -> None:
    sample = Path(__file__).resolve().parents[2] / "samples" / "interessentmoede-2025-06-12.txt"
    first = deployment.cli("demo", "--if-empty", str(sample))
    assert "Demo loaded: 21 ideas" in first.stdout
    lines = [line.split() for line in first.stdout.splitlines() if "@example.org" in line]
    assert [line[0] for line in lines] == ["admin", "manager", "owner", "owner"]
    assert all(len(line[2]) >= 10 for line in lines)  # a password that passes the rule
    again = deployment.cli("demo", "--if-empty", str(sample))
    assert again.stdout == "" and "not empty; no demo loaded" in again.stderr
    refused = deployment.cli("demo", str(sample), check=False)
    assert refused.returncode == 1 and "empty database only" in refused.stderr
