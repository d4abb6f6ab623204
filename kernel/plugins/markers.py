"""The pluggy markers of the ``alliance`` project: one name, shared by specs and plugins."""

from __future__ import annotations

from typing import Final

import pluggy

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT: Final = "alliance"

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marks a hook specification (the kernel's in :mod:`kernel.plugins.hookspecs`, or a
plugin's own, returned from ``register_hookspecs``)."""

hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin's implementation of a hook: ``@hookimpl`` above a function of the same name."""
