"""HTTP for machines: temperature sensors post readings to ``/plugins/warehouse/readings``
with their hub's sensor key (``X-Sensor-Key``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, post
from litestar.exceptions import NotFoundException, ValidationException
from pydantic import BaseModel, ValidationError

from alliance_sdk import AllianceError
from plugins.warehouse.coldchain import sensor_reading

__all__ = ["post_reading"]


class Reading(BaseModel):
    zone: str
    celsius: float
    sensor: str = ""


@post("/readings", status_code=201)
async def post_reading(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """Store one reading; answers ``{"excursion": bool}``. 404 for a bad or revoked key."""
    try:
        reading = Reading.model_validate(await request.json())
    except (ValidationError, ValueError) as exc:
        raise ValidationException("expected {zone, celsius, sensor?}") from exc
    key = request.headers.get("x-sensor-key", "")
    try:
        excursion = await sensor_reading(
            request.app.state.kernel, key, reading.zone, reading.celsius, reading.sensor
        )
    except AllianceError as exc:
        if exc.code == "BAD_USER_INPUT":
            raise ValidationException(exc.message) from exc
        raise NotFoundException("not found") from exc
    return {"excursion": excursion}
