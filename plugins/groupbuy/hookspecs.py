"""Hooks groupbuy offers other plugins (declared with ``register_hookspecs``).

Implement them with ``@hookimpl(optionalhook=True)`` so that your plugin still loads where
groupbuy is not installed."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from alliance_sdk import hookspec

__all__ = ["groupbuy_member_discount"]


@hookspec(firstresult=True)
def groupbuy_member_discount(
    kernel: Any, member_id: int, buyer_user_id: int
) -> Awaitable[int | None] | int | None:
    """A discount, in basis points (0 to 10,000), that ``buyer_user_id`` gets on every order
    from ``member_id`` (a club membership, say); the first answer wins, benefits are not
    summed. Called before the order's transaction; may be ``async``.

    :param kernel: the process's kernel.
    :param member_id: the member selling (whose enabled plugins answer).
    :param buyer_user_id: the buying resident.
    :return: basis points, or ``None`` to pass.
    """
