"""GraphQL fields of kernel.identity: login, refresh, logout and API keys.

Resolvers only translate: arguments to service calls, rows to types. Permissions are declared
on the fields; every refusal is a :mod:`kernel.errors` exception raised by the service.
"""

# strawberry's field decorators are untyped for mypy (kernel/gateway/parts.py has the same
# report); the resolvers' own signatures are still checked.

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from kernel.gateway.compose import SchemaPart
from kernel.gateway.context import context_of
from kernel.gateway.ids import decode_id
from kernel.gateway.pagination import Connection, page_request
from kernel.identity import service
from kernel.identity.types import ApiKeyNode, AuthPayload, CreatedApiKey
from kernel.permissions.field import authenticated, member_arg, requires

__all__ = ["PART", "IdentityMutation", "IdentityQuery"]

_MANAGE_KEYS = "kernel.apikeys.manage"


@strawberry.type
class IdentityQuery:
    @strawberry.field(
        description="The member's API keys, revoked ones included.",
        extensions=[requires(_MANAGE_KEYS, member=member_arg())],
    )
    async def api_keys(
        self,
        info: Info[Any, Any],
        member_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ApiKeyNode]:
        page = page_request(first, after)
        rows = await service.list_api_keys(
            context_of(info).kernel,
            member_id=decode_id("Member", member_id),
            after_id=page.after_id,
            limit=page.limit,
        )
        return page.connection(rows, ApiKeyNode.from_row)


@strawberry.type
class IdentityMutation:
    # Nullable on purpose: with a non-null result, the first failing login of a document
    # would abort the aliases after it; each must run and be counted by the throttle.
    @strawberry.mutation(description="Sign in with an e-mail address or phone number.")
    async def login(self, info: Info[Any, Any], account: str, password: str) -> AuthPayload | None:
        pair = await service.login(context_of(info).kernel, account=account, password=password)
        return AuthPayload.from_pair(pair)

    @strawberry.mutation(description="Exchange a refresh token (once) for a new token pair.")
    async def refresh_token(self, info: Info[Any, Any], refresh_token: str) -> AuthPayload | None:
        pair = await service.refresh(context_of(info).kernel, refresh_token=refresh_token)
        return AuthPayload.from_pair(pair)

    @strawberry.mutation(
        description="End the current session (its refresh and access tokens).",
        extensions=[authenticated()],
    )
    async def logout(self, info: Info[Any, Any]) -> bool:
        context = context_of(info)
        await service.logout(context.kernel, principal=context.require_principal())
        return True

    @strawberry.mutation(
        description="Create an API key for the member; the plaintext is shown only here.",
        extensions=[requires(_MANAGE_KEYS, member=member_arg())],
    )
    async def create_api_key(
        self, info: Info[Any, Any], member_id: strawberry.ID, name: str, actions: list[str]
    ) -> CreatedApiKey:
        context = context_of(info)
        key, plaintext = await service.create_api_key(
            context.kernel,
            member_id=decode_id("Member", member_id),
            name=name,
            actions=actions,
            created_by=context.require_principal(),
        )
        return CreatedApiKey(api_key=ApiKeyNode.from_row(key), plaintext=plaintext)

    @strawberry.mutation(
        description="Revoke one of the member's API keys (idempotent).",
        extensions=[requires(_MANAGE_KEYS, member=member_arg())],
    )
    async def revoke_api_key(
        self, info: Info[Any, Any], member_id: strawberry.ID, id: strawberry.ID
    ) -> ApiKeyNode:
        key = await service.revoke_api_key(
            context_of(info).kernel,
            member_id=decode_id("Member", member_id),
            key_id=decode_id("ApiKey", id),
        )
        return ApiKeyNode.from_row(key)


PART = SchemaPart("kernel.identity", query=IdentityQuery, mutation=IdentityMutation)
