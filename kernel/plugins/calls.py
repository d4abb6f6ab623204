"""The one place plugin code is called: implementations one at a time, awaitables awaited,
each within its time budget, every failure contained and logged with the plugin's slug.

pluggy is synchronous: an ``async`` implementation returns a coroutine object, which pluggy
would hand back as a result (and a ``firstresult`` hook would stop at it). The host therefore
never calls a hook through pluggy's own loop for member work: it takes the implementations the
member's stack allows (see :meth:`~kernel.plugins.manager.PluginHost.implementations`) and runs
each here, awaiting what it returns, so decisions may be ``async`` too.

Contained calls (the default) log and swallow a failure. Calls made inside the caller's write
transaction whose partial effects must not survive a failure (``reserve_stock``) are made with
``contained=False``: the exception reaches the caller, whose transaction rolls back.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pluggy import HookImpl

from kernel.events.base import Event
from kernel.plugins.gate import enabled_plugins

__all__ = [
    "answering_plugins",
    "call_everywhere",
    "call_hook",
    "call_implementations",
    "decide",
    "deliver",
    "run_contained",
]

logger = logging.getLogger("kernel.plugins")


async def run_contained(slug: str, what: str, call: Callable[[], Any], *, budget: float) -> Any:
    """``call()``, awaiting what it returns if awaitable, within ``budget`` seconds.

    Returns the result, or :data:`None` when the call raised or timed out; each of those is
    logged once, naming ``slug`` and ``what``.
    """
    started = time.perf_counter()
    try:
        result = call()
        if inspect.isawaitable(result):
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancellation
            # that arrives as the call completes, and a job runner being stopped kept running.
            async with asyncio.timeout(budget):
                result = await result
    except TimeoutError:
        logger.error("plugin %s: %s exceeded its %.3gs budget; abandoned", slug, what, budget)
        return None
    except Exception:
        logger.exception("plugin %s: %s raised", slug, what)
        return None
    elapsed = time.perf_counter() - started
    if elapsed > budget:
        # A synchronous call cannot be interrupted: it blocked the event loop this long.
        logger.warning("plugin %s: %s took %.3gs (budget %.3gs)", slug, what, elapsed, budget)
    return result


async def call_implementations(
    hook: str,
    implementations: Sequence[HookImpl],
    kwargs: Mapping[str, Any],
    *,
    budget: float,
    firstresult: bool = False,
    contained: bool = True,
) -> list[Any]:
    """Call ``implementations`` of ``hook`` in pluggy's order (``tryfirst`` first, then the
    most recently registered) with the arguments each one asks for, awaiting awaitables.

    Returns the non-``None`` results; with ``firstresult`` at most one. With ``contained``
    False a failure propagates (no time budget either: the caller's transaction bounds it).
    """
    results: list[Any] = []
    for impl in reversed(implementations):
        if impl.wrapper or impl.hookwrapper:
            continue  # refused at registration; never reached for plugins (see manager)
        args = [kwargs[name] for name in impl.argnames]
        call = functools.partial(impl.function, *args)
        if contained:
            result = await run_contained(impl.plugin_name, f"hook {hook}", call, budget=budget)
        else:
            result = call()
            if inspect.isawaitable(result):
                result = await result
        if result is not None:
            results.append(result)
            if firstresult:
                break
    return results


async def call_hook(
    kernel: Any,
    hook: str,
    *,
    member_id: int,
    memo: dict[str, Any] | None = None,
    contained: bool = True,
    **kwargs: Any,
) -> list[Any]:
    """Call ``hook`` for ``member_id``: the kernel's implementations and those of the
    plugins the member has enabled; returns their non-``None`` results. ``kernel`` and
    ``member_id`` are passed to implementations that ask for them.

    With ``contained=False`` (inside a transaction that must roll back on failure) an
    implementation's exception propagates instead of being logged and skipped."""
    host = kernel.plugins
    enabled = await enabled_plugins(kernel, member_id, memo)
    arguments = {"kernel": kernel, "member_id": member_id, **kwargs}
    return await call_implementations(
        hook,
        host.implementations(hook, enabled),
        arguments,
        budget=host.budget,
        contained=contained,
    )


async def decide(
    kernel: Any,
    hook: str,
    *,
    member_id: int,
    memo: dict[str, Any] | None = None,
    contained: bool = True,
    **kwargs: Any,
) -> Any:
    """The first non-``None`` answer to the decision (``firstresult``) hook ``hook`` from
    ``member_id``'s stack (implementations may be ``async``); the kernel's fallback answers
    last. ``contained`` as for :func:`call_hook`."""
    host = kernel.plugins
    enabled = await enabled_plugins(kernel, member_id, memo)
    arguments = {"kernel": kernel, "member_id": member_id, **kwargs}
    answers = await call_implementations(
        hook,
        host.implementations(hook, enabled),
        arguments,
        budget=host.budget,
        firstresult=True,
        contained=contained,
    )
    return answers[0] if answers else None


async def answering_plugins(
    kernel: Any, hook: str, *, member_id: int, memo: dict[str, Any] | None = None
) -> tuple[str, ...]:
    """Slugs of ``member_id``'s enabled plugins implementing ``hook`` (the kernel's own
    fallbacks not counted): whether :func:`decide` would ask a plugin, without asking."""
    host = kernel.plugins
    enabled = await enabled_plugins(kernel, member_id, memo)
    return tuple(
        impl.plugin_name
        for impl in host.implementations(hook, enabled)
        if impl.plugin_name in enabled
    )


async def call_everywhere(kernel: Any, hook: str, **kwargs: Any) -> list[Any]:
    """Call ``hook`` on every installed plugin, whatever members enabled (lifecycle hooks)."""
    host = kernel.plugins
    return await call_implementations(
        hook,
        host.implementations(hook, host.installed),
        {"kernel": kernel, **kwargs},
        budget=host.budget,
    )


async def deliver(kernel: Any, event: Event, memo: dict[str, Any] | None = None) -> int:
    """Hand a committed ``event`` to the handlers of the plugins its member has enabled,
    one at a time, each contained; returns how many ran without failing."""
    host = kernel.plugins
    enabled = await enabled_plugins(kernel, event.member_id, memo)
    succeeded = 0
    for slug, handler in host.subscriptions(event.type, enabled):
        outcome = await run_contained(
            slug,
            f"handler of {event.type}",
            functools.partial(_handled, handler, kernel, event),
            budget=host.budget,
        )
        succeeded += outcome is True
    return succeeded


async def _handled(handler: Callable[[Any, Event], Any], kernel: Any, event: Event) -> bool:
    result = handler(kernel, event)
    if inspect.isawaitable(result):
        await result
    return True
