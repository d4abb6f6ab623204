"""The floor: waves with pick and sort lists (pickup points from groupbuy's events), CSV
export, dispatch; transfers and rebalancing; loss; near-expiry; cold chain; demand."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, ClassVar

import pytest

from alliance_sdk import Event, publish
from plugins.warehouse import loss, stock, transfers, waves
from plugins.warehouse.db import rows
from plugins.warehouse.events import TemperatureExcursion, WaveDispatched
from plugins.warehouse.sites import access
from plugins.warehouse.tests.helpers import floor, grant, lot_row, receive, reserve

pytestmark = pytest.mark.alliance_plugins("plugins.warehouse")


class OrderPlaced(Event):
    """groupbuy's event, as it arrives (the plugin reads it with model_dump())."""

    type: ClassVar[str] = "groupbuy.order_placed"
    order_ref: str
    community_id: int
    pickup_member_id: int | None
    delivery_date: str
    lines: list[dict[str, Any]]


async def test_a_wave_from_orders_to_dispatch(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any, captured_events: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    alliance_kernel.events.register_event(OrderPlaced)
    milk = await receive(f, f.a, "MILK", 10, expires_in=3)
    await receive(f, f.a, "RICE", 10, zone="ambient", expires_in=None)
    await receive(f, f.b, "BREAD", 5, zone="ambient")
    leader = await alliance_factory.member(f.alliance, kind="leader")
    day = dt.date(2031, 5, 1)
    for n, (owner, lines) in enumerate(
        [(f.a, {"MILK": 2, "RICE": 1}), (f.a, {"MILK": 1}), (f.b, {"BREAD": 2})]
    ):
        assert (await reserve(f, owner, f"gb-{n}", lines)).reserved
        async with alliance_kernel.db.write():
            await publish(
                alliance_kernel,
                OrderPlaced(
                    member_id=owner.id,
                    order_ref=f"gb-{n}",
                    community_id=f.near.id,
                    pickup_member_id=leader.id,
                    delivery_date=day.isoformat(),
                    lines=[{"sku": s, "quantity": q} for s, q in lines.items()],
                ),
            )
    await captured_events.deliver()
    await grant(alliance_client, f, f.a, f.a_owner)  # B grants nothing: its order stays out

    await alliance_client.sign_in(f.operator_owner)
    gid = alliance_client.gid
    planned = await alliance_client(
        "mutation($m: ID!, $h: ID!, $s: ID!, $d: Date!) { planWarehouseWave(memberId: $m, "
        "warehouseId: $h, slotId: $s, deliveryDate: $d) { id orders units state } }",
        {
            "m": gid("Member", f.operator),
            "h": gid("WarehouseSite", f.hub),
            "s": gid("WarehouseSlot", f.slot),
            "d": day.isoformat(),
        },
    )
    wave = planned.ok()["planWarehouseWave"]
    assert (wave["orders"], wave["units"], wave["state"]) == (2, 4, "planned")
    lists = await alliance_client(
        "query($m: ID!, $w: ID!) { warehousePickList(memberId: $m, waveId: $w) { zone sku units "
        "lotCode } warehouseSortList(memberId: $m, waveId: $w) { communityId pickupMemberId sku "
        'units orders } warehouseWaveExport(memberId: $m, waveId: $w, listName: "sort") }',
        {"m": gid("Member", f.operator), "w": wave["id"]},
    )
    data = lists.ok()
    assert [(x["zone"], x["sku"], x["units"]) for x in data["warehousePickList"]] == [
        ("ambient", "RICE", 1),
        ("chilled", "MILK", 3),
    ]
    assert [
        (x["pickupMemberId"], x["sku"], x["units"], x["orders"]) for x in data["warehouseSortList"]
    ] == [(gid("Member", leader), "MILK", 3, 2), (gid("Member", leader), "RICE", 1, 1)]
    exported = list(csv.DictReader(io.StringIO(data["warehouseWaveExport"])))
    assert [(r["sku"], r["units"], r["pickup_member"]) for r in exported] == [
        ("MILK", "3", str(leader.id)),
        ("RICE", "1", str(leader.id)),
    ]

    wave_id = int(
        wave["id"] and (await rows(alliance_kernel, "SELECT id FROM warehouse_wave"))[0]["id"]
    )
    await waves.mark_picked(alliance_kernel, f.operator.id, wave_id)
    await waves.dispatch(alliance_kernel, f.operator.id, wave_id)
    after = await lot_row(alliance_kernel, milk)
    assert (after["on_hand"], after["reserved"]) == (7, 0)
    assert [e.units for e in await captured_events.of(WaveDispatched)] == [4]
    states = await rows(alliance_kernel, "SELECT order_ref, state FROM warehouse_order ORDER BY id")
    assert [s["state"] for s in states] == ["dispatched", "dispatched", "reserved"]


async def test_transfers_rebalancing_and_loss(alliance_kernel: Any, alliance_factory: Any) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    lot = await receive(f, f.a, "MILK", 100, hub=f.hub2, expires_in=4, cost=500)
    await receive(f, f.a, "MILK", 1, hub=f.hub, cost=500)
    today = dt.date.today()
    await rows(
        alliance_kernel,
        "INSERT INTO warehouse_demand (member, warehouse, sku, day, units) VALUES "
        "({}, {}, 'MILK', {}, 70)",
        f.a.id,
        f.hub,
        today - dt.timedelta(days=1),
    )
    hubs = [await access(alliance_kernel, f.operator.id, h) for h in (f.hub, f.hub2)]
    suggested = await transfers.suggestions(alliance_kernel, f.operator.id, hubs, today, 1.0, 5.0)
    assert [(s["from_warehouse"], s["to_warehouse"]) for s in suggested] == [(f.hub2, f.hub)]
    number = await transfers.request_transfer(
        alliance_kernel, f.operator.id, f.a.id, f.hub2, f.hub, "MILK", 30
    )
    await transfers.ship(alliance_kernel, f.operator.id, number)
    await transfers.receive_transfer(alliance_kernel, f.operator.id, number)
    assert (await lot_row(alliance_kernel, lot))["on_hand"] == 70
    moved = await rows(
        alliance_kernel,
        "SELECT on_hand, expires_on FROM warehouse_lot "
        "WHERE warehouse = {} AND lot_code = 'MILK-4-100'",
        f.hub,
    )
    assert moved[0]["on_hand"] == 30

    await stock.write_off(alliance_kernel, f.operator.id, lot, 3, "spoiled")
    with pytest.raises(Exception, match="free units"):
        await stock.write_off(alliance_kernel, f.operator.id, lot, 1000, "damaged")
    report = await loss.loss_report(
        alliance_kernel,
        hubs[1],
        dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2100, 1, 1, tzinfo=dt.UTC),
    )
    assert [(r["category"], r["lost_units"], r["loss_rate_bp"]) for r in report] == [
        ("dairy", 3, 300)
    ]


async def test_cold_chain_route_and_excursions(
    alliance_kernel: Any,
    alliance_factory: Any,
    alliance_client: Any,
    alliance_http: Any,
    captured_events: Any,
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    await alliance_client.sign_in(f.operator_owner)
    gid = alliance_client.gid
    variables = {"m": gid("Member", f.operator), "h": gid("WarehouseSite", f.hub)}
    key = (
        await alliance_client(
            "mutation($m: ID!, $h: ID!) { createWarehouseSensorKey(memberId: $m, warehouseId: $h, "
            'name: "chiller 1") }',
            variables,
        )
    ).ok()["createWarehouseSensorKey"]

    ok = await alliance_http.post(
        "/plugins/warehouse/readings",
        headers={"X-Sensor-Key": key},
        json={"zone": "chilled", "celsius": 3.5},
    )
    hot = await alliance_http.post(
        "/plugins/warehouse/readings",
        headers={"X-Sensor-Key": key},
        json={"zone": "chilled", "celsius": 9.0, "sensor": "c1"},
    )
    bad = await alliance_http.post(
        "/plugins/warehouse/readings",
        headers={"X-Sensor-Key": key + "x"},
        json={"zone": "chilled", "celsius": 9.0},
    )
    assert (ok.status_code, ok.json()) == (201, {"excursion": False})
    assert (hot.status_code, hot.json()) == (201, {"excursion": True})
    assert bad.status_code == 404
    assert [e.celsius for e in await captured_events.of(TemperatureExcursion)] == [9.0]
    listed = await alliance_client(
        "query($m: ID!, $h: ID!) { warehouseTemperatureExcursions(memberId: $m, "
        "warehouseId: $h) { zone celsius sensor } }",
        variables,
    )
    assert listed.ok()["warehouseTemperatureExcursions"] == [
        {"zone": "chilled", "celsius": 9.0, "sensor": "c1"}
    ]


async def test_near_expiry_searches_and_replenishment(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    today = dt.date.today()
    soon = await stock.receive(
        alliance_kernel,
        f.a.id,
        f.hub,
        f.a.id,
        sku="YOG",
        quantity=4,
        lot_code="Y1",
        expires_on=today + dt.timedelta(days=1),
        name="Yogurt",
        category="dairy",
        zone="chilled",
    )
    await stock.receive(
        alliance_kernel,
        f.a.id,
        f.hub,
        f.a.id,
        sku="YOG",
        quantity=4,
        lot_code="Y2",
        expires_on=today + dt.timedelta(days=30),
    )
    found = await access(alliance_kernel, f.a.id, f.hub)
    assert [x["id"] for x in await loss.near_expiry(alliance_kernel, found, today, 2)] == [soon]

    await alliance_client.sign_in(f.a_owner)
    gid = alliance_client.gid
    for _ in range(3):
        (
            await alliance_client(
                'mutation($m: ID!, $c: ID!) { recordWarehouseSearch(memberId: $m, sku: "LFM-002", '
                'communityId: $c, query: "lactose-free milk") }',
                {"m": gid("Member", f.a), "c": gid("Community", f.near)},
            )
        ).ok()
    # Distinct days: move two of the searches back in time.
    await rows(
        alliance_kernel,
        "UPDATE warehouse_unmet SET day = {} WHERE id = 1",
        today - dt.timedelta(days=1),
    )
    await rows(
        alliance_kernel,
        "UPDATE warehouse_unmet SET day = {} WHERE id = 2",
        today - dt.timedelta(days=2),
    )
    result = await alliance_client(
        "query($m: ID!, $h: ID!) { warehouseUnmetDemand(memberId: $m, warehouseId: $h, "
        "minDays: 3) { sku days searches } warehouseReplenishment(memberId: $m, warehouseId: $h) "
        "{ sku quantity unmet } }",
        {"m": gid("Member", f.a), "h": gid("WarehouseSite", f.hub)},
    )
    data = result.ok()
    assert data["warehouseUnmetDemand"] == [{"sku": "LFM-002", "days": 3, "searches": 3}]
    assert {"sku": "LFM-002", "quantity": 3, "unmet": 3} in data["warehouseReplenishment"]
