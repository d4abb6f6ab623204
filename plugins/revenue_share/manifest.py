"""The plugin's manifest: actions with their default roles, configuration, piccolo app."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from alliance_sdk import Action, PluginManifest

__all__ = ["SLUG", "RevenueShareConfig", "manifest"]

SLUG = "revenue_share"
PURPOSE = "revenue-share"
ORDERS_SCOPE = "orders:read"


class RevenueShareConfig(BaseModel):
    """What a paying member configures when enabling the plugin (leaders need nothing)."""

    model_config = ConfigDict(extra="forbid")

    settlement_period: Literal["weekly", "monthly"] = "monthly"
    # How a commission (amount x rate) is rounded to whole fen: Python's decimal modes.
    rounding: Literal["half_even", "half_up", "down", "up"] = "half_even"
    freeze_days: int = Field(default=7, ge=0, le=90)


ACTIONS = {
    "revenue_share.rules.manage": Action(
        description="Set the member's commission rules and referral codes.",
        roles=frozenset({"owner", "admin"}),
    ),
    "revenue_share.ledger.read": Action(
        description="Read what the member owes its leaders: ledger, statements, payouts.",
        roles=frozenset({"owner", "admin"}),
    ),
    "revenue_share.settlements.run": Action(
        description="Settle a period: write the statements of the member's leaders.",
        roles=frozenset({"owner", "admin"}),
    ),
    "revenue_share.payouts.record": Action(
        description="Record payouts to leaders and ambassadors.",
        roles=frozenset({"owner", "admin"}),
    ),
    "revenue_share.earnings.read": Action(
        description="Read the member's own earnings as a leader (dashboard, statements).",
        roles=frozenset({"owner", "admin", "leader"}),
    ),
}


def manifest() -> PluginManifest:
    return PluginManifest(
        slug=SLUG,
        name="Leader revenue share",
        version="0.1.0",
        publisher="Alliance kernel",
        description="Commissions for group leaders and ambassadors: rules, ledger, "
        "settlement and payouts.",
        requires_kernel=">=0.1,<0.2",
        actions=ACTIONS,
        # The leader's order details read the payer's grant (purpose revenue-share).
        consent_scopes=frozenset({"orders:read"}),
        config=RevenueShareConfig,
        piccolo_app="plugins.revenue_share.piccolo_app",
    )
