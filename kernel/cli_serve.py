"""``alliance serve``: the gateway on hypercorn, one process or several workers.

One worker serves in this process (``hypercorn.asyncio.serve``) on uvloop when it is
installed. Several workers are spawned processes running hypercorn's worker on
``kernel.asgi:app``, supervised here rather than by ``hypercorn.run.run`` (see
:func:`_serve_workers`).

Graceful shutdown: on SIGTERM or SIGINT the server stops accepting connections and gives
requests in flight ``graceful_timeout`` seconds to finish.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.synchronize import Event as EventType
from typing import Any, Final

from hypercorn.config import Config, Sockets

from kernel.cli_common import CLIError, display_url, load_settings, progress, running_kernel

__all__ = ["APPLICATION_PATH", "make_config", "serve", "worker_class"]

APPLICATION_PATH: Final = "kernel.asgi:app"
# Seconds a worker gets beyond graceful_timeout for the ASGI lifespan shutdown (pool close).
_LIFESPAN_MARGIN: Final = 5.0


def worker_class() -> str:
    """``uvloop`` where it is importable (~1.9x the requests per second), else ``asyncio``."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


def make_config(
    *, host: str, port: int, workers: int, graceful_timeout: float, access_log: bool
) -> Config:
    """The hypercorn configuration for ``alliance serve``."""
    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.workers = workers
    config.worker_class = worker_class()
    config.application_path = APPLICATION_PATH
    config.graceful_timeout = graceful_timeout
    config.accesslog = "-" if access_log else None
    config.errorlog = _error_logger()
    return config


def _error_logger() -> logging.Logger:
    """hypercorn's error log on stderr, not propagated (litestar's root handler would repeat it).

    Worker processes get the logger by name (loggers pickle that way), unconfigured: there it
    propagates to the root handler litestar installs, so each line still appears once.
    """
    logger = logging.getLogger("hypercorn.error")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s [%(process)d] [%(levelname)s] %(message)s", "[%Y-%m-%d %H:%M:%S %z]"
            )
        )
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


async def _preflight() -> None:
    """Fail fast (one line) when the database is unreachable; warn when it is not migrated."""
    from kernel.db.migrate import pending_migrations

    settings = load_settings()
    async with running_kernel(settings):
        pending = await pending_migrations()
    if pending:
        progress(
            f"warning: {len(pending)} migration(s) pending: run `alliance migrate` "
            "(/readyz answers 503 until then)"
        )


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    if worker_class() == "uvloop":
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
        return factory
    return None


def _serve_here(config: Config, sockets: Sockets) -> int:
    """One worker, in this process, on the already bound ``sockets``."""
    from hypercorn.asyncio.run import worker_serve
    from hypercorn.utils import LifespanFailureError, wrap_app

    from kernel.gateway.app import create_app

    asgi_app: Any = create_app(load_settings(), serving=True)
    app = wrap_app(asgi_app, config.wsgi_max_body_size, None)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await worker_serve(app, config, sockets=sockets, shutdown_trigger=stop.wait)

    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(main())
    except LifespanFailureError as exc:
        raise CLIError(f"the application failed to start: {exc}") from None
    return 0


def _worker(config: Config, sockets: Sockets, shutdown_event: EventType) -> None:
    """A worker process: hypercorn's worker, plus a watch on the supervisor.

    Workers ignore SIGINT and SIGTERM (inherited ``SIG_IGN``): only the supervisor's
    ``shutdown_event`` stops them, gracefully. Should the supervisor die without setting it,
    the watch sets it, so workers never outlive it.
    """
    from hypercorn.asyncio.run import asyncio_worker, uvloop_worker

    parent = os.getppid()

    def watch() -> None:
        while not shutdown_event.wait(1.0):
            if os.getppid() != parent:
                shutdown_event.set()

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()
    run = uvloop_worker if config.worker_class == "uvloop" else asyncio_worker
    run(config, sockets=sockets, shutdown_event=shutdown_event)


def _serve_workers(config: Config, sockets: Sockets) -> int:
    """Several worker processes sharing the listening sockets, drained together on shutdown.

    Not ``hypercorn.run.run``: on SIGTERM it stops waiting as soon as the first worker has
    exited (the idle one, at once) and terminates the others, dropping their requests in
    flight (measured: 3 dropped in 3 with 2 workers). Here every worker gets
    ``graceful_timeout`` to finish before anything is killed.
    """
    from multiprocessing import get_context
    from multiprocessing.connection import wait

    context = get_context("spawn")
    shutdown_event = context.Event()
    stopping = False

    def on_signal(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True
        shutdown_event.set()

    handled = (signal.SIGINT, signal.SIGTERM)
    # Children inherit SIG_IGN: a Ctrl-C or a process-group SIGTERM must not kill a worker
    # mid-request; the supervisor relays the stop through shutdown_event instead.
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in handled}
    workers: list[Any] = []
    try:
        for _ in range(config.workers):
            process = context.Process(
                target=_worker,
                kwargs={"config": config, "sockets": sockets, "shutdown_event": shutdown_event},
            )
            process.start()
            workers.append(process)
    finally:
        for signum in handled:
            signal.signal(signum, on_signal)
    status = 0
    try:
        while not stopping:
            ended_any = wait([process.sentinel for process in workers], timeout=0.5)
            if ended_any and not stopping:  # a worker ended on its own: stop them all
                ended = next(process for process in workers if process.exitcode is not None)
                status = ended.exitcode or 1
                progress(f"worker {ended.pid} exited with status {ended.exitcode}: stopping")
                shutdown_event.set()
                break
        deadline = time.monotonic() + config.graceful_timeout + _LIFESPAN_MARGIN
        for process in workers:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in workers:
            if process.is_alive():  # SIGTERM is ignored by workers: kill
                progress(f"worker {process.pid} did not stop in time: killed")
                process.kill()
                process.join()
                status = status or 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status


def serve(*, host: str, port: int, workers: int, graceful_timeout: float, access_log: bool) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit status."""
    settings = load_settings()
    asyncio.run(_preflight())
    config = make_config(
        host=host,
        port=port,
        workers=workers,
        graceful_timeout=graceful_timeout,
        access_log=access_log,
    )
    try:
        sockets = config.create_sockets()
    except OSError as exc:  # address in use, permission denied, unknown host
        raise CLIError(f"cannot listen on {config.bind[0]}: {exc}") from None
    url_host = f"[{host}]" if ":" in host else host
    graphiql = "" if settings.is_production else f" (GraphiQL at http://{url_host}:{port}/graphql)"
    progress(
        f"Serving on http://{url_host}:{port}{graphiql}: {workers} {config.worker_class} "
        f"worker(s), database {display_url(settings.database_url)}. Ctrl-C to stop."
    )
    try:
        serve_with = _serve_here if workers == 1 else _serve_workers
        status = serve_with(config, sockets)
    finally:
        for sock in (*sockets.secure_sockets, *sockets.insecure_sockets):
            sock.close()
    progress("Stopped.")
    return status
