"""UGC: members' photos and recipes, moderated by the bakery; approved posts earn points."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from alliance_sdk import BadUserInput, Conflict, NotFound, publish, scoped
from plugins.bakery_club.events import BakeryClubPostModerated
from plugins.bakery_club.service.common import (
    active_membership,
    check_text,
    club_of,
    first,
    lock,
    now,
    raise_if,
)
from plugins.bakery_club.service.points import credit
from plugins.bakery_club.tables import BakeryClubPost, BakeryClubPostLike

__all__ = ["POST_KINDS", "like", "moderate", "photo_urls", "submit"]

POST_KINDS = ("photo", "recipe")
MAX_PHOTOS = 9
P = BakeryClubPost


def photo_urls(row: dict[str, Any]) -> list[str]:
    value = json.loads(row["photo_urls"] or "[]")
    return [str(url) for url in value]


def _bad_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500


async def submit(
    kernel: Any,
    member_id: int,
    user_id: int,
    *,
    kind: str,
    title: str,
    body: str,
    urls: list[str],
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if kind not in POST_KINDS:
        errors["kind"] = "photo or recipe"
    check_text(errors, "title", title, 200)
    if len(body) > 20_000:
        errors["body"] = "at most 20000 characters"
    elif kind == "recipe" and not body.strip():
        errors["body"] = "a recipe needs its steps"
    if len(urls) > MAX_PHOTOS:
        errors["photoUrls"] = f"at most {MAX_PHOTOS} photos"
    elif any(_bad_url(url) for url in urls):
        errors["photoUrls"] = "http(s) URLs of at most 500 characters"
    elif kind == "photo" and not urls:
        errors["photoUrls"] = "a photo post needs a photo"
    raise_if(errors)
    async with kernel.db.write():
        await active_membership(member_id, user_id)
        row = P(
            member=member_id,
            author=user_id,
            kind=kind,
            title=title.strip(),
            body=body,
            photo_urls=json.dumps(urls),
            status="pending",
            submitted_at=now(kernel),
        )
        await scoped(P, member_id).insert(row)
    return row.to_dict()


async def moderate(
    kernel: Any, member_id: int, post_id: int, approve: bool, reason: str
) -> dict[str, Any]:
    """Approve (the author earns the club's points per post) or reject, once."""
    if len(reason) > 300:
        raise BadUserInput("invalid input", field_errors={"reason": "at most 300 characters"})
    club = await club_of(member_id)
    async with kernel.db.write():
        post = await lock(kernel, P, member_id, post_id, "post")
        if post["status"] != "pending":
            raise Conflict(f"the post was {post['status']} already")
        status = "approved" if approve else "rejected"
        rows = await (
            scoped(P, member_id)
            .update({P.status: status, P.moderated_at: now(kernel), P.reject_reason: reason})
            .where((P.id == post_id) & (P.status == "pending"))
            .returning(*P.all_columns())
        )
        points = club["points_per_post"] if approve else 0
        author = int(post["author"])
        if (
            points > 0
            and await credit(kernel, member_id, author, points, "post_approved", f"post:{post_id}")
            is None
        ):
            points = 0
        await publish(
            kernel,
            BakeryClubPostModerated(
                member_id=member_id,
                post_id=post_id,
                author_user_id=author,
                approved=approve,
                points=points,
            ),
        )
    return dict(rows[0])


async def like(kernel: Any, member_id: int, user_id: int, post_id: int) -> dict[str, Any]:
    """One like per member and approved post; liking again changes nothing."""
    async with kernel.db.write():
        await active_membership(member_id, user_id)
        post = await lock(kernel, P, member_id, post_id, "post")
        if post["status"] != "approved":
            raise NotFound("post not found")
        liked = (
            await scoped(BakeryClubPostLike, member_id)
            .exists()
            .where((BakeryClubPostLike.post == post_id) & (BakeryClubPostLike.user == user_id))
        )
        if not liked:
            await scoped(BakeryClubPostLike, member_id).insert(
                BakeryClubPostLike(
                    member=member_id, post=post_id, user=user_id, created_at=now(kernel)
                )
            )
            await scoped(P, member_id).update({P.likes: P.likes + 1}).where(P.id == post_id)
        found = first(await scoped(P, member_id).select().where(P.id == post_id))
    assert found is not None
    return found
