"""The double-entry ledger: entries with balanced postings, in integer fen, append-only.

Accounts are per payer (the member whose books these are) and party (a leader member or an
ambassador user): ``expense`` (the payer's commission cost, debit-normal) and ``frozen``,
``available``, ``paid`` (what the party is owed or was paid, credit-normal). A posting's
``amount_fen`` is a debit when positive and a credit when negative; every entry sums to zero,
so all balances together always sum to zero, and for each party
``expense = frozen + available + paid``.

Writes hold the payer's lock (:func:`lock_payer`) so that balance checks and the entries
they lead to cannot interleave with another writer's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from alliance_sdk import scoped
from plugins.revenue_share.tables import RevenueShareEntry, RevenueSharePosting

__all__ = [
    "ACCOUNTS",
    "CREDIT_ACCOUNTS",
    "Leg",
    "Party",
    "balances",
    "chunks",
    "lock_payer",
    "post",
]

ACCOUNTS: Final = ("expense", "frozen", "available", "paid")
CREDIT_ACCOUNTS: Final = frozenset({"frozen", "available", "paid"})
PARTY_KINDS: Final = ("leader", "ambassador")
# pg_advisory_xact_lock(namespace, payer): the namespace keeps us apart from other users.
_LOCK_NAMESPACE: Final = 0x5253  # "RS"
# PostgreSQL refuses more than 32,767 bind parameters in one statement.
MAX_PARAMETERS: Final = 32_000


@dataclass(frozen=True, slots=True)
class Party:
    """Who an account belongs to: ``leader`` (a member id) or ``ambassador`` (a user id)."""

    kind: str
    id: int


@dataclass(frozen=True, slots=True)
class Leg:
    account: str
    amount_fen: int  # > 0 debit, < 0 credit


def chunks(rows: Sequence[Any], columns: int) -> Iterable[Sequence[Any]]:
    """``rows`` in slices small enough for one statement's bind parameters."""
    size = max(1, MAX_PARAMETERS // max(1, columns))
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def lock_payer(kernel: Any, payer_id: int) -> None:
    """Serialise ledger writers of ``payer_id`` until the transaction ends. SQLite's
    IMMEDIATE write transaction already holds the database's single write lock."""
    if kernel.db.kind == "postgres":
        await RevenueShareEntry.raw(
            "SELECT pg_advisory_xact_lock({}, {})", _LOCK_NAMESPACE, payer_id
        )


async def post(
    payer_id: int,
    *,
    kind: str,
    ref: str,
    party: Party,
    legs: Sequence[Leg],
    at: dt.datetime,
    order_ref: str | None = None,
    release_at: dt.datetime | None = None,
) -> int:
    """Write one balanced entry (inside the caller's write transaction); its id."""
    if sum(leg.amount_fen for leg in legs) != 0:
        raise ValueError(f"unbalanced entry {ref}: {legs}")
    if any(leg.account not in ACCOUNTS for leg in legs):
        raise ValueError(f"unknown account in {legs}")
    entry = RevenueShareEntry(
        member=payer_id,
        kind=kind,
        entry_key=ref,
        order_ref=order_ref,
        party_kind=party.kind,
        party_id=party.id,
        amount_fen=sum(leg.amount_fen for leg in legs if leg.amount_fen > 0),
        release_at=release_at,
        booked_at=at,
    )
    rows = await scoped(RevenueShareEntry, payer_id).insert(entry).returning(RevenueShareEntry.id)
    entry_id = int(rows[0]["id"])
    postings = [
        RevenueSharePosting(
            member=payer_id,
            entry_id=entry_id,
            kind=kind,
            party_kind=party.kind,
            party_id=party.id,
            account=leg.account,
            amount_fen=leg.amount_fen,
            order_ref=order_ref,
            booked_at=at,
        )
        for leg in legs
        if leg.amount_fen
    ]
    if postings:
        await scoped(RevenueSharePosting, payer_id).insert(*postings)
    return entry_id


async def balances(payer_id: int, party: Party | None = None) -> dict[Party, dict[str, int]]:
    """Current balances per party of the payer, each account in its normal sign (expense as
    debited, the others as credited: what is owed or was paid is positive)."""
    sql = (
        "SELECT party_kind, party_id, account, SUM(amount_fen) AS total "
        "FROM revenue_share_posting WHERE member = {}"
    )
    args: list[Any] = [payer_id]
    if party is not None:
        sql += " AND party_kind = {} AND party_id = {}"
        args += [party.kind, party.id]
    sql += " GROUP BY party_kind, party_id, account"
    result: dict[Party, dict[str, int]] = {}
    for row in await RevenueSharePosting.raw(sql, *args):
        key = Party(str(row["party_kind"]), int(row["party_id"]))
        sign = -1 if row["account"] in CREDIT_ACCOUNTS else 1
        figures = result.setdefault(key, dict.fromkeys(ACCOUNTS, 0))
        figures[str(row["account"])] = sign * int(row["total"])
    return result
