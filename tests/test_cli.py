"""The ``alliance`` command, run as a subprocess the way an operator runs it.

Each test gets its own working directory (no stray ``.env``), var dir and database, on SQLite
and PostgreSQL where the engine matters.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from alliance_sdk.testdb import with_database
from kernel.db import registered_tables
from kernel.demo import DEMO_PASSWORD
from kernel.identity.passwords import verify_password
from tests.conftest import PG_ADMIN_URL, REQUIRE_PG

CLI_TIMEOUT = 120


def clean_env(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    """The caller's environment without ALLIANCE_* settings, plus this test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    env.update(
        ALLIANCE_DATABASE_URL=database_url,
        ALLIANCE_VAR_DIR=str(tmp_path / "var"),
        ALLIANCE_MODE="development",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def alliance(
    env: dict[str, str], *args: str, cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kernel.cli", *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("alliance: error: ")
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in lines[0]


# --- databases -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    name = f"alliance_cli_{os.getpid()}_{uuid.uuid4().hex[:6]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
        if REQUIRE_PG:
            pytest.fail(message)
        pytest.skip(message)
    yield with_database(PG_ADMIN_URL, name)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def count_rows(url: str) -> dict[str, int]:
    """Rows per kernel table, read with the engine's plain driver."""
    tables = [t._meta.tablename for t in registered_tables() if t._meta.tablename != "migration"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

    async def count() -> dict[str, int]:
        conn = await asyncpg.connect(url)
        try:
            return {t: await conn.fetchval(f'SELECT count(*) FROM "{t}"') for t in tables}
        finally:
            await conn.close()

    return asyncio.run(count())


def password_hash(url: str, email: str) -> str:
    sql = "SELECT password_hash FROM kernel_user WHERE email = "
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            value: str = conn.execute(sql + "?", (email,)).fetchone()[0]
            return value

    async def fetch() -> str:
        conn = await asyncpg.connect(url)
        try:
            value: str = await conn.fetchval(sql + "$1", email)
            return value
        finally:
            await conn.close()

    return asyncio.run(fetch())


# --- migrate and check -----------------------------------------------------------------------


def test_migrate_twice_then_check(empty_database_url: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path, empty_database_url)

    unmigrated = alliance(env, "check", cwd=tmp_path)
    if empty_database_url.startswith("sqlite"):
        assert "does not exist" in unmigrated.stdout
    else:
        assert "FAIL  migrations" in unmigrated.stdout
    assert_one_line_error(unmigrated, "check(s) failed")

    first = alliance(env, "migrate", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "applied" in first.stdout and "migration(s) applied" in first.stdout
    second = alliance(env, "migrate", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "Nothing to apply" in second.stdout

    checked = alliance(env, "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["ok"] * 4, checked.stdout
    assert checked.stderr == ""


def test_check_reports_unreachable_database(tmp_path: Path) -> None:
    env = clean_env(tmp_path, "postgresql://postgres@127.0.0.1:1/nowhere")
    result = alliance(env, "check", cwd=tmp_path)
    assert "FAIL  database: database unreachable" in result.stdout
    assert "skip  migrations" in result.stdout
    assert_one_line_error(result, "database")


def test_migrate_on_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = clean_env(tmp_path, "postgresql://postgres:hunter2@127.0.0.1:1/nowhere")
    result = alliance(env, "migrate", cwd=tmp_path)
    assert_one_line_error(result, "database unreachable", "postgres:***@127.0.0.1:1")
    assert "hunter2" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "fragment"),
    [
        ("ALLIANCE_DATABASE_URL", "mysql://db/alliance", "ALLIANCE_DATABASE_URL"),
        ("ALLIANCE_DATABASE_URL", "sqlite://relative.db", "ALLIANCE_DATABASE_URL"),
        ("ALLIANCE_DB_POOL_SIZE", "0", "ALLIANCE_DB_POOL_SIZE"),
        ("ALLIANCE_MODE", "production", "ALLIANCE_SECRET_KEY"),
    ],
)
def test_bad_configuration_is_a_clear_error(
    tmp_path: Path, setting: str, value: str, fragment: str
) -> None:
    env = clean_env(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite'}", **{setting: value})
    for command in ("migrate", "demo"):
        assert_one_line_error(
            alliance(env, command, cwd=tmp_path), "invalid configuration", fragment
        )
    checked = alliance(env, "check", cwd=tmp_path)
    assert "FAIL  settings" in checked.stdout
    assert_one_line_error(checked, "settings")


def test_commands_refuse_an_unmigrated_database(empty_database_url: str, tmp_path: Path) -> None:
    if empty_database_url.startswith("sqlite"):
        # an existing but empty file (a missing one would be created by the engine)
        Path(empty_database_url.removeprefix("sqlite:///")).touch()
    env = clean_env(tmp_path, empty_database_url)
    result = alliance(
        env,
        "users",
        "create",
        "--email",
        "a@b.test",
        "--password-stdin",
        cwd=tmp_path,
        stdin="long enough passphrase\n",
    )
    assert_one_line_error(result, "alliance migrate")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    env = clean_env(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite'}")
    for args in ([], ["nope"], ["serve", "--port", "0"], ["members", "create", "--kind", "store"]):
        result = alliance(env, *args, cwd=tmp_path)
        assert result.returncode == 2, (args, result)
        assert "Traceback" not in result.stderr


# --- users, alliances, members ---------------------------------------------------------------


def test_users_create_and_duplicate(database_url: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path, database_url)
    password = "a long enough passphrase"
    created = alliance(
        env,
        "users",
        "create",
        "--email",
        "Ops@Example.test",
        "--password-stdin",
        "--platform-admin",
        cwd=tmp_path,
        stdin=password + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "ops@example.test" in created.stdout and "platform admin" in created.stdout
    assert verify_password(password_hash(database_url, "ops@example.test"), password).ok

    duplicate = alliance(
        env,
        "users",
        "create",
        "--email",
        "ops@example.test",
        "--password",
        "another long passphrase",
        cwd=tmp_path,
    )
    assert_one_line_error(duplicate, "already exists", "CONFLICT")

    weak = alliance(
        env, "users", "create", "--email", "w@example.test", "--password", "password1", cwd=tmp_path
    )
    assert_one_line_error(weak, "too common")

    no_password = alliance(env, "users", "create", "--email", "n@example.test", cwd=tmp_path)
    assert_one_line_error(no_password, "--password-stdin")

    nobody = alliance(env, "users", "create", "--password", "x" * 20, cwd=tmp_path)
    assert_one_line_error(nobody, "--email or --phone")


def test_alliances_and_members_create(database_url: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path, database_url)
    user = alliance(
        env,
        "users",
        "create",
        "--email",
        "owner@example.test",
        "--password",
        "a long enough passphrase",
        cwd=tmp_path,
    )
    assert user.returncode == 0, user.stderr
    made = alliance(
        env,
        "alliances",
        "create",
        "--slug",
        "east",
        "--name",
        "East",
        "--admin-email",
        "owner@example.test",
        cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    member = [
        "members",
        "create",
        "--alliance",
        "east",
        "--kind",
        "store",
        "--slug",
        "corner",
        "--name",
        "Corner Shop",
    ]
    first = alliance(env, *member, "--owner-email", "owner@example.test", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "corner" in first.stdout

    assert_one_line_error(alliance(env, *member, cwd=tmp_path), "CONFLICT")
    unknown = alliance(env, *member[:3], "nowhere", *member[4:], cwd=tmp_path)
    assert_one_line_error(unknown, "no alliance", "nowhere")
    stranger = alliance(
        env,
        *member[:7],
        "other",
        "--name",
        "Other",
        "--owner-email",
        "ghost@example.test",
        cwd=tmp_path,
    )
    assert_one_line_error(stranger, "ghost@example.test")
    counts = count_rows(database_url)
    assert counts["kernel_member"] == 1
    assert counts["kernel_membership"] == 1
    assert counts["kernel_alliance_admin"] == 1


# --- demo ------------------------------------------------------------------------------------


def test_demo_is_idempotent(database_url: str, tmp_path: Path) -> None:
    env = clean_env(tmp_path, database_url)
    first = alliance(env, "demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "admin@demo.alliance" in first.stdout and DEMO_PASSWORD in first.stdout
    after_first = count_rows(database_url)
    assert after_first["kernel_alliance"] == 1
    assert after_first["kernel_community"] == 6
    assert after_first["kernel_member"] == 9
    assert after_first["kernel_resident"] >= 3
    assert after_first["kernel_member_community"] >= 6 + 3  # the warehouse serves all six

    second = alliance(env, "demo", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already loaded" in second.stdout
    assert "admin@demo.alliance" in second.stdout
    assert count_rows(database_url) == after_first

    assert verify_password(password_hash(database_url, "admin@demo.alliance"), DEMO_PASSWORD).ok
