"""groupbuy's manifest and configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from alliance_sdk import Action, PluginManifest

__all__ = ["SLUG", "GroupbuyConfig", "manifest"]

SLUG = "groupbuy"


class GroupbuyConfig(BaseModel):
    """A selling member's settings."""

    max_cart_lines: int = Field(default=5, ge=1, le=5, description="SKUs per order")
    pickup_code_length: int = Field(default=6, ge=4, le=10)
    close_every_seconds: float = Field(default=15.0, gt=0, le=3600)


def manifest() -> PluginManifest:
    staff = {"owner", "admin", "staff"}
    return PluginManifest(
        slug=SLUG,
        name="Livestream group buys",
        version="0.1.0",
        publisher="Alliance kernel authors",
        description="Catalog, group-buy campaigns per community, orders and pickup.",
        requires_kernel=">=0.1",
        actions={
            "groupbuy.catalog.manage": Action(
                description="Edit products, SKUs and stock.", roles=staff
            ),
            "groupbuy.campaigns.manage": Action(
                description="Create and run campaigns.", roles=staff
            ),
            "groupbuy.orders.read": Action(description="See the member's orders.", roles=staff),
            "groupbuy.orders.manage": Action(
                description="Cancel and refund orders.", roles={"owner", "admin"}
            ),
            "groupbuy.pickup.manage": Action(
                description="Hand orders over at the member's pickup point.", roles=staff
            ),
        },
        consent_scopes=frozenset({"orders:read"}),
        config=GroupbuyConfig,
        piccolo_app="plugins.groupbuy.piccolo_app",
    )
