"""Read fields. Every field acts for ``memberId`` (the operator or a client) and answers
only what that member may see at the hub; anything else is NOT_FOUND or empty."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import context_of, decode_id, member_arg, requires
from plugins.warehouse import demand, loss, stock, transfers, waves
from plugins.warehouse.graphql import types as t
from plugins.warehouse.graphql.export import export_text
from plugins.warehouse.orders import orders_of, readable_owners
from plugins.warehouse.reservations import local_today
from plugins.warehouse.settings import config_of
from plugins.warehouse.sites import access, covered_communities, sites_of, slots_of, zones_of

__all__ = ["WarehouseQuery"]

READ = "warehouse.stock.read"


def _on(action: str) -> list[Any]:
    return [requires(action, member=member_arg())]


def _ids(info: Info[Any, Any], member_id: strawberry.ID) -> tuple[Any, int]:
    return context_of(info).kernel, decode_id("Member", member_id)


async def _site(kernel: Any, member: int, site: Any, operator: bool) -> t.WarehouseSiteType:
    found = await access(kernel, member, site.id)
    return t.WarehouseSiteType(
        id=t.ref("WarehouseSite", site.id),
        code=site.code,
        name=site.name,
        latitude=site.latitude,
        longitude=site.longitude,
        radius_km=site.radius_km,
        active=site.active,
        is_operator=operator,
        operator_member_id=t.ref("Member", site.operator),
        zones=[
            t.WarehouseZoneType(
                zone=z["zone"],
                capacity_units=z["capacity_units"],
                min_celsius=z["min_celsius"],
                max_celsius=z["max_celsius"],
            )
            for z in await zones_of(kernel, site)
        ],
        slots=[
            t.WarehouseSlotType(
                id=t.ref("WarehouseSlot", s["id"]),
                name=s["name"],
                cutoff=s["cutoff"],
                lead_days=s["lead_days"],
                window=s["window"],
            )
            for s in await slots_of(kernel, site)
        ],
        community_ids=[t.ref("Community", c) for c in await covered_communities(kernel, found)],
        client_member_ids=[t.ref("Member", c) for c in found.owners],
    )


@strawberry.type
class WarehouseQuery:
    @strawberry.field(extensions=_on(READ))
    async def warehouse_sites(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[t.WarehouseSiteType]:
        """Hubs the member operates or is a client of."""
        kernel, member = _ids(info, member_id)
        return [await _site(kernel, member, s, op) for s, op in await sites_of(kernel, member)]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_stock(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        owner_member_id: strawberry.ID | None = None,
        sku: str | None = None,
    ) -> list[t.WarehouseLotType]:
        """Lots with units on hand: the operator sees every client's, a client its own."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        owner = None if owner_member_id is None else decode_id("Member", owner_member_id)
        return [t.lot(r) for r in await stock.lots_of(kernel, found, owner=owner, sku=sku)]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_near_expiry(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        days: int | None = None,
    ) -> list[t.WarehouseLotType]:
        """Lots with free units expiring within ``days`` (default: the configuration's)."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        window = days if days is not None else (await config_of(kernel, member)).near_expiry_days
        lots = await loss.near_expiry(kernel, found, local_today(kernel), max(0, window))
        return [t.lot(r) for r in lots]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_loss(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        since: dt.datetime,
        until: dt.datetime,
    ) -> list[t.WarehouseLossLineType]:
        """Loss per category: write-offs against receipts, in basis points."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        target = (await config_of(kernel, member)).loss_target_bp
        return [
            t.WarehouseLossLineType(
                category=e["category"],
                received_units=e["received_units"],
                received_fen=e["received_fen"],
                lost_units=e["lost_units"],
                lost_fen=e["lost_fen"],
                loss_rate_bp=e["loss_rate_bp"],
                above_target=e["loss_rate_bp"] > target,
            )
            for e in await loss.loss_report(kernel, found, since, until)
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_orders(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        delivery_date: dt.date,
    ) -> list[t.WarehouseOrderType]:
        """Orders due on a day: the operator sees those of clients granting it
        ``orders:read`` for ``fulfilment`` now."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        context = context_of(info)
        owners = await readable_owners(
            kernel,
            found,
            actor=context.principal,
            memo=context.memo,
            subject=f"warehouse orders of {delivery_date}",
        )
        return [
            t.WarehouseOrderType(
                order_ref=o["order_ref"],
                owner_member_id=t.ref("Member", o["member"]),
                community_id=t.ref("Community", o["community"]),
                pickup_member_id=t.gid("Member", o["pickup_member"]),
                delivery_date=o["delivery_date"],
                units=o["units"],
                state=o["state"],
                wave_id=t.gid("WarehouseWave", o["wave"]),
            )
            for o in await orders_of(kernel, found, owners, delivery_date)
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_waves(
        self, info: Info[Any, Any], member_id: strawberry.ID, warehouse_id: strawberry.ID
    ) -> list[t.WarehouseWaveType]:
        """The hub's waves, newest first (operator only)."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        return [t.wave(w) for w in await waves.waves_of(kernel, found)]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_pick_list(
        self, info: Info[Any, Any], member_id: strawberry.ID, wave_id: strawberry.ID
    ) -> list[t.WarehousePickLineType]:
        """What to pick for a wave, by zone, owner, SKU and lot."""
        lines = await _wave_lines(info, member_id, wave_id, waves.pick_list)
        return [
            t.WarehousePickLineType(
                zone=r["zone"],
                owner_member_id=t.ref("Member", r["owner"]),
                sku=r["sku"],
                lot_code=r["lot_code"],
                expires_on=r["expires_on"],
                units=r["units"],
            )
            for r in lines
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_sort_list(
        self, info: Info[Any, Any], member_id: strawberry.ID, wave_id: strawberry.ID
    ) -> list[t.WarehouseSortLineType]:
        """How to sort a wave: units per community and pickup point."""
        lines = await _wave_lines(info, member_id, wave_id, waves.sort_list)
        return [
            t.WarehouseSortLineType(
                community_id=t.ref("Community", r["community"]),
                community_name=r["community_name"],
                pickup_member_id=t.gid("Member", r["pickup_member"]),
                owner_member_id=t.ref("Member", r["owner"]),
                sku=r["sku"],
                units=r["units"],
                orders=r["orders"],
            )
            for r in lines
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_wave_export(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        wave_id: strawberry.ID,
        list_name: str = "pick",
        format: str = "csv",
    ) -> str:
        """The pick (``listName: "pick"``) or sort (``"sort"``) list as CSV or JSON text,
        for the floor's handhelds and printers."""
        maker = waves.sort_list if list_name == "sort" else waves.pick_list
        lines = await _wave_lines(info, member_id, wave_id, maker)
        return export_text(lines, list_name, format)

    @strawberry.field(extensions=_on(READ))
    async def warehouse_transfers(
        self, info: Info[Any, Any], member_id: strawberry.ID, warehouse_id: strawberry.ID
    ) -> list[t.WarehouseTransferType]:
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        return [t.transfer(r) for r in await transfers.transfers_of(kernel, found)]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_rebalancing(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[t.WarehouseTransferSuggestionType]:
        """Transfers between the operator's hubs that would keep a SKU from selling out."""
        kernel, member = _ids(info, member_id)
        hubs = [
            await access(kernel, member, s.id) for s, op in await sites_of(kernel, member) if op
        ]
        config = await config_of(kernel, member)
        found = await transfers.suggestions(
            kernel, member, hubs, local_today(kernel), config.low_cover_days, config.slow_cover_days
        )
        return [
            t.WarehouseTransferSuggestionType(
                owner_member_id=t.ref("Member", s["owner"]),
                sku=s["sku"],
                from_warehouse_id=t.ref("WarehouseSite", s["from_warehouse"]),
                to_warehouse_id=t.ref("WarehouseSite", s["to_warehouse"]),
                quantity=s["quantity"],
                cover_days=s["cover_days"],
            )
            for s in found
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_forecast(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        sku: str | None = None,
        days: int = 7,
    ) -> list[t.WarehouseForecastType]:
        """Daily demand forecast per SKU (Holt-Winters additive, weekly season)."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        plans = await demand.forecast(kernel, found, local_today(kernel), days, sku)
        return [
            t.WarehouseForecastType(
                owner_member_id=t.ref("Member", p["owner"]),
                sku=p["sku"],
                history=p["history"],
                forecast=p["forecast"],
            )
            for p in plans
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_replenishment(
        self, info: Info[Any, Any], member_id: strawberry.ID, warehouse_id: strawberry.ID
    ) -> list[t.WarehouseReorderType]:
        """Reorder suggestions: forecast over lead time and safety days, plus unmet demand."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        c = await config_of(kernel, member)
        plans = await demand.replenishment(
            kernel, found, local_today(kernel), c.lead_time_days, c.safety_days, c.signal_days
        )
        return [
            t.WarehouseReorderType(
                owner_member_id=t.ref("Member", p["owner"]),
                sku=p["sku"],
                free=p["free"],
                forecast=p["forecast"],
                unmet=p["unmet"],
                quantity=p["quantity"],
            )
            for p in plans
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_unmet_demand(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        min_days: int = 1,
    ) -> list[t.WarehouseUnmetSignalType]:
        """Unmet demand of the last week per SKU and community, on ``minDays`` days or more."""
        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        signals = await demand.unmet_signals(
            kernel, list(found.owners), found.site.id, local_today(kernel), max(1, min_days)
        )
        return [
            t.WarehouseUnmetSignalType(
                owner_member_id=t.ref("Member", s["member"]),
                sku=s["sku"],
                community_id=t.gid("Community", s["community"]),
                days=s["days"],
                units=s["units"],
                searches=s["searches"],
            )
            for s in signals
        ]

    @strawberry.field(extensions=_on(READ))
    async def warehouse_temperature_excursions(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        warehouse_id: strawberry.ID,
        since: dt.datetime | None = None,
    ) -> list[t.WarehouseReadingType]:
        """Readings outside their zone's range (operator only), newest first."""
        from plugins.warehouse.coldchain import excursions

        kernel, member = _ids(info, member_id)
        found = await access(kernel, member, decode_id("WarehouseSite", warehouse_id))
        if not found.operator:
            return []
        start = since or kernel.clock() - dt.timedelta(days=7)
        return [
            t.WarehouseReadingType(
                zone=r["zone"],
                celsius=r["celsius"],
                sensor=r["sensor"],
                excursion=r["excursion"],
                at=r["at"],
            )
            for r in await excursions(kernel, found, start)
        ]


async def _wave_lines(
    info: Info[Any, Any], member_id: strawberry.ID, wave_id: strawberry.ID, maker: Any
) -> list[dict[str, Any]]:
    kernel, member = _ids(info, member_id)
    found, _ = await waves.wave_access(kernel, member, decode_id("WarehouseWave", wave_id))
    context = context_of(info)
    number = decode_id("WarehouseWave", wave_id)
    owners = await readable_owners(
        kernel, found, actor=context.principal, memo=context.memo, subject=f"WarehouseWave:{number}"
    )
    lines: list[dict[str, Any]] = await maker(kernel, number, owners)
    return lines
