"""Who is calling: a signed-in user, or an API key acting for one member."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request.

    A user principal has ``user_id`` and ``session_id``; an API-key principal has
    ``api_key_id``, the one member it is bound to and the actions it may perform.
    """

    user_id: int | None = None
    session_id: str | None = None
    is_platform_admin: bool = False
    api_key_id: int | None = None
    api_key_member_id: int | None = None
    api_key_actions: frozenset[str] = field(default_factory=frozenset)

    @property
    def subject(self) -> str:
        """The casbin subject: ``user:<id>`` or ``apikey:<id>``."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"apikey:{self.api_key_id}"

    @property
    def is_api_key(self) -> bool:
        return self.api_key_id is not None
