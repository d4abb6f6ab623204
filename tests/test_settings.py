"""Settings: environment variables, the development secret, production requirements."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from kernel.db.engines import engine_kind, sqlite_path
from kernel.settings import Mode, Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "ALLIANCE_MODE",
        "ALLIANCE_SECRET_KEY",
        "ALLIANCE_DATABASE_URL",
        "ALLIANCE_VAR_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the checkout


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = Settings()
    assert settings.mode is Mode.DEVELOPMENT
    assert settings.database_url == "sqlite:///var/alliance.sqlite"
    assert engine_kind(settings.database_url) == "sqlite"


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ALLIANCE_DATABASE_URL=postgresql://db.example/alliance\n")
    assert Settings().database_url == "postgresql://db.example/alliance"
    monkeypatch.setenv("ALLIANCE_DATABASE_URL", "sqlite:///other.sqlite")
    assert Settings().database_url == "sqlite:///other.sqlite"  # the environment wins


def test_development_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(var_dir=tmp_path / "var").signing_key
    second = Settings(var_dir=tmp_path / "var").signing_key
    assert first == second and len(first) >= 32
    mode = (tmp_path / "var" / "secret_key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_production_requires_a_secret() -> None:
    with pytest.raises(ValidationError, match="ALLIANCE_SECRET_KEY is required"):
        Settings(mode=Mode.PRODUCTION)
    settings = Settings(mode=Mode.PRODUCTION, secret_key="s" * 40)  # type: ignore[arg-type]
    assert settings.signing_key == "s" * 40


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(secret_key="short")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("sqlite:///var/a.sqlite", "sqlite"),
        ("postgresql://u@h/db", "postgres"),
        ("postgres://u@h/db", "postgres"),
    ],
)
def test_engine_kind(url: str, kind: str) -> None:
    assert engine_kind(url) == kind


def test_bad_database_urls_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme 'mysql'"):
        engine_kind("mysql://x/y")
    with pytest.raises(ValueError, match="bad SQLite URL"):
        sqlite_path("sqlite://relative.sqlite")
    assert sqlite_path("sqlite:////abs/a.sqlite") == Path("/abs/a.sqlite")
    assert sqlite_path("sqlite:///rel/a.sqlite") == Path("rel/a.sqlite")
