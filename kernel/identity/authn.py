"""Authenticating a request from its ``Authorization`` header (filled in by identity)."""

from __future__ import annotations

from typing import Any

from kernel.identity.principal import Principal

__all__ = ["authenticate"]


async def authenticate(kernel: Any, authorization: str | None) -> Principal | None:
    return None
