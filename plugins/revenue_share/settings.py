"""The paying member's configuration, as this plugin stores it: the SDK hands a member's
configuration only to ``on_plugin_enabled``/``on_plugin_configured``, so it is kept here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alliance_sdk import scoped
from plugins.revenue_share.manifest import RevenueShareConfig
from plugins.revenue_share.tables import RevenueShareSettings

__all__ = ["save_settings", "settings_of"]


async def settings_of(member_id: int) -> RevenueShareConfig:
    """The member's configuration (the defaults until it enabled the plugin)."""
    row = (
        await scoped(RevenueShareSettings, member_id)
        .select(
            RevenueShareSettings.settlement_period,
            RevenueShareSettings.rounding,
            RevenueShareSettings.freeze_days,
        )
        .first()
    )
    return RevenueShareConfig.model_validate(row or {})


async def save_settings(kernel: Any, member_id: int, config: Mapping[str, Any]) -> None:
    """Store ``config`` (already validated by the kernel) as the member's settings."""
    values = RevenueShareConfig.model_validate(dict(config))
    table = scoped(RevenueShareSettings, member_id)
    async with kernel.db.write():
        exists = await table.exists()
        if exists:
            await table.update(
                {
                    RevenueShareSettings.settlement_period: values.settlement_period,
                    RevenueShareSettings.rounding: values.rounding,
                    RevenueShareSettings.freeze_days: values.freeze_days,
                    RevenueShareSettings.updated_at: kernel.clock(),
                }
            )
        else:
            await table.insert(
                RevenueShareSettings(
                    member=member_id,
                    settlement_period=values.settlement_period,
                    rounding=values.rounding,
                    freeze_days=values.freeze_days,
                    updated_at=kernel.clock(),
                )
            )
