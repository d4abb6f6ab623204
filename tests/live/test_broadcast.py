"""The broadcaster: in-process fan-out, drop-oldest mailboxes, PostgreSQL across processes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from kernel.live import MAX_MESSAGE_BYTES, Broadcaster, PayloadTooLarge, Stream
from kernel.live.postgres import APPLICATION_NAME, BroadcastUnavailable, PostgresTransport
from tests.conftest import PG_ADMIN_URL, REQUIRE_PG


async def next_payload(stream: Stream, wait: float = 2.0) -> dict[str, Any]:
    return await asyncio.wait_for(anext(stream), wait)


async def test_publish_reaches_subscribers_of_the_topic_only() -> None:
    broadcaster = Broadcaster()
    async with (
        broadcaster.subscribe("a") as first,
        broadcaster.subscribe("a") as second,
        broadcaster.subscribe("b") as other,
    ):
        assert await broadcaster.publish("a", {"n": 1}) == 2
        assert await next_payload(first) == {"n": 1}
        assert await next_payload(second) == {"n": 1}
        with pytest.raises(TimeoutError):
            await next_payload(other, wait=0.05)
    assert broadcaster.subscriber_count("a") == 0
    assert await broadcaster.publish("a", {"n": 2}) == 0


async def test_slow_consumer_keeps_the_newest() -> None:
    broadcaster = Broadcaster()
    async with broadcaster.subscribe("counter", queue_size=2) as stream:
        for n in range(1, 6):
            await broadcaster.publish("counter", {"n": n})
        assert stream.dropped == 3
        assert [await next_payload(stream), await next_payload(stream)] == [{"n": 4}, {"n": 5}]


async def test_payloads_are_json_objects_under_the_notify_limit() -> None:
    broadcaster = Broadcaster()
    with pytest.raises(PayloadTooLarge):
        await broadcaster.publish("t", {"blob": "x" * MAX_MESSAGE_BYTES})
    with pytest.raises(TypeError):
        await broadcaster.publish("t", ["not", "an", "object"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await broadcaster.publish("t", {"when": object()})
    async with broadcaster.subscribe("t") as stream:
        await broadcaster.publish("t", {"id": 1, "tags": ("x",)})
        # Delivered as JSON would deliver it across processes (tuple -> list).
        assert await next_payload(stream) == {"id": 1, "tags": ["x"]}


async def test_stop_ends_streams() -> None:
    broadcaster = Broadcaster()
    await broadcaster.start()
    async with broadcaster.subscribe("t") as stream:
        waiting = asyncio.create_task(anext(stream, None))
        await asyncio.sleep(0)
        await broadcaster.stop()
        assert await asyncio.wait_for(waiting, 1) is None
    async with broadcaster.subscribe("t") as late:
        assert await anext(late, None) is None


async def test_fan_out_to_2000_is_one_cheap_put_each(monkeypatch: pytest.MonkeyPatch) -> None:
    broadcaster = Broadcaster()
    puts = 0
    original = Stream.put

    def counting(stream: Stream, payload: dict[str, Any]) -> None:
        nonlocal puts
        puts += 1
        original(stream, payload)

    async def watch(ready: asyncio.Event, started: list[None]) -> dict[str, Any]:
        async with broadcaster.subscribe("group-buy:1:progress", queue_size=1) as stream:
            started.append(None)
            if len(started) == 2000:
                ready.set()
            return await next_payload(stream, wait=10)

    ready, started = asyncio.Event(), []
    watchers = [asyncio.create_task(watch(ready, started)) for _ in range(2000)]
    await asyncio.wait_for(ready.wait(), 10)
    monkeypatch.setattr(Stream, "put", counting)
    delivered = await broadcaster.publish("group-buy:1:progress", {"joined": 41, "goal": 50})
    # One put per watcher and nothing else: the cost is counted, not timed (speed belongs in
    # benchmarks; the machine is noisy).
    assert delivered == puts == 2000
    results = await asyncio.gather(*watchers)
    assert all(result == {"joined": 41, "goal": 50} for result in results)


# -- PostgreSQL: LISTEN/NOTIFY between two broadcasters (two processes' worth) -------------


@pytest.fixture
async def pg_pair() -> AsyncIterator[tuple[Broadcaster, Broadcaster]]:
    try:
        probe = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    await probe.close()
    channel = f"alliance_live_test_{time.monotonic_ns()}"
    first = Broadcaster(PostgresTransport(PG_ADMIN_URL, channel=channel, retry_seconds=0.05))
    second = Broadcaster(PostgresTransport(PG_ADMIN_URL, channel=channel, retry_seconds=0.05))
    assert Broadcaster.for_database(PG_ADMIN_URL).transport is not None
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()


async def test_postgres_publish_reaches_the_other_process(
    pg_pair: tuple[Broadcaster, Broadcaster],
) -> None:
    sender, receiver = pg_pair
    async with (
        receiver.subscribe("member:1:activity") as remote,
        sender.subscribe("member:1:activity") as local,
    ):
        await sender.publish("member:1:activity", {"type": "order.placed", "eventId": "9"})
        assert await next_payload(remote) == {"type": "order.placed", "eventId": "9"}
        assert await next_payload(local) == {"type": "order.placed", "eventId": "9"}
        # The sender hears its own NOTIFY too and must not deliver it twice.
        with pytest.raises(TimeoutError):
            await next_payload(local, wait=0.2)


async def test_postgres_one_connection_per_process_not_per_watcher(
    pg_pair: tuple[Broadcaster, Broadcaster],
) -> None:
    sender, receiver = pg_pair
    assert isinstance(sender.transport, PostgresTransport)
    assert isinstance(receiver.transport, PostgresTransport)
    pids = {
        sender.transport.connection.get_server_pid(),
        receiver.transport.connection.get_server_pid(),
    }  # type: ignore[union-attr]
    streams = [receiver.subscribe("t") for _ in range(500)]
    for stream in streams:
        await stream.__aenter__()
    try:
        await sender.publish("t", {"n": 1})
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1", APPLICATION_NAME
            )
        finally:
            await conn.close()
        assert pids <= {row["pid"] for row in rows}
        assert len(pids) == 2
    finally:
        for stream in streams:
            await stream.__aexit__(None, None, None)


async def test_postgres_listener_reconnects(pg_pair: tuple[Broadcaster, Broadcaster]) -> None:
    sender, receiver = pg_pair
    assert isinstance(receiver.transport, PostgresTransport)
    old = receiver.transport.connection
    assert old is not None
    admin = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", old.get_server_pid())
    finally:
        await admin.close()
    for _ in range(200):
        current = receiver.transport.connection
        if current is not None and current is not old and not current.is_closed():
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the listener did not reconnect")
    async with receiver.subscribe("t") as stream:
        await sender.publish("t", {"after": "reconnect"})
        assert await next_payload(stream) == {"after": "reconnect"}


async def test_postgres_stop_waits_for_the_send_in_flight(
    pg_pair: tuple[Broadcaster, Broadcaster], caplog: pytest.LogCaptureFixture
) -> None:
    # A kernel stopping while a join batch publishes progress: each send either went out or
    # is refused as unavailable; none is cut off inside the protocol.
    sender, _ = pg_pair
    transport = sender.transport
    assert isinstance(transport, PostgresTransport)
    sends = [asyncio.create_task(transport.send(f'{{"n": {n}}}')) for n in range(50)]
    await asyncio.sleep(0)  # the first send is on the wire
    await transport.stop()
    outcomes = await asyncio.gather(*sends, return_exceptions=True)
    unexpected = [o for o in outcomes if o is not None and not isinstance(o, BroadcastUnavailable)]
    assert unexpected == []
    assert outcomes[0] is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
