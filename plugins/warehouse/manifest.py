"""The warehouse plugin's manifest: actions with their default roles, configuration."""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, Field

from alliance_sdk import Action, PluginManifest

__all__ = ["SLUG", "WarehouseConfig", "manifest"]

SLUG: Final = "warehouse"
_MANAGERS: Final = frozenset({"owner", "admin"})
_FLOOR: Final = frozenset({"owner", "admin", "staff"})


class WarehouseConfig(BaseModel):
    """What a member (operator or client) may configure when enabling the plugin."""

    near_expiry_days: int = Field(default=2, ge=0, le=60)
    loss_target_bp: int = Field(default=400, ge=0, le=10_000)  # 4%: the fresh-food target
    # Rebalancing: a hub with under ``low_cover_days`` of stock while another holds more
    # than ``slow_cover_days`` of the same SKU gets a transfer suggestion.
    low_cover_days: float = Field(default=1.0, ge=0)
    slow_cover_days: float = Field(default=5.0, ge=0)
    # Replenishment: cover the forecast over the lead time plus safety days.
    lead_time_days: int = Field(default=1, ge=0, le=30)
    safety_days: int = Field(default=1, ge=0, le=30)
    # Unmet demand on this many distinct days (within a week) is a replenishment signal.
    signal_days: int = Field(default=3, ge=1, le=7)


def manifest() -> PluginManifest:
    return PluginManifest(
        slug=SLUG,
        name="Cloud warehouse",
        version="0.1.0",
        publisher="Alliance kernel",
        description="Shared cloud warehouses: stock per client in lots, reservations for "
        "group buys, wave picking and sorting, transfers, demand and cold chain.",
        requires_kernel=">=0.1,<0.2",
        consent_scopes=frozenset({"orders:read"}),
        actions={
            "warehouse.sites.manage": Action(
                description="Create hubs, zones, coverage and delivery slots; sensor keys.",
                roles=_MANAGERS,
            ),
            "warehouse.clients.manage": Action(
                description="Admit clients to a hub or end their agreement.", roles=_MANAGERS
            ),
            "warehouse.stock.read": Action(
                description="See stock, lots, loss, forecasts, waves.", roles=_FLOOR
            ),
            "warehouse.stock.write": Action(
                description="Record receipts, adjustments and write-offs.", roles=_FLOOR
            ),
            "warehouse.waves.run": Action(
                description="Plan waves, mark them picked and dispatched.", roles=_FLOOR
            ),
            "warehouse.transfers.manage": Action(
                description="Request, ship and receive transfers between hubs.", roles=_FLOOR
            ),
            "warehouse.demand.record": Action(
                description="Record searches that found no stock.", roles=_FLOOR
            ),
            "warehouse.temperature.record": Action(
                description="Record temperature readings.", roles=_FLOOR
            ),
        },
        config=WarehouseConfig,
        piccolo_app="plugins.warehouse.piccolo_app",
    )
