"""groupbuy's error codes (stable; documented in docs/plugins/builtin/groupbuy.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alliance_sdk import AllianceError

__all__ = ["CampaignClosed", "LimitExceeded", "NotInCommunity", "SoldOut"]


class SoldOut(AllianceError):
    """Not enough stock for a line of the cart (nothing was reserved)."""

    code = "SOLD_OUT"

    def __init__(self, message: str, *, short: Mapping[str, int] | None = None) -> None:
        extra: dict[str, Any] = {"available": dict(short or {})}
        super().__init__(message, extensions=extra)


class LimitExceeded(AllianceError):
    """The cart takes a resident over the campaign's per-resident limit."""

    code = "LIMIT_EXCEEDED"


class CampaignClosed(AllianceError):
    """The campaign has not started, is past its deadline, or was closed."""

    code = "CAMPAIGN_CLOSED"


class NotInCommunity(AllianceError):
    """The buyer does not live in the community, or the goods are not offered there."""

    code = "NOT_IN_COMMUNITY"
