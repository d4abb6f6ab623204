"""Cold chain: temperature readings per zone; a reading outside the zone's range is an
excursion, stored and announced (``warehouse.temperature_excursion``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from alliance_sdk import BadUserInput, NotFound, plugin_enabled, publish, scoped
from plugins.warehouse.db import rows
from plugins.warehouse.events import TemperatureExcursion
from plugins.warehouse.manifest import SLUG
from plugins.warehouse.sites import ZONES, Access
from plugins.warehouse.tables import WarehouseReading, WarehouseSensorKey, WarehouseZone

__all__ = ["create_sensor_key", "excursions", "record_reading", "sensor_reading"]


async def record_reading(
    kernel: Any,
    found: Access,
    zone: str,
    celsius: float,
    sensor: str = "",
    at: dt.datetime | None = None,
) -> bool:
    """Store a reading of the operator's hub; returns whether it is an excursion."""
    if not found.operator:
        raise NotFound("WarehouseSite not found")
    if zone not in ZONES or not -80 <= celsius <= 80 or len(sensor) > 64:
        raise BadUserInput("invalid reading", field_errors={"zone": "a zone of the hub, -80..80"})
    operator = found.site.operator
    limits = (
        await scoped(WarehouseZone, operator)
        .select()
        .where((WarehouseZone.warehouse == found.site.id) & (WarehouseZone.zone == zone))
    )
    if not limits:
        raise NotFound("WarehouseZone not found")
    low, high = float(limits[0]["min_celsius"]), float(limits[0]["max_celsius"])
    excursion = not low <= celsius <= high
    when = at or kernel.clock()
    async with kernel.db.write():
        await scoped(WarehouseReading, operator).insert(
            WarehouseReading(
                member=operator,
                warehouse=found.site.id,
                zone=zone,
                celsius=celsius,
                sensor=sensor,
                excursion=excursion,
                at=when,
            )
        )
        if excursion:
            await publish(
                kernel,
                TemperatureExcursion(
                    member_id=operator,
                    warehouse_id=found.site.id,
                    zone=zone,
                    celsius=celsius,
                    min_celsius=low,
                    max_celsius=high,
                    sensor=sensor,
                    at=when.isoformat(),
                ),
            )
    return excursion


async def excursions(kernel: Any, found: Access, since: dt.datetime) -> list[dict[str, Any]]:
    found_rows: list[dict[str, Any]] = (
        await scoped(WarehouseReading, found.site.operator)
        .select()
        .where(
            (WarehouseReading.warehouse == found.site.id)
            & (WarehouseReading.excursion == True)  # noqa: E712
            & (WarehouseReading.at >= since)
        )
        .order_by(WarehouseReading.at, ascending=False)
    )
    return found_rows


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_sensor_key(kernel: Any, found: Access, name: str) -> str:
    """A key for one hub's sensors, returned once (only its SHA-256 is stored)."""
    if not found.operator:
        raise NotFound("WarehouseSite not found")
    if not name.strip() or len(name) > 120:
        raise BadUserInput("name the key", field_errors={"name": "1 to 120 characters"})
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(24)
    async with kernel.db.write():
        await scoped(WarehouseSensorKey, found.site.operator).insert(
            WarehouseSensorKey(
                member=found.site.operator,
                warehouse=found.site.id,
                name=name.strip(),
                prefix=prefix,
                key_hash=_digest(secret),
                created_at=kernel.clock(),
            )
        )
    return f"whs_{prefix}_{secret}"


async def sensor_reading(kernel: Any, key: str, zone: str, celsius: float, sensor: str) -> bool:
    """A reading posted by a sensor with its key; NOT_FOUND for a bad or revoked key or a
    hub whose operator disabled the plugin."""
    # SDK-GAP: plugin routes cannot authenticate kernel API keys, and API keys cannot hold
    # plugin actions; hub-bound sensor keys of our own stand in (see the docs).
    _, prefix, secret = (
        ([*key.split("_", 2), "", ""])[:3] if key.startswith("whs_") else ("", "", "")
    )
    found = await rows(
        kernel,
        "SELECT member, warehouse, key_hash FROM warehouse_sensor_key WHERE prefix = {} "
        "AND revoked_at IS NULL",
        prefix,
    )
    if not found or not secret or not hmac.compare_digest(found[0]["key_hash"], _digest(secret)):
        raise NotFound("invalid sensor key")
    operator = int(found[0]["member"])
    if not await plugin_enabled(kernel, operator, SLUG):
        raise NotFound("invalid sensor key")
    from plugins.warehouse.sites import access

    return await record_reading(
        kernel, await access(kernel, operator, int(found[0]["warehouse"])), zone, celsius, sensor
    )
