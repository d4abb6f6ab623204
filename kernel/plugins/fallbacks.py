"""The kernel's own answers to the decision hooks: an essential plugin, answering last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kernel.plugins.markers import hookimpl

__all__ = ["attribute_order", "reserve_stock"]


@hookimpl(trylast=True)
def reserve_stock(quantity: int, stock: Mapping[int, int]) -> Mapping[int, int] | None:
    """Take from the locations in ascending id order; None when there is not enough."""
    plan: dict[int, int] = {}
    wanted = quantity
    for location in sorted(stock):
        if wanted <= 0:
            break
        taken = min(wanted, max(stock[location], 0))
        if taken:
            plan[location] = taken
            wanted -= taken
    return plan if wanted <= 0 else None


@hookimpl(trylast=True)
def attribute_order(leaders: Sequence[int]) -> int | None:
    """The first leader offered (the buyer's own comes first), or nobody."""
    return leaders[0] if leaders else None
