"""groupbuy's tables. Every row belongs to the selling member (``member``)."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)

from alliance_sdk import MemberScopedTable, member_column

__all__ = [
    "TABLES",
    "GroupbuyCampaign",
    "GroupbuyCampaignItem",
    "GroupbuyCommunityGroup",
    "GroupbuyInvite",
    "GroupbuyOrder",
    "GroupbuyOrderLine",
    "GroupbuyProduct",
    "GroupbuySku",
    "GroupbuySkuCommunity",
]


class GroupbuyProduct(MemberScopedTable, tablename="groupbuy_product"):
    id = Serial(primary_key=True)
    member = member_column()
    name = Varchar(length=200)
    category = Varchar(length=64, index=True)
    temperature_zone = Varchar(length=16, default="ambient")  # ambient / chilled / frozen
    shelf_life_days = Integer(default=0)
    image_urls = JSON(default=[])
    origin_story = Text(default="")
    created_at = Timestamptz()


class GroupbuySku(MemberScopedTable, tablename="groupbuy_sku"):
    """A stock-keeping unit; ``stock`` is the member's own store stock (a warehouse plugin
    may hold it instead, through ``reserve_stock``)."""

    id = Serial(primary_key=True)
    member = member_column()
    product = Integer(index=True)
    code = Varchar(length=64)
    name = Varchar(length=200)
    unit = Varchar(length=32, default="piece")
    price_fen = Integer()
    stock = Integer(default=0)
    sold = Integer(default=0)
    available_everywhere = Boolean(default=True)
    created_at = Timestamptz()

    unique_together = (("member", "code"),)


class GroupbuySkuCommunity(MemberScopedTable, tablename="groupbuy_sku_community"):
    """Where a SKU is offered when it is not offered everywhere."""

    id = Serial(primary_key=True)
    member = member_column()
    sku = Integer(index=True)
    community = Integer()

    unique_together = (("sku", "community"),)


class GroupbuyCampaign(MemberScopedTable, tablename="groupbuy_campaign"):
    id = Serial(primary_key=True)
    member = member_column()
    title = Varchar(length=200)
    livestream_url = Varchar(length=500, default="")
    starts_at = Timestamptz()
    deadline = Timestamptz(index=True)
    delivery_date = Date()
    min_group_size = Integer(default=1)
    per_resident_limit = Integer(default=0)  # units per resident per SKU; 0 = no limit
    invite_size = Integer(default=0)  # neighbours to invite for the discount; 0 = none
    invite_discount_bps = Integer(default=0)
    state = Varchar(length=16, default="scheduled", index=True)  # scheduled/open/closed
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()


class GroupbuyCampaignItem(MemberScopedTable, tablename="groupbuy_campaign_item"):
    """A SKU in a campaign: its campaign price and optional tiers
    (``[{"min_joined": 20, "price_fen": 1490}, ...]``)."""

    id = Serial(primary_key=True)
    member = member_column()
    campaign = Integer(index=True)
    sku = Integer()
    price_fen = Integer()
    tiers = JSON(default=[])

    unique_together = (("campaign", "sku"),)


class GroupbuyCommunityGroup(MemberScopedTable, tablename="groupbuy_community_group"):
    """A campaign's group in one community: forming -> formed | failed."""

    id = Serial(primary_key=True)
    member = member_column()
    campaign = Integer()
    community = Integer()
    joined = Integer(default=0)  # orders placed (one per household and join)
    needed = Integer(default=1)
    state = Varchar(length=16, default="forming")
    decided_at = Timestamptz(null=True, default=None)

    unique_together = (("campaign", "community"),)


class GroupbuyInvite(MemberScopedTable, tablename="groupbuy_invite"):
    id = Serial(primary_key=True)
    member = member_column()
    campaign = Integer(index=True)
    inviter = Integer()  # user id
    code = Varchar(length=32, unique=True)
    joined = Integer(default=0)
    unlocked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()

    unique_together = (("campaign", "inviter"),)


class GroupbuyOrder(MemberScopedTable, tablename="groupbuy_order"):
    id = Serial(primary_key=True)
    member = member_column()
    order_ref = Varchar(length=40, unique=True)  # "gb-...": what other plugins and events name
    campaign = Integer(index=True)
    community = Integer()
    buyer = Integer(index=True)  # user id
    idempotency_key = Varchar(length=100)
    request_hash = Varchar(length=64)
    state = Varchar(length=16, default="placed")  # placed/confirmed/cancelled/picked_up
    total_fen = Integer()
    discount_fen = Integer(default=0)
    refunded_fen = Integer(default=0)
    stock_source = Varchar(length=16, default="store")  # store / plugin
    pickup_member = Integer(null=True, default=None)
    pickup_code = Varchar(length=12)
    delivery_date = Date()
    leader_member = Integer(null=True, default=None)
    ambassador_user = Integer(null=True, default=None)
    attribution_reason = Varchar(length=40, default="none")
    referral_code = Varchar(length=64, null=True, default=None)
    invite = Integer(null=True, default=None)
    created_at = Timestamptz()
    picked_up_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    cancel_reason = Varchar(length=40, null=True, default=None)

    unique_together = (("member", "buyer", "idempotency_key"),)


class GroupbuyOrderLine(MemberScopedTable, tablename="groupbuy_order_line"):
    id = Serial(primary_key=True)
    member = member_column()
    order_id = Integer(index=True)
    campaign = Integer()
    sku = Integer()
    sku_code = Varchar(length=64)
    product_name = Varchar(length=200)
    category = Varchar(length=64)
    quantity = Integer()
    unit_price_fen = Integer()
    total_fen = Integer()


TABLES = (
    GroupbuyProduct,
    GroupbuySku,
    GroupbuySkuCommunity,
    GroupbuyCampaign,
    GroupbuyCampaignItem,
    GroupbuyCommunityGroup,
    GroupbuyInvite,
    GroupbuyOrder,
    GroupbuyOrderLine,
)
