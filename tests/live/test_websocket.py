"""GraphQL subscriptions over WebSocket through the real app (graphql-transport-ws).

The app runs in litestar's TestClient portal thread, on its own event loop. The database is
set up before the client starts, with a separate kernel in ``asyncio.run``; afterwards the test
thread only talks to the socket, and publishes through the portal (on the app's loop).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import WebSocketDisconnect
from litestar.testing import TestClient
from litestar.testing.websocket_test_session import WebSocketTestSession

from kernel.gateway import app as app_module
from kernel.gateway.controller import MAX_SUBSCRIPTIONS_PER_CONNECTION
from kernel.gateway.ids import encode_id
from kernel.gateway.parts import kernel_parts
from kernel.identity import service as identity
from kernel.identity.authn import authenticate
from kernel.live import Broadcaster, publish_member_activity
from kernel.live.graphql import PART
from kernel.runtime import Kernel
from kernel.settings import Settings
from tests.factories import Factory

Client = TestClient[Litestar]

ACTIVITY = "subscription($m: ID!) { memberActivity(memberId: $m) { type eventId occurredAt } }"
WHEN = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)


@dataclass
class World:
    member_id: int
    other_member_id: int
    token: str
    session_id: str
    api_key: str


async def _populate(settings: Settings) -> World:
    kernel = Kernel.from_settings(settings)
    await kernel.start()
    try:
        factory = Factory(kernel)
        member = await factory.member()
        other = await factory.member()
        user = await factory.user()
        await factory.membership(member, user, role="staff")
        signed_in = await factory.sign_in(user)
        owner = await factory.user()
        await factory.membership(member, owner, role="owner")
        owner_principal = await authenticate(
            kernel, f"Bearer {(await factory.sign_in(owner)).token}"
        )
        assert owner_principal is not None
        _, api_key = await identity.create_api_key(
            kernel,
            member_id=member.id,
            name="live",
            actions=["kernel.members.read"],
            created_by=owner_principal,
        )
        return World(member.id, other.id, signed_in.token, signed_in.session_id, api_key)
    finally:
        await kernel.stop()


@pytest.fixture
def world(settings: Settings) -> World:
    return asyncio.run(_populate(settings))


def _parts_with_live() -> list[Any]:
    parts = kernel_parts()
    return parts if any(part.name == PART.name for part in parts) else [*parts, PART]


@pytest.fixture
def client(settings: Settings, world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    # Until kernel.gateway.parts lists kernel.live (the lead's wiring), add it here.
    monkeypatch.setattr(app_module, "kernel_parts", _parts_with_live)
    app = app_module.create_app(settings)
    kernel = app.state.kernel
    if getattr(kernel, "broadcaster", None) is None:
        # Until Kernel builds and starts one: started on the app's loop, after the kernel.
        kernel.broadcaster = Broadcaster.for_database(settings.database_url)
        app.on_startup.append(kernel.broadcaster.start)
        app.on_shutdown.insert(0, kernel.broadcaster.stop)
    with TestClient(app) as test_client:
        yield test_client


def connect(client: Client) -> Any:
    return client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])


def init(ws: WebSocketTestSession, payload: dict[str, Any] | None = None) -> None:
    ws.send_json({"type": "connection_init", **({"payload": payload} if payload else {})})
    assert ws.receive_json() == {"type": "connection_ack"}


def subscribe(ws: WebSocketTestSession, op_id: str, member_id: int) -> None:
    variables = {"m": encode_id("Member", member_id)}
    ws.send_json(
        {"id": op_id, "type": "subscribe", "payload": {"query": ACTIVITY, "variables": variables}}
    )


def publish(client: Client, member_id: int, event_id: str) -> None:
    broadcaster: Broadcaster = client.app.state.kernel.broadcaster

    async def send() -> None:
        await publish_member_activity(
            broadcaster, member_id, type="order.placed", event_id=event_id, occurred_at=WHEN
        )

    client.blocking_portal.call(send)


def wait_for_watchers(client: Client, member_id: int, count: int) -> None:
    broadcaster: Broadcaster = client.app.state.kernel.broadcaster
    topic = f"member:{member_id}:activity"

    async def wait() -> None:
        for _ in range(500):
            if broadcaster.subscriber_count(topic) == count:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{broadcaster.subscriber_count(topic)} watchers, not {count}")

    client.blocking_portal.call(wait)


def close_code(ws: WebSocketTestSession) -> int:
    with pytest.raises(WebSocketDisconnect) as disconnect:
        ws.receive_json()
    return int(disconnect.value.code or 0)


def test_bearer_in_connection_init_streams_activity(client: Client, world: World) -> None:
    with connect(client) as ws:
        init(ws, {"Authorization": f"Bearer {world.token}"})
        subscribe(ws, "1", world.member_id)
        wait_for_watchers(client, world.member_id, 1)
        publish(client, world.member_id, "41")
        publish(client, world.other_member_id, "99")  # another topic: not ours
        publish(client, world.member_id, "42")
        first, second = ws.receive_json(), ws.receive_json()
    assert first == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "memberActivity": {
                    "type": "order.placed",
                    "eventId": "41",
                    "occurredAt": "2024-05-01T12:00:00+00:00",
                }
            }
        },
    }
    assert second["payload"]["data"]["memberActivity"]["eventId"] == "42"


def test_api_key_with_lowercase_key(client: Client, world: World) -> None:
    with connect(client) as ws:
        init(ws, {"authorization": f"ApiKey {world.api_key}"})
        subscribe(ws, "k", world.member_id)
        wait_for_watchers(client, world.member_id, 1)
        publish(client, world.member_id, "7")
        assert ws.receive_json()["payload"]["data"]["memberActivity"]["eventId"] == "7"


@pytest.mark.parametrize(
    "payload",
    [
        {"Authorization": "Bearer not-a-jwt"},
        {"authorization": "ApiKey ak_nope"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": 42},
    ],
)
def test_bad_credential_closes_4403(client: Client, payload: dict[str, Any]) -> None:
    with connect(client) as ws:
        ws.send_json({"type": "connection_init", "payload": payload})
        assert close_code(ws) == 4403


def test_subscribe_before_init_closes_4401(client: Client, world: World) -> None:
    with connect(client) as ws:
        subscribe(ws, "1", world.member_id)
        assert close_code(ws) == 4401
    assert (
        client.app.state.kernel.broadcaster.subscriber_count(f"member:{world.member_id}:activity")
        == 0
    )


def test_nothing_runs_before_connection_init(
    client: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kernel.identity import authn

    calls: list[str | None] = []
    original = authn.authenticate

    async def counting(kernel: Any, authorization: str | None) -> Any:
        calls.append(authorization)
        return await original(kernel, authorization)

    monkeypatch.setattr(authn, "authenticate", counting)
    headers = {"Authorization": f"Bearer {world.token}"}
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as ws:
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
        assert calls == []  # the socket is open, nothing authenticated or queried yet
        init(ws, {"Authorization": f"Bearer {world.token}"})
    assert calls == [f"Bearer {world.token}"]


def test_anonymous_connection_gets_unauthenticated(client: Client, world: World) -> None:
    with connect(client) as ws:
        init(ws)
        subscribe(ws, "1", world.member_id)
        message = ws.receive_json()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_upgrade_request_header_is_ignored(client: Client, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as ws:
        init(ws)  # no credentials in connection_init: anonymous
        subscribe(ws, "1", world.member_id)
        message = ws.receive_json()
    assert message["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_another_members_activity_is_not_found(client: Client, world: World) -> None:
    with connect(client) as ws:
        init(ws, {"Authorization": f"Bearer {world.token}"})
        subscribe(ws, "1", world.other_member_id)
        message = ws.receive_json()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "NOT_FOUND"


def test_subscriptions_per_connection_are_capped(client: Client, world: World) -> None:
    cap = MAX_SUBSCRIPTIONS_PER_CONNECTION
    with connect(client) as ws:
        init(ws, {"Authorization": f"Bearer {world.token}"})
        for n in range(cap):
            subscribe(ws, str(n), world.member_id)
        wait_for_watchers(client, world.member_id, cap)
        subscribe(ws, "over", world.member_id)
        refused = ws.receive_json()
        assert refused["id"] == "over" and refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        # Completing one frees a slot.
        ws.send_json({"id": "0", "type": "complete"})
        wait_for_watchers(client, world.member_id, cap - 1)
        subscribe(ws, "again", world.member_id)
        wait_for_watchers(client, world.member_id, cap)
        publish(client, world.member_id, "1")
        ids = {ws.receive_json()["id"] for _ in range(cap)}
    assert "again" in ids and "0" not in ids and "over" not in ids


def test_logout_stops_new_subscriptions_on_an_open_connection(client: Client, world: World) -> None:
    from kernel.identity.tables import AuthSession

    async def logout() -> None:
        kernel = client.app.state.kernel
        await AuthSession.update({AuthSession.revoked_at: kernel.clock()}).where(
            AuthSession.id == world.session_id
        )

    with connect(client) as ws:
        init(ws, {"Authorization": f"Bearer {world.token}"})
        subscribe(ws, "before", world.member_id)
        wait_for_watchers(client, world.member_id, 1)
        client.blocking_portal.call(logout)
        subscribe(ws, "after", world.member_id)
        refused = ws.receive_json()
        assert refused["id"] == "after" and refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        # The running one continues until the client reconnects (documented).
        publish(client, world.member_id, "5")
        assert ws.receive_json()["id"] == "before"
