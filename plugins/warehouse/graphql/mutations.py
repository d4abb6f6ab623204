"""Write fields: hubs and agreements, stock, waves, transfers, demand, temperatures.
Each acts for ``memberId``; another member's objects answer NOT_FOUND and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import context_of, decode_id, member_arg, requires, scoped
from plugins.warehouse import agreements, coldchain, demand, sites, stock, transfers, waves
from plugins.warehouse.graphql import types as t
from plugins.warehouse.graphql.queries import _site
from plugins.warehouse.orders import readable_owners
from plugins.warehouse.tables import WarehouseLot

__all__ = ["WarehouseMutation"]


def _on(action: str) -> list[Any]:
    return [requires(action, member=member_arg())]


def _ids(info: Info[Any, Any], member_id: strawberry.ID) -> tuple[Any, int]:
    return context_of(info).kernel, decode_id("Member", member_id)


def _hub(warehouse_id: strawberry.ID) -> int:
    return decode_id("WarehouseSite", warehouse_id)


async def _site_of(kernel: Any, member: int, warehouse: int) -> t.WarehouseSiteType:
    found = await sites.access(kernel, member, warehouse)
    return await _site(kernel, member, found.site, found.operator)


async def _lot(owner: int, lot_id: int) -> t.WarehouseLotType:
    row = await scoped(WarehouseLot, owner).select().where(WarehouseLot.id == lot_id)
    return t.lot(row[0])


@strawberry.type
class WarehouseMutation:
    @strawberry.mutation(extensions=_on("warehouse.sites.manage"))
    async def create_warehouse_site(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        code: str,
        name: str,
        latitude: float,
        longitude: float,
        radius_km: float = 0.0,
    ) -> t.WarehouseSiteType:
        """A new hub operated by the member."""
        kernel, member = _ids(info, member_id)
        site = await sites.create_site(
            kernel,
            member,
            code=code,
            name=name,
            latitude=latitude,
            longitude=longitude,
            radius_km=radius_km,
        )
        return await _site_of(kernel, member, site.id)

    @strawberry.mutation(extensions=_on("warehouse.sites.manage"))
    async def set_warehouse_zone(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        zone: str,
        capacity_units: int,
        min_celsius: float,
        max_celsius: float,
    ) -> t.WarehouseSiteType:
        kernel, member = _ids(info, member_id)
        await sites.set_zone(
            kernel,
            member,
            _hub(warehouse_id),
            zone=zone,
            capacity_units=capacity_units,
            min_celsius=min_celsius,
            max_celsius=max_celsius,
        )
        return await _site_of(kernel, member, _hub(warehouse_id))

    @strawberry.mutation(extensions=_on("warehouse.sites.manage"))
    async def set_warehouse_coverage(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        community_ids: list[strawberry.ID],
        radius_km: float | None = None,
    ) -> t.WarehouseSiteType:
        """Replace the hub's listed communities (and optionally its radius)."""
        kernel, member = _ids(info, member_id)
        ids = [decode_id("Community", c) for c in community_ids]
        await sites.set_coverage(kernel, member, _hub(warehouse_id), ids, radius_km)
        return await _site_of(kernel, member, _hub(warehouse_id))

    @strawberry.mutation(extensions=_on("warehouse.sites.manage"))
    async def add_warehouse_slot(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        name: str,
        cutoff: str,
        lead_days: int = 1,
        window: str = "",
    ) -> t.WarehouseSiteType:
        """A delivery slot: order by ``cutoff`` (HH:MM), delivered ``leadDays`` later."""
        kernel, member = _ids(info, member_id)
        await sites.add_slot(
            kernel,
            member,
            _hub(warehouse_id),
            name=name,
            cutoff=cutoff,
            lead_days=lead_days,
            window=window,
        )
        return await _site_of(kernel, member, _hub(warehouse_id))

    @strawberry.mutation(extensions=_on("warehouse.clients.manage"))
    async def admit_warehouse_client(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        client_member_id: strawberry.ID,
    ) -> t.WarehouseSiteType:
        kernel, member = _ids(info, member_id)
        await agreements.admit_client(
            kernel, member, _hub(warehouse_id), decode_id("Member", client_member_id)
        )
        return await _site_of(kernel, member, _hub(warehouse_id))

    @strawberry.mutation(extensions=_on("warehouse.clients.manage"))
    async def end_warehouse_agreement(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        client_member_id: strawberry.ID,
    ) -> bool:
        """End a client's agreement (the operator, or the client for itself)."""
        kernel, member = _ids(info, member_id)
        await agreements.end_agreement(
            kernel, member, _hub(warehouse_id), decode_id("Member", client_member_id)
        )
        return True

    @strawberry.mutation(extensions=_on("warehouse.stock.write"))
    async def receive_warehouse_stock(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        owner_member_id: strawberry.ID,
        sku: str,
        quantity: int,
        lot_code: str,
        expires_on: dt.date | None = None,
        name: str | None = None,
        category: str | None = None,
        zone: str | None = None,
        unit_cost_fen: int | None = None,
    ) -> t.WarehouseLotType:
        """Inbound goods of an owner: a new lot (a new SKU needs name, category, zone)."""
        kernel, member = _ids(info, member_id)
        owner = decode_id("Member", owner_member_id)
        lot_id = await stock.receive(
            kernel,
            member,
            _hub(warehouse_id),
            owner,
            sku=sku,
            quantity=quantity,
            lot_code=lot_code,
            expires_on=expires_on,
            name=name,
            category=category,
            zone=zone,
            unit_cost_fen=unit_cost_fen,
        )
        return await _lot(owner, lot_id)

    @strawberry.mutation(extensions=_on("warehouse.stock.write"))
    async def adjust_warehouse_lot(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        lot_id: strawberry.ID,
        delta: int,
        reason: str,
    ) -> t.WarehouseLotType:
        kernel, member = _ids(info, member_id)
        return t.lot(
            await stock.adjust(kernel, member, decode_id("WarehouseLot", lot_id), delta, reason)
        )

    @strawberry.mutation(extensions=_on("warehouse.stock.write"))
    async def write_off_warehouse_lot(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        lot_id: strawberry.ID,
        quantity: int,
        reason: str,
    ) -> t.WarehouseLotType:
        """A loss: ``reason`` spoiled, damaged or expired."""
        kernel, member = _ids(info, member_id)
        return t.lot(
            await stock.write_off(
                kernel, member, decode_id("WarehouseLot", lot_id), quantity, reason
            )
        )

    @strawberry.mutation(extensions=_on("warehouse.waves.run"))
    async def plan_warehouse_wave(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        slot_id: strawberry.ID,
        delivery_date: dt.date,
    ) -> t.WarehouseWaveType:
        """Gather the hub's due orders (of clients granting fulfilment) into a wave."""
        kernel, member = _ids(info, member_id)
        found = await sites.access(kernel, member, _hub(warehouse_id))
        context = context_of(info)
        owners = await readable_owners(
            kernel,
            found,
            actor=context.principal,
            memo=context.memo,
            subject=f"wave of {delivery_date}",
        )
        row = await waves.plan(
            kernel, found, decode_id("WarehouseSlot", slot_id), delivery_date, owners
        )
        return t.wave(row)

    @strawberry.mutation(extensions=_on("warehouse.waves.run"))
    async def mark_warehouse_wave_picked(
        self, info: Info[Any, Any], member_id: strawberry.ID, wave_id: strawberry.ID
    ) -> t.WarehouseWaveType:
        kernel, member = _ids(info, member_id)
        return t.wave(await waves.mark_picked(kernel, member, decode_id("WarehouseWave", wave_id)))

    @strawberry.mutation(extensions=_on("warehouse.waves.run"))
    async def mark_warehouse_wave_dispatched(
        self, info: Info[Any, Any], member_id: strawberry.ID, wave_id: strawberry.ID
    ) -> t.WarehouseWaveType:
        kernel, member = _ids(info, member_id)
        return t.wave(await waves.dispatch(kernel, member, decode_id("WarehouseWave", wave_id)))

    @strawberry.mutation(extensions=_on("warehouse.transfers.manage"))
    async def request_warehouse_transfer(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        owner_member_id: strawberry.ID,
        from_warehouse_id: strawberry.ID,
        to_warehouse_id: strawberry.ID,
        sku: str,
        quantity: int,
    ) -> strawberry.ID:
        """Ask to move an owner's units between two hubs; returns the transfer's id."""
        kernel, member = _ids(info, member_id)
        number = await transfers.request_transfer(
            kernel,
            member,
            decode_id("Member", owner_member_id),
            _hub(from_warehouse_id),
            _hub(to_warehouse_id),
            sku,
            quantity,
        )
        return t.ref("WarehouseTransfer", number)

    @strawberry.mutation(extensions=_on("warehouse.transfers.manage"))
    async def ship_warehouse_transfer(
        self, info: Info[Any, Any], member_id: strawberry.ID, transfer_id: strawberry.ID
    ) -> t.WarehouseTransferType:
        kernel, member = _ids(info, member_id)
        return t.transfer(
            await transfers.ship(kernel, member, decode_id("WarehouseTransfer", transfer_id))
        )

    @strawberry.mutation(extensions=_on("warehouse.transfers.manage"))
    async def receive_warehouse_transfer(
        self, info: Info[Any, Any], member_id: strawberry.ID, transfer_id: strawberry.ID
    ) -> t.WarehouseTransferType:
        kernel, member = _ids(info, member_id)
        return t.transfer(
            await transfers.receive_transfer(
                kernel, member, decode_id("WarehouseTransfer", transfer_id)
            )
        )

    @strawberry.mutation(extensions=_on("warehouse.demand.record"))
    async def record_warehouse_search(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        sku: str,
        community_id: strawberry.ID | None = None,
        query: str = "",
    ) -> bool:
        """A resident searched the member's ``sku`` and found no stock."""
        kernel, member = _ids(info, member_id)
        community = None if community_id is None else decode_id("Community", community_id)
        await demand.record_search(kernel, member, sku=sku, community_id=community, query=query)
        return True

    @strawberry.mutation(extensions=_on("warehouse.temperature.record"))
    async def record_warehouse_temperature(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        zone: str,
        celsius: float,
        sensor: str = "",
    ) -> bool:
        """A reading of a zone (operator only); answers whether it is an excursion."""
        kernel, member = _ids(info, member_id)
        found = await sites.access(kernel, member, _hub(warehouse_id))
        return await coldchain.record_reading(kernel, found, zone, celsius, sensor)

    @strawberry.mutation(extensions=_on("warehouse.sites.manage"))
    async def create_warehouse_sensor_key(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        name: str,
    ) -> str:
        """A key for the hub's temperature sensors (shown once), for
        ``POST /plugins/warehouse/readings``."""
        kernel, member = _ids(info, member_id)
        found = await sites.access(kernel, member, _hub(warehouse_id))
        return await coldchain.create_sensor_key(kernel, found, name)
