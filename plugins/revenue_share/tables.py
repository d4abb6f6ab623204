"""The plugin's tables, ``revenue_share_*``. Every row belongs to the *paying* member (the
store, bakery or brand whose books they are), so ``member`` is the payer; the leader or
ambassador a row concerns is ``party_kind``/``party_id`` (or ``leader_member_id``).

The ledger (entries, postings), payouts and settled statements are append-only: a migration
adds triggers refusing UPDATE and DELETE on both engines. Corrections are new entries.
"""

from __future__ import annotations

from piccolo.columns import JSON, BigInt, Integer, Serial, Timestamptz, Varchar

from alliance_sdk import MemberScopedTable, member_column

__all__ = [
    "APPEND_ONLY",
    "RevenueShareEntry",
    "RevenueShareOrder",
    "RevenueSharePayout",
    "RevenueSharePosting",
    "RevenueShareReferralCode",
    "RevenueShareRule",
    "RevenueShareSettings",
    "RevenueShareSettlement",
    "RevenueShareStatement",
]


class RevenueShareSettings(MemberScopedTable, tablename="revenue_share_settings"):
    """The member's plugin configuration, mirrored from ``on_plugin_enabled/configured``."""

    id = Serial(primary_key=True)
    member = member_column()
    settlement_period = Varchar(length=10, default="monthly")
    rounding = Varchar(length=12, default="half_even")
    freeze_days = Integer(default=7)
    updated_at = Timestamptz()

    unique_together = (("member",),)


class RevenueShareRule(MemberScopedTable, tablename="revenue_share_rule"):
    """One version of a payer's commission rules, in force from ``effective_from`` until the
    next version. Never updated: a change is a new version."""

    id = Serial(primary_key=True)
    member = member_column()
    effective_from = Timestamptz()
    default_rate_bp = Integer()
    ambassador_rate_bp = Integer(default=0)
    category_rates = JSON(default={})  # {"dairy": 800}
    sku_rates = JSON(default={})  # {"MILK-1L": 1000}
    tiers = JSON(default=[])  # [[min_gmv_fen, rate_bp], ...] ascending
    created_at = Timestamptz()
    created_by = Integer(null=True, default=None)

    unique_together = (("member", "effective_from"),)


class RevenueShareReferralCode(MemberScopedTable, tablename="revenue_share_referral_code"):
    """A payer's referral code: orders that come with it are credited to its leader and/or
    ambassador (``attribute_order``)."""

    id = Serial(primary_key=True)
    member = member_column()
    code = Varchar(length=40)
    leader_member_id = Integer(null=True, default=None)
    ambassador_user_id = Integer(null=True, default=None)
    created_at = Timestamptz()

    unique_together = (("member", "code"),)


class RevenueShareOrder(MemberScopedTable, tablename="revenue_share_order"):
    """A picked-up order the payer owes commission on: its one attribution (with the reason)
    and what was computed. ``refunded_fen`` follows the refunds (a projection, not ledger)."""

    id = Serial(primary_key=True)
    member = member_column()
    order_id = BigInt()
    order_ref = Varchar(length=64)
    buyer_user_id = Integer()
    community_id = Integer()
    leader_member_id = Integer(null=True, default=None, index=True)
    ambassador_user_id = Integer(null=True, default=None)
    attribution_reason = Varchar(length=40)
    referral_code = Varchar(length=40, null=True, default=None)
    total_fen = BigInt()
    refunded_fen = BigInt(default=0)
    commission_fen = BigInt(default=0)
    ambassador_commission_fen = BigInt(default=0)
    rule_id = Integer(null=True, default=None)
    rates = JSON(default={})  # how the commission was computed (per line rate_bp, tier)
    picked_up_at = Timestamptz()
    recorded_at = Timestamptz(index=True)

    unique_together = (("member", "order_ref"),)


class RevenueShareEntry(MemberScopedTable, tablename="revenue_share_entry"):
    """A journal entry: ``kind`` accrual / reversal / release / payout, for one party, with
    balanced postings. ``entry_key`` makes it idempotent (one accrual per order and party...)."""

    id = Serial(primary_key=True)
    member = member_column()
    kind = Varchar(length=12)
    entry_key = Varchar(length=160)
    order_ref = Varchar(length=64, null=True, default=None, index=True)
    party_kind = Varchar(length=12)
    party_id = Integer()
    amount_fen = BigInt()
    release_at = Timestamptz(null=True, default=None, index=True)
    booked_at = Timestamptz()

    unique_together = (("member", "entry_key"),)


class RevenueSharePosting(MemberScopedTable, tablename="revenue_share_posting"):
    """One leg of an entry: ``amount_fen`` debits (> 0) or credits (< 0) ``account`` of the
    party (``expense`` is the payer's cost; ``frozen``, ``available``, ``paid`` what the party
    is owed or was paid). ``kind`` and ``booked_at`` repeat the entry's for set-based sums."""

    id = Serial(primary_key=True)
    member = member_column()
    entry_id = Integer(index=True)
    kind = Varchar(length=12)
    party_kind = Varchar(length=12)
    party_id = Integer()
    account = Varchar(length=12)
    amount_fen = BigInt()
    order_ref = Varchar(length=64, null=True, default=None)
    booked_at = Timestamptz()


class RevenueSharePayout(MemberScopedTable, tablename="revenue_share_payout"):
    """A payout the payer recorded, under its idempotency key."""

    id = Serial(primary_key=True)
    member = member_column()
    idempotency_key = Varchar(length=100)
    fingerprint = Varchar(length=64)
    party_kind = Varchar(length=12)
    party_id = Integer()
    amount_fen = BigInt()
    period = Varchar(length=10, null=True, default=None)
    reference = Varchar(length=100, default="")
    entry_id = Integer()
    created_at = Timestamptz()
    created_by = Integer(null=True, default=None)

    unique_together = (("member", "idempotency_key"),)


class RevenueShareSettlement(MemberScopedTable, tablename="revenue_share_settlement"):
    """A settled period of one payer: the payer's statement (totals over its parties)."""

    id = Serial(primary_key=True)
    member = member_column()
    period = Varchar(length=10)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    settled_at = Timestamptz()
    parties = Integer()
    gmv_fen = BigInt()
    orders = Integer()
    households = Integer()
    repeat_households = Integer()
    accrued_fen = BigInt()
    reversed_fen = BigInt()
    released_fen = BigInt()
    paid_fen = BigInt()
    frozen_fen = BigInt()
    available_fen = BigInt()
    paid_total_fen = BigInt()

    unique_together = (("member", "period"),)


class RevenueShareStatement(MemberScopedTable, tablename="revenue_share_statement"):
    """One party's statement for a settled period of one payer."""

    id = Serial(primary_key=True)
    member = member_column()
    settlement_id = Integer(index=True)
    period = Varchar(length=10)
    party_kind = Varchar(length=12)
    party_id = Integer()
    gmv_fen = BigInt()
    orders = Integer()
    households = Integer()
    repeat_households = Integer()
    accrued_fen = BigInt()
    reversed_fen = BigInt()
    released_fen = BigInt()
    paid_fen = BigInt()
    frozen_fen = BigInt()
    available_fen = BigInt()
    paid_total_fen = BigInt()

    unique_together = (("member", "period", "party_kind", "party_id"),)


# Tables whose rows the database refuses to UPDATE or DELETE.
APPEND_ONLY = (
    RevenueShareEntry,
    RevenueSharePosting,
    RevenueSharePayout,
    RevenueShareSettlement,
    RevenueShareStatement,
)
