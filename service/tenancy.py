"""Who is calling and what they may see: key scopes and the owner of datasets and jobs.

Every dataset and job records the owner of the key that created it. A key sees only its owner's
data; an `admin` key sees everything, including what was created while authentication was off
(owner NULL). Scopes are ordered: `read` lists and downloads, `write` adds everything that
creates, changes or runs something, `admin` adds every owner's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

from sqlalchemy import ColumnElement

Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = get_args(Scope)


def check_scope(scope: str) -> Scope:
    """`scope` as a Scope; ValueError naming the scopes otherwise."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope '{scope}'; use one of {', '.join(SCOPES)}")
    return cast(Scope, scope)


@dataclass(frozen=True)
class Caller:
    """The caller of one request: its key (None while authentication is off), owner and scope."""

    key_id: str | None
    owner: str | None
    scope: Scope

    @classmethod
    def anonymous(cls) -> Caller:
        """The caller while authentication is off: full access, and what it creates has no owner."""
        return cls(None, None, "admin")

    @property
    def sees_all(self) -> bool:
        return self.scope == "admin"

    def allows(self, needed: Scope) -> bool:
        """Whether this caller's scope includes `needed`."""
        return SCOPES.index(self.scope) >= SCOPES.index(needed)

    def can_see(self, owner: str | None) -> bool:
        """Whether data owned by `owner` is visible to this caller."""
        return self.sees_all or (owner is not None and owner == self.owner)

    def visible(self, column: Any) -> list[ColumnElement[bool]]:
        """SQL conditions on an owner `column` selecting the rows this caller may see."""
        return [] if self.sees_all else [column == self.owner]
