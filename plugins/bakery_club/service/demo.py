"""The club's part of the demo: Luojia Bakery's club, found by natural keys, made once."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from alliance_sdk import member_info, scoped
from plugins.bakery_club.manifest import BakeryClubConfig
from plugins.bakery_club.service import ambassadors, club, points, posts, samples, workshops
from plugins.bakery_club.service.common import now
from plugins.bakery_club.tables import (
    BakeryClubAmbassador,
    BakeryClubEvent,
    BakeryClubMembership,
    BakeryClubPost,
    BakeryClubReward,
    BakeryClubSampleBatch,
)

__all__ = ["DEMO_BAKERY", "seed"]

DEMO_BAKERY: Final = "luojia-bakery-club"
CONFIG: Final = BakeryClubConfig(
    club_name="Luojia Bakery Club",
    points_per_post=20,
    referral_link_template="https://demo.alliance.example/luojia?ref={code}",
)
TIERS: Final = (("Silver", 300, 100), ("Gold", 500, 300))  # name, discount bp, points
WORKSHOP: Final = "Parent-child croissant workshop"
POSTS: Final[tuple[tuple[str, str, str, list[str]], ...]] = (
    ("photo", "Our first croissants", "", ["https://demo.alliance.example/ugc/croissants.jpg"]),
    ("recipe", "Low-sugar red bean buns", "1. Soak the beans overnight...\n2. Knead 15 min.", []),
    ("photo", "Matcha swirl at home", "", ["https://demo.alliance.example/ugc/matcha.jpg"]),
)


async def seed(kernel: Any, demo: Any) -> None:
    member_id = demo.members.get(DEMO_BAKERY)
    if member_id is None or kernel.plugins.manifest("bakery_club") is None:
        return
    await demo.enable(DEMO_BAKERY, "bakery_club", CONFIG.model_dump())
    await club.save_club(kernel, member_id, CONFIG.model_dump())
    existing = {t["name"] for t in await club.tiers(member_id)}
    for name, discount_bp, min_points in TIERS:
        if name not in existing:
            await club.create_tier(kernel, member_id, name, discount_bp, min_points)
            demo.created("bakery club tiers")
    residents = demo.residents[:5]
    before = await scoped(BakeryClubMembership, member_id).count()
    for person in residents:
        await club.join(kernel, member_id, person.user_id)
    demo.created(
        "bakery club members", await scoped(BakeryClubMembership, member_id).count() - before
    )
    before = await scoped(BakeryClubAmbassador, member_id).count()
    for person in residents[:2]:
        await ambassadors.promote(kernel, member_id, person.user_id)
    demo.created(
        "bakery club ambassadors", await scoped(BakeryClubAmbassador, member_id).count() - before
    )
    await _workshop(kernel, demo, member_id, residents)
    await _posts(kernel, demo, member_id, residents)
    if not await scoped(BakeryClubReward, member_id).exists():
        await points.create_reward(kernel, member_id, "Free egg tart", 20, None)
        await points.create_reward(kernel, member_id, "Workshop voucher", 200, 10)
        demo.created("bakery club rewards", 2)
    if not await scoped(BakeryClubSampleBatch, member_id).exists():
        await samples.create_batch(kernel, member_id, "Matcha mochi bread", 30, "first_come")
        demo.created("bakery club sample batches")


async def _workshop(kernel: Any, demo: Any, member_id: int, residents: list[Any]) -> None:
    if await scoped(BakeryClubEvent, member_id).exists().where(BakeryClubEvent.title == WORKSHOP):
        return
    bakery = await member_info(kernel, member_id)
    day = (now(kernel) + dt.timedelta(days=7)).replace(hour=2, minute=0, second=0, microsecond=0)
    event = await workshops.create_event(
        kernel,
        member_id,
        kind="workshop",
        title=WORKSHOP,
        description="Laminate, shape and bake croissants with your child (ages 6-12).",
        place=bakery.name if bakery else "Luojia Bakery",
        starts_at=day,  # 10:00 in Wuhan (UTC+8)
        ends_at=day + dt.timedelta(hours=2),
        seats=12,
    )
    for person in residents[:3]:
        await workshops.register(kernel, member_id, person.user_id, int(event["id"]))
    demo.created("bakery club workshops")
    demo.created("bakery club registrations", min(3, len(residents)))


async def _posts(kernel: Any, demo: Any, member_id: int, residents: list[Any]) -> None:
    for person, (kind, title, body, urls) in zip(residents, POSTS, strict=False):
        if await scoped(BakeryClubPost, member_id).exists().where(BakeryClubPost.title == title):
            continue
        post = await posts.submit(
            kernel, member_id, person.user_id, kind=kind, title=title, body=body, urls=urls
        )
        await posts.moderate(kernel, member_id, int(post["id"]), True, "")
        demo.created("bakery club approved posts")
