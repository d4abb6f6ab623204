"""A test-only stand-in for groupbuy's public contract: its hookspec and its events.

The club never imports groupbuy; these tests check it against the contract alone (the
lead's end-to-end test runs it with the real groupbuy and revenue_share)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, ClassVar

from alliance_sdk import Event, PluginManifest, hookimpl, hookspec


class Specs:
    @hookspec(firstresult=True)
    def groupbuy_member_discount(  # type: ignore[empty-body]
        self, kernel: Any, member_id: int, buyer_user_id: int
    ) -> Awaitable[int | None] | int | None:
        """groupbuy's discount hook (basis points), as its contract states."""


class OrderPlaced(Event):
    type: ClassVar[str] = "groupbuy.order_placed"
    order_id: int
    order_ref: str
    campaign_id: int = 1
    community_id: int = 1
    buyer_user_id: int
    total_fen: int
    discount_fen: int = 0
    lines: list[dict[str, Any]] = []
    leader_member_id: int | None = None
    ambassador_user_id: int | None = None
    attribution_reason: str = "none"
    referral_code: str | None = None


class OrderPickedUp(OrderPlaced):
    type: ClassVar[str] = "groupbuy.order_picked_up"
    picked_up_at: str = "2026-11-23T10:00:00+00:00"
    pickup_member_id: int = 1


class OrderCancelled(Event):
    type: ClassVar[str] = "groupbuy.order_cancelled"
    order_id: int
    order_ref: str
    campaign_id: int = 1
    community_id: int = 1
    buyer_user_id: int
    total_fen: int
    reason: str = "cancelled_by_buyer"


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="groupbuy_stub",
        name="groupbuy contract stub (tests)",
        version="0.0.1",
        publisher="bakery_club tests",
        requires_kernel=">=0.1",
    )


@hookimpl
def register_hookspecs() -> Sequence[object]:
    return [Specs]


@hookimpl
def register_events() -> Sequence[type[Event]]:
    return [OrderPlaced, OrderPickedUp, OrderCancelled]
