"""GraphQL types of the warehouse plugin (names prefixed ``Warehouse``), built from rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from alliance_sdk import encode_id
from plugins.warehouse.db import as_date

__all__ = [
    "WarehouseForecastType",
    "WarehouseLossLineType",
    "WarehouseLotType",
    "WarehouseOrderType",
    "WarehousePickLineType",
    "WarehouseReadingType",
    "WarehouseReorderType",
    "WarehouseSiteType",
    "WarehouseSlotType",
    "WarehouseSortLineType",
    "WarehouseTransferSuggestionType",
    "WarehouseTransferType",
    "WarehouseUnmetSignalType",
    "WarehouseWaveType",
    "WarehouseZoneType",
    "gid",
    "lot",
    "ref",
    "transfer",
    "wave",
]


def gid(type_name: str, pk: Any) -> strawberry.ID | None:
    """The global ID of ``pk``, or None for a missing reference."""
    return None if pk is None else encode_id(type_name, int(pk))


def ref(type_name: str, pk: Any) -> strawberry.ID:
    """The global ID of ``pk`` (never missing)."""
    return encode_id(type_name, int(pk))


@strawberry.type(name="WarehouseZone")
class WarehouseZoneType:
    zone: str
    capacity_units: int
    min_celsius: float
    max_celsius: float


@strawberry.type(name="WarehouseSlot")
class WarehouseSlotType:
    id: strawberry.ID
    name: str
    cutoff: str
    lead_days: int
    window: str


@strawberry.type(name="WarehouseSite")
class WarehouseSiteType:
    id: strawberry.ID
    code: str
    name: str
    latitude: float
    longitude: float
    radius_km: float
    active: bool
    is_operator: bool
    operator_member_id: strawberry.ID
    zones: list[WarehouseZoneType]
    slots: list[WarehouseSlotType]
    community_ids: list[strawberry.ID]
    # Admitted clients: shown to the operator only (a client sees itself).
    client_member_ids: list[strawberry.ID]


@strawberry.type(name="WarehouseLot")
class WarehouseLotType:
    id: strawberry.ID
    owner_member_id: strawberry.ID
    warehouse_id: strawberry.ID
    sku: str
    zone: str
    lot_code: str
    expires_on: dt.date | None
    received: int
    on_hand: int
    reserved: int
    free: int


def lot(row: dict[str, Any]) -> WarehouseLotType:
    return WarehouseLotType(
        id=encode_id("WarehouseLot", int(row["id"])),
        owner_member_id=encode_id("Member", int(row["member"])),
        warehouse_id=encode_id("WarehouseSite", int(row["warehouse"])),
        sku=str(row["sku"]),
        zone=str(row["zone"]),
        lot_code=str(row["lot_code"]),
        expires_on=as_date(row["expires_on"]),
        received=int(row["received"]),
        on_hand=int(row["on_hand"]),
        reserved=int(row["reserved"]),
        free=int(row["on_hand"]) - int(row["reserved"]),
    )


@strawberry.type(name="WarehouseLossLine")
class WarehouseLossLineType:
    category: str
    received_units: int
    received_fen: int
    lost_units: int
    lost_fen: int
    loss_rate_bp: int
    above_target: bool


@strawberry.type(name="WarehouseOrder")
class WarehouseOrderType:
    order_ref: str
    owner_member_id: strawberry.ID
    community_id: strawberry.ID
    pickup_member_id: strawberry.ID | None
    delivery_date: dt.date
    units: int
    state: str
    wave_id: strawberry.ID | None


@strawberry.type(name="WarehouseWave")
class WarehouseWaveType:
    id: strawberry.ID
    warehouse_id: strawberry.ID
    slot_id: strawberry.ID
    delivery_date: dt.date
    state: str
    orders: int
    units: int


def wave(row: dict[str, Any]) -> WarehouseWaveType:
    day = as_date(row["delivery_date"])
    assert day is not None
    return WarehouseWaveType(
        id=encode_id("WarehouseWave", int(row["id"])),
        warehouse_id=encode_id("WarehouseSite", int(row["warehouse"])),
        slot_id=encode_id("WarehouseSlot", int(row["slot"])),
        delivery_date=day,
        state=str(row["state"]),
        orders=int(row["orders"]),
        units=int(row["units"]),
    )


@strawberry.type(name="WarehousePickLine")
class WarehousePickLineType:
    zone: str
    owner_member_id: strawberry.ID
    sku: str
    lot_code: str
    expires_on: dt.date | None
    units: int


@strawberry.type(name="WarehouseSortLine")
class WarehouseSortLineType:
    community_id: strawberry.ID
    community_name: str
    pickup_member_id: strawberry.ID | None
    owner_member_id: strawberry.ID
    sku: str
    units: int
    orders: int


@strawberry.type(name="WarehouseTransfer")
class WarehouseTransferType:
    id: strawberry.ID
    owner_member_id: strawberry.ID
    from_warehouse_id: strawberry.ID
    to_warehouse_id: strawberry.ID
    sku: str
    quantity: int
    state: str


def transfer(row: dict[str, Any]) -> WarehouseTransferType:
    return WarehouseTransferType(
        id=encode_id("WarehouseTransfer", int(row["id"])),
        owner_member_id=encode_id("Member", int(row["member"])),
        from_warehouse_id=encode_id("WarehouseSite", int(row["from_warehouse"])),
        to_warehouse_id=encode_id("WarehouseSite", int(row["to_warehouse"])),
        sku=str(row["sku"]),
        quantity=int(row["quantity"]),
        state=str(row["state"]),
    )


@strawberry.type(name="WarehouseTransferSuggestion")
class WarehouseTransferSuggestionType:
    owner_member_id: strawberry.ID
    sku: str
    from_warehouse_id: strawberry.ID
    to_warehouse_id: strawberry.ID
    quantity: int
    cover_days: float


@strawberry.type(name="WarehouseForecast")
class WarehouseForecastType:
    owner_member_id: strawberry.ID
    sku: str
    history: list[float]
    forecast: list[float]


@strawberry.type(name="WarehouseReorder")
class WarehouseReorderType:
    owner_member_id: strawberry.ID
    sku: str
    free: int
    forecast: float
    unmet: int
    quantity: int


@strawberry.type(name="WarehouseUnmetSignal")
class WarehouseUnmetSignalType:
    owner_member_id: strawberry.ID
    sku: str
    community_id: strawberry.ID | None
    days: int
    units: int
    searches: int


@strawberry.type(name="WarehouseReading")
class WarehouseReadingType:
    zone: str
    celsius: float
    sensor: str
    excursion: bool
    at: dt.datetime
