"""The ``POST /graphql`` fast path (kernel/gateway/fastpath.py) answers exactly as the
controller does: every request below is sent to the real application twice, once as served
and once with the fast path taken out, and the answers must be identical. The requests the
fast path must serve itself, and those it must hand to the controller, are checked too."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar

from kernel.gateway.fastpath import GraphQLFastPath
from kernel.gateway.limits import MAX_BODY_BYTES
from tests.factories import Factory

JSON = "application/json"
GRAPHQL_JSON = "application/graphql-response+json"


def _body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


# (name, headers, body, served by the fast path)
CASES: list[tuple[str, dict[str, str], bytes, bool]] = [
    ("plain", {"content-type": JSON}, _body({"query": "{ kernelVersion }"}), True),
    (
        "graphql-response media type",
        {"content-type": JSON, "accept": GRAPHQL_JSON},
        _body({"query": "{ kernelVersion }"}),
        True,
    ),
    (
        "browser accept list",
        {"content-type": "application/json; charset=utf-8", "accept": "text/html, */*;q=0.8"},
        _body({"query": "{ kernelVersion }", "variables": None, "operationName": None}),
        True,
    ),
    ("syntax error", {"content-type": JSON}, _body({"query": "{ kernelVersion"}), True),
    (
        "syntax error, graphql-response (400)",
        {"content-type": JSON, "accept": GRAPHQL_JSON},
        _body({"query": "{ kernelVersion"}),
        True,
    ),
    ("unknown field", {"content-type": JSON}, _body({"query": "{ nope }"}), True),
    (
        "bad credential",
        {"content-type": JSON, "authorization": "Bearer not-a-token"},
        _body({"query": "{ viewer { email } }"}),
        True,
    ),
    (
        "anonymous, protected field",
        {"content-type": JSON},
        _body({"query": '{ apiKeys(memberId: "1") { __typename } }'}),
        True,
    ),
    (
        "unknown operation name",
        {"content-type": JSON},
        _body({"query": "query A { kernelVersion }", "operationName": "B"}),
        True,
    ),
    (
        "subscription over POST",
        {"content-type": JSON},
        _body({"query": 'subscription { memberActivity(memberId: "1") { eventId } }'}),
        True,
    ),
    (
        "variables of the wrong type",
        {"content-type": JSON},
        _body({"query": "query ($n: Int!) { kernelVersion }", "variables": {"n": "x"}}),
        True,
    ),
    (
        "variables not an object",
        {"content-type": JSON},
        _body({"query": "{ kernelVersion }", "variables": [1]}),
        False,
    ),
    ("no query", {"content-type": JSON}, _body({"variables": {}}), False),
    ("batch", {"content-type": JSON}, _body([{"query": "{ kernelVersion }"}]), False),
    ("not JSON", {"content-type": JSON}, b"{query", False),
    ("text/plain", {"content-type": "text/plain"}, _body({"query": "{ kernelVersion }"}), False),
    (
        "event stream",
        {"content-type": JSON, "accept": "text/event-stream"},
        _body({"query": "{ kernelVersion }"}),
        False,
    ),
    (
        "over the size limit",
        {"content-type": JSON},
        _body({"query": "{ kernelVersion }", "extensions": {"pad": "x" * MAX_BODY_BYTES}}),
        False,
    ),
]


class _Counting:
    """Counts the requests that reach the wrapped ASGI app (the controller)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.calls += 1
        await self.app(scope, receive, send)


def _answer(response: httpx.Response) -> tuple[int, str, Any]:
    return response.status_code, response.headers["content-type"], response.json()


@pytest.mark.parametrize(
    ("headers", "body", "fast"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
async def test_the_fast_path_answers_as_the_controller(
    app: Litestar, http: httpx.AsyncClient, headers: dict[str, str], body: bytes, fast: bool
) -> None:
    fastpath = app.asgi_handler
    assert isinstance(fastpath, GraphQLFastPath)
    controller = _Counting(fastpath.app)
    fastpath.app = controller
    try:
        served = await http.post("/graphql", content=body, headers=headers)
        assert controller.calls == (0 if fast else 1)
        app.asgi_handler = controller
        reference = await http.post("/graphql", content=body, headers=headers)
    finally:
        app.asgi_handler = fastpath
        fastpath.app = controller.app
    assert _answer(served) == _answer(reference)
    assert served.headers["content-length"] == str(len(served.content))


async def test_the_fast_path_serves_a_signed_in_caller(
    app: Litestar, http: httpx.AsyncClient
) -> None:
    """A real credential through the fast path: sign in, then ask who we are."""
    factory = Factory(app.state.kernel)
    user = await factory.user()
    token = (await factory.sign_in(user)).token
    fastpath = app.asgi_handler
    assert isinstance(fastpath, GraphQLFastPath)
    controller = _Counting(fastpath.app)
    fastpath.app = controller
    try:
        response = await http.post(
            "/graphql",
            json={"query": "{ viewer { email } }"},
            headers={"authorization": f"Bearer {token}"},
        )
    finally:
        fastpath.app = controller.app
    assert controller.calls == 0
    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"email": user.email}}}
