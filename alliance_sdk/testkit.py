"""The helpers behind :mod:`alliance_sdk.testing`'s fixtures: a GraphQL client, factories
and the events a test published. Usable without pytest."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from kernel.events.base import Event
from kernel.events.sql import query
from kernel.gateway.ids import encode_id
from kernel.runtime import Kernel

__all__ = ["AllianceClient", "AllianceFactory", "CapturedEvents", "GraphQLResult"]

E = TypeVar("E", bound=Event)

# --- GraphQL ----------------------------------------------------------------------------------


@dataclass
class GraphQLResult:
    """A GraphQL response: ``data``, ``errors``, their ``codes``; ``ok()`` asserts none."""

    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str | None]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    @property
    def code(self) -> str | None:
        """The single error code (``PLUGIN_DISABLED``, ``FORBIDDEN``, ...), or None."""
        codes = self.codes
        assert len(codes) <= 1, f"several errors: {self.errors}"
        return codes[0] if codes else None

    def ok(self) -> Any:
        """``data``, after asserting there were no errors."""
        assert not self.errors, self.errors
        return self.data


class AllianceClient:
    """Posts GraphQL to ``/graphql``; after ``sign_in(user)`` as that user."""

    def __init__(self, http: httpx.AsyncClient, kernel: Kernel) -> None:
        self.http = http
        self.kernel = kernel
        self.token: str | None = None

    async def sign_in(self, user: Any) -> str:
        """Send the following requests as ``user`` (a live session, as login would make);
        returns the access token."""
        from kernel.identity.tables import AuthSession

        session_id = str(uuid.uuid4())
        await AuthSession(id=session_id, user=user.id, created_at=self.kernel.clock()).save()
        self.token = self.kernel.tokens.issue_access(user_id=user.id, session_id=session_id)
        return self.token

    def sign_out(self) -> None:
        """Send the following requests anonymously."""
        self.token = None

    @staticmethod
    def gid(type_name: str, row: Any) -> str:
        """The GraphQL ID of ``row`` (or a raw id) of ``type_name`` (``Member``, ...)."""
        return str(encode_id(type_name, getattr(row, "id", row)))

    @asynccontextmanager
    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> AsyncIterator[AsyncIterator[GraphQLResult]]:
        """Run a subscription as the signed-in caller through the app's schema, with the
        context the WebSocket transport builds after ``connection_init``; yields the stream
        of results (each a :class:`GraphQLResult`)::

            async with client.subscribe(PROGRESS, {...}) as stream:
                first = await anext(stream)
        """
        from kernel.gateway.context import Context
        from kernel.identity.authn import authenticate

        app = self.http._transport.app  # type: ignore[attr-defined]
        principal = None
        if self.token is not None:
            principal = await authenticate(self.kernel, f"Bearer {self.token}")
        context = Context(kernel=self.kernel, principal=principal)
        results = await app.state.schemas.public.subscribe(
            query, variable_values=variables, context_value=context
        )

        async def stream() -> AsyncGenerator[GraphQLResult, None]:
            if not hasattr(results, "__aiter__"):  # refused before the resolver ran
                yield _result(results)
                return
            async for item in results:
                yield _result(item)

        iterator = stream()
        try:
            yield iterator
        finally:
            await iterator.aclose()
            if hasattr(results, "aclose"):
                await results.aclose()

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> GraphQLResult:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        response = await self.http.post("/graphql", json=payload, headers=sent)
        return GraphQLResult(status=response.status_code, body=response.json())


def _result(execution: Any) -> GraphQLResult:
    body: dict[str, Any] = {"data": execution.data}
    if execution.errors:
        body["errors"] = [
            {"message": e.message, "extensions": dict(e.extensions or {})} for e in execution.errors
        ]
    return GraphQLResult(status=200, body=body)


# --- factories --------------------------------------------------------------------------------

_seq = itertools.count(1)
_HASHES: dict[str, str] = {}


class AllianceFactory:
    """Rows for tests, written as the kernel's services write them."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel

    async def user(self, *, password: str = "correct horse battery staple", **fields: Any) -> Any:
        """A user (``email``, ``display_name`` and other columns may be given)."""
        from kernel.identity.passwords import hash_password
        from kernel.identity.tables import User

        if password not in _HASHES:  # argon2 is slow on purpose: hash once per password
            _HASHES[password] = hash_password(password)
        n = next(_seq)
        user = User(
            email=fields.pop("email", f"user{n}@example.test"),
            display_name=fields.pop("display_name", f"User {n}"),
            password_hash=_HASHES[password],
            created_at=self.kernel.clock(),
            **fields,
        )
        await user.save()
        return user

    async def alliance(self, **fields: Any) -> Any:
        """An alliance."""
        from kernel.tenancy.tables import Alliance

        n = next(_seq)
        alliance = Alliance(
            slug=fields.pop("slug", f"alliance-{n}"),
            name=fields.pop("name", f"Alliance {n}"),
            created_at=self.kernel.clock(),
            **fields,
        )
        await alliance.save()
        return alliance

    async def member(self, alliance: Any = None, *, kind: str = "store", **fields: Any) -> Any:
        """A member of ``alliance`` (a new one by default)."""
        from kernel.tenancy.tables import Member

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

    async def community(self, alliance: Any, **fields: Any) -> Any:
        """A community of ``alliance``."""
        from kernel.tenancy.tables import Community

        community = Community(
            alliance=alliance.id,
            name=fields.pop("name", f"Community {next(_seq)}"),
            created_at=self.kernel.clock(),
            **fields,
        )
        await community.save()
        return community

    async def membership(self, member: Any, user: Any, role: str = "owner") -> Any:
        """Give ``user`` ``role`` in ``member`` (through the service, as the kernel does)."""
        from kernel.tenancy import service

        return await service.add_membership(
            self.kernel, actor=None, member_id=member.id, user_id=user.id, role=role
        )

    async def serve(self, member: Any, community: Any) -> None:
        """``member`` serves ``community`` (a leader's, a store's, a warehouse's area)."""
        from kernel.db.scoped import scoped
        from kernel.tenancy.tables import MemberCommunity

        await scoped(MemberCommunity, member.id).insert(
            MemberCommunity(
                member=member.id, community=community.id, created_at=self.kernel.clock()
            )
        )

    async def resident(
        self, community: Any, user: Any = None, *, leader: Any = None, household: str = ""
    ) -> Any:
        """``user`` (a new one when None) lives in ``community``, following ``leader`` (a
        member); returns the user."""
        from kernel.tenancy.tables import Resident

        user = user if user is not None else await self.user()
        await Resident.insert(
            Resident(
                user=user.id,
                community=community.id,
                leader=leader.id if leader is not None else None,
                household=household or f"Room {next(_seq)}",
                created_at=self.kernel.clock(),
            )
        )
        return user

    async def enable_plugin(
        self, member: Any, slug: str, config: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Enable plugin ``slug`` for ``member`` with ``config`` (its hooks run)."""
        from kernel.plugins.service import enable_plugin

        return await enable_plugin(
            self.kernel, actor=None, member_id=member.id, slug=slug, config=config
        )


# --- events -----------------------------------------------------------------------------------


class CapturedEvents:
    """The events published (to the outbox) during the test, oldest first."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel

    async def types(self) -> list[str]:
        """The ``type`` of every event published so far."""
        rows = await query(self.kernel.db, "SELECT type FROM events_outbox ORDER BY id")
        return [str(row["type"]) for row in rows]

    async def all(self) -> list[Event]:
        """Every event published so far, decoded to its registered class."""
        rows = await query(self.kernel.db, "SELECT type, payload FROM events_outbox ORDER BY id")
        return [self.kernel.events.decode(str(r["type"]), str(r["payload"])) for r in rows]

    async def of(self, event_class: type[E]) -> list[E]:
        """The published events of ``event_class``."""
        return [e for e in await self.all() if isinstance(e, event_class)]

    async def deliver(self) -> int:
        """Run the subscribed handlers (of members that enabled their plugin) on every event
        due, as the background dispatcher would; returns the deliveries attempted."""
        from kernel.events.dispatcher import Dispatcher
        from kernel.events.wiring import plugin_gate

        dispatcher = Dispatcher(
            self.kernel, self.kernel.events, gate=plugin_gate(self.kernel), listen=False
        )
        return await dispatcher.drain()
