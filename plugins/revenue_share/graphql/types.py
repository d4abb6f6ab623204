"""GraphQL types of the plugin (names prefixed ``RevenueShare``). Money is integer fen (Int)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry

from alliance_sdk import decode_id, encode_id
from plugins.revenue_share.ledger import Party
from plugins.revenue_share.statements import Figures

__all__ = [
    "TYPES",
    "Fen",
    "RevenueShareFigures",
    "RevenueShareLeaderDashboard",
    "RevenueShareOrder",
    "RevenueSharePartyFigures",
    "RevenueSharePartyKind",
    "RevenueSharePayerFigures",
    "RevenueSharePayout",
    "RevenueShareRateInput",
    "RevenueShareReferralCode",
    "RevenueShareRule",
    "RevenueShareRuleInput",
    "RevenueShareSettlement",
    "RevenueShareTierInput",
    "party_of",
]

# SDK-GAP: a 64-bit money scalar. strawberry deprecates strawberry.scalar() on a class in
# favour of the schema's scalar_map, which only the kernel builds; GraphQL's Int stops at
# 2^31 - 1 fen (about 21.47 million yuan), plenty per leader and period.
Fen = int


@strawberry.enum(name="RevenueSharePartyKind")
class RevenueSharePartyKind(enum.Enum):
    LEADER = "leader"
    AMBASSADOR = "ambassador"


def _party_gid(kind: str, pk: int) -> strawberry.ID:
    return encode_id("Member" if kind == "leader" else "User", pk)


def party_of(kind: RevenueSharePartyKind, party_id: strawberry.ID) -> Party:
    """A party from its GraphQL kind and ID (a Member for leaders, a User for ambassadors)."""
    type_name = "Member" if kind is RevenueSharePartyKind.LEADER else "User"
    return Party(kind.value, decode_id(type_name, party_id))


@strawberry.type(name="RevenueShareFigures")
class RevenueShareFigures:
    """Figures of one period: movements within it, balances at its end (or now)."""

    gmv_fen: Fen
    orders: int
    households: int
    repurchase_rate_bp: int = strawberry.field(
        description="Households with 2+ orders in the period, in basis points of all."
    )
    accrued_fen: Fen
    reversed_fen: Fen
    released_fen: Fen
    paid_fen: Fen
    frozen_fen: Fen
    available_fen: Fen
    paid_total_fen: Fen
    owed_fen: Fen = strawberry.field(description="frozen + available")

    @classmethod
    def of(cls, f: Figures) -> RevenueShareFigures:
        return cls(
            gmv_fen=f.gmv_fen,
            orders=f.orders,
            households=f.households,
            repurchase_rate_bp=f.repurchase_rate_bp,
            accrued_fen=f.accrued_fen,
            reversed_fen=f.reversed_fen,
            released_fen=f.released_fen,
            paid_fen=f.paid_fen,
            frozen_fen=f.frozen_fen,
            available_fen=f.available_fen,
            paid_total_fen=f.paid_total_fen,
            owed_fen=f.frozen_fen + f.available_fen,
        )

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> RevenueShareFigures:
        names: tuple[str, ...] = ("gmv_fen", "orders", "households", "repeat_households")
        names += ("accrued_fen",)
        names += ("reversed_fen", "released_fen", "paid_fen", "frozen_fen", "available_fen")
        values: dict[str, Any] = {n: int(row[n]) for n in (*names, "paid_total_fen")}
        return cls.of(Figures(**values))


@strawberry.type(name="RevenueSharePartyFigures")
class RevenueSharePartyFigures:
    """A leader's or ambassador's figures in a payer's books."""

    party_kind: RevenueSharePartyKind
    party_id: strawberry.ID
    figures: RevenueShareFigures

    @classmethod
    def of(cls, kind: str, pk: int, figures: RevenueShareFigures) -> RevenueSharePartyFigures:
        return cls(
            party_kind=RevenueSharePartyKind(kind),
            party_id=_party_gid(kind, pk),
            figures=figures,
        )


@strawberry.type(name="RevenueSharePayerFigures")
class RevenueSharePayerFigures:
    """A leader's figures with one payer."""

    payer_member_id: strawberry.ID
    order_details_visible: bool = strawberry.field(
        description="The payer's live orders:read grant (purpose revenue-share) lets the "
        "leader list these orders (revenueShareLeaderOrders)."
    )
    figures: RevenueShareFigures


@strawberry.type(name="RevenueShareLeaderDashboard")
class RevenueShareLeaderDashboard:
    period: str
    payers: list[RevenueSharePayerFigures]
    totals: RevenueShareFigures


@strawberry.type(name="RevenueShareTier")
class RevenueShareTier:
    min_gmv_fen: Fen
    rate_bp: int


@strawberry.type(name="RevenueShareRate")
class RevenueShareRate:
    key: str
    rate_bp: int


@strawberry.type(name="RevenueShareRule")
class RevenueShareRule:
    """One version of a payer's commission rules."""

    id: strawberry.ID
    effective_from: dt.datetime
    default_rate_bp: int
    ambassador_rate_bp: int
    category_rates: list[RevenueShareRate]
    sku_rates: list[RevenueShareRate]
    tiers: list[RevenueShareTier]

    @classmethod
    def of(cls, row: dict[str, Any]) -> RevenueShareRule:
        return cls(
            id=encode_id("RevenueShareRule", row["id"]),
            effective_from=row["effective_from"],
            default_rate_bp=row["default_rate_bp"],
            ambassador_rate_bp=row["ambassador_rate_bp"],
            category_rates=[
                RevenueShareRate(key=k, rate_bp=v) for k, v in sorted(row["category_rates"].items())
            ],
            sku_rates=[
                RevenueShareRate(key=k, rate_bp=v) for k, v in sorted(row["sku_rates"].items())
            ],
            tiers=[RevenueShareTier(min_gmv_fen=m, rate_bp=r) for m, r in row["tiers"]],
        )


@strawberry.input(name="RevenueShareRateInput")
class RevenueShareRateInput:
    key: str
    rate_bp: int


@strawberry.input(name="RevenueShareTierInput")
class RevenueShareTierInput:
    min_gmv_fen: Fen
    rate_bp: int


@strawberry.input(name="RevenueShareRuleInput")
class RevenueShareRuleInput:
    default_rate_bp: int
    ambassador_rate_bp: int = 0
    category_rates: list[RevenueShareRateInput] = strawberry.field(default_factory=list)
    sku_rates: list[RevenueShareRateInput] = strawberry.field(default_factory=list)
    tiers: list[RevenueShareTierInput] = strawberry.field(default_factory=list)
    effective_from: dt.datetime | None = None


@strawberry.type(name="RevenueShareReferralCode")
class RevenueShareReferralCode:
    code: str
    leader_member_id: strawberry.ID | None
    ambassador_user_id: strawberry.ID | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> RevenueShareReferralCode:
        leader, ambassador = row["leader_member_id"], row["ambassador_user_id"]
        return cls(
            code=row["code"],
            leader_member_id=encode_id("Member", leader) if leader is not None else None,
            ambassador_user_id=encode_id("User", ambassador) if ambassador is not None else None,
        )


@strawberry.type(name="RevenueShareOrder")
class RevenueShareOrder:
    """An order a leader brought (shown under the payer's grant)."""

    payer_member_id: strawberry.ID
    order_ref: str
    community_id: strawberry.ID
    attribution_reason: str
    total_fen: Fen
    refunded_fen: Fen
    commission_fen: Fen
    picked_up_at: dt.datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> RevenueShareOrder:
        picked = row["picked_up_at"]
        if isinstance(picked, str):
            picked = dt.datetime.fromisoformat(picked)
        return cls(
            payer_member_id=encode_id("Member", row["member"]),
            order_ref=row["order_ref"],
            community_id=encode_id("Community", row["community_id"]),
            attribution_reason=row["attribution_reason"],
            total_fen=int(row["total_fen"]),
            refunded_fen=int(row["refunded_fen"]),
            commission_fen=int(row["commission_fen"]),
            picked_up_at=picked,
        )


@strawberry.type(name="RevenueShareStatement")
class RevenueShareStatement:
    """One party's statement of a settled period."""

    payer_member_id: strawberry.ID
    period: str
    party_kind: RevenueSharePartyKind
    party_id: strawberry.ID
    figures: RevenueShareFigures

    @classmethod
    def of(cls, row: dict[str, Any]) -> RevenueShareStatement:
        return cls(
            payer_member_id=encode_id("Member", row["member"]),
            period=row["period"],
            party_kind=RevenueSharePartyKind(row["party_kind"]),
            party_id=_party_gid(row["party_kind"], int(row["party_id"])),
            figures=RevenueShareFigures.of_row(row),
        )


@strawberry.type(name="RevenueShareSettlement")
class RevenueShareSettlement:
    """A payer's settled period: its totals and one statement per party."""

    period: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    settled_at: dt.datetime
    parties: int
    totals: RevenueShareFigures
    statements: list[RevenueShareStatement]

    @classmethod
    def of(cls, row: dict[str, Any]) -> RevenueShareSettlement:
        return cls(
            period=row["period"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            settled_at=row["settled_at"],
            parties=row["parties"],
            totals=RevenueShareFigures.of_row(row),
            statements=[RevenueShareStatement.of(s) for s in row["statements"]],
        )


@strawberry.type(name="RevenueSharePayout")
class RevenueSharePayout:
    id: strawberry.ID
    idempotency_key: str
    party_kind: RevenueSharePartyKind
    party_id: strawberry.ID
    amount_fen: Fen
    period: str | None
    reference: str
    created_at: dt.datetime

    @classmethod
    def of(cls, row: dict[str, Any]) -> RevenueSharePayout:
        return cls(
            id=encode_id("RevenueSharePayout", row["id"]),
            idempotency_key=row["idempotency_key"],
            party_kind=RevenueSharePartyKind(row["party_kind"]),
            party_id=_party_gid(row["party_kind"], int(row["party_id"])),
            amount_fen=int(row["amount_fen"]),
            period=row["period"],
            reference=row["reference"],
            created_at=row["created_at"],
        )


TYPES: tuple[type, ...] = (
    RevenueShareFigures,
    RevenueSharePartyFigures,
    RevenueSharePayerFigures,
    RevenueShareLeaderDashboard,
    RevenueShareRule,
    RevenueShareReferralCode,
    RevenueShareOrder,
    RevenueShareStatement,
    RevenueShareSettlement,
    RevenueSharePayout,
)
