"""The warehouse plugin's tables (``warehouse_*``).

Who a row belongs to (its ``member``) follows who owns the data:

- the hub and what describes it (sites, zones, coverage, slots, waves, temperature readings,
  sensor keys) belong to the **operator**;
- stock and everything about it (SKUs, lots, movements, reservations, order records,
  transfers, demand history, unmet demand) belongs to the **owner** of the goods, the client
  member; the operator reaches it per client, through ``scoped(..., client)`` after checking
  the client's agreement with its warehouse;
- an agreement is shared by two members (operator and client): a plain table.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from alliance_sdk import MemberScopedTable, member_column

__all__ = [
    "WarehouseAgreement",
    "WarehouseCoverage",
    "WarehouseDemand",
    "WarehouseLot",
    "WarehouseMovement",
    "WarehouseOrder",
    "WarehouseReading",
    "WarehouseReservation",
    "WarehouseSensorKey",
    "WarehouseSite",
    "WarehouseSku",
    "WarehouseSlot",
    "WarehouseTransfer",
    "WarehouseUnmet",
    "WarehouseWave",
    "WarehouseZone",
]


# --- the operator's hub ---------------------------------------------------------------------


class WarehouseSite(MemberScopedTable, tablename="warehouse_site"):
    """A hub run by the operator (``member``)."""

    id = Serial(primary_key=True)
    member = member_column()
    code = Varchar(length=32)
    name = Varchar(length=200)
    latitude = DoublePrecision()
    longitude = DoublePrecision()
    # Communities within this many km are covered, besides the explicit list (0: list only).
    radius_km = DoublePrecision(default=0.0)
    active = Boolean(default=True)
    created_at = Timestamptz()

    unique_together = (("member", "code"),)


class WarehouseZone(MemberScopedTable, tablename="warehouse_zone"):
    """A temperature zone of a hub, its capacity (units) and allowed range (Celsius)."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    zone = Varchar(length=16)  # ambient | chilled | frozen
    capacity_units = Integer()
    min_celsius = DoublePrecision()
    max_celsius = DoublePrecision()

    unique_together = (("warehouse", "zone"),)


class WarehouseCoverage(MemberScopedTable, tablename="warehouse_coverage"):
    """A community a hub serves (explicitly listed)."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    community = Integer(index=True)

    unique_together = (("warehouse", "community"),)


class WarehouseSlot(MemberScopedTable, tablename="warehouse_slot"):
    """A delivery slot: orders placed before ``cutoff`` (local HH:MM) reach the pickup
    point ``lead_days`` later within ``window`` ("07:00-10:00")."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    name = Varchar(length=64)
    cutoff = Varchar(length=5)
    lead_days = Integer(default=1)
    window = Varchar(length=16)


class WarehouseAgreement(Table, tablename="warehouse_agreement"):
    """A client member admitted to a hub by its operator: shared by both members."""

    id = Serial(primary_key=True)
    operator = Integer(index=True)
    client = Integer(index=True)
    warehouse = Integer(index=True)
    status = Varchar(length=16)  # active | ended
    created_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)

    unique_together = (("warehouse", "client"),)


class WarehouseWave(MemberScopedTable, tablename="warehouse_wave"):
    """A picking wave: the orders of one hub for one slot and delivery date."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    slot = Integer()
    delivery_date = Date()
    state = Varchar(length=16)  # planned | picked | dispatched
    orders = Integer(default=0)
    units = Integer(default=0)
    created_at = Timestamptz()
    picked_at = Timestamptz(null=True, default=None)
    dispatched_at = Timestamptz(null=True, default=None)


class WarehouseReading(MemberScopedTable, tablename="warehouse_reading"):
    """A temperature reading of one zone; ``excursion`` when outside the zone's range."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    zone = Varchar(length=16)
    celsius = DoublePrecision()
    sensor = Varchar(length=64, default="")
    excursion = Boolean(default=False)
    at = Timestamptz()


class WarehouseSensorKey(MemberScopedTable, tablename="warehouse_sensor_key"):
    """A key a temperature sensor posts readings with (only its SHA-256 is kept)."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer()
    name = Varchar(length=120)
    prefix = Varchar(length=16, unique=True)
    key_hash = Varchar(length=64)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


# --- the owner's stock ------------------------------------------------------------------------


class WarehouseSku(MemberScopedTable, tablename="warehouse_sku"):
    """An owner's article: its code (unique per owner), category, zone and unit cost."""

    id = Serial(primary_key=True)
    member = member_column()
    sku = Varchar(length=64)
    name = Varchar(length=200)
    category = Varchar(length=64)
    zone = Varchar(length=16)
    unit_cost_fen = Integer(default=0)

    unique_together = (("member", "sku"),)


class WarehouseLot(MemberScopedTable, tablename="warehouse_lot"):
    """Units of one SKU received together, with one expiry date. ``reserved <= on_hand``."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    sku = Varchar(length=64)
    zone = Varchar(length=16)
    lot_code = Varchar(length=64)
    expires_on = Date(null=True, default=None)
    unit_cost_fen = Integer(default=0)
    received = Integer(default=0)
    on_hand = Integer(default=0)
    reserved = Integer(default=0)
    created_at = Timestamptz()


class WarehouseMovement(MemberScopedTable, tablename="warehouse_movement"):
    """The stock ledger: every change of a lot's ``on_hand`` (signed ``quantity``)."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer(index=True)
    lot = Integer(index=True)
    sku = Varchar(length=64)
    category = Varchar(length=64, default="")
    kind = Varchar(length=16)  # receipt adjustment write_off dispatch transfer_out transfer_in
    quantity = Integer()
    value_fen = Integer(default=0)
    reason = Varchar(length=200, default="")
    origin = Varchar(length=64, default="")  # "wave:12", "transfer:3"
    at = Timestamptz()


class WarehouseReservation(MemberScopedTable, tablename="warehouse_reservation"):
    """Units of one lot held for one order (``order_ref``)."""

    id = Serial(primary_key=True)
    member = member_column()
    order_ref = Varchar(length=64, index=True)
    warehouse = Integer()
    lot = Integer()
    sku = Varchar(length=64)
    quantity = Integer()
    state = Varchar(length=16)  # reserved | picked | dispatched | released
    created_at = Timestamptz()


class WarehouseOrder(MemberScopedTable, tablename="warehouse_order"):
    """An order the hub fulfils for the owner (its seller): where it goes and when."""

    id = Serial(primary_key=True)
    member = member_column()
    order_ref = Varchar(length=64)
    warehouse = Integer(index=True)
    community = Integer()
    pickup_member = Integer(null=True, default=None)
    delivery_date = Date()
    units = Integer(default=0)
    state = Varchar(length=16)  # reserved | picked | dispatched | released
    wave = Integer(null=True, default=None, index=True)
    placed_at = Timestamptz()

    unique_together = (("member", "order_ref"),)


class WarehouseTransfer(MemberScopedTable, tablename="warehouse_transfer"):
    """Units of the owner's SKU moved between two hubs of one operator (调拨)."""

    id = Serial(primary_key=True)
    member = member_column()
    operator = Integer(index=True)
    from_warehouse = Integer()
    to_warehouse = Integer()
    sku = Varchar(length=64)
    quantity = Integer()
    state = Varchar(length=16)  # requested | shipped | received | cancelled
    created_at = Timestamptz()
    shipped_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=True, default=None)


class WarehouseDemand(MemberScopedTable, tablename="warehouse_demand"):
    """Units ordered per SKU per hub per day: the history forecasts learn from."""

    id = Serial(primary_key=True)
    member = member_column()
    warehouse = Integer()
    sku = Varchar(length=64)
    day = Date()
    units = Integer(default=0)

    unique_together = (("member", "warehouse", "sku", "day"),)


class WarehouseUnmet(MemberScopedTable, tablename="warehouse_unmet"):
    """Demand that found no stock: a SOLD_OUT refusal or a search with no stock."""

    id = Serial(primary_key=True)
    member = member_column()
    sku = Varchar(length=64)
    community = Integer(null=True, default=None)
    warehouse = Integer(null=True, default=None)
    kind = Varchar(length=16)  # sold_out | search
    units = Integer(default=0)
    search_text = Varchar(length=200, default="")
    day = Date()
    at = Timestamptz()
