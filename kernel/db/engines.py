"""Choosing and running the database engine from a URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from kernel.db.sqlite import PooledSQLiteEngine

__all__ = ["engine_kind", "make_engine", "sqlite_path"]


def engine_kind(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return "sqlite"
    if scheme in ("postgresql", "postgres"):
        return "postgres"
    raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:/// or postgresql://")


def sqlite_path(url: str) -> Path:
    """``sqlite:///var/a.sqlite`` is relative to the working directory; ``sqlite:////abs`` is
    absolute."""
    rest = url.removeprefix("sqlite://")
    if not rest.startswith("/") or rest == "/":
        raise ValueError(
            f"bad SQLite URL {url!r}: expected sqlite:///relative/path or sqlite:////abs"
        )
    return Path(rest[1:])


def make_engine(url: str, *, pool_size: int = 8) -> Engine:  # type: ignore[type-arg]
    if engine_kind(url) == "sqlite":
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(str(path), pool_size=min(pool_size, 8))
    return PostgresEngine(config={"dsn": url})
