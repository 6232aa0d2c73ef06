"""Service configuration: environment variables prefixed `XSTILTS_` (or a `.env` file)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.profiles import BackendProfile, default_profiles, read_profiles_file


class Settings(BaseSettings):
    """Every knob of the HTTP service; each field reads `XSTILTS_<FIELD>` from the environment."""

    model_config = SettingsConfigDict(
        env_prefix="XSTILTS_", env_file=".env", extra="ignore", env_ignore_empty=True
    )

    data_dir: Path = Field(
        default=Path("./xstilts-data"),
        description="Directory for the database, translation cache, uploads and shards; created on start.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the key and job store; empty means sqlite:///<data_dir>/xstilts.db. "
        "A Postgres URL (postgresql+psycopg://user:pass@host/db) also works.",
    )
    default_profile: str = Field(
        default="apertium",
        description="Backend profile used when a request names none (see GET /v1/profiles).",
    )
    backends: dict[str, BackendProfile] = Field(
        default_factory=default_profiles,
        validate_default=True,
        description="JSON object of backend profiles by name, each {backend, options, description}: "
        "the operator's load-time options (model, device, paths, programs, URLs) and default call-time "
        'options, e.g. {"nllb": {"backend": "ct2", "options": {"model": "/models/nllb-ct2", '
        '"beam_size": 4}}}. Requests pick a profile and may tune only its call-time options.',
    )
    backends_file: Path | None = Field(
        default=None,
        description="JSON or YAML file of backend profiles, read at start instead of XSTILTS_BACKENDS "
        "(set one of the two).",
    )
    require_keys: bool = Field(
        default=False,
        description="Require an API key on every /v1 route even before any key exists. Auth is also "
        "enforced as soon as one key has been created.",
    )
    auth_failures_per_minute: int = Field(
        default=10,
        ge=0,
        description="Failed authentications allowed per client address and minute (token bucket); "
        "past it every request from the address gets 429 for a while. 0 disables the limit.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description='JSON list of proxy addresses or networks, e.g. ["10.0.0.0/8"], whose '
        "X-Forwarded-For header names the client; from anyone else the header is ignored.",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, GET /metrics needs 'Authorization: Bearer <token>'.",
    )
    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description="Requests per minute allowed per API key (token bucket); 0 disables the limit.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Largest JSON request body accepted, in bytes; larger bodies get 413.",
    )
    body_timeout_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Longest time a request's whole body may take to arrive, from the first read; a "
        "slower body gets 408 and the connection is closed.",
    )
    max_upload_bytes: int = Field(
        default=200 * 1_048_576,
        gt=0,
        description="Largest dataset upload accepted by POST /v1/datasets, in bytes.",
    )
    upload_max_depth: int = Field(
        default=64,
        gt=0,
        description="Deepest nesting of arrays and objects in an uploaded JSON file; deeper files get 413.",
    )
    upload_max_records: int = Field(
        default=2_000_000,
        gt=0,
        description="Most arrays and objects in an uploaded JSON file (each costs memory when parsed, "
        "however short its text); more get 413.",
    )
    max_texts: int = Field(
        default=256, gt=0, description="Most texts in one /v1/translate or /v1/codeswitch request."
    )
    max_text_chars: int = Field(default=5000, gt=0, description="Most characters in one text of a request.")
    micro_batching: bool = Field(
        default=True, description="Merge concurrent translate/codeswitch requests into one backend call."
    )
    batch_wait_ms: float = Field(
        default=5.0,
        ge=0,
        description="How long a micro-batch waits for more requests before calling the backend.",
    )
    batch_max_segments: int = Field(
        default=256, gt=0, description="A micro-batch is sent as soon as it holds this many texts."
    )
    batch_concurrency: int = Field(
        default=2,
        gt=0,
        description="Micro-batches of one backend and language pair that may run at the same time.",
    )
    translator_pool_size: int = Field(
        default=8,
        gt=0,
        description="Translator instances kept loaded in the process (one per backend + load-time "
        "options, shared by requests and jobs), least recent out.",
    )
    cache_path: Path | None = Field(
        default=None,
        description="Translation memory (SQLite); empty means <data_dir>/cache.sqlite. Set "
        "XSTILTS_USE_CACHE=false to translate every request afresh.",
    )
    lexicon_cache_dir: Path | None = Field(
        default=None,
        description="Where parsed lexicons are cached; empty means $XSTILTS_CACHE_DIR/lexicons or "
        "~/.cache/xstilts/lexicons.",
    )
    preload_lexicons: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Languages whose code-switching lexicons load at start (comma-separated or a JSON "
        "list, e.g. de,es); /readyz answers 503 until they are loaded. Others load once, on first use.",
    )
    use_cache: bool = Field(default=True, description="Answer repeated segments from the translation memory.")
    cors_origins: list[str] = Field(
        default_factory=list, description='JSON list of origins allowed by CORS, e.g. ["https://ui.example"].'
    )

    debris_min_age_seconds: float = Field(
        default=3600.0,
        ge=0,
        description="At start, upload folders (datasets/.incoming-*) and temporary shard files untouched "
        "this long are removed: a process killed mid-write left them.",
    )
    run_worker: bool = Field(
        default=True,
        description="Run a job worker thread inside the API process; set false when `xstilts worker` "
        "processes run the jobs.",
    )
    lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a claimed job stays leased without a heartbeat; a job whose worker died "
        "is resumed by another worker after this long.",
    )
    worker_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often an idle worker looks for a queued job."
    )
    job_max_attempts: int = Field(
        default=3,
        ge=1,
        description="Claims of one job before it is failed (a job whose workers keep dying is not retried forever).",
    )
    disk_quota_bytes: int = Field(
        default=0,
        ge=0,
        description="Disk bytes each owner's uploads and job outputs may take (an upload past it is 413 "
        "or 507, a job submitted past it 507); 0 sets no quota.",
    )
    job_ttl_hours: float = Field(
        default=720.0,
        ge=0,
        description="Finished jobs (succeeded, failed, cancelled) are deleted with their shards this "
        "long after they finished; 0 keeps them until purged.",
    )
    upload_ttl_hours: float = Field(
        default=720.0,
        ge=0,
        description="Uploaded datasets are deleted this long after upload once no job uses them; 0 keeps "
        "them until deleted.",
    )
    retention_sweep_seconds: float = Field(
        default=300.0,
        gt=0,
        description="How often the API process deletes what is past its TTL and measures disk use.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json",
        description="Log lines of the service and workers on stderr: json (one object per line with "
        "timestamp, level, logger, message and request_id, method, path, status, duration_ms, key_id, "
        "job_id when known) or text.",
    )
    executor: Literal["local", "ray"] = Field(
        default="local", description="Where job workers process shards: in their own process or on Ray."
    )
    ray_address: str | None = Field(
        default=None, description="Ray cluster address for executor=ray; empty starts a local Ray."
    )

    @field_validator("preload_lexicons", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return (
                json.loads(text)
                if text.startswith("[")
                else [p.strip() for p in text.split(",") if p.strip()]
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted proxy '{proxy}' is no IP address or network; use e.g. 10.0.0.7 or 10.0.0.0/8"
                ) from None
        return proxies

    @model_validator(mode="after")
    def _check_profiles(self) -> Settings:
        if self.backends_file is not None:
            if "backends" in self.model_fields_set:
                raise ValueError("set XSTILTS_BACKENDS or XSTILTS_BACKENDS_FILE, not both")
            self.backends = read_profiles_file(self.backends_file)
        if self.default_profile not in self.backends:
            raise ValueError(
                f"default profile '{self.default_profile}' is not among the backend profiles "
                f"({', '.join(self.backends) or 'none'}); declare it in XSTILTS_BACKENDS or set "
                "XSTILTS_DEFAULT_PROFILE to one of them"
            )
        return self

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite inside `data_dir`."""
        return self.database_url or f"sqlite:///{self.data_dir / 'xstilts.db'}"

    def resolved_cache_path(self) -> Path:
        """Where the translation memory lives."""
        return self.cache_path or self.data_dir / "cache.sqlite"
