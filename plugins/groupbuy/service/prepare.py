"""Everything about a join that can be decided before its transaction: the cart and the
seller, concurrently with other joins (:func:`prepare_join`); then, for a whole batch with
one lookup, where each buyer lives, who gets credit, the pickup point and the member
discount (:func:`settle_joins`). The batch transaction only does what must be serialised."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from alliance_sdk import AllianceError, Attribution, BadUserInput, decide, neighbourhoods
from plugins.groupbuy.errors import NotInCommunity
from plugins.groupbuy.service.common import seller_of_campaign

__all__ = ["MAX_LINES", "JoinRequest", "prepare_join", "settle_joins"]

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
    # Settled with the batch (settle_joins):
    attribution: Attribution = dataclasses.field(default_factory=lambda: Attribution(reason="none"))
    pickup_member: int | None = None
    discount_bps: int = 0

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
    return JoinRequest(
        seller=seller,
        campaign_id=campaign_id,
        community_id=community_id,
        buyer=buyer,
        lines=cart,
        idempotency_key=key,
        referral_code=referral_code or None,
        invite_code=invite_code or None,
    )


async def settle_joins(
    kernel: Any, requests: list[JoinRequest], memo: dict[str, Any]
) -> list[JoinRequest | AllianceError]:
    """Each join with its buyer's standing in the community settled (attribution, pickup
    point, member discount), or its refusal (NOT_IN_COMMUNITY): one query for the whole
    batch (residences and serving members), then the seller's plugins' answers."""
    around = await neighbourhoods(kernel, [(r.buyer, r.community_id) for r in requests])
    settled: list[JoinRequest | AllianceError] = []
    for request in requests:
        place = around[(request.buyer, request.community_id)]
        if not place.residences:
            settled.append(NotInCommunity("you are not a registered resident of this community"))
            continue
        try:
            settled.append(await _settle(kernel, request, place.residences, place.serving, memo))
        except AllianceError as refusal:
            settled.append(refusal)
    return settled


async def _settle(
    kernel: Any,
    request: JoinRequest,
    homes: list[Any],
    serving: list[Any],
    memo: dict[str, Any],
) -> JoinRequest:
    seller, buyer = request.seller, request.buyer
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
        community_id=request.community_id,
        leaders=leaders,
        referral_code=request.referral_code,
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
    return dataclasses.replace(
        request, attribution=attribution, pickup_member=pickup, discount_bps=discount
    )
