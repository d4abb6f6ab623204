"""kernel.plugins: the plugin host.

- :mod:`~kernel.plugins.hookspecs`: every hook, typed and documented (the only documentation).
- :mod:`~kernel.plugins.manifest`: what a plugin declares about itself (a pydantic model).
- :mod:`~kernel.plugins.discovery`: built-in plugins (``plugins/*``) and entry points.
- :mod:`~kernel.plugins.manager`: :class:`~kernel.plugins.manager.PluginHost`, one per process:
  tiers, block list, validation, ``check_pending``.
- :mod:`~kernel.plugins.calls`: the one place hooks are called and their awaitables awaited,
  one implementation at a time, each within its time budget.
- :mod:`~kernel.plugins.gate`: which plugins a member has enabled (read once per request) and
  the field extension answering ``PLUGIN_DISABLED``.
- :mod:`~kernel.plugins.service` / :mod:`~kernel.plugins.graphql`: enabling, disabling,
  configuring per member.
"""
