"""Settings come from IDEAFLOW_* variables; production demands a secret key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workflow.errors import ConfigurationError
from workflow.settings import Settings, served_base_url, write_secret_key
from workflow.tuning import Tuning


def test_defaults_point_at_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"IDEAFLOW_INSTANCE_PATH": str(tmp_path), "IDEAFLOW_SECRET_KEY": "k"}
    )
    assert settings.database_url == f"sqlite:///{tmp_path / 'ideaflow.db'}"
    assert (settings.env, settings.base_url, settings.redis_url) == (
        "production",
        "http://127.0.0.1:5000",
        None,
    )


def test_postgres_urls_use_psycopg_and_base_url_loses_its_slash(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "IDEAFLOW_INSTANCE_PATH": str(tmp_path),
            "IDEAFLOW_SECRET_KEY": "k",
            "IDEAFLOW_DATABASE_URL": "postgresql://u@db/ideaflow",
            "IDEAFLOW_BASE_URL": "https://ideer.randers.dk/",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@db/ideaflow"
    assert settings.base_url == "https://ideer.randers.dk"


def test_production_without_a_key_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="IDEAFLOW_SECRET_KEY"):
        Settings.from_env({"IDEAFLOW_INSTANCE_PATH": str(tmp_path)})


def test_a_generated_key_file_is_used_and_kept_private(tmp_path: Path) -> None:
    path = write_secret_key(tmp_path)
    assert path.stat().st_mode & 0o077 == 0
    settings = Settings.from_env({"IDEAFLOW_INSTANCE_PATH": str(tmp_path)})
    assert settings.secret_key == path.read_text().strip()
    assert write_secret_key(tmp_path).read_text() == path.read_text()


def test_development_creates_its_own_key(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"IDEAFLOW_INSTANCE_PATH": str(tmp_path), "IDEAFLOW_ENV": "development"}
    )
    assert len(settings.secret_key) == 64 and (tmp_path / "secret_key").exists()


def test_an_unknown_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="IDEAFLOW_ENV"):
        Settings.from_env({"IDEAFLOW_INSTANCE_PATH": str(tmp_path), "IDEAFLOW_ENV": "staging"})


def test_trusted_proxies_is_a_count(tmp_path: Path) -> None:
    base = {"IDEAFLOW_INSTANCE_PATH": str(tmp_path), "IDEAFLOW_SECRET_KEY": "k"}
    assert Settings.from_env(base).trusted_proxies == 0
    assert Settings.from_env({**base, "IDEAFLOW_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    with pytest.raises(ConfigurationError, match="IDEAFLOW_TRUSTED_PROXIES"):
        Settings.from_env({**base, "IDEAFLOW_TRUSTED_PROXIES": "yes"})


def test_delivery_timings_keep_their_defaults_unless_set(tmp_path: Path) -> None:
    base = {"IDEAFLOW_INSTANCE_PATH": str(tmp_path), "IDEAFLOW_SECRET_KEY": "k"}
    assert Settings.from_env(base).tuning == Tuning()
    assert Settings.from_env({**base, "IDEAFLOW_LEASE_SECONDS": " "}).lease_seconds == 90.0
    shortened = Settings.from_env({**base, "IDEAFLOW_LEASE_SECONDS": "2.5"}).tuning
    assert shortened.lease_seconds == 2.5 and shortened.lease.total_seconds() == 2.5
    for wrong in ("0", "-1", "soon", "nan", "inf", "1e300"):
        with pytest.raises(ConfigurationError, match="IDEAFLOW_LEASE_SECONDS"):
            Settings.from_env({**base, "IDEAFLOW_LEASE_SECONDS": wrong})


def test_every_documented_variable_is_a_setting() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `IDEAFLOW_([A-Z_]+)` \|", readme, re.M))
    fields = {name.upper() for name in Settings.model_fields}
    assert documented == fields


def test_a_bad_value_names_its_variable_and_the_domain_never_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDEAFLOW_SWEEP_SECONDS", "often")
    with pytest.raises(ConfigurationError, match="IDEAFLOW_SWEEP_SECONDS"):
        Settings.from_env()
    # Built from arguments, settings take nothing from the environment.
    monkeypatch.setenv("IDEAFLOW_SMTP_URL", "smtp://elsewhere")
    settings = Settings(env="test", instance_path=tmp_path, secret_key="k")
    assert settings.smtp_url is None and settings.sweep_seconds == 30.0


def test_only_the_edges_read_the_environment() -> None:
    root = Path(__file__).parents[2]
    # Settings.from_env is the one reader; Tesseract gets the environment passed on whole.
    allowed = {"workflow/settings.py"}
    readers = []
    for package in ("workflow", "web", "tasks"):
        for path in sorted((root / package).rglob("*.py")):
            name = str(path.relative_to(root))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                reads = "os.environ" in line or "getenv" in line
                passed_on = "{**os.environ" in line  # handing the environment to a program
                if reads and not passed_on and name not in allowed:
                    readers.append(f"{name}:{number}")
    assert readers == []


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 5101, "http://127.0.0.1:5101"),
        ("0.0.0.0", 8000, "http://localhost:8000"),  # noqa: S104 (a bind address to map)
        ("::", 5000, "http://localhost:5000"),
        ("", 5000, "http://localhost:5000"),
        ("::1", 5000, "http://[::1]:5000"),
        ("ideer.randers.dk", 80, "http://ideer.randers.dk:80"),
    ],
)
def test_the_served_base_url_is_reachable_from_this_machine(
    host: str, port: int, expected: str
) -> None:
    assert served_base_url(host, port) == expected
