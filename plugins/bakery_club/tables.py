"""The club's tables: every row belongs to one bakery (``scoped(Table, member_id)``).

Residents are kernel users (``user`` columns). Composite unique keys are declared with
``unique_together`` and created by the second migration (``CREATE UNIQUE INDEX``, which
SQLite and PostgreSQL both run). Counters kept on parent rows (``seats_taken``,
``allocated``, ``points_balance``) are changed only in the transaction that writes the rows
they count, and only by conditional updates.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    LazyTableReference,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)

from alliance_sdk import MemberScopedTable, member_column

__all__ = [
    "BakeryClubAmbassador",
    "BakeryClubClub",
    "BakeryClubEvent",
    "BakeryClubMembership",
    "BakeryClubPointsEntry",
    "BakeryClubPost",
    "BakeryClubPostLike",
    "BakeryClubRedemption",
    "BakeryClubReferral",
    "BakeryClubRegistration",
    "BakeryClubReward",
    "BakeryClubSampleBatch",
    "BakeryClubSampleClaim",
    "BakeryClubTier",
]


def user_column() -> ForeignKey[Any]:
    """A resident (kernel user); their club rows go with their account."""
    return ForeignKey(
        LazyTableReference("User", module_path="kernel.identity.tables"),
        on_delete=OnDelete.cascade,
        index=True,
        null=False,
    )


class BakeryClubClub(MemberScopedTable, tablename="bakery_club_club"):
    """The bakery's club: one row per bakery, mirrors its plugin configuration."""

    id = Serial(primary_key=True)
    member = member_column()
    name = Varchar(length=200)
    points_per_post = Integer(default=10)
    referral_link_template = Varchar(length=300)
    created_at = Timestamptz()

    unique_together = (("member",),)


class BakeryClubTier(MemberScopedTable, tablename="bakery_club_tier"):
    """A membership tier: its discount (basis points) and the points that reach it."""

    id = Serial(primary_key=True)
    member = member_column()
    name = Varchar(length=80)
    discount_bp = Integer(default=0)
    min_points = Integer(default=0)
    created_at = Timestamptz()

    unique_together = (("member", "name"),)


class BakeryClubMembership(MemberScopedTable, tablename="bakery_club_membership"):
    """A resident in the club (``status`` active or left) with their points balance."""

    id = Serial(primary_key=True)
    member = member_column()
    user = user_column()
    tier = ForeignKey(BakeryClubTier, on_delete=OnDelete.set_null, null=True, default=None)
    status = Varchar(length=16, default="active")
    joined_at = Timestamptz()
    left_at = Timestamptz(null=True, default=None)
    points_balance = Integer(default=0)
    points_earned = Integer(default=0)

    unique_together = (("member", "user"),)


class BakeryClubAmbassador(MemberScopedTable, tablename="bakery_club_ambassador"):
    """A club member promoted to ambassador, with a personal referral code."""

    id = Serial(primary_key=True)
    member = member_column()
    user = user_column()
    code = Varchar(length=16)
    promoted_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)

    unique_together = (("member", "user"), ("member", "code"))


class BakeryClubReferral(MemberScopedTable, tablename="bakery_club_referral"):
    """An order that came with an ambassador's code (from ``groupbuy``'s events)."""

    id = Serial(primary_key=True)
    member = member_column()
    ambassador = ForeignKey(BakeryClubAmbassador, on_delete=OnDelete.cascade, index=True)
    order_ref = Varchar(length=64)
    buyer_user_id = Integer()
    total_fen = Integer(default=0)
    status = Varchar(length=16, default="placed")
    placed_at = Timestamptz()
    picked_up_at = Timestamptz(null=True, default=None)

    unique_together = (("member", "order_ref"),)


class BakeryClubEvent(MemberScopedTable, tablename="bakery_club_event"):
    """A tasting or a workshop at the store: seats, and how many are taken."""

    id = Serial(primary_key=True)
    member = member_column()
    kind = Varchar(length=16)
    title = Varchar(length=200)
    description = Text(default="")
    place = Varchar(length=200)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    seats = Integer()
    seats_taken = Integer(default=0)
    created_at = Timestamptz()


class BakeryClubRegistration(MemberScopedTable, tablename="bakery_club_registration"):
    """One resident's place at an event: registered (a seat), waitlisted or cancelled."""

    id = Serial(primary_key=True)
    member = member_column()
    event = ForeignKey(BakeryClubEvent, on_delete=OnDelete.cascade, index=True, null=False)
    user = user_column()
    status = Varchar(length=16)
    registered_at = Timestamptz()
    promoted_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)

    unique_together = (("event", "user"),)


class BakeryClubSampleBatch(MemberScopedTable, tablename="bakery_club_sample_batch"):
    """A limited batch of free samples, allocated first-come or by lottery."""

    id = Serial(primary_key=True)
    member = member_column()
    product = Varchar(length=200)
    quantity = Integer()
    allocated = Integer(default=0)
    method = Varchar(length=16)
    status = Varchar(length=16, default="open")
    created_at = Timestamptz()


class BakeryClubSampleClaim(MemberScopedTable, tablename="bakery_club_sample_claim"):
    """A member's claim on a batch: allocated, entered (lottery) or not_selected."""

    id = Serial(primary_key=True)
    member = member_column()
    batch = ForeignKey(BakeryClubSampleBatch, on_delete=OnDelete.cascade, index=True, null=False)
    user = user_column()
    status = Varchar(length=16)
    created_at = Timestamptz()

    unique_together = (("batch", "user"),)


class BakeryClubPost(MemberScopedTable, tablename="bakery_club_post"):
    """A member's photo or recipe; the bakery approves or rejects it."""

    id = Serial(primary_key=True)
    member = member_column()
    author = user_column()
    kind = Varchar(length=16)
    title = Varchar(length=200)
    body = Text(default="")
    photo_urls = Text(default="[]")  # a JSON list of URLs
    status = Varchar(length=16, default="pending")
    submitted_at = Timestamptz()
    moderated_at = Timestamptz(null=True, default=None)
    reject_reason = Varchar(length=300, default="")
    likes = Integer(default=0)


class BakeryClubPostLike(MemberScopedTable, tablename="bakery_club_post_like"):
    """One member's like of an approved post."""

    id = Serial(primary_key=True)
    member = member_column()
    post = ForeignKey(BakeryClubPost, on_delete=OnDelete.cascade, index=True, null=False)
    user = user_column()
    created_at = Timestamptz()

    unique_together = (("post", "user"),)


class BakeryClubPointsEntry(MemberScopedTable, tablename="bakery_club_points_entry"):
    """An immutable ledger line: points earned (positive) or spent (negative)."""

    id = Serial(primary_key=True)
    member = member_column()
    user = user_column()
    delta = Integer()
    reason = Varchar(length=32)
    reference = Varchar(length=64, default="")
    balance_after = Integer()
    created_at = Timestamptz()


class BakeryClubReward(MemberScopedTable, tablename="bakery_club_reward"):
    """A reward members redeem points for; ``stock`` None means unlimited."""

    id = Serial(primary_key=True)
    member = member_column()
    name = Varchar(length=200)
    cost_points = Integer()
    stock = Integer(null=True, default=None)
    redeemed = Integer(default=0)
    active = Boolean(default=True)
    created_at = Timestamptz()


class BakeryClubRedemption(MemberScopedTable, tablename="bakery_club_redemption"):
    """A reward redeemed: the voucher code shown at the counter."""

    id = Serial(primary_key=True)
    member = member_column()
    reward = ForeignKey(BakeryClubReward, on_delete=OnDelete.cascade, index=True, null=False)
    user = user_column()
    points = Integer()
    code = Varchar(length=16)
    created_at = Timestamptz()
