"""The audit log: append-only and hash-chained (filled in by the audit work).

CONTRACT (callers rely on it): ``append`` is called INSIDE the caller's ``kernel.db.write()``
transaction, so the entry commits or rolls back with the change it records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kernel.identity.principal import Principal

__all__ = ["append"]


async def append(
    kernel: Any,
    *,
    actor: Principal | None,
    action: str,
    member_id: int | None = None,
    subject: str = "",
    details: Mapping[str, Any] | None = None,
    grant_id: int | None = None,
) -> None:
    """Append one entry. ``action`` is namespaced (``consent.read``, ``kernel.members.create``);
    ``grant_id`` names the consent grant a cross-member read relied on."""
