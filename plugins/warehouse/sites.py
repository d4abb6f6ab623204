"""Hubs and who may use them: sites, zones, coverage, delivery slots, client agreements,
and the access rule every other module applies (operator, client, or nobody)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from alliance_sdk import BadUserInput, Conflict, NotFound, scoped
from plugins.warehouse.db import communities, distance_km, member_alliance, rows
from plugins.warehouse.tables import (
    WarehouseAgreement,
    WarehouseCoverage,
    WarehouseSite,
    WarehouseSlot,
    WarehouseZone,
)

__all__ = [
    "ZONES",
    "Access",
    "Site",
    "access",
    "add_slot",
    "covered_communities",
    "create_site",
    "set_coverage",
    "set_zone",
    "sites_of",
]

ZONES: Final = ("ambient", "chilled", "frozen")
_CUTOFF = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    operator: int
    code: str
    name: str
    latitude: float
    longitude: float
    radius_km: float
    active: bool


@dataclass(frozen=True, slots=True)
class Access:
    """What ``member`` may do at ``site``: the operator sees every owner in ``owners``; a
    client only itself (``active`` says whether its agreement is in force)."""

    site: Site
    member: int
    operator: bool
    owners: tuple[int, ...]
    active: bool


def _site(row: dict[str, Any]) -> Site:
    return Site(
        id=int(row["id"]),
        operator=int(row["member"]),
        code=str(row["code"]),
        name=str(row["name"]),
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        radius_km=float(row["radius_km"]),
        active=bool(row["active"]),
    )


async def _operator_site(operator: int, warehouse_id: int) -> Site | None:
    found = await scoped(WarehouseSite, operator).select().where(WarehouseSite.id == warehouse_id)
    return _site(found[0]) if found else None


async def _agreements(kernel: Any, warehouse_id: int) -> list[dict[str, Any]]:
    return await (
        WarehouseAgreement.select(
            WarehouseAgreement.operator, WarehouseAgreement.client, WarehouseAgreement.status
        )
        .where(WarehouseAgreement.warehouse == warehouse_id)
        .order_by(WarehouseAgreement.client)
    )


async def access(kernel: Any, member: int, warehouse_id: int, *, write: bool = False) -> Access:
    """The access of ``member`` to hub ``warehouse_id``; NOT_FOUND for anyone else (and for
    a client whose agreement ended, when ``write``)."""
    agreements = await _agreements(kernel, warehouse_id)
    site = await _operator_site(member, warehouse_id)
    if site is not None:
        owners = tuple(int(a["client"]) for a in agreements)
        return Access(site, member, True, owners, site.active)
    mine = [a for a in agreements if int(a["client"]) == member]
    if mine:
        site = await _operator_site(int(mine[0]["operator"]), warehouse_id)
        active = mine[0]["status"] == "active"
        if site is not None and (active or not write):
            return Access(site, member, False, (member,), active and site.active)
    raise NotFound("WarehouseSite not found")


async def sites_of(kernel: Any, member: int) -> list[tuple[Site, bool]]:
    """Hubs ``member`` operates, then hubs it is a client of: ``(site, is_operator)``."""
    own = await scoped(WarehouseSite, member).select().order_by(WarehouseSite.id)
    result = [(_site(r), True) for r in own]
    agreements = await WarehouseAgreement.select().where(WarehouseAgreement.client == member)
    for agreement in sorted(agreements, key=lambda a: int(a["warehouse"])):
        site = await _operator_site(int(agreement["operator"]), int(agreement["warehouse"]))
        if site is not None:
            result.append((site, False))
    return result


async def create_site(
    kernel: Any,
    operator: int,
    *,
    code: str,
    name: str,
    latitude: float,
    longitude: float,
    radius_km: float = 0.0,
) -> Site:
    errors: dict[str, str] = {}
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", code):
        errors["code"] = "1 to 32 letters, digits, '-' or '_'"
    if not name.strip() or len(name) > 200:
        errors["name"] = "give a name of 1 to 200 characters"
    if not -90 <= latitude <= 90:
        errors["latitude"] = "between -90 and 90"
    if not -180 <= longitude <= 180:
        errors["longitude"] = "between -180 and 180"
    if not 0 <= radius_km <= 100:
        errors["radiusKm"] = "between 0 and 100"
    if errors:
        raise BadUserInput("invalid warehouse", field_errors=errors)
    async with kernel.db.write():
        taken = await scoped(WarehouseSite, operator).exists().where(WarehouseSite.code == code)
        if taken:
            raise Conflict(f"a warehouse with code {code} exists", field_errors={"code": "taken"})
        row = WarehouseSite(
            member=operator,
            code=code,
            name=name.strip(),
            latitude=latitude,
            longitude=longitude,
            radius_km=radius_km,
            active=True,
            created_at=kernel.clock(),
        )
        await scoped(WarehouseSite, operator).insert(row)
    site = await _operator_site(operator, int(row.id))
    assert site is not None
    return site


async def _operator_access(kernel: Any, operator: int, warehouse_id: int) -> Access:
    found = await access(kernel, operator, warehouse_id)
    if not found.operator:
        raise NotFound("WarehouseSite not found")
    return found


async def set_zone(
    kernel: Any,
    operator: int,
    warehouse_id: int,
    *,
    zone: str,
    capacity_units: int,
    min_celsius: float,
    max_celsius: float,
) -> None:
    await _operator_access(kernel, operator, warehouse_id)
    errors: dict[str, str] = {}
    if zone not in ZONES:
        errors["zone"] = f"one of {', '.join(ZONES)}"
    if capacity_units < 0:
        errors["capacityUnits"] = "not negative"
    if min_celsius > max_celsius:
        errors["minCelsius"] = "not above maxCelsius"
    if errors:
        raise BadUserInput("invalid zone", field_errors=errors)
    values = {
        WarehouseZone.capacity_units: capacity_units,
        WarehouseZone.min_celsius: min_celsius,
        WarehouseZone.max_celsius: max_celsius,
    }
    async with kernel.db.write():
        where = (WarehouseZone.warehouse == warehouse_id) & (WarehouseZone.zone == zone)
        if await scoped(WarehouseZone, operator).exists().where(where):
            await scoped(WarehouseZone, operator).update(values).where(where)
        else:
            row = WarehouseZone(member=operator, warehouse=warehouse_id, zone=zone)
            for column, value in values.items():
                setattr(row, column._meta.name, value)
            await scoped(WarehouseZone, operator).insert(row)


async def set_coverage(
    kernel: Any,
    operator: int,
    warehouse_id: int,
    community_ids: Sequence[int],
    radius_km: float | None,
) -> list[int]:
    """Replace the hub's explicit community list (and radius); returns what it covers now.
    Communities must belong to the operator's alliance (others answer NOT_FOUND)."""
    await _operator_access(kernel, operator, warehouse_id)
    mine = await member_alliance(kernel, operator)
    found = await communities(kernel, community_ids)
    if mine is None or any(found.get(c, {}).get("alliance") != mine[0] for c in community_ids):
        raise NotFound("Community not found")
    if radius_km is not None and not 0 <= radius_km <= 100:
        raise BadUserInput("invalid radius", field_errors={"radiusKm": "between 0 and 100"})
    async with kernel.db.write():
        where = WarehouseCoverage.warehouse == warehouse_id
        await scoped(WarehouseCoverage, operator).delete().where(where)
        rows_ = [
            WarehouseCoverage(member=operator, warehouse=warehouse_id, community=c)
            for c in sorted(set(community_ids))
        ]
        if rows_:
            await scoped(WarehouseCoverage, operator).insert(*rows_)
        if radius_km is not None:
            await (
                scoped(WarehouseSite, operator)
                .update({WarehouseSite.radius_km: radius_km})
                .where(WarehouseSite.id == warehouse_id)
            )
    return await covered_communities(kernel, await _operator_access(kernel, operator, warehouse_id))


async def covered_communities(kernel: Any, found: Access) -> list[int]:
    """Explicitly listed communities plus those of the alliance within the radius."""
    site = found.site
    listed = (
        await scoped(WarehouseCoverage, site.operator)
        .select(WarehouseCoverage.community)
        .where(WarehouseCoverage.warehouse == site.id)
    )
    covered = {int(r["community"]) for r in listed}
    if site.radius_km > 0:
        mine = await member_alliance(kernel, site.operator)
        if mine is not None:
            for cid, c in (await communities(kernel, alliance=mine[0])).items():
                if c["lat"] is None or c["lon"] is None:
                    continue
                if distance_km(site.latitude, site.longitude, c["lat"], c["lon"]) <= site.radius_km:
                    covered.add(cid)
    return sorted(covered)


async def add_slot(
    kernel: Any,
    operator: int,
    warehouse_id: int,
    *,
    name: str,
    cutoff: str,
    lead_days: int,
    window: str,
) -> int:
    await _operator_access(kernel, operator, warehouse_id)
    errors: dict[str, str] = {}
    if not name.strip() or len(name) > 64:
        errors["name"] = "1 to 64 characters"
    if not _CUTOFF.match(cutoff):
        errors["cutoff"] = "HH:MM"
    if not 0 <= lead_days <= 7:
        errors["leadDays"] = "0 to 7"
    if len(window) > 16:
        errors["window"] = "at most 16 characters"
    if errors:
        raise BadUserInput("invalid slot", field_errors=errors)
    row = WarehouseSlot(
        member=operator,
        warehouse=warehouse_id,
        name=name.strip(),
        cutoff=cutoff,
        lead_days=lead_days,
        window=window,
    )
    async with kernel.db.write():
        await scoped(WarehouseSlot, operator).insert(row)
    return int(row.id)


async def zones_of(kernel: Any, site: Site) -> list[dict[str, Any]]:
    found_rows: list[dict[str, Any]] = (
        await scoped(WarehouseZone, site.operator)
        .select()
        .where(WarehouseZone.warehouse == site.id)
        .order_by(WarehouseZone.zone)
    )
    return found_rows


async def slots_of(kernel: Any, site: Site) -> list[dict[str, Any]]:
    found_rows: list[dict[str, Any]] = (
        await scoped(WarehouseSlot, site.operator)
        .select()
        .where(WarehouseSlot.warehouse == site.id)
        .order_by(WarehouseSlot.id)
    )
    return found_rows


async def client_sites(kernel: Any, client: int) -> list[dict[str, Any]]:
    """Active hubs ``client`` is admitted to, with their coordinates (reserve_stock)."""
    return await rows(
        kernel,
        "SELECT s.id, s.member, s.latitude, s.longitude, s.radius_km FROM warehouse_agreement a "
        "JOIN warehouse_site s ON s.id = a.warehouse AND s.member = a.operator "
        "WHERE a.client = {} AND a.status = 'active' AND s.active = {} ORDER BY s.id",
        client,
        True,
    )
