"""groupbuy's GraphQL types (names prefixed ``Groupbuy``)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from typing import Any

import strawberry

from alliance_sdk import encode_id
from plugins.groupbuy.service.campaigns import Progress

__all__ = [
    "TYPES",
    "GroupbuyCampaign",
    "GroupbuyCampaignItem",
    "GroupbuyOrder",
    "GroupbuyOrderLine",
    "GroupbuyPickupGroup",
    "GroupbuyProgress",
    "GroupbuySku",
    "json_list",
]


@functools.lru_cache(maxsize=1024)
def _decoded(text: str) -> tuple[Any, ...]:
    return tuple(json.loads(text))


def json_list(value: Any) -> list[Any]:
    """A JSON array column's value as a new list. SQLite and asyncpg hand the column back as
    text: each distinct text is decoded once and remembered (a catalogue repeats a few tier
    tables and image lists over its SKUs; the items are shared, so read them, never change
    them); piccolo's own reads give lists."""
    if isinstance(value, str):
        return list(_decoded(value))
    return list(value or [])


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


@strawberry.type
class GroupbuyProgress:
    """A community's group: "25 neighbours joined, 5 to go"."""

    joined: int
    needed: int
    formed: bool
    state: str
    to_go: int

    @classmethod
    def of(cls, progress: Progress) -> GroupbuyProgress:
        return cls(
            joined=progress.joined,
            needed=progress.needed,
            formed=progress.formed,
            state=progress.state,
            to_go=max(progress.needed - progress.joined, 0),
        )


@strawberry.type
class GroupbuySku:
    id: strawberry.ID
    code: str
    name: str
    unit: str
    price_fen: int
    stock: int
    sold: int
    product_name: str
    category: str
    temperature_zone: str
    shelf_life_days: int
    image_urls: list[str]
    origin_story: str

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> GroupbuySku:
        return cls(
            id=encode_id("GroupbuySku", row["id"]),
            code=row["code"],
            name=row["name"],
            unit=row["unit"],
            price_fen=int(row["price_fen"]),
            stock=int(row["stock"]),
            sold=int(row["sold"]),
            product_name=row["product_name"],
            category=row["category"],
            temperature_zone=row["temperature_zone"],
            shelf_life_days=int(row["shelf_life_days"]),
            image_urls=json_list(row.get("image_urls")),
            origin_story=row["origin_story"],
        )


@strawberry.type
class GroupbuyCampaignItem:
    sku: GroupbuySku
    price_fen: int
    current_price_fen: int = strawberry.field(
        description="The price at the progress of the community asked about (tiers applied)."
    )


@strawberry.type
class GroupbuyCampaign:
    id: strawberry.ID
    member_id: strawberry.ID
    title: str
    livestream_url: str
    starts_at: dt.datetime
    deadline: dt.datetime
    delivery_date: dt.date
    min_group_size: int
    per_resident_limit: int
    invite_size: int
    invite_discount_bps: int
    state: str
    items: list[GroupbuyCampaignItem]
    progress: GroupbuyProgress | None = strawberry.field(
        description="The group of the community asked about (``communityId``), if any."
    )


@strawberry.type
class GroupbuyOrderLine:
    sku_code: str
    product_name: str
    category: str
    quantity: int
    unit_price_fen: int
    total_fen: int


@strawberry.type
class GroupbuyOrder:
    id: strawberry.ID
    ref: str
    seller_id: strawberry.ID
    campaign_id: strawberry.ID
    community_id: strawberry.ID
    state: str
    total_fen: int
    discount_fen: int
    refunded_fen: int
    pickup_code: str | None
    delivery_date: dt.date
    attribution_reason: str
    created_at: dt.datetime
    picked_up_at: dt.datetime | None
    lines: list[GroupbuyOrderLine]

    @classmethod
    def of(
        cls, row: dict[str, Any], lines: list[dict[str, Any]], *, show_code: bool
    ) -> GroupbuyOrder:
        return cls(
            id=encode_id("GroupbuyOrder", row["id"]),
            ref=row["order_ref"],
            seller_id=encode_id("Member", row["member"]),
            campaign_id=encode_id("GroupbuyCampaign", row["campaign"]),
            community_id=encode_id("Community", row["community"]),
            state=row["state"],
            total_fen=int(row["total_fen"]),
            discount_fen=int(row["discount_fen"]),
            refunded_fen=int(row["refunded_fen"]),
            pickup_code=row["pickup_code"] if show_code else None,
            delivery_date=_date(row["delivery_date"]),
            attribution_reason=row["attribution_reason"],
            created_at=_datetime(row["created_at"]) or dt.datetime.now(dt.UTC),
            picked_up_at=_datetime(row["picked_up_at"]),
            lines=[
                GroupbuyOrderLine(
                    sku_code=line["sku_code"],
                    product_name=line["product_name"],
                    category=line["category"],
                    quantity=int(line["quantity"]),
                    unit_price_fen=int(line["unit_price_fen"]),
                    total_fen=int(line["total_fen"]),
                )
                for line in lines
            ],
        )


@strawberry.type
class GroupbuyPickupGroup:
    """A resident's orders at a pickup point on a day."""

    buyer_name: str
    household: str
    orders: list[GroupbuyOrder]


TYPES: tuple[type, ...] = ()
