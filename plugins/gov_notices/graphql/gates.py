"""Where the plugin gate finds its member on fields that do not name one.

- A field naming a notice (``acknowledgeGovNotice(noticeId)``): the office that owns it must
  have the plugin enabled (:func:`notice_owner`).
- A resident's own feed and emergency subscription span every office of the resident's
  alliances (:class:`ResidentFeedGate`).
"""

from __future__ import annotations

import inspect
from typing import Any

from strawberry.types import Info

from alliance_sdk import PluginGate, decode_id
from plugins.gov_notices.manifest import SLUG
from plugins.gov_notices.notices import notice_office

__all__ = ["ResidentFeedGate", "notice_gate", "notice_owner"]


async def notice_owner(source: Any, info: Info[Any, Any], kwargs: dict[str, Any]) -> int:
    """The office owning the notice named by the ``notice_id`` argument."""
    return await notice_office(decode_id("GovNoticesNotice", kwargs["notice_id"]))


def notice_gate() -> PluginGate:
    return PluginGate(SLUG, member=notice_owner)


class ResidentFeedGate(PluginGate):
    """The gate of a resident's fields, which act for no single member.

    SDK-GAP: ``PluginGate`` needs one member; a resident's feed reads every office of the
    resident's alliances. The enablement check is made per office by the service instead
    (offices without the plugin contribute nothing: ``readers.live_offices``). Proposed SDK
    addition: ``PluginGate(slug, member=None)`` meaning "the field filters by enablement
    itself", so that no plugin needs this subclass.
    """

    def __init__(self) -> None:
        super().__init__(SLUG)

    async def resolve_async(
        self, next_: Any, source: Any, info: Info[Any, Any], **kwargs: Any
    ) -> Any:
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result
