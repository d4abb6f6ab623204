"""Root query fields: the bakery's views (``requires``) and the resident's (``authenticated``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import Connection, authenticated, decode_id, member_arg, page_request, requires
from plugins.bakery_club.graphql.access import bakery, resident
from plugins.bakery_club.graphql.activity_types import (
    BakeryClubAttendance,
    BakeryClubEventType,
    BakeryClubPointsEntryType,
    BakeryClubPostType,
    BakeryClubRegistrationType,
    BakeryClubSampleBatchType,
)
from plugins.bakery_club.graphql.types import (
    BakeryClubAmbassadorType,
    BakeryClubInfo,
    BakeryClubMe,
    BakeryClubMembershipType,
    BakeryClubRewardType,
    BakeryClubTierType,
)
from plugins.bakery_club.manifest import MODERATE, READ
from plugins.bakery_club.service import club, reports
from plugins.bakery_club.service.ambassadors import referral_link
from plugins.bakery_club.service.common import club_of, now

__all__ = ["BakeryClubQuery"]


def _read() -> Any:
    return requires(READ, member=member_arg())


async def _info(member_id: int) -> BakeryClubInfo:
    row = await club_of(member_id)
    return BakeryClubInfo(
        name=row["name"],
        points_per_post=row["points_per_post"],
        tiers=[BakeryClubTierType.from_row(t) for t in await club.tiers(member_id)],
        rewards=[BakeryClubRewardType.from_row(r) for r in await reports.rewards(member_id)],
    )


async def _events(
    kernel: Any, member_id: int, user_id: int | None, upcoming_only: bool
) -> list[BakeryClubEventType]:
    rows = await reports.events(member_id, now(kernel) if upcoming_only else None)
    ids = [int(r["id"]) for r in rows]
    waiting = await reports.waitlist_counts(kernel, member_id, ids)
    mine = await reports.my_registrations(member_id, user_id, ids) if user_id else {}
    return [
        BakeryClubEventType.from_row(
            r,
            waiting.get(int(r["id"]), 0),
            mine[int(r["id"])]["status"] if int(r["id"]) in mine else None,
        )
        for r in rows
    ]


@strawberry.type
class BakeryClubQuery:
    # --- the resident's views ----------------------------------------------------------------

    @strawberry.field(extensions=[authenticated()], description="The club: tiers and rewards.")
    async def bakery_club(self, info: Info[Any, Any], member_id: strawberry.ID) -> BakeryClubInfo:
        caller = await resident(info, member_id)
        return await _info(caller.member_id)

    @strawberry.field(
        extensions=[authenticated()],
        description="The caller's membership (null before joining) and ambassador code.",
    )
    async def bakery_club_me(self, info: Info[Any, Any], member_id: strawberry.ID) -> BakeryClubMe:
        caller = await resident(info, member_id)
        row = await reports.membership_of(caller.member_id, caller.user_id)
        ambassador = await reports.ambassador_of(caller.member_id, caller.user_id)
        code = ambassador["code"] if ambassador and ambassador["revoked_at"] is None else None
        link = None
        if code is not None:
            link = referral_link((await club_of(caller.member_id))["referral_link_template"], code)
        return BakeryClubMe(
            membership=BakeryClubMembershipType.from_row(row) if row else None,
            ambassador_code=code,
            referral_link=link,
        )

    @strawberry.field(
        extensions=[authenticated()],
        description="Tastings and workshops (upcoming by default), with the caller's status.",
    )
    async def bakery_club_events(
        self, info: Info[Any, Any], member_id: strawberry.ID, upcoming_only: bool = True
    ) -> list[BakeryClubEventType]:
        caller = await resident(info, member_id)
        return await _events(caller.kernel, caller.member_id, caller.user_id, upcoming_only)

    @strawberry.field(extensions=[authenticated()], description="Sample batches and my claims.")
    async def bakery_club_sample_batches(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[BakeryClubSampleBatchType]:
        caller = await resident(info, member_id)
        mine = await reports.my_claims(caller.member_id, caller.user_id)
        return [
            BakeryClubSampleBatchType.from_row(row, mine.get(int(row["id"])))
            for row in await reports.batches(caller.member_id)
        ]

    @strawberry.field(extensions=[authenticated()], description="Approved posts, oldest first.")
    async def bakery_club_posts(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BakeryClubPostType]:
        page = page_request(first, after)
        caller = await resident(info, member_id)
        rows = await reports.posts_page(caller.member_id, "approved", page.after_id, page.limit)
        return page.connection(rows, BakeryClubPostType.from_row)

    @strawberry.field(extensions=[authenticated()], description="The caller's points ledger.")
    async def bakery_club_points_ledger(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BakeryClubPointsEntryType]:
        page = page_request(first, after)
        caller = await resident(info, member_id)
        rows = await reports.ledger_page(
            caller.member_id, caller.user_id, page.after_id, page.limit
        )
        return page.connection(rows, BakeryClubPointsEntryType.from_row)

    # --- the bakery's views ------------------------------------------------------------------

    @strawberry.field(extensions=[_read()], description="The club: settings, tiers and rewards.")
    async def bakery_club_overview(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> BakeryClubInfo:
        _, member = bakery(info, member_id)
        return await _info(member)

    @strawberry.field(extensions=[_read()], description="Every tasting and workshop, with counts.")
    async def bakery_club_schedule(
        self, info: Info[Any, Any], member_id: strawberry.ID, upcoming_only: bool = False
    ) -> list[BakeryClubEventType]:
        kernel, member = bakery(info, member_id)
        return await _events(kernel, member, None, upcoming_only)

    @strawberry.field(extensions=[_read()], description="Sample batches and how many went out.")
    async def bakery_club_sample_report(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[BakeryClubSampleBatchType]:
        _, member = bakery(info, member_id)
        return [BakeryClubSampleBatchType.from_row(row) for row in await reports.batches(member)]

    @strawberry.field(extensions=[_read()], description="Club members (status ACTIVE/LEFT or all).")
    async def bakery_club_members(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        status: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BakeryClubMembershipType]:
        page = page_request(first, after)
        _, member = bakery(info, member_id)
        rows = await reports.members_page(
            member, page.after_id, page.limit, status.lower() if status else None
        )
        return page.connection(rows, BakeryClubMembershipType.from_row)

    @strawberry.field(
        extensions=[_read()], description="Ambassadors with their referrals and conversions."
    )
    async def bakery_club_ambassadors(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> list[BakeryClubAmbassadorType]:
        kernel, member = bakery(info, member_id)
        template = (await club_of(member))["referral_link_template"]
        rows = await reports.ambassadors(kernel, member)
        return [BakeryClubAmbassadorType.from_row(row, template) for row in rows]

    @strawberry.field(extensions=[_read()], description="Who registered, waits and came.")
    async def bakery_club_attendance(
        self, info: Info[Any, Any], member_id: strawberry.ID, event_id: strawberry.ID
    ) -> BakeryClubAttendance:
        _, member = bakery(info, member_id)
        event, rows = await reports.attendance(member, decode_id("BakeryClubEvent", event_id))
        waitlisted = sum(r["status"] == "waitlisted" for r in rows)
        return BakeryClubAttendance(
            event=BakeryClubEventType.from_row(event, waitlisted),
            registered=sum(r["status"] == "registered" for r in rows),
            waitlisted=waitlisted,
            checked_in=sum(r["checked_in_at"] is not None for r in rows),
            registrations=[BakeryClubRegistrationType.from_row(r) for r in rows],
        )

    @strawberry.field(extensions=[_read()], description="Approved posts with the most likes.")
    async def bakery_club_top_posts(
        self, info: Info[Any, Any], member_id: strawberry.ID, limit: int = 10
    ) -> list[BakeryClubPostType]:
        _, member = bakery(info, member_id)
        rows = await reports.top_posts(member, max(1, min(limit, 100)))
        return [BakeryClubPostType.from_row(row) for row in rows]

    @strawberry.field(
        extensions=[requires(MODERATE, member=member_arg())],
        description="Posts waiting for moderation, oldest first.",
    )
    async def bakery_club_moderation_queue(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[BakeryClubPostType]:
        page = page_request(first, after)
        _, member = bakery(info, member_id)
        rows = await reports.posts_page(member, "pending", page.after_id, page.limit)
        return page.connection(rows, BakeryClubPostType.from_row)
