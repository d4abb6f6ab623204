"""Referral codes and the ``attribute_order`` decision.

An order that comes with one of the selling member's referral codes is credited to the
code's leader and/or ambassador (reason ``referral_code``); a code naming only an ambassador
keeps the buyer's own leader above them (the second level). Any other order is left to the
kernel's fallback: the leader of the buyer's community (``community_leader``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from alliance_sdk import Attribution, BadUserInput, Conflict, scoped
from plugins.revenue_share.tables import RevenueShareReferralCode

__all__ = ["attribute", "create_referral_code", "list_referral_codes"]

_CODE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")
_COLUMNS = (
    RevenueShareReferralCode.id,
    RevenueShareReferralCode.code,
    RevenueShareReferralCode.leader_member_id,
    RevenueShareReferralCode.ambassador_user_id,
    RevenueShareReferralCode.created_at,
)


async def create_referral_code(
    kernel: Any,
    payer_id: int,
    *,
    code: str,
    leader_member_id: int | None,
    ambassador_user_id: int | None,
) -> dict[str, Any]:
    """A referral code of the payer for a leader and/or an ambassador."""
    errors: dict[str, str] = {}
    if not _CODE.match(code):
        errors["code"] = "3 to 40 letters, digits, '-' or '_'"
    if leader_member_id is None and ambassador_user_id is None:
        errors["leader_member_id"] = "name a leader, an ambassador or both"
    if errors:
        raise BadUserInput("invalid referral code", field_errors=errors)
    table = scoped(RevenueShareReferralCode, payer_id)
    async with kernel.db.write():
        if await table.exists().where(RevenueShareReferralCode.code == code):
            raise Conflict("this referral code exists already")
        await table.insert(
            RevenueShareReferralCode(
                member=payer_id,
                code=code,
                leader_member_id=leader_member_id,
                ambassador_user_id=ambassador_user_id,
                created_at=kernel.clock(),
            )
        )
        row = await table.select(*_COLUMNS).where(RevenueShareReferralCode.code == code).first()
    return dict(row)


async def list_referral_codes(payer_id: int) -> list[dict[str, Any]]:
    rows = await (
        scoped(RevenueShareReferralCode, payer_id)
        .select(*_COLUMNS)
        .order_by(RevenueShareReferralCode.code)
    )
    return [dict(row) for row in rows]


async def attribute(
    member_id: int, leaders: Sequence[int], referral_code: str | None
) -> Attribution | None:
    """The attribution of an order of ``member_id`` that came with ``referral_code``."""
    if not referral_code:
        return None
    row = await (
        scoped(RevenueShareReferralCode, member_id)
        .select(*_COLUMNS)
        .where(RevenueShareReferralCode.code == referral_code)
        .first()
    )
    if row is None:
        return None
    leader = row["leader_member_id"]
    if leader is None and leaders:
        leader = leaders[0]
    return Attribution(
        reason="referral_code",
        leader_member_id=leader,
        ambassador_user_id=row["ambassador_user_id"],
        source="revenue_share",
    )
