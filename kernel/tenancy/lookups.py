"""Read-only facts about the alliance for plugins: who lives where, who serves a community,
what a member or community is. One indexed query each, no permission checks (the caller
decides what to show to whom; a plugin never returns residents' identities to another member
without consent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kernel.events.sql import placeholders, query

__all__ = [
    "CommunityInfo",
    "MemberInfo",
    "Neighbourhood",
    "Residence",
    "ServingMember",
    "communities",
    "member_info",
    "neighbourhood",
    "neighbourhoods",
    "residences",
    "resident_counts",
    "residents_of",
    "serving_members",
]


@dataclass(frozen=True, slots=True)
class Residence:
    """A user's household in a community, and the leader (member) it follows."""

    user_id: int
    community_id: int
    alliance_id: int
    household: str
    leader_member_id: int | None
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class ServingMember:
    """A member serving a community (a leader, a store, a warehouse, an office)."""

    member_id: int
    kind: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class CommunityInfo:
    id: int
    alliance_id: int
    name: str
    address: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: int
    alliance_id: int
    kind: str
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """A user's standing in one community: their households there (none: not a resident)
    and the members serving the community."""

    residences: list[Residence]
    serving: list[ServingMember]


def _ids(values: Iterable[int]) -> list[int]:
    return sorted({int(v) for v in values})


async def residences(kernel: Any, user_id: int, community_id: int | None = None) -> list[Residence]:
    """Where ``user_id`` lives (optionally only in ``community_id``)."""
    template = (
        'SELECT r."user" AS user_id, r.community AS community_id, c.alliance AS alliance_id, '
        "r.household, r.leader AS leader_member_id FROM kernel_resident r "
        'JOIN kernel_community c ON c.id = r.community WHERE r."user" = {}'
    )
    args: list[Any] = [user_id]
    if community_id is not None:
        template += " AND r.community = {}"
        args.append(community_id)
    rows = await query(kernel.db, template + " ORDER BY r.id", *args)
    return [Residence(**row) for row in rows]


async def residents_of(kernel: Any, community_ids: Iterable[int]) -> list[Residence]:
    """Every household of the communities, with the user's display name (identities:
    show them to another member only under a consent grant)."""
    ids = _ids(community_ids)
    if not ids:
        return []
    rows = await query(
        kernel.db,
        'SELECT r."user" AS user_id, r.community AS community_id, c.alliance AS alliance_id, '
        "r.household, r.leader AS leader_member_id, u.display_name FROM kernel_resident r "
        'JOIN kernel_community c ON c.id = r.community JOIN kernel_user u ON u.id = r."user" '
        f"WHERE r.community IN ({placeholders(ids)}) ORDER BY r.community, r.id",
        *ids,
    )
    return [Residence(**row) for row in rows]


async def resident_counts(kernel: Any, community_ids: Iterable[int]) -> dict[int, int]:
    """Households per community (0 for a community without any)."""
    ids = _ids(community_ids)
    if not ids:
        return {}
    rows = await query(
        kernel.db,
        "SELECT community, COUNT(*) AS n FROM kernel_resident "
        f"WHERE community IN ({placeholders(ids)}) GROUP BY community",
        *ids,
    )
    counts = dict.fromkeys(ids, 0)
    counts.update({int(row["community"]): int(row["n"]) for row in rows})
    return counts


async def serving_members(
    kernel: Any, community_id: int, kind: str | None = None
) -> list[ServingMember]:
    """The members serving ``community_id`` (of ``kind`` if given), by member id."""
    template = (
        "SELECT m.id AS member_id, m.kind, m.slug, m.name FROM kernel_member_community mc "
        "JOIN kernel_member m ON m.id = mc.member WHERE mc.community = {}"
    )
    args: list[Any] = [community_id]
    if kind is not None:
        template += " AND m.kind = {}"
        args.append(kind)
    rows = await query(kernel.db, template + " ORDER BY m.id", *args)
    return [ServingMember(**row) for row in rows]


async def neighbourhood(kernel: Any, user_id: int, community_id: int) -> Neighbourhood:
    """``residences(kernel, user_id, community_id)`` and ``serving_members(kernel,
    community_id)`` in one query."""
    return (await neighbourhoods(kernel, [(user_id, community_id)]))[(user_id, community_id)]


async def neighbourhoods(
    kernel: Any, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], Neighbourhood]:
    """:func:`neighbourhood` of many (user, community) pairs in one query (a batch of
    orders asks it once), by pair."""
    wanted = sorted({(int(user), int(community)) for user, community in pairs})
    if not wanted:
        return {}
    users = _ids(user for user, _ in wanted)
    places = _ids(community for _, community in wanted)
    rows = await query(
        kernel.db,
        # One column list for both halves: (part, id, int, int, int, text, int, text, text).
        'SELECT 0 AS part, r.id AS ord, r."user" AS a, r.community AS b, c.alliance AS c, '
        "r.household AS s, r.leader AS d, NULL AS t, NULL AS u FROM kernel_resident r "
        "JOIN kernel_community c ON c.id = r.community "
        f'WHERE r."user" IN ({placeholders(users)}) AND r.community IN ({placeholders(places)}) '
        "UNION ALL SELECT 1, m.id, m.id, mc.community, NULL, m.kind, NULL, m.slug, m.name "
        "FROM kernel_member_community mc JOIN kernel_member m ON m.id = mc.member "
        f"WHERE mc.community IN ({placeholders(places)}) ORDER BY part, ord",
        *users,
        *places,
        *places,
    )
    homes: dict[tuple[int, int], list[Residence]] = {}
    serving: dict[int, list[ServingMember]] = {}
    for row in rows:
        if row["part"] == 0:
            home = Residence(
                user_id=row["a"],
                community_id=row["b"],
                alliance_id=row["c"],
                household=row["s"],
                leader_member_id=row["d"],
            )
            homes.setdefault((home.user_id, home.community_id), []).append(home)
        else:
            member = ServingMember(member_id=row["a"], kind=row["s"], slug=row["t"], name=row["u"])
            serving.setdefault(int(row["b"]), []).append(member)
    return {pair: Neighbourhood(homes.get(pair, []), serving.get(pair[1], [])) for pair in wanted}


async def communities(kernel: Any, ids: Iterable[int]) -> dict[int, CommunityInfo]:
    """The communities with these ids that exist, by id."""
    wanted = _ids(ids)
    if not wanted:
        return {}
    rows = await query(
        kernel.db,
        "SELECT id, alliance AS alliance_id, name, address, latitude, longitude "
        f"FROM kernel_community WHERE id IN ({placeholders(wanted)})",
        *wanted,
    )
    return {int(row["id"]): CommunityInfo(**row) for row in rows}


async def member_info(kernel: Any, member_id: int) -> MemberInfo | None:
    """What member ``member_id`` is, or None."""
    rows = await query(
        kernel.db,
        "SELECT id, alliance AS alliance_id, kind, slug, name FROM kernel_member WHERE id = {}",
        member_id,
    )
    return MemberInfo(**rows[0]) if rows else None
