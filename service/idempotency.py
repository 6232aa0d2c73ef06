"""`Idempotency-Key` on the creating routes: a retried request gets the resource its first try made.

A key is remembered per API key (or per service while authentication is off) and route, with a
fingerprint of the request. The same key with the same request answers the resource created the
first time; with another request it is a 409. The key row is written in the transaction that
creates the resource, so a request whose client lost the answer either made both or neither.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import DateTime, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.db import Base, utcnow
from service.errors import ServiceError
from service.tenancy import Caller

HEADER = "Idempotency-Key"
_VALID = re.compile(r"[\x21-\x7e]{1,200}")
ANONYMOUS_SCOPE = "-"


class IdempotencyKey(Base):
    """A key a client sent on a creating request, and what that request made."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)  # the API key's id, or "-"
    route: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _checked(value: str | None) -> str | None:
    if value is None:
        return None
    if not _VALID.fullmatch(value):
        raise ServiceError(
            422,
            "invalid_idempotency_key",
            f"header '{HEADER}': 1 to 200 printable ASCII characters without spaces (e.g. a UUID)",
            HEADER,
        )
    return value


IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias=HEADER,
        description="Optional; a retry with the same key and request returns the first try's resource, "
        "the same key with another request is a 409.",
    ),
]


def fingerprint(value: Any) -> str:
    """A stable digest of a request (JSON-able)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


class Idempotency:
    """The key of one creating request (or none), checked and recorded in the request's session."""

    def __init__(self, session: Session, caller: Caller, route: str, header: str | None) -> None:
        self.session = session
        self.route = route
        self.key = _checked(header)
        self.scope = caller.key_id or ANONYMOUS_SCOPE

    def earlier(self, digest: str) -> str | None:
        """The resource an earlier request with this key made; 409 when that request was another one."""
        if self.key is None:
            return None
        row = self.session.get(IdempotencyKey, (self.scope, self.route, self.key))
        if row is None:
            return None
        if row.fingerprint != digest:
            raise ServiceError(
                409,
                "idempotency_key_reused",
                f"header '{HEADER}': key '{self.key}' was sent with another request; use a new key "
                "for a new request",
                HEADER,
            )
        return row.resource_id

    def remember(self, digest: str, resource_id: str) -> None:
        """Record the key with the resource this request made (committed with the resource)."""
        if self.key is None:
            return
        self.session.add(
            IdempotencyKey(
                scope=self.scope, route=self.route, key=self.key, fingerprint=digest, resource_id=resource_id
            )
        )
        try:
            self.session.flush()
        except IntegrityError:
            raise ServiceError(
                409,
                "idempotency_key_in_use",
                f"header '{HEADER}': a request with key '{self.key}' is being handled; retry it shortly "
                "to get its resource",
                HEADER,
            ) from None
