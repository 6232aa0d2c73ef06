"""What clients may see of server-side paths and URLs: none; a path keeps only its last name.

Every error message, job error and served manifest goes through here, so a response never holds
an absolute path of the server (data folder, model directories, programs) or a backend's URL.
"""

from __future__ import annotations

import re
from typing import Any

from generator.backends.registry import BACKENDS
from generator.shards import Manifest

# An absolute POSIX path of two or more segments (not an API route), or a Windows drive path.
_PATH = re.compile(
    r"""(?<![\w./~-])(?:~|\b[A-Za-z]:)?/(?!v1/)(?:[^\s/'"`,;()\[\]{}<>]+/)+[^\s/'"`,;()\[\]{}<>]*"""
)
_URL = re.compile(r"""\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'"`,;()\[\]{}<>]+""")
_DRIVE = re.compile(r"[A-Za-z]:[\\/]")
# Config fields of a manifest that hold only server locations.
SERVER_FIELDS = ("out", "cache_path", "ray_address")


def _last_name(match: re.Match[str]) -> str:
    name = match.group(0).rstrip("/").rsplit("/", 1)[-1]
    return f".../{name}" if name else "..."


def _cut_paths(text: str) -> str:
    return _PATH.sub(_last_name, text)


def redact_text(text: str) -> str:
    """`text` with URLs replaced by `<url>` and absolute paths cut to `.../<last name>`."""
    return _cut_paths(_URL.sub("<url>", text))


def public_model_id(model_id: str) -> str:
    """A translator's model id without server paths or URLs: the model's last name."""
    name = model_id.rsplit("#", 1)[-1] if "://" in model_id else model_id
    if "/" in name or "\\" in name:
        return name.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
    return name


def _is_location(value: str) -> bool:
    """Whether `value` is, as a whole, an absolute path or a URL."""
    if not value or any(char.isspace() for char in value):
        return False
    return value.startswith(("/", "~")) or bool(_DRIVE.match(value) or _URL.fullmatch(value))


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return public_model_id(value) if _is_location(value) else _cut_paths(value)
    if isinstance(value, dict):
        return {key: _redact_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_value(item) for item in value]
    return value


def public_manifest(manifest: Manifest) -> dict[str, Any]:
    """The manifest as clients get it: no server locations, only the call-time backend options.

    It stays a valid manifest (`generator.shards.load_manifest` reads it, `xstilts inspect`
    verifies a download against it); the input and lexicon files keep their file names.
    """
    dumped = manifest.model_dump(mode="json")
    config = {key: value for key, value in dumped["config"].items() if key not in SERVER_FIELDS}
    spec = BACKENDS.get(str(config.get("backend")))
    options = config.get("backend_options")
    if isinstance(options, dict):
        call_names = spec.call_options.model_fields if spec is not None else {}
        config["backend_options"] = {key: value for key, value in options.items() if key in call_names}
    dumped["config"] = config
    backend = dumped.get("backend") or {}
    if "model_id" in backend:
        backend["model_id"] = public_model_id(str(backend["model_id"]))
    redacted: dict[str, Any] = _redact_value(dumped)
    return redacted
