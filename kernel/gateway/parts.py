"""The kernel's own contributions to the GraphQL schema: the base every plugin's part is
composed onto (see :func:`kernel.plugins.schema.compose_graphql`)."""

from __future__ import annotations

import strawberry

import kernel
from kernel.gateway.compose import SchemaPart

__all__ = ["kernel_parts"]


@strawberry.type
class KernelQuery:
    @strawberry.field(description="The kernel's version.")
    def kernel_version(self) -> str:
        return kernel.__version__


def kernel_parts() -> list[SchemaPart]:
    from kernel.consent.graphql import PART as consent
    from kernel.identity.graphql import PART as identity
    from kernel.live.graphql import PART as live
    from kernel.plugins.graphql import PART as plugins
    from kernel.tenancy.graphql import PART as tenancy

    return [SchemaPart("kernel", query=KernelQuery), identity, tenancy, consent, plugins, live]
