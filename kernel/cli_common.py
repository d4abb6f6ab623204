"""Shared plumbing of the ``alliance`` command: settings, a running kernel, output, errors.

Expected failures (bad configuration, unreachable database, refusals from services) become a
:class:`CLIError`: one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Final
from urllib.parse import urlsplit, urlunsplit

from pydantic import ValidationError

if TYPE_CHECKING:
    from kernel.runtime import Kernel
    from kernel.settings import Settings

__all__ = [
    "CONNECT_TIMEOUT",
    "CLIError",
    "display_url",
    "ensure_migrated",
    "fail",
    "load_settings",
    "progress",
    "running_kernel",
    "sqlite_file",
]

# Seconds to wait for the database before calling it unreachable.
CONNECT_TIMEOUT: Final = 10.0


class CLIError(Exception):
    """An expected failure: its message is printed as one line, the exit status is 1."""


def progress(message: str) -> None:
    """A progress line on stdout, flushed at once (long steps stay visible)."""
    print(message, flush=True)


def display_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (safe to print)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _one_line(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        field = ".".join(str(part) for part in item["loc"])
        problems.append(f"ALLIANCE_{field.upper()}: {message}" if field else message)
    return "; ".join(problems)


def load_settings() -> Settings:
    """Settings from the environment, validated, with the database URL checked too."""
    from kernel.db.engines import engine_kind, sqlite_path
    from kernel.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        raise CLIError(f"invalid configuration: {_one_line(exc)}") from None
    url = settings.database_url
    try:
        if engine_kind(url) == "sqlite":
            sqlite_path(url)
        elif not urlsplit(url).hostname and "host=" not in url:
            raise ValueError(f"no host in {display_url(url)!r}")
    except ValueError as exc:
        raise CLIError(f"invalid configuration: ALLIANCE_DATABASE_URL: {exc}") from None
    return settings


def sqlite_file(settings: Settings) -> str | None:
    """The SQLite database file, or None on PostgreSQL."""
    from kernel.db.engines import engine_kind, sqlite_path

    if engine_kind(settings.database_url) != "sqlite":
        return None
    return str(sqlite_path(settings.database_url))


def _unreachable(settings: Settings, exc: BaseException) -> CLIError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return CLIError(f"database unreachable at {display_url(settings.database_url)}: {detail}")


@asynccontextmanager
async def running_kernel(settings: Settings) -> AsyncIterator[Kernel]:
    """A started :class:`~kernel.runtime.Kernel`, stopped on exit.

    Raises :class:`CLIError` when the database cannot be reached within
    :data:`CONNECT_TIMEOUT` seconds or the development secret cannot be stored.
    """
    import asyncpg

    from kernel.runtime import Kernel

    try:
        kernel = Kernel.from_settings(settings)
    except OSError as exc:  # the generated development secret could not be written
        raise CLIError(f"cannot prepare {settings.var_dir}: {exc}") from None
    try:
        await asyncio.wait_for(kernel.start(), CONNECT_TIMEOUT)
    except TimeoutError:
        timeout = TimeoutError(f"no connection after {CONNECT_TIMEOUT:g} s")
        raise _unreachable(settings, timeout) from None
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, sqlite3.Error) as exc:
        raise _unreachable(settings, exc) from None
    try:
        if not await kernel.db.ping():
            raise CLIError(
                f"database unreachable at {display_url(settings.database_url)}: no answer"
            )
        yield kernel
    finally:
        await kernel.stop()


async def ensure_migrated(kernel: Kernel) -> None:
    """Refuse to work on a database with unapplied migrations."""
    from kernel.db.migrate import pending_migrations

    pending = await pending_migrations()
    if pending:
        raise CLIError(
            f"the database is not migrated ({len(pending)} pending): run `alliance migrate` first"
        )


def fail(message: str) -> None:
    """Print ``message`` as the one error line on stderr."""
    print(f"alliance: error: {message}", file=sys.stderr, flush=True)
