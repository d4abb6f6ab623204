"""The ASGI application for process managers: ``hypercorn kernel.asgi:app``.

``alliance serve --workers N`` (N > 1) points each worker process at this module. The app is
built at import from ``ALLIANCE_*`` settings; the kernel (database pool) starts with the ASGI
lifespan, in the worker's own event loop.
"""

from __future__ import annotations

from litestar import Litestar

from kernel.gateway.app import create_app

__all__ = ["app"]

app: Litestar = create_app(serving=True)
