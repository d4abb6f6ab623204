"""The events groupbuy publishes, in the selling member's stream (amounts in fen).

Other plugins subscribe by ``type`` string and read ``event.model_dump()``; the fields are
groupbuy's public contract (docs/plugins/builtin/groupbuy.md)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel

from alliance_sdk import Event

__all__ = [
    "EVENTS",
    "GroupFormed",
    "OrderCancelled",
    "OrderLine",
    "OrderPickedUp",
    "OrderPlaced",
    "OrderRefunded",
    "RefundLine",
]


class OrderLine(BaseModel):
    sku: str
    product_name: str
    category: str
    quantity: int
    unit_price_fen: int
    total_fen: int


class _OrderFacts(Event):
    order_id: int
    order_ref: str
    campaign_id: int
    community_id: int
    buyer_user_id: int
    total_fen: int
    discount_fen: int
    lines: list[OrderLine]
    leader_member_id: int | None
    ambassador_user_id: int | None
    attribution_reason: str
    referral_code: str | None
    pickup_member_id: int | None
    delivery_date: dt.date


class OrderPlaced(_OrderFacts):
    type: ClassVar[str] = "groupbuy.order_placed"


class OrderPickedUp(_OrderFacts):
    type: ClassVar[str] = "groupbuy.order_picked_up"
    picked_up_at: dt.datetime


class OrderCancelled(Event):
    type: ClassVar[str] = "groupbuy.order_cancelled"
    order_id: int
    order_ref: str
    campaign_id: int
    community_id: int
    buyer_user_id: int
    total_fen: int
    reason: str  # group_failed / cancelled_by_buyer / cancelled_by_seller


class RefundLine(BaseModel):
    sku: str
    quantity: int
    refund_fen: int


class OrderRefunded(Event):
    type: ClassVar[str] = "groupbuy.order_refunded"
    order_id: int
    order_ref: str
    buyer_user_id: int
    refund_fen: int
    refunded_total_fen: int
    total_fen: int
    leader_member_id: int | None
    ambassador_user_id: int | None
    lines: list[RefundLine]


class GroupFormed(Event):
    type: ClassVar[str] = "groupbuy.group_formed"
    campaign_id: int
    community_id: int
    joined: int
    needed: int


EVENTS = (OrderPlaced, OrderPickedUp, OrderCancelled, OrderRefunded, GroupFormed)
