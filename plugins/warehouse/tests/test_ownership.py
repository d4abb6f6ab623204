"""Ownership across members: every ID-taking root field of the plugin, called by another
client of the same hub, a member of another alliance and an anonymous caller, returns
nothing of client A's and changes no row; revoking A's grant hides A's orders from the
operator on the next request."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from plugins.warehouse import waves
from plugins.warehouse.db import rows
from plugins.warehouse.tests.helpers import REVOKE, floor, grant, receive, reserve

pytestmark = pytest.mark.alliance_plugins("plugins.warehouse")

_TABLES = (
    "site",
    "zone",
    "coverage",
    "slot",
    "agreement",
    "wave",
    "reading",
    "sensor_key",
    "sku",
    "lot",
    "movement",
    "reservation",
    "order",
    "transfer",
    "demand",
    "unmet",
)

FIELDS: list[tuple[str, str]] = [
    ("q", "warehouseStock(memberId: $m, warehouseId: $h) { sku ownerMemberId onHand }"),
    ("q", "warehouseStock(memberId: $m, warehouseId: $h, ownerMemberId: $a) { sku }"),
    ("q", "warehouseNearExpiry(memberId: $m, warehouseId: $h, days: 9999) { sku }"),
    (
        "q",
        'warehouseLoss(memberId: $m, warehouseId: $h, since: "2000-01-01T00:00:00Z", '
        'until: "2100-01-01T00:00:00Z") { category receivedUnits }',
    ),
    (
        "q",
        'warehouseOrders(memberId: $m, warehouseId: $h, deliveryDate: "2030-01-01") { orderRef }',
    ),
    ("q", "warehouseWaves(memberId: $m, warehouseId: $h) { id }"),
    ("q", "warehousePickList(memberId: $m, waveId: $w) { sku }"),
    ("q", "warehouseSortList(memberId: $m, waveId: $w) { sku }"),
    ("q", "warehouseWaveExport(memberId: $m, waveId: $w)"),
    ("q", "warehouseTransfers(memberId: $m, warehouseId: $h) { sku }"),
    ("q", "warehouseRebalancing(memberId: $m) { sku }"),
    ("q", "warehouseForecast(memberId: $m, warehouseId: $h) { sku }"),
    ("q", "warehouseReplenishment(memberId: $m, warehouseId: $h) { sku }"),
    ("q", "warehouseUnmetDemand(memberId: $m, warehouseId: $h) { sku }"),
    ("q", "warehouseTemperatureExcursions(memberId: $m, warehouseId: $h) { zone }"),
    ("q", "warehouseSites(memberId: $m) { code clientMemberIds }"),
    (
        "m",
        'setWarehouseZone(memberId: $m, warehouseId: $h, zone: "ambient", capacityUnits: 1, '
        "minCelsius: 0, maxCelsius: 1) { code }",
    ),
    ("m", "setWarehouseCoverage(memberId: $m, warehouseId: $h, communityIds: []) { code }"),
    ("m", 'addWarehouseSlot(memberId: $m, warehouseId: $h, name: "x", cutoff: "10:00") { code }'),
    ("m", "admitWarehouseClient(memberId: $m, warehouseId: $h, clientMemberId: $m) { code }"),
    ("m", "endWarehouseAgreement(memberId: $m, warehouseId: $h, clientMemberId: $a)"),
    (
        "m",
        "receiveWarehouseStock(memberId: $m, warehouseId: $h, ownerMemberId: $a, "
        'sku: "A-SECRET", quantity: 1, lotCode: "x") { sku }',
    ),
    ("m", 'adjustWarehouseLot(memberId: $m, lotId: $l, delta: -1, reason: "x") { sku }'),
    ("m", 'writeOffWarehouseLot(memberId: $m, lotId: $l, quantity: 1, reason: "spoiled") { sku }'),
    (
        "m",
        "planWarehouseWave(memberId: $m, warehouseId: $h, slotId: $s, "
        'deliveryDate: "2030-01-01") { id }',
    ),
    ("m", "markWarehouseWavePicked(memberId: $m, waveId: $w) { state }"),
    ("m", "markWarehouseWaveDispatched(memberId: $m, waveId: $w) { state }"),
    (
        "m",
        "requestWarehouseTransfer(memberId: $m, ownerMemberId: $a, fromWarehouseId: $h, "
        'toWarehouseId: $h2, sku: "A-SECRET", quantity: 1)',
    ),
    ("m", "shipWarehouseTransfer(memberId: $m, transferId: $t) { sku }"),
    ("m", "receiveWarehouseTransfer(memberId: $m, transferId: $t) { sku }"),
    (
        "m",
        'recordWarehouseTemperature(memberId: $m, warehouseId: $h, zone: "chilled", celsius: 30)',
    ),
    ("m", 'createWarehouseSensorKey(memberId: $m, warehouseId: $h, name: "x")'),
]


def _declared(field: str) -> str:
    used = sorted(set(re.findall(r"\$(\w+)", field)))
    return ", ".join(f"${name}: ID!" for name in used)


async def _snapshot(kernel: Any) -> str:
    return json.dumps(
        {t: await rows(kernel, f'SELECT * FROM "warehouse_{t}" ORDER BY id') for t in _TABLES},
        default=str,
    )


async def test_no_field_shows_or_changes_a_foreign_clients_stock(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    lot = await receive(f, f.a, "A-SECRET", 10)
    await receive(f, f.a, "A-SECRET", 10, hub=f.hub2)
    assert (await reserve(f, f.a, "gb-1", {"A-SECRET": 2})).reserved
    await grant(alliance_client, f, f.a, f.a_owner)
    from plugins.warehouse.sites import access
    from plugins.warehouse.transfers import request_transfer

    hub_access = await access(alliance_kernel, f.operator.id, f.hub)
    wave = await waves.plan(alliance_kernel, hub_access, f.slot, f.today, [f.a.id])
    transfer = await request_transfer(
        alliance_kernel, f.operator.id, f.a.id, f.hub2, f.hub, "A-SECRET", 1
    )
    other = await alliance_factory.member(kind="warehouse_operator")  # another alliance
    other_owner = await alliance_factory.user()
    await alliance_factory.membership(other, other_owner, "owner")
    await alliance_factory.enable_plugin(other, "warehouse")
    gid = alliance_client.gid
    ids = {
        "h": gid("WarehouseSite", f.hub),
        "h2": gid("WarehouseSite", f.hub2),
        "a": gid("Member", f.a),
        "l": gid("WarehouseLot", lot),
        "w": gid("WarehouseWave", wave["id"]),
        "s": gid("WarehouseSlot", f.slot),
        "t": gid("WarehouseTransfer", transfer),
    }
    callers = [(f.b_owner, f.b), (f.b_owner, f.a), (other_owner, other), (None, f.b)]
    before = await _snapshot(alliance_kernel)
    for kind, field in FIELDS:
        document = f"{'query' if kind == 'q' else 'mutation'}({_declared(field)}) {{ {field} }}"
        for user, member in callers:
            if user is None:
                alliance_client.sign_out()
            else:
                await alliance_client.sign_in(user)
            variables = {**ids, "m": gid("Member", member)}
            used = {k: v for k, v in variables.items() if f"${k}" in field}
            result = await alliance_client(document, used)
            assert "GRAPHQL_VALIDATION_FAILED" not in result.codes, result.errors
            text = json.dumps(result.data)
            assert "A-SECRET" not in text and ids["a"] not in text, (field, member.id, text)
            if kind == "m":
                assert result.errors, (field, member.id, result.data)
                assert set(result.codes) <= {"NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"}, (
                    field,
                    result.errors,
                )
    assert await _snapshot(alliance_kernel) == before


async def test_the_operator_sees_every_clients_stock_a_client_only_its_own(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    await receive(f, f.a, "A-MILK", 3)
    await receive(f, f.b, "B-MILK", 4)
    query = "query($m: ID!, $h: ID!) { warehouseStock(memberId: $m, warehouseId: $h) { sku } }"
    hub = alliance_client.gid("WarehouseSite", f.hub)
    seen = {}
    for user, member in ((f.operator_owner, f.operator), (f.a_owner, f.a), (f.b_owner, f.b)):
        await alliance_client.sign_in(user)
        result = await alliance_client(
            query, {"m": alliance_client.gid("Member", member), "h": hub}
        )
        seen[member.id] = sorted(x["sku"] for x in result.ok()["warehouseStock"])
    assert seen == {f.operator.id: ["A-MILK", "B-MILK"], f.a.id: ["A-MILK"], f.b.id: ["B-MILK"]}


async def test_revoking_the_grant_hides_the_clients_orders_on_the_next_request(
    alliance_kernel: Any, alliance_factory: Any, alliance_client: Any
) -> None:
    f = await floor(alliance_kernel, alliance_factory)
    await receive(f, f.a, "MILK", 5)
    assert (await reserve(f, f.a, "gb-7", {"MILK": 1})).reserved
    day = (await rows(alliance_kernel, "SELECT delivery_date FROM warehouse_order"))[0]
    query = (
        "query($m: ID!, $h: ID!, $d: Date!) { warehouseOrders(memberId: $m, "
        "warehouseId: $h, deliveryDate: $d) { orderRef } }"
    )
    variables = {
        "m": alliance_client.gid("Member", f.operator),
        "h": alliance_client.gid("WarehouseSite", f.hub),
        "d": str(day["delivery_date"])[:10],
    }

    await alliance_client.sign_in(f.operator_owner)
    assert (await alliance_client(query, variables)).ok()["warehouseOrders"] == []
    grant_id = await grant(alliance_client, f, f.a, f.a_owner)
    await alliance_client.sign_in(f.operator_owner)
    assert (await alliance_client(query, variables)).ok()["warehouseOrders"] == [
        {"orderRef": "gb-7"}
    ]
    await alliance_client.sign_in(f.a_owner)
    revoke = await alliance_client(REVOKE, {"m": alliance_client.gid("Member", f.a), "g": grant_id})
    revoke.ok()
    await alliance_client.sign_in(f.operator_owner)
    assert (await alliance_client(query, variables)).ok()["warehouseOrders"] == []
