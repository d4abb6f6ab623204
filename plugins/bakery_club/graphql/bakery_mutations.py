"""Mutations of the bakery's staff; each declares its action with ``requires``."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import decode_id, member_arg, requires
from plugins.bakery_club.graphql.access import bakery
from plugins.bakery_club.graphql.activity_types import (
    BakeryClubEventInput,
    BakeryClubEventType,
    BakeryClubPostType,
    BakeryClubRegistrationType,
    BakeryClubSampleBatchType,
)
from plugins.bakery_club.graphql.types import (
    BakeryClubAmbassadorType,
    BakeryClubMembershipType,
    BakeryClubRewardType,
    BakeryClubSampleMethod,
    BakeryClubTierType,
)
from plugins.bakery_club.manifest import EVENTS_MANAGE, MANAGE, MODERATE
from plugins.bakery_club.service import ambassadors, club, points, posts, samples, workshops
from plugins.bakery_club.service.common import club_of
from plugins.bakery_club.service.reports import membership_of

__all__ = ["BakeryClubBakeryMutation"]


def _can(action: str) -> Any:
    return requires(action, member=member_arg())


def _user(value: strawberry.ID) -> int:
    return decode_id("User", value)


@strawberry.type
class BakeryClubBakeryMutation:
    @strawberry.mutation(extensions=[_can(MANAGE)], description="Add a membership tier.")
    async def create_bakery_club_tier(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        name: str,
        discount_bp: int,
        min_points: int = 0,
    ) -> BakeryClubTierType:
        kernel, member = bakery(info, member_id)
        row = await club.create_tier(kernel, member, name, discount_bp, min_points)
        return BakeryClubTierType.from_row(row)

    @strawberry.mutation(extensions=[_can(MANAGE)], description="Change a tier.")
    async def update_bakery_club_tier(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        tier_id: strawberry.ID,
        name: str,
        discount_bp: int,
        min_points: int,
    ) -> BakeryClubTierType:
        kernel, member = bakery(info, member_id)
        row = await club.update_tier(
            kernel, member, decode_id("BakeryClubTier", tier_id), name, discount_bp, min_points
        )
        return BakeryClubTierType.from_row(row)

    @strawberry.mutation(extensions=[_can(MANAGE)], description="Put a club member in a tier.")
    async def set_bakery_club_member_tier(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        user_id: strawberry.ID,
        tier_id: strawberry.ID,
    ) -> BakeryClubMembershipType:
        kernel, member = bakery(info, member_id)
        user = _user(user_id)
        await club.set_member_tier(kernel, member, user, decode_id("BakeryClubTier", tier_id))
        row = await membership_of(member, user)
        assert row is not None
        return BakeryClubMembershipType.from_row(row)

    @strawberry.mutation(extensions=[_can(MANAGE)], description="Make a club member ambassador.")
    async def promote_bakery_club_ambassador(
        self, info: Info[Any, Any], member_id: strawberry.ID, user_id: strawberry.ID
    ) -> BakeryClubAmbassadorType:
        kernel, member = bakery(info, member_id)
        row = await ambassadors.promote(kernel, member, _user(user_id))
        template = (await club_of(member))["referral_link_template"]
        return BakeryClubAmbassadorType.from_row(row, template)

    @strawberry.mutation(extensions=[_can(MANAGE)], description="End an ambassadorship.")
    async def revoke_bakery_club_ambassador(
        self, info: Info[Any, Any], member_id: strawberry.ID, user_id: strawberry.ID
    ) -> BakeryClubAmbassadorType:
        kernel, member = bakery(info, member_id)
        row = await ambassadors.revoke(kernel, member, _user(user_id))
        template = (await club_of(member))["referral_link_template"]
        return BakeryClubAmbassadorType.from_row(row, template)

    @strawberry.mutation(extensions=[_can(MANAGE)], description="Offer a reward for points.")
    async def create_bakery_club_reward(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        name: str,
        cost_points: int,
        stock: int | None = None,
    ) -> BakeryClubRewardType:
        kernel, member = bakery(info, member_id)
        row = await points.create_reward(kernel, member, name, cost_points, stock)
        return BakeryClubRewardType.from_row(row)

    @strawberry.mutation(extensions=[_can(EVENTS_MANAGE)], description="Plan a tasting/workshop.")
    async def create_bakery_club_event(
        self, info: Info[Any, Any], member_id: strawberry.ID, input: BakeryClubEventInput
    ) -> BakeryClubEventType:
        kernel, member = bakery(info, member_id)
        row = await workshops.create_event(
            kernel,
            member,
            kind=input.kind.value,
            title=input.title,
            description=input.description,
            place=input.place,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            seats=input.seats,
        )
        return BakeryClubEventType.from_row(row)

    @strawberry.mutation(extensions=[_can(EVENTS_MANAGE)], description="Check a resident in.")
    async def check_in_bakery_club_event(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        event_id: strawberry.ID,
        user_id: strawberry.ID,
    ) -> BakeryClubRegistrationType:
        kernel, member = bakery(info, member_id)
        row = await workshops.check_in(
            kernel, member, decode_id("BakeryClubEvent", event_id), _user(user_id)
        )
        return BakeryClubRegistrationType.from_row(row)

    @strawberry.mutation(extensions=[_can(EVENTS_MANAGE)], description="Offer free samples.")
    async def create_bakery_club_sample_batch(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        product: str,
        quantity: int,
        method: BakeryClubSampleMethod = BakeryClubSampleMethod.FIRST_COME,
    ) -> BakeryClubSampleBatchType:
        kernel, member = bakery(info, member_id)
        row = await samples.create_batch(kernel, member, product, quantity, method.value)
        return BakeryClubSampleBatchType.from_row(row)

    @strawberry.mutation(extensions=[_can(EVENTS_MANAGE)], description="Draw a sample lottery.")
    async def draw_bakery_club_samples(
        self, info: Info[Any, Any], member_id: strawberry.ID, batch_id: strawberry.ID
    ) -> BakeryClubSampleBatchType:
        kernel, member = bakery(info, member_id)
        row = await samples.draw(kernel, member, decode_id("BakeryClubSampleBatch", batch_id))
        return BakeryClubSampleBatchType.from_row(row)

    @strawberry.mutation(extensions=[_can(MODERATE)], description="Approve or reject a post.")
    async def moderate_bakery_club_post(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        post_id: strawberry.ID,
        approve: bool,
        reason: str = "",
    ) -> BakeryClubPostType:
        kernel, member = bakery(info, member_id)
        row = await posts.moderate(
            kernel, member, decode_id("BakeryClubPost", post_id), approve, reason
        )
        return BakeryClubPostType.from_row(row)
