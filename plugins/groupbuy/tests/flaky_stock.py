"""A test plugin holding a seller's stock elsewhere (as a warehouse would), whose
``release_stock`` fails the first time it is asked: a closing job that crashes half-way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alliance_sdk import PluginManifest, StockReservation, StockTake, hookimpl

STOCK: dict[str, int] = {}
RESERVED: dict[str, dict[str, int]] = {}  # order ref -> units per SKU
RELEASED: list[str] = []
FAIL_RELEASES = [1]  # how many release calls fail before they work


def reset(stock: Mapping[str, int], failures: int = 1) -> None:
    STOCK.clear()
    STOCK.update(stock)
    RESERVED.clear()
    RELEASED.clear()
    FAIL_RELEASES[0] = failures


@hookimpl
def register_manifest() -> PluginManifest:
    return PluginManifest(
        slug="flaky_stock",
        name="Flaky stock",
        version="1.0.0",
        publisher="Tests",
        requires_kernel=">=0.1",
    )


@hookimpl
def reserve_stock(order_ref: str, lines: Mapping[str, int]) -> StockReservation:
    short = {sku: STOCK.get(sku, 0) for sku, q in lines.items() if STOCK.get(sku, 0) < q}
    if short:
        return StockReservation(reserved=False, short=short)
    for sku, quantity in lines.items():
        STOCK[sku] -= quantity
    RESERVED[order_ref] = dict(lines)
    takes = tuple(StockTake(sku=s, quantity=q, location="hub:1") for s, q in lines.items())
    return StockReservation(reserved=True, takes=takes)


@hookimpl
def release_stock(kernel: Any, order_ref: str) -> int | None:
    if order_ref not in RESERVED:
        return None
    if FAIL_RELEASES[0] > 0:
        FAIL_RELEASES[0] -= 1
        raise RuntimeError("the hub did not answer")
    # In-memory here, so "exactly once" is checked by counting: a real plugin marks its
    # reservation released with a conditional update in the caller's transaction.
    RELEASED.append(order_ref)
    for sku, quantity in RESERVED[order_ref].items():
        STOCK[sku] += quantity
    return sum(RESERVED[order_ref].values())
