"""Consent checks between members (filled in by the consent work).

CONTRACT: ``may_read`` answers whether member ``grantee`` may read member ``grantor``'s data
of ``scope`` for ``purpose`` right now; it returns the id of the live grant that allows it,
or None. A revocation committed by any process is in force on the next request.
"""

from __future__ import annotations

from typing import Any

__all__ = ["may_read"]


async def may_read(
    kernel: Any,
    *,
    grantee_member_id: int,
    grantor_member_id: int,
    scope: str,
    purpose: str,
    memo: dict[Any, Any] | None = None,
) -> int | None:
    return None
