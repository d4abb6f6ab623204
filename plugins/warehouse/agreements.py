"""Agreements: the operator admits a client member to a hub; either side may end it."""

from __future__ import annotations

from typing import Any

from alliance_sdk import BadUserInput, NotFound
from plugins.warehouse.db import member_alliance
from plugins.warehouse.sites import _operator_access, access
from plugins.warehouse.tables import WarehouseAgreement

__all__ = ["admit_client", "end_agreement"]


async def admit_client(kernel: Any, operator: int, warehouse_id: int, client: int) -> None:
    """Admit ``client`` (a member of the operator's alliance) to the hub; idempotent."""
    await _operator_access(kernel, operator, warehouse_id)
    mine, theirs = await member_alliance(kernel, operator), await member_alliance(kernel, client)
    if mine is None or theirs is None or mine[0] != theirs[0]:
        raise NotFound("Member not found")
    if client == operator:
        raise BadUserInput(
            "the operator's own stock needs no agreement",
            field_errors={"clientMemberId": "another member"},
        )
    async with kernel.db.write():
        where = (WarehouseAgreement.warehouse == warehouse_id) & (
            WarehouseAgreement.client == client
        )
        if await WarehouseAgreement.exists().where(where):
            await WarehouseAgreement.update(
                {WarehouseAgreement.status: "active", WarehouseAgreement.ended_at: None}
            ).where(where)
            return
        await WarehouseAgreement.insert(
            WarehouseAgreement(
                operator=operator,
                client=client,
                warehouse=warehouse_id,
                status="active",
                created_at=kernel.clock(),
            )
        )


async def end_agreement(kernel: Any, member: int, warehouse_id: int, client: int) -> None:
    """End ``client``'s agreement (by the operator or by the client itself). Stock stays
    where it is (the owner still sees it); no new reservations or receipts."""
    found = await access(kernel, member, warehouse_id)
    if not found.operator and client != member:
        raise NotFound("Member not found")
    async with kernel.db.write():
        where = (
            (WarehouseAgreement.warehouse == warehouse_id)
            & (WarehouseAgreement.client == client)
            & (WarehouseAgreement.status == "active")
        )
        await WarehouseAgreement.update(
            {WarehouseAgreement.status: "ended", WarehouseAgreement.ended_at: kernel.clock()}
        ).where(where)
