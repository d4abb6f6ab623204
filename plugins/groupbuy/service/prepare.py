"""Everything about a join that can be decided before its transaction, concurrently with
other joins: who the buyer is and where they live, who gets credit, the pickup point, the
member discount. The batch transaction then only does what must be serialised."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from alliance_sdk import Attribution, BadUserInput, decide, neighbourhood
from plugins.groupbuy.errors import NotInCommunity
from plugins.groupbuy.service.common import seller_of_campaign

__all__ = ["MAX_LINES", "JoinRequest", "prepare_join"]

MAX_LINES = 5
MAX_QUANTITY = 999


@dataclass(frozen=True)
class JoinRequest:
    seller: int
    campaign_id: int
    community_id: int
    buyer: int
    lines: tuple[tuple[str, int], ...]  # (SKU code, quantity), by code
    idempotency_key: str
    referral_code: str | None
    invite_code: str | None
    attribution: Attribution
    pickup_member: int | None
    discount_bps: int

    @property
    def fingerprint(self) -> str:
        """What a replay with the same idempotency key must repeat exactly."""
        body = [
            self.campaign_id,
            self.community_id,
            self.lines,
            self.referral_code,
            self.invite_code,
        ]
        return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _lines(raw: list[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    if not 1 <= len(raw) <= MAX_LINES:
        raise BadUserInput(
            f"a cart holds 1 to {MAX_LINES} SKUs", field_errors={"lines": f"1 to {MAX_LINES}"}
        )
    codes = [code for code, _ in raw]
    if len(set(codes)) != len(codes):
        raise BadUserInput("each SKU once per cart", field_errors={"lines": "duplicate SKU"})
    for i, (_code, quantity) in enumerate(raw):
        if not 1 <= quantity <= MAX_QUANTITY:
            raise BadUserInput(
                "quantity out of range",
                field_errors={f"lines.{i}.quantity": f"1 to {MAX_QUANTITY}"},
            )
    return tuple(sorted(raw))


async def prepare_join(
    kernel: Any,
    *,
    buyer: int,
    campaign_id: int,
    community_id: int,
    lines: list[tuple[str, int]],
    idempotency_key: str,
    referral_code: str | None = None,
    invite_code: str | None = None,
    memo: dict[str, Any] | None = None,
) -> JoinRequest:
    key = idempotency_key.strip()
    if not 1 <= len(key) <= 100:
        raise BadUserInput(
            "an idempotency key is required", field_errors={"idempotencyKey": "1 to 100 characters"}
        )
    cart = _lines(lines)
    seller = await seller_of_campaign(kernel, campaign_id, memo)
    around = await neighbourhood(kernel, buyer, community_id)  # one query for both
    homes, serving = around.residences, around.serving
    if not homes:
        raise NotInCommunity("you are not a registered resident of this community")
    own_leader = homes[0].leader_member_id
    leaders = [m.member_id for m in serving if m.kind == "leader"]
    if own_leader is not None:
        leaders = [own_leader, *(m for m in leaders if m != own_leader)]
    attribution = await decide(
        kernel,
        "attribute_order",
        member_id=seller,
        memo=memo,
        buyer_user_id=buyer,
        community_id=community_id,
        leaders=leaders,
        referral_code=referral_code,
    )
    if not isinstance(attribution, Attribution):
        attribution = Attribution(reason="none")
    pickup = own_leader if own_leader is not None else (leaders[0] if leaders else None)
    if pickup is None:
        stores = [m.member_id for m in serving if m.kind == "store"]
        pickup = stores[0] if stores else seller
    bps = await decide(
        kernel, "groupbuy_member_discount", member_id=seller, memo=memo, buyer_user_id=buyer
    )
    discount = min(max(int(bps), 0), 10_000) if isinstance(bps, int) else 0
    return JoinRequest(
        seller=seller,
        campaign_id=campaign_id,
        community_id=community_id,
        buyer=buyer,
        lines=cart,
        idempotency_key=key,
        referral_code=referral_code or None,
        invite_code=invite_code or None,
        attribution=attribution,
        pickup_member=pickup,
        discount_bps=discount,
    )
