"""The kernel's own answers to the decision hooks: an essential plugin, answering last."""

from __future__ import annotations

from collections.abc import Sequence

from kernel.plugins.declarations import Attribution
from kernel.plugins.markers import hookimpl

__all__ = ["attribute_order"]


@hookimpl(trylast=True)
def attribute_order(leaders: Sequence[int]) -> Attribution:
    """The first leader offered (the buyer's own comes first), or nobody."""
    if leaders:
        return Attribution(reason="community_leader", leader_member_id=leaders[0], source="kernel")
    return Attribution(reason="none", source="kernel")
