"""A real OpenID Provider for the sign-in tests (``tests/browser/oidc_provider.mjs`` on Node).

``start_provider`` runs it on a free port with a client registered for the given ideaflow
addresses; ``TestProvider`` edits its users and groups, makes its token endpoint misbehave, and
signs in through its form without a browser (``sign_in``), for tests on the Flask test client.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

from tests.mailsink import free_port

BROWSER_TESTS = Path(__file__).parent / "browser"
SCRIPT = BROWSER_TESTS / "oidc_provider.mjs"
CLIENT_ID = "ideaflow-test"
CLIENT_SECRET = "test-client-secret-that-is-long-enough"
STARTUP_TIMEOUT_S = 20
ROLE_MAP = {"IDEAFLOW-Admins": "admin", "IDEAFLOW-Ledere": "manager", "IDEAFLOW-Ejere": "owner",
            "IDEAFLOW-Laesere": "viewer"}  # fmt: skip


def missing_provider() -> str | None:
    """Why the test provider cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the OpenID Provider for the sign-in tests runs on it)"
    if not (BROWSER_TESTS / "node_modules" / "oidc-provider").is_dir():
        return "oidc-provider is not installed: run `make browser-deps` (npm ci in tests/browser)"
    return None


@dataclass
class Account:
    """A person at the provider."""

    password: str
    email: str
    name: str
    groups: list[str]
    groups_in_userinfo_only: bool = False


@dataclass
class TestProvider:
    """A running provider: its issuer, its client, and its people."""

    issuer: str
    folder: Path
    process: subprocess.Popen[bytes]
    accounts: dict[str, Account] = field(default_factory=dict)

    __test__ = False  # not a test class, for pytest

    def settings(self) -> dict[str, object]:
        """The ``Settings`` fields that point ideaflow at this provider."""
        return {
            "oidc_issuer": self.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_role_map": ROLE_MAP,
            "oidc_name": "Testkommune",
        }

    def environment(self) -> dict[str, str]:
        """The same, as ``IDEAFLOW_OIDC_*`` variables for a deployment."""
        return {
            "IDEAFLOW_OIDC_ISSUER": self.issuer,
            "IDEAFLOW_OIDC_CLIENT_ID": CLIENT_ID,
            "IDEAFLOW_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "IDEAFLOW_OIDC_ROLE_MAP": json.dumps(ROLE_MAP),
            "IDEAFLOW_OIDC_NAME": "Testkommune",
        }

    def put(self, login: str, *, groups: list[str], email: str | None = None,
            name: str | None = None,
            password: str = "provider-pass",  # noqa: S107
            groups_in_userinfo_only: bool = False) -> Account:  # fmt: skip
        """Add or change a person (read by the provider on every request)."""
        account = Account(password, email or f"{login}@randers.dk", name or login.title(), groups,
                          groups_in_userinfo_only)  # fmt: skip
        self.accounts[login] = account
        path = self.folder / "accounts.json"
        path.write_text(json.dumps({key: vars(value) for key, value in self.accounts.items()}))
        return account

    def misbehave(self, mode: str | None) -> None:
        """Spoil the next ID tokens (wrong_audience, extra_audience, expired, bad_nonce,
        wrong_issuer, bad_signature), or stop spoiling them (None)."""
        response = requests.post(
            f"{self.issuer}/__test__/misbehave", data={"mode": mode or ""}, timeout=5
        )
        response.raise_for_status()

    def sign_in(self, authorize_url: str, login: str, agent: requests.Session) -> str:
        """Follow the provider's sign-in from ``authorize_url`` as ``login``, the way a browser
        would; return the URL it sends the browser back to (ideaflow's callback)."""
        url = authorize_url
        for _ in range(10):
            if not url.startswith(self.issuer):
                return url
            response = agent.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "/interaction/" in url:
                account = self.accounts[login]
                response = agent.post(url, data={"login": login, "password": account.password},
                                      allow_redirects=False, timeout=10)  # fmt: skip
            assert response.status_code in (302, 303), (url, response.status_code, response.text)
            url = urljoin(url, response.headers["Location"])
        raise AssertionError(f"the provider kept redirecting: {url}")

    def stop(self) -> None:
        """Stop the provider."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_provider(folder: Path, ideaflow_urls: list[str]) -> TestProvider:
    """Start the provider with a client that may return to each of ``ideaflow_urls``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    (folder / "accounts.json").write_text("{}")
    config = {
        "port": port,
        "issuer": issuer,
        "accounts": str(folder / "accounts.json"),
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{url}/login/oidc/callback" for url in ideaflow_urls],
            "post_logout_redirect_uris": [f"{url}/login" for url in ideaflow_urls],
        },
    }
    (folder / "config.json").write_text(json.dumps(config))
    with (folder / "provider.log").open("wb") as log:  # the provider keeps its own handle
        process = subprocess.Popen(
            ["node", str(SCRIPT), str(folder / "config.json")],
            cwd=BROWSER_TESTS,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the provider exited:\n{(folder / 'provider.log').read_text()}")
        try:
            discovery = f"{issuer}/.well-known/openid-configuration"
            if requests.get(discovery, timeout=1).status_code == 200:
                return TestProvider(issuer, folder, process)
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the provider did not start:\n{(folder / 'provider.log').read_text()}")


def query_of(url: str) -> str:
    """The path and query of ``url`` (what a test client requests)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
