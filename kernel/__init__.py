"""The alliance kernel: identity, tenancy, permissions, consent, audit, events,
the plugin runtime and the GraphQL gateway."""

__version__ = "0.1.0"
