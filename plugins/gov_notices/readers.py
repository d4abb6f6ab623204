"""Who sees which notice: residents of targeted communities (and acknowledge), leaders and
stores serving them (and forward). Offices are found per alliance and read one at a time
through ``scoped``: an office that disabled the plugin takes its notices with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from piccolo.query.mixins import OnConflictAction

from alliance_sdk import NotFound, plugin_enabled, publish, scoped
from plugins.gov_notices import kernel_data
from plugins.gov_notices.events import NoticeAcknowledged, NoticeForwarded
from plugins.gov_notices.manifest import FORWARDER_KINDS, OFFICE_KIND, SLUG
from plugins.gov_notices.notices import Notice, live_where, load_notice, notice_office, to_notices
from plugins.gov_notices.tables import (
    GovNoticesAck,
    GovNoticesForward,
    GovNoticesNotice,
    GovNoticesTarget,
)

__all__ = [
    "acknowledge",
    "forward",
    "live_offices",
    "notices_for_forwarder",
    "notices_for_resident",
]

N, T, A, F = GovNoticesNotice, GovNoticesTarget, GovNoticesAck, GovNoticesForward
MAX_FEED = 100


async def live_offices(
    kernel: Any, alliance_ids: Collection[int], memo: dict[str, Any] | None
) -> list[kernel_data.MemberInfo]:
    """The government offices of the alliances that have the plugin enabled."""
    offices = await kernel_data.members_of_kind(alliance_ids, OFFICE_KIND)
    return [o for o in offices if await plugin_enabled(kernel, o.id, SLUG, memo)]


async def _reaching(
    office: kernel_data.MemberInfo, communities: Collection[int], now: dt.datetime
) -> list[Notice]:
    """The office's live notices addressed to any of ``communities`` (all of its alliance)."""
    if not communities:
        return []
    targeted = (
        await scoped(T, office.id).select(T.notice).where(T.community.is_in(sorted(communities)))
    )
    ids = sorted({int(row["notice"]) for row in targeted})
    reach: Any = N.whole_alliance.eq(True)
    if ids:
        reach = reach | N.id.is_in(ids)
    rows = await scoped(N, office.id).select().where(live_where(now) & reach)
    notices = await to_notices(office.id, rows)
    for notice in notices:
        notice.office_name = office.name
    return notices


def _relevant(notice: Notice, communities: Collection[int]) -> list[int]:
    """Which of ``communities`` (all in the notice's alliance) the notice is addressed to."""
    if notice.whole_alliance:
        return sorted(communities)
    return sorted(set(notice.community_ids) & set(communities))


async def notices_for_resident(
    kernel: Any, user_id: int, *, first: int, memo: dict[str, Any] | None = None
) -> list[Notice]:
    """Live notices for the communities ``user_id`` lives in: emergencies first, newest first."""
    homes = await kernel_data.residences(user_id)
    now = kernel.clock()
    found: list[Notice] = []
    for office in await live_offices(kernel, set(homes.values()), memo):
        mine = [c for c, alliance in homes.items() if alliance == office.alliance_id]
        found.extend(await _reaching(office, mine, now))
    found.sort(key=Notice.sort_key)
    found = found[: max(0, min(first, MAX_FEED))]
    for office_id in {n.office_id for n in found}:
        ids = [n.id for n in found if n.office_id == office_id]
        acked = await (
            scoped(A, office_id)
            .select(A.notice)
            .where((A.resident == user_id) & A.notice.is_in(ids))
        )
        seen = {int(row["notice"]) for row in acked}
        for notice in found:
            if notice.office_id == office_id:
                notice.acknowledged = notice.id in seen
    return found


async def _readable(
    kernel: Any, notice_id: int, alliance_id: int | None, memo: dict[str, Any] | None
) -> Notice:
    """A live notice of an office (of ``alliance_id`` when given) that has the plugin
    enabled; NOT_FOUND for anything else."""
    office_id = await notice_office(notice_id)
    office = await kernel_data.member_info(office_id)
    if (
        office is None
        or (alliance_id is not None and office.alliance_id != alliance_id)
        or not await plugin_enabled(kernel, office_id, SLUG, memo)
    ):
        raise NotFound("Notice not found")
    notice = await load_notice(office_id, notice_id)
    if notice.state(kernel.clock()) != "LIVE":
        raise NotFound("Notice not found")
    notice.office_name = office.name
    return notice


async def acknowledge(
    kernel: Any, *, user_id: int, notice_id: int, memo: dict[str, Any] | None = None
) -> Notice:
    """``user_id``'s household read the notice (idempotent). A notice not addressed to a
    community the user lives in is NOT_FOUND, exactly like a missing one."""
    homes = await kernel_data.residences(user_id)
    notice = await _readable(kernel, notice_id, None, memo)
    communities = _relevant(notice, [c for c, a in homes.items() if a == notice.alliance_id])
    if not communities:
        raise NotFound("Notice not found")
    office_id, now = notice.office_id, kernel.clock()
    async with kernel.db.write():
        rows = [
            A(
                member=office_id,
                notice=notice_id,
                community=c,
                resident=user_id,
                acknowledged_at=now,
            )
            for c in communities
        ]
        added = (
            await scoped(A, office_id)
            .insert(*rows)
            .on_conflict(action=OnConflictAction.do_nothing)
            .returning(A.community)
        )
        if added:
            await publish(
                kernel,
                NoticeAcknowledged(
                    member_id=office_id,
                    notice_id=notice_id,
                    community_ids=sorted(int(r["community"]) for r in added),
                ),
            )
    notice.acknowledged = True
    return notice


async def notices_for_forwarder(
    kernel: Any, member_id: int, *, first: int, memo: dict[str, Any] | None = None
) -> list[Notice]:
    """Live notices addressed to communities the leader or store ``member_id`` serves, with
    whether it marked them forwarded: emergencies first, newest first."""
    member = await kernel_data.member_info(member_id)
    if member is None or member.kind not in FORWARDER_KINDS:
        return []
    served = await kernel_data.served_communities(member_id)
    now = kernel.clock()
    found: list[Notice] = []
    for office in await live_offices(kernel, {member.alliance_id}, memo):
        found.extend(await _reaching(office, served, now))
    found.sort(key=Notice.sort_key)
    found = found[: max(0, min(first, MAX_FEED))]
    marked: set[int] = set()
    for office_id in {n.office_id for n in found}:
        ids = [n.id for n in found if n.office_id == office_id]
        rows = await (
            scoped(F, office_id)
            .select(F.notice)
            .where((F.forwarder == member_id) & F.notice.is_in(ids))
        )
        marked.update(int(row["notice"]) for row in rows)
    for notice in found:
        notice.forward_community_ids = _relevant(notice, served)
        notice.forwarded = notice.id in marked
    return found


async def forward(
    kernel: Any,
    *,
    member_id: int,
    user_id: int | None,
    notice_id: int,
    memo: dict[str, Any] | None = None,
) -> Notice:
    """The leader or store ``member_id`` forwarded the notice to its groups in every
    targeted community it serves (idempotent). Anything else is NOT_FOUND."""
    member = await kernel_data.member_info(member_id)
    if member is None or member.kind not in FORWARDER_KINDS:
        raise NotFound("Notice not found")
    notice = await _readable(kernel, notice_id, member.alliance_id, memo)
    communities = _relevant(notice, await kernel_data.served_communities(member_id))
    if not communities:
        raise NotFound("Notice not found")
    office_id, now = notice.office_id, kernel.clock()
    async with kernel.db.write():
        rows = [
            F(
                member=office_id,
                notice=notice_id,
                forwarder=member_id,
                community=c,
                forwarded_by=user_id,
                forwarded_at=now,
            )
            for c in communities
        ]
        added = (
            await scoped(F, office_id)
            .insert(*rows)
            .on_conflict(action=OnConflictAction.do_nothing)
            .returning(F.community)
        )
        if added:
            await publish(
                kernel,
                NoticeForwarded(
                    member_id=office_id,
                    notice_id=notice_id,
                    forwarder_member_id=member_id,
                    community_ids=sorted(int(r["community"]) for r in added),
                ),
            )
    notice.forwarded = True
    notice.forward_community_ids = communities
    return notice
