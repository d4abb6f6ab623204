"""A test-only stand-in for groupbuy's events: the same ``type`` strings and payloads as
groupbuy's public contract, declared through ``register_events`` so the outbox can rebuild
them. revenue_share never imports groupbuy; neither do its tests."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from alliance_sdk import Event, PluginManifest, hookimpl


class OrderPickedUp(Event):
    type: ClassVar[str] = "groupbuy.order_picked_up"
    order_id: int
    order_ref: str
    campaign_id: int
    community_id: int
    buyer_user_id: int
    total_fen: int
    discount_fen: int = 0
    lines: list[dict[str, Any]] = []
    leader_member_id: int | None
    ambassador_user_id: int | None = None
    attribution_reason: str = "community_leader"
    referral_code: str | None = None
    picked_up_at: dt.datetime
    pickup_member_id: int


class OrderRefunded(Event):
    type: ClassVar[str] = "groupbuy.order_refunded"
    order_id: int
    order_ref: str
    buyer_user_id: int
    refund_fen: int
    refunded_total_fen: int
    total_fen: int
    leader_member_id: int | None
    ambassador_user_id: int | None = None
    lines: list[dict[str, Any]] = []


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="fake_groupbuy",
        name="groupbuy events (tests)",
        version="0.0.1",
        publisher="Tests",
        requires_kernel=">=0.1",
    )


@hookimpl
def register_events() -> list[type[Event]]:
    return [OrderPickedUp, OrderRefunded]
