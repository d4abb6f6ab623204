"""Plugins' HTTP routes (``register_routes``), each plugin's mounted under ``/plugins/<slug>``."""

from __future__ import annotations

from litestar import Router

from kernel.plugins.manager import PluginHost

__all__ = ["plugin_routers"]


def plugin_routers(host: PluginHost) -> list[Router]:
    """One router per plugin that declared routes (essential parts mount their own)."""
    routers: list[Router] = []
    for name, handlers in host.declarations("register_routes"):
        if not host.is_gated(name):
            continue
        try:
            routers.append(Router(path=f"/plugins/{name}", route_handlers=list(handlers)))
        except Exception as exc:
            host.refuse(name, f"routes refused: {exc}")
    return routers
