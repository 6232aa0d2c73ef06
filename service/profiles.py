"""Backend profiles: the trust boundary of backend options.

The operator declares named profiles (`XSTILTS_BACKENDS` or `XSTILTS_BACKENDS_FILE`), each a
backend with its load-time options (model, device, compute type, paths, programs, URLs,
credentials) and default call-time options. A request picks a profile by name and may set only
the call-time options of that profile's backend (`CallOptions`: bounded decoding and batching
settings that never name a file, program, URL or device and never load another model); any other
option is refused with 422 naming it. The CLI and the Python API take every option directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from generator.backends.base import CallOptions, LoadOptions
from generator.backends.registry import BackendOptions, backend_spec, split_options
from generator.errors import ConfigError
from service.errors import ServiceError


class BackendProfile(BaseModel):
    """One operator-declared backend configuration that requests refer to by name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    backend: str = Field(description="Backend name (GET /v1/backends), e.g. ct2.")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Load-time options of the backend and defaults of its call-time options.",
    )
    description: str = Field(default="", description="Shown to clients by GET /v1/profiles.")

    @model_validator(mode="after")
    def _check(self) -> BackendProfile:
        try:
            self.split()
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return self

    def split(self) -> BackendOptions:
        """The profile's options validated by its backend's load-time and call-time models."""
        return split_options(self.backend, self.options)


PROFILES = TypeAdapter(dict[str, BackendProfile])


def default_profiles() -> dict[str, Any]:
    """The profiles of a server that declares none: Apertium from PATH with its defaults."""
    return {"apertium": {"backend": "apertium"}}


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {str(err['msg']).removeprefix('Value error, ')}"
        for err in exc.errors()
    )


def read_profiles_file(path: Path) -> dict[str, BackendProfile]:
    """Profiles from a JSON or YAML file mapping profile names to {backend, options, description}."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read the backends file {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"the backends file {path} is not valid JSON or YAML: {exc}") from None
    try:
        return PROFILES.validate_python(raw)
    except ValidationError as exc:
        raise ValueError(f"the backends file {path}: {_problems(exc)}") from None


@dataclass(frozen=True)
class ProfileChoice:
    """A request's profile: the operator's load-time options and the call-time options merged for it."""

    name: str
    backend: str
    load: LoadOptions
    call: CallOptions

    def generator_options(self) -> dict[str, Any]:
        """Load-time and call-time options in one mapping, as `GenerateConfig.backend_options` takes them."""
        return {
            **self.load.model_dump(mode="json", exclude_unset=True),
            **self.call.model_dump(mode="json", exclude_unset=True),
        }


def _refuse(code: str, where: str, message: str) -> ServiceError:
    return ServiceError(422, code, f"field '{where}': {message}", where)


def choose_profile(
    profiles: Mapping[str, BackendProfile], name: str, requested: Mapping[str, Any], field: str
) -> ProfileChoice:
    """Profile `name` with the request's call-time options `requested` (given as `field`) over its defaults.

    422 naming the option for a load-time option, an option the backend does not have, or a value
    its call-time model refuses.
    """
    profile = profiles.get(name)
    if profile is None:
        raise _refuse(
            "unknown_profile",
            "profile",
            f"unknown backend profile '{name}'; this server offers {', '.join(profiles) or 'none'} "
            "(GET /v1/profiles)",
        )
    spec = backend_spec(profile.backend)
    call_names = list(spec.call_options.model_fields)
    allowed = f"a request may set only its call-time options {', '.join(call_names) or '(none)'}"
    for key in requested:
        where = f"{field}.{key}"
        if key in spec.load_options.model_fields:
            raise _refuse(
                "option_not_allowed",
                where,
                f"'{key}' is a load-time option of the {profile.backend} backend (it picks the model, "
                "files, programs, URLs or devices), so only the operator sets it, in a backend "
                f"profile; {allowed}",
            )
        if key not in spec.call_options.model_fields:
            raise _refuse(
                "unknown_option",
                where,
                f"the {profile.backend} backend of profile '{name}' has no option '{key}'; {allowed}",
            )
    split = profile.split()
    merged = {**split.call.model_dump(exclude_unset=True), **requested}
    try:
        call = spec.call_options.model_validate(merged, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join([field, *(str(p) for p in err["loc"])])
        message = str(err["msg"]).removeprefix("Value error, ")
        raise _refuse("invalid_options", where, message) from None
    return ProfileChoice(name, profile.backend, split.load, call)


def describe_profiles(profiles: Mapping[str, BackendProfile], default: str) -> list[dict[str, Any]]:
    """What a client may know of each profile: backend, description, call-time defaults and schema."""
    described = []
    for name, profile in profiles.items():
        spec = backend_spec(profile.backend)
        described.append(
            {
                "name": name,
                "backend": profile.backend,
                "description": profile.description or spec.description,
                "default": name == default,
                "installed": spec.installed(),
                "call_options": profile.split().call.model_dump(mode="json"),
                "call_options_schema": spec.call_options.model_json_schema(),
            }
        )
    return described
