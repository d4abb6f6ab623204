"""Recognising database errors alike on both engines."""

from __future__ import annotations

import sqlite3

import asyncpg

__all__ = ["is_unique_violation"]


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique-key violation (typically a lost insert race), on SQLite
    or PostgreSQL."""
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    return isinstance(exc, asyncpg.UniqueViolationError)
