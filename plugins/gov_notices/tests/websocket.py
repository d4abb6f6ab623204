"""A graphql-transport-ws client speaking ASGI to the app in the test's own event loop: the
kernel's real WebSocket route, protocol handler and subscription machinery, without a TCP
socket (the app and the test share one loop and one database pool)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from types import TracebackType
from typing import Any

PROTOCOL = "graphql-transport-ws"


class Closed(Exception):
    """The server closed the socket (``code``)."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed with {code}")
        self.code = code


class WebSocketSession:
    def __init__(self, app: Any, path: str = "/graphql") -> None:
        self.app = app
        self.path = path
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> WebSocketSession:
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"sec-websocket-protocol", PROTOCOL.encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
            "subprotocols": [PROTOCOL],
            "state": {},
        }
        self._task = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app.put))
        await self._to_app.put({"type": "websocket.connect"})
        accepted = await asyncio.wait_for(self._from_app.get(), 5)
        assert accepted["type"] == "websocket.accept", accepted
        assert accepted.get("subprotocol") == PROTOCOL
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 5)

    async def send(self, message: dict[str, Any]) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": json.dumps(message)})

    async def receive(self) -> dict[str, Any]:
        """The next message (within 5 s); :class:`Closed` when the server closed."""
        message = await asyncio.wait_for(self._from_app.get(), 5.0)
        if message["type"] == "websocket.close":
            raise Closed(message.get("code"))
        text = message.get("text") or (message.get("bytes") or b"").decode()
        return dict(json.loads(text))

    async def nothing_within(self, seconds: float) -> bool:
        """True when no message arrives within ``seconds``."""
        try:
            await asyncio.wait_for(self._from_app.get(), seconds)
        except TimeoutError:
            return True
        return False

    async def init(self, token: str | None) -> None:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await self.send({"type": "connection_init", "payload": payload})
        assert await self.receive() == {"type": "connection_ack"}

    async def subscribe(
        self, op_id: str, query: str, variables: dict[str, Any] | None = None
    ) -> None:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        await self.send({"id": op_id, "type": "subscribe", "payload": payload})
