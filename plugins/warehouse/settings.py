"""A member's configuration of the plugin."""

from __future__ import annotations

import json
from typing import Any

from plugins.warehouse.db import rows
from plugins.warehouse.manifest import SLUG, WarehouseConfig

__all__ = ["config_of"]


async def config_of(kernel: Any, member: int) -> WarehouseConfig:
    """The member's validated configuration (defaults when it has none)."""
    # SDK-GAP: the SDK has no read of a member's plugin configuration (only the
    # on_plugin_enabled/on_plugin_configured notifications carry it); this reads the
    # kernel's plugins table until ``alliance_sdk.plugin_config(kernel, member, slug)`` exists.
    found = await rows(
        kernel,
        "SELECT config FROM plugins_member_plugin WHERE member = {} AND slug = {}",
        member,
        SLUG,
    )
    value: Any = found[0]["config"] if found else {}
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return WarehouseConfig.model_validate(value or {})
