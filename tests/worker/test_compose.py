"""docker-compose.yml, run natively: the CI has no Docker, so this starts each ideaflow service's
own command, with the compose file's shared environment pointed at the real PostgreSQL, Redis and
an SMTP server standing in for Mailpit, and runs the services' own health checks."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.mailsink import free_port
from tests.worker.stack import ASSESS, IDEAFLOW, Stack, wait_until
from tests.worker.stalling_sink import StallingSink
from workflow.services import users

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return document


def native(command: list[str], port: int) -> list[str]:
    """A service's command as run here: the same words, the web port a free one."""
    return [part.replace("5000", str(port)) for part in command]


def native_check(test: list[str], port: int) -> list[str]:
    """A compose health check (``CMD`` or ``CMD-SHELL``) as a command line."""
    kind, *command = test
    if kind == "CMD-SHELL":
        command = ["sh", "-c", command[0].replace("$$", "$")]  # compose's escape for "$"
    return native(command, port)


def test_the_compose_file_wires_the_services_together(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "redis", "mailpit", *APP_SERVICES}
    shared = compose["x-ideaflow"]["environment"]
    for name in APP_SERVICES:  # one shared environment anchor, one image
        assert services[name]["environment"] == shared and services[name]["build"] == "."
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}
        assert depends["redis"] == {"condition": "service_healthy"}
    assert services["migrate"]["depends_on"]["db"] == {"condition": "service_healthy"}
    for name in ("db", "redis", "mailpit", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name
    redis_command = services["redis"]["command"]
    assert "--appendonly" in redis_command and "noeviction" in redis_command
    assert services["beat"]["deploy"]["replicas"] == 1
    assert shared["IDEAFLOW_SMTP_URL"].endswith("smtp://mailpit:1025}")


def test_the_compose_commands_run_natively_and_deliver(
    compose: dict[str, Any], tmp_path: Path, postgres_url: str, redis_url: str, sink: StallingSink
) -> None:
    services = compose["services"]
    port = free_port()
    stack = Stack(folder=tmp_path, database_url=postgres_url, redis_url=redis_url,
                  smtp_url=sink.url)  # fmt: skip
    # The compose environment with the container names replaced by the native services.
    native_values = {
        "IDEAFLOW_DATABASE_URL": postgres_url,
        "IDEAFLOW_REDIS_URL": redis_url,
        "IDEAFLOW_SECRET_KEY": "compose-test-secret",
        "IDEAFLOW_BASE_URL": f"http://localhost:{port}",
        "IDEAFLOW_SMTP_URL": sink.url,
        "IDEAFLOW_MAIL_FROM": "ideaflow <ideaflow@localhost>",
        "IDEAFLOW_LOG_FORMAT": "json",
        # no identity provider: the compose file leaves these empty unless they are set
        **{f"IDEAFLOW_OIDC_{name}": "" for name in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET",
                                                     "ROLE_MAP", "NAME")},
    }  # fmt: skip
    assert set(compose["x-ideaflow"]["environment"]) == set(native_values)
    stack.env = {k: v for k, v in stack.env.items() if k != "IDEAFLOW_SWEEP_SECONDS"}
    # The image's PATH has ideaflow, celery and python; here they are the virtualenv's.
    path = f"{Path(IDEAFLOW).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    stack.env.update(native_values, PATH=path, HOSTNAME=socket.gethostname())
    try:
        migrated = subprocess.run(native(services["migrate"]["command"], port), env=stack.env,
                                  capture_output=True, text=True, timeout=120)  # fmt: skip
        assert migrated.returncode == 0, migrated.stderr
        stack.start("worker", *native(services["worker"]["command"], port), ready=" ready.")
        stack.start("beat", *native(services["beat"]["command"], port), ready="beat: Starting")
        stack.start("web", *native(services["web"]["command"], port))
        for name in ("web", "worker"):
            check = native_check(services[name]["healthcheck"]["test"], port)

            def healthy(check: list[str] = check) -> bool:
                result = subprocess.run(check, env=stack.env, capture_output=True, timeout=60)
                return result.returncode == 0

            wait_until(healthy, f"the {name} health check passing ({check})")

        manager = stack.user("manager", "mette@randers.dk")
        idea_id = stack.idea(manager, "Natbus fra Langå")
        stack.follow(manager, idea_id, "anne@langaa.dk")
        with stack.uow() as uow:
            token = users.issue_token(uow, manager.email, "compose").secret
        fired = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/ideas/{idea_id}/transitions",
            headers={"Authorization": f"Bearer {token}"},
            json={"trigger": "assess", "expected_version": 1, "data": ASSESS},
            timeout=10,
        )
        assert fired.status_code == 200, fired.text
        (message,) = wait_until(lambda: sink.to("anne@langaa.dk"), "the email via compose")
        assert f"http://localhost:{port}/unsubscribe/" in message["List-Unsubscribe"]
        # With Redis, the web server runs no embedded worker and no file broker.
        assert "No IDEAFLOW_REDIS_URL" not in stack.log("web")
        assert not (tmp_path / "instance" / "broker").exists()
    finally:
        stack.stop_all()
