"""Helpers shared by the service modules: time, the caller, the club and its members."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from alliance_sdk import (
    BadUserInput,
    Conflict,
    Forbidden,
    NotFound,
    member_info,
    residences,
    scoped,
)
from plugins.bakery_club.tables import BakeryClubClub, BakeryClubMembership

__all__ = [
    "CODE_ALPHABET",
    "NotAClubMember",
    "NotEnoughPoints",
    "RewardOutOfStock",
    "SamplesGone",
    "active_membership",
    "check_text",
    "club_of",
    "eligible",
    "first",
    "lock",
    "new_code",
    "now",
    "raise_if",
    "user_of",
]

# No 0/O, 1/I/L: codes are read aloud and typed from posters.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class NotAClubMember(Forbidden):
    """The caller must be an active member of the club for this."""

    def __init__(self) -> None:
        super().__init__("join the club first", code="BAKERY_CLUB_NOT_A_MEMBER")


class SamplesGone(Conflict):
    """Every sample of a first-come batch is taken."""

    def __init__(self) -> None:
        super().__init__("all samples of this batch are taken", code="BAKERY_CLUB_SAMPLES_GONE")


class NotEnoughPoints(Conflict):
    """A redemption would take the balance below zero."""

    def __init__(self) -> None:
        super().__init__("not enough points", code="BAKERY_CLUB_NOT_ENOUGH_POINTS")


class RewardOutOfStock(Conflict):
    """Every unit of a reward is redeemed."""

    def __init__(self) -> None:
        super().__init__("this reward is out of stock", code="BAKERY_CLUB_REWARD_OUT_OF_STOCK")


def now(kernel: Any) -> dt.datetime:
    value: dt.datetime = kernel.clock()
    return value


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def user_of(principal: Any) -> int:
    """The signed-in resident; API keys act for a member, not for a person."""
    user_id = getattr(principal, "user_id", None)
    if user_id is None:
        raise Forbidden("sign in as a resident to take part in the club")
    return int(user_id)


def first(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


async def lock(kernel: Any, table: Any, member_id: int, row_id: int, what: str) -> dict[str, Any]:
    """Read row ``row_id`` of ``table`` locked until the write transaction ends."""
    query = scoped(table, member_id).select().where(table.id == row_id)
    row = first(await kernel.db.for_update(query))
    if row is None:
        raise NotFound(f"{what} not found")
    return row


async def eligible(kernel: Any, member_id: int, user_id: int, memo: dict[Any, Any]) -> None:
    """The resident lives in a community of the bakery's alliance, else NOT_FOUND (word for
    word what an unknown member answers: outsiders learn nothing about the bakery)."""
    key = ("bakery_club.eligible", member_id, user_id)
    if key not in memo:
        bakery = await member_info(kernel, member_id)
        homes = await residences(kernel, user_id)
        memo[key] = bakery is not None and any(h.alliance_id == bakery.alliance_id for h in homes)
    if not memo[key]:
        raise NotFound("Member not found")


async def club_of(member_id: int) -> dict[str, Any]:
    """The bakery's club row (written when the plugin is enabled)."""
    row = first(await scoped(BakeryClubClub, member_id).select())
    if row is None:
        raise NotFound("the club is not set up")
    return row


async def active_membership(member_id: int, user_id: int) -> dict[str, Any]:
    """The resident's membership, or NotAClubMember."""
    row = first(
        await scoped(BakeryClubMembership, member_id)
        .select()
        .where((BakeryClubMembership.user == user_id) & (BakeryClubMembership.status == "active"))
    )
    if row is None:
        raise NotAClubMember()
    return row


def check_text(errors: dict[str, str], field: str, value: str, limit: int) -> None:
    if not value.strip():
        errors[field] = "must not be blank"
    elif len(value) > limit:
        errors[field] = f"at most {limit} characters"


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise BadUserInput("invalid input", field_errors=errors)
