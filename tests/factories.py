"""Factories for tests: alliances, members, users, communities, sign-in tokens.

They write through the same tables the services use; role changes go through the
permission store so that cached decisions are invalidated exactly as in production.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from kernel.identity.passwords import hash_password
from kernel.identity.tables import AuthSession, User
from kernel.runtime import Kernel
from kernel.tenancy import service
from kernel.tenancy.tables import Alliance, AllianceAdmin, Community, Member, Membership

_seq = itertools.count(1)
# Hashing with argon2's real parameters costs ~100 ms; tests share one hash per password.
_HASHES: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


@dataclass
class SignedIn:
    user_id: int
    token: str
    session_id: str


class Factory:
    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel

    async def user(
        self,
        *,
        email: str | None = None,
        password: str = "correct horse battery staple",
        platform_admin: bool = False,
        **fields: Any,
    ) -> User:
        n = next(_seq)
        user = User(
            email=email or f"user{n}@example.test",
            display_name=fields.pop("display_name", f"User {n}"),
            password_hash=_hash(password),
            is_platform_admin=platform_admin,
            created_at=self.kernel.clock(),
            **fields,
        )
        await user.save()
        return user

    async def alliance(self, **fields: Any) -> Alliance:
        n = next(_seq)
        alliance = Alliance(
            slug=fields.pop("slug", f"alliance-{n}"),
            name=fields.pop("name", f"Alliance {n}"),
            created_at=self.kernel.clock(),
            **fields,
        )
        await alliance.save()
        return alliance

    async def member(
        self, alliance: Alliance | None = None, *, kind: str = "store", **fields: Any
    ) -> Member:
        alliance = alliance or await self.alliance()
        n = next(_seq)
        member = Member(
            alliance=alliance.id,
            kind=kind,
            slug=fields.pop("slug", f"{kind}-{n}"),
            name=fields.pop("name", f"{kind.title()} {n}"),
            created_at=self.kernel.clock(),
            **fields,
        )
        await member.save()
        return member

    async def community(self, alliance: Alliance, **fields: Any) -> Community:
        n = next(_seq)
        community = Community(
            alliance=alliance.id,
            name=fields.pop("name", f"Community {n}"),
            created_at=self.kernel.clock(),
            **fields,
        )
        await community.save()
        return community

    async def membership(self, member: Member, user: User, role: str = "owner") -> Membership:
        """Give ``user`` a role in ``member`` through the service (bumps the policy)."""
        return await service.add_membership(
            self.kernel, actor=None, member_id=member.id, user_id=user.id, role=role
        )

    async def alliance_admin(self, alliance: Alliance, user: User) -> AllianceAdmin:
        """Appoint ``user`` administrator of ``alliance`` through the service."""
        return await service.appoint_alliance_admin(
            self.kernel, actor=None, alliance_id=alliance.id, user_id=user.id
        )

    async def sign_in(self, user: User) -> SignedIn:
        """An access token for ``user`` with a live session, as login would issue."""
        session_id = str(uuid.uuid4())
        await AuthSession(id=session_id, user=user.id, created_at=self.kernel.clock()).save()
        token = self.kernel.tokens.issue_access(user_id=user.id, session_id=session_id)
        return SignedIn(user_id=user.id, token=token, session_id=session_id)
