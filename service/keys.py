"""API keys: secrets shown once at creation, stored as salted SHA-256 hashes, revocable; each with an owner and a scope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from generator.errors import ConfigError
from service.db import Base, as_utc, utcnow
from service.tenancy import Caller, Scope, check_scope

KEY_PREFIX = "xst"


class ApiKey(Base):
    """One API key; the secret itself is never stored, only `salt` and `hash`."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    salt: Mapped[str] = mapped_column(String(32))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, default=None)
    rate_limit: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    # Whose data the key works on; NULL (keys made before owners existed) means the key's own.
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scope: Mapped[str] = mapped_column(String(8), server_default="write")


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key; `rate_limit` None means the service default.

    `owner` names whose data the key works on (keys with one owner share datasets and jobs);
    `scope` is read, write or admin.
    """

    id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None
    rate_limit: int | None
    owner: str
    scope: Scope

    def caller(self) -> Caller:
        return Caller(self.id, self.owner, self.scope)


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: `secret` is shown once and cannot be recovered later."""

    info: KeyInfo
    secret: str


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def own_data(key_id: str) -> str:
    """The owner of a key that shares its data with no other key."""
    return f"key:{key_id}"


def _info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        row.id,
        row.name,
        as_utc(row.created_at),
        as_utc(row.revoked_at),
        row.rate_limit,
        row.owner or own_data(row.id),
        check_scope(row.scope),
    )


def create_key(
    session: Session,
    name: str,
    rate_limit: int | None = None,
    scope: str = "write",
    owner: str | None = None,
) -> NewKey:
    """Create a key named `name`; the secret has the form `xst_<id>_<random>`.

    Its data belongs to `owner` (default: the key itself, so it shares with no other key).
    """
    if not name.strip():
        raise ConfigError("a key needs a non-empty name, e.g. --name ci")
    if rate_limit is not None and rate_limit < 0:
        raise ConfigError(f"rate limit must be >= 0 requests per minute, got {rate_limit}")
    try:
        checked = check_scope(scope)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if owner is not None and not owner.strip():
        raise ConfigError("an owner must be a non-empty name, e.g. --owner team-a")
    key_id = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    salt = secrets.token_hex(16)
    row = ApiKey(
        id=key_id,
        name=name,
        salt=salt,
        hash=_hash(salt, secret),
        rate_limit=rate_limit,
        owner=owner or own_data(key_id),
        scope=checked,
    )
    row.created_at = utcnow()
    session.add(row)
    session.flush()
    return NewKey(_info(row), secret)


def list_keys(session: Session, include_revoked: bool = True) -> list[KeyInfo]:
    """Every key, oldest first."""
    query = select(ApiKey).order_by(ApiKey.created_at)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [_info(row) for row in session.scalars(query)]


def revoke_key(session: Session, key_id: str) -> KeyInfo:
    """Revoke key `key_id`; revoking twice keeps the first revocation time."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise ConfigError(f"no API key with id '{key_id}'; `xstilts keys list` shows the ids")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return _info(row)


def verify_key(session: Session, secret: str) -> KeyInfo | None:
    """The active key whose secret is `secret`, or None."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != KEY_PREFIX:
        return None
    row = session.get(ApiKey, parts[1])
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.hash, _hash(row.salt, secret)):
        return None
    return _info(row)


def any_keys(session: Session) -> bool:
    """Whether at least one key (active or revoked) exists, which switches auth on."""
    return bool(session.scalar(select(func.count()).select_from(ApiKey)))
