"""Read-only questions about the kernel's tenancy data: which alliance and kind a member
is, which communities it serves, who lives where, a member's configuration of this plugin.

SDK-GAP: the SDK offers no read API for tenancy (members, communities, who serves them,
residents) nor for a member's plugin configuration, and the kernel's tables may not be
imported. These queries name the kernel's tables in SQL (``{}`` placeholders, on the engine
the kernel bound to this plugin's tables, inside the caller's transaction if one is open).
They only read, and only columns listed in docs/plugins/builtin/gov_notices.md. The exact
SDK additions that would replace this module are in that page's "SDK gaps".
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from plugins.gov_notices.tables import GovNoticesNotice

__all__ = [
    "MemberInfo",
    "ResidentRow",
    "alliance_communities",
    "community_names",
    "member_info",
    "members_of_kind",
    "plugin_config",
    "residences",
    "resident_counts",
    "residents_following",
    "served_communities",
    "serving_counts",
]


@dataclass(frozen=True, slots=True)
class MemberInfo:
    id: int
    alliance_id: int
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class ResidentRow:
    id: int  # the kernel_resident row
    user_id: int
    community_id: int
    leader_member_id: int
    household: str
    display_name: str
    phone: str | None


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    rows = await GovNoticesNotice.raw(sql, *args)
    return [dict(row) for row in rows or []]


def _in(values: Collection[int]) -> str:
    return ", ".join("{}" for _ in values)


async def member_info(member_id: int) -> MemberInfo | None:
    rows = await _rows(
        "SELECT id, alliance, kind, name FROM kernel_member WHERE id = {}", int(member_id)
    )
    if not rows:
        return None
    row = rows[0]
    return MemberInfo(int(row["id"]), int(row["alliance"]), str(row["kind"]), str(row["name"]))


async def members_of_kind(alliance_ids: Collection[int] | None, kind: str) -> list[MemberInfo]:
    """The members of ``kind`` in the alliances (every alliance for None), by id."""
    sql = "SELECT id, alliance, kind, name FROM kernel_member WHERE kind = {}"
    args: list[Any] = [kind]
    if alliance_ids is not None:
        if not alliance_ids:
            return []
        sql += f" AND alliance IN ({_in(alliance_ids)})"
        args.extend(sorted(alliance_ids))
    rows = await _rows(sql + " ORDER BY id", *args)
    return [
        MemberInfo(int(r["id"]), int(r["alliance"]), str(r["kind"]), str(r["name"])) for r in rows
    ]


async def alliance_communities(alliance_id: int, among: Iterable[int] | None = None) -> list[int]:
    """The alliance's communities (only those of ``among`` when given), by id."""
    wanted = sorted(set(among)) if among is not None else None
    if wanted == []:
        return []
    sql = "SELECT id FROM kernel_community WHERE alliance = {}"
    args: list[Any] = [int(alliance_id)]
    if wanted is not None:
        sql += f" AND id IN ({_in(wanted)})"
        args.extend(wanted)
    rows = await _rows(sql + " ORDER BY id", *args)
    return [int(r["id"]) for r in rows]


async def community_names(community_ids: Collection[int]) -> dict[int, str]:
    if not community_ids:
        return {}
    ids = sorted(community_ids)
    rows = await _rows(f"SELECT id, name FROM kernel_community WHERE id IN ({_in(ids)})", *ids)
    return {int(r["id"]): str(r["name"]) for r in rows}


async def served_communities(member_id: int) -> set[int]:
    rows = await _rows(
        "SELECT community FROM kernel_member_community WHERE member = {}", int(member_id)
    )
    return {int(r["community"]) for r in rows}


async def residences(user_id: int) -> dict[int, int]:
    """The communities ``user_id``'s households live in, mapped to their alliance."""
    rows = await _rows(
        "SELECT r.community AS community, c.alliance AS alliance FROM kernel_resident r "
        'JOIN kernel_community c ON c.id = r.community WHERE r."user" = {}',
        int(user_id),
    )
    return {int(r["community"]): int(r["alliance"]) for r in rows}


async def resident_counts(community_ids: Collection[int]) -> dict[int, int]:
    """Households registered per community."""
    if not community_ids:
        return {}
    ids = sorted(community_ids)
    rows = await _rows(
        f"SELECT community, COUNT(*) AS n FROM kernel_resident "
        f"WHERE community IN ({_in(ids)}) GROUP BY community",
        *ids,
    )
    found = {int(r["community"]): int(r["n"]) for r in rows}
    return {c: found.get(c, 0) for c in ids}


async def serving_counts(community_ids: Collection[int], kinds: Collection[str]) -> dict[int, int]:
    """Members of ``kinds`` serving each community."""
    if not community_ids or not kinds:
        return {c: 0 for c in community_ids}
    ids, kind_list = sorted(community_ids), sorted(kinds)
    rows = await _rows(
        f"SELECT mc.community AS community, COUNT(*) AS n FROM kernel_member_community mc "
        f"JOIN kernel_member m ON m.id = mc.member "
        f"WHERE mc.community IN ({_in(ids)}) AND m.kind IN ({', '.join('{}' for _ in kind_list)}) "
        f"GROUP BY mc.community",
        *ids,
        *kind_list,
    )
    found = {int(r["community"]): int(r["n"]) for r in rows}
    return {c: found.get(c, 0) for c in ids}


async def residents_following(
    community_ids: Collection[int], leader_ids: Collection[int], *, after_id: int, limit: int
) -> list[ResidentRow]:
    """Residents of the communities who follow one of the leaders, by resident row id."""
    if not community_ids or not leader_ids:
        return []
    ids, leaders = sorted(community_ids), sorted(leader_ids)
    rows = await _rows(
        f'SELECT r.id AS id, r."user" AS user_id, r.community AS community, r.leader AS leader, '
        f"r.household AS household, u.display_name AS display_name, u.phone AS phone "
        f'FROM kernel_resident r JOIN kernel_user u ON u.id = r."user" '
        f"WHERE r.community IN ({_in(ids)}) AND r.leader IN ({_in(leaders)}) AND r.id > {{}} "
        f"ORDER BY r.id LIMIT {int(limit)}",
        *ids,
        *leaders,
        int(after_id),
    )
    return [
        ResidentRow(
            id=int(r["id"]),
            user_id=int(r["user_id"]),
            community_id=int(r["community"]),
            leader_member_id=int(r["leader"]),
            household=str(r["household"] or ""),
            display_name=str(r["display_name"] or ""),
            phone=None if r["phone"] is None else str(r["phone"]),
        )
        for r in rows
    ]


async def plugin_config(member_id: int, slug: str) -> dict[str, Any]:
    """The member's stored configuration of plugin ``slug`` ({} when none)."""
    rows = await _rows(
        "SELECT config FROM plugins_member_plugin WHERE member = {} AND slug = {}",
        int(member_id),
        slug,
    )
    if not rows:
        return {}
    value = rows[0]["config"]
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return dict(value or {})
