"""Events the warehouse plugin publishes (declared with ``register_events``)."""

from __future__ import annotations

from typing import ClassVar

from alliance_sdk import Event

__all__ = ["NearExpiry", "TemperatureExcursion", "WaveDispatched", "published"]


class TemperatureExcursion(Event):
    """A zone's reading fell outside its range (operator's stream)."""

    type: ClassVar[str] = "warehouse.temperature_excursion"
    warehouse_id: int
    zone: str
    celsius: float
    min_celsius: float
    max_celsius: float
    sensor: str
    at: str  # ISO datetime


class WaveDispatched(Event):
    """A wave left the hub (operator's stream): its orders are on their way."""

    type: ClassVar[str] = "warehouse.wave_dispatched"
    wave_id: int
    warehouse_id: int
    delivery_date: str
    orders: int
    units: int


class NearExpiry(Event):
    """Lots of the owner (owner's stream) expire soon with free stock: clear them."""

    type: ClassVar[str] = "warehouse.near_expiry"
    warehouse_id: int
    lots: list[dict[str, object]]  # {lot_id, sku, lot_code, expires_on, free}


def published() -> list[type[Event]]:
    return [TemperatureExcursion, WaveDispatched, NearExpiry]
