"""GraphQL types of kernel.identity."""

from __future__ import annotations

import datetime as dt

import strawberry

from kernel.gateway.ids import encode_id
from kernel.identity.apikeys import key_actions
from kernel.identity.sessions import TokenPair
from kernel.identity.tables import ApiKey

__all__ = ["ApiKeyNode", "AuthPayload", "CreatedApiKey"]


@strawberry.type(description="Credentials issued by login or refresh.")
class AuthPayload:
    access_token: str = strawberry.field(
        description="Send as 'Authorization: Bearer <accessToken>'; valid for 15 minutes."
    )
    refresh_token: str = strawberry.field(
        description="Use once with refreshToken to get a new pair; valid for 30 days."
    )
    expires_at: dt.datetime = strawberry.field(description="When the access token expires.")
    token_type: str = strawberry.field(description="Always 'Bearer'.")

    @classmethod
    def from_pair(cls, pair: TokenPair) -> AuthPayload:
        return cls(
            access_token=pair.access_token,
            refresh_token=pair.refresh_token,
            expires_at=pair.expires_at,
            token_type=pair.token_type,
        )


@strawberry.type(name="ApiKey", description="A machine credential bound to one member.")
class ApiKeyNode:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The key's public part: ak_<prefix>_...")
    actions: list[str]
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None = strawberry.field(
        description="Last authenticated use, to within five minutes."
    )

    @classmethod
    def from_row(cls, key: ApiKey) -> ApiKeyNode:
        return cls(
            id=encode_id("ApiKey", key.id),
            name=key.name,
            prefix=key.prefix,
            actions=key_actions(key),
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


@strawberry.type(description="A new API key; the plaintext is shown this once only.")
class CreatedApiKey:
    api_key: ApiKeyNode
    plaintext: str
