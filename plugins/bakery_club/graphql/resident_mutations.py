"""Mutations of residents acting for themselves in a bakery's club (``authenticated``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from alliance_sdk import authenticated, decode_id
from plugins.bakery_club.graphql.access import resident
from plugins.bakery_club.graphql.activity_types import (
    BakeryClubPostInput,
    BakeryClubPostType,
    BakeryClubRedemptionType,
    BakeryClubRegistrationType,
    BakeryClubSampleClaimType,
)
from plugins.bakery_club.graphql.types import (
    BakeryClubMembershipType,
)
from plugins.bakery_club.service import club, points, posts, samples, workshops
from plugins.bakery_club.service.reports import membership_of

__all__ = ["BakeryClubResidentMutation"]


@strawberry.type
class BakeryClubResidentMutation:
    @strawberry.mutation(extensions=[authenticated()], description="Join the bakery's club.")
    async def join_bakery_club(
        self, info: Info[Any, Any], member_id: strawberry.ID
    ) -> BakeryClubMembershipType:
        caller = await resident(info, member_id)
        await club.join(caller.kernel, caller.member_id, caller.user_id)
        row = await membership_of(caller.member_id, caller.user_id)
        assert row is not None
        return BakeryClubMembershipType.from_row(row)

    @strawberry.mutation(
        extensions=[authenticated()], description="Leave the club (true if you were in it)."
    )
    async def leave_bakery_club(self, info: Info[Any, Any], member_id: strawberry.ID) -> bool:
        caller = await resident(info, member_id)
        return await club.leave(caller.kernel, caller.member_id, caller.user_id)

    @strawberry.mutation(
        extensions=[authenticated()], description="A seat, or a place on the waitlist."
    )
    async def register_for_bakery_club_event(
        self, info: Info[Any, Any], member_id: strawberry.ID, event_id: strawberry.ID
    ) -> BakeryClubRegistrationType:
        caller = await resident(info, member_id)
        row = await workshops.register(
            caller.kernel, caller.member_id, caller.user_id, decode_id("BakeryClubEvent", event_id)
        )
        return BakeryClubRegistrationType.from_row(row)

    @strawberry.mutation(
        extensions=[authenticated()], description="Give up a seat or a waitlist place."
    )
    async def cancel_bakery_club_registration(
        self, info: Info[Any, Any], member_id: strawberry.ID, event_id: strawberry.ID
    ) -> BakeryClubRegistrationType:
        caller = await resident(info, member_id)
        row = await workshops.cancel_registration(
            caller.kernel, caller.member_id, caller.user_id, decode_id("BakeryClubEvent", event_id)
        )
        return BakeryClubRegistrationType.from_row(row)

    @strawberry.mutation(extensions=[authenticated()], description="Claim a free sample.")
    async def claim_bakery_club_sample(
        self, info: Info[Any, Any], member_id: strawberry.ID, batch_id: strawberry.ID
    ) -> BakeryClubSampleClaimType:
        caller = await resident(info, member_id)
        row = await samples.claim(
            caller.kernel,
            caller.member_id,
            caller.user_id,
            decode_id("BakeryClubSampleBatch", batch_id),
        )
        return BakeryClubSampleClaimType.from_row(row)

    @strawberry.mutation(extensions=[authenticated()], description="Post a photo or a recipe.")
    async def submit_bakery_club_post(
        self, info: Info[Any, Any], member_id: strawberry.ID, input: BakeryClubPostInput
    ) -> BakeryClubPostType:
        caller = await resident(info, member_id)
        row = await posts.submit(
            caller.kernel,
            caller.member_id,
            caller.user_id,
            kind=input.kind.value,
            title=input.title,
            body=input.body,
            urls=list(input.photo_urls),
        )
        return BakeryClubPostType.from_row(row)

    @strawberry.mutation(extensions=[authenticated()], description="Like an approved post.")
    async def like_bakery_club_post(
        self, info: Info[Any, Any], member_id: strawberry.ID, post_id: strawberry.ID
    ) -> BakeryClubPostType:
        caller = await resident(info, member_id)
        row = await posts.like(
            caller.kernel, caller.member_id, caller.user_id, decode_id("BakeryClubPost", post_id)
        )
        return BakeryClubPostType.from_row(row)

    @strawberry.mutation(extensions=[authenticated()], description="Spend points on a reward.")
    async def redeem_bakery_club_reward(
        self, info: Info[Any, Any], member_id: strawberry.ID, reward_id: strawberry.ID
    ) -> BakeryClubRedemptionType:
        caller = await resident(info, member_id)
        row = await points.redeem(
            caller.kernel,
            caller.member_id,
            caller.user_id,
            decode_id("BakeryClubReward", reward_id),
        )
        return BakeryClubRedemptionType.from_row(row)
