"""Rule-based MT through the `apertium` command line (Debian packages; CPU; eng->spa and friends)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

from pydantic import Field

from generator.backends.base import (
    CallOptions,
    LoadOptions,
    check_pair,
    resolve_call_options,
    supports_pair,
    translate_nonempty,
)
from generator.errors import BackendError, ConfigError, MissingDependencyError, TransientError

INSTALL = "apt-get install apertium apertium-eng-spa"
SEPARATOR = ".||."
ISO3_TO_ISO1 = {
    "eng": "en",
    "spa": "es",
    "cat": "ca",
    "glg": "gl",
    "por": "pt",
    "fra": "fr",
    "ita": "it",
    "deu": "de",
    "nld": "nl",
    "eus": "eu",
    "oci": "oc",
    "ron": "ro",
    "rus": "ru",
    "ukr": "uk",
    "tur": "tr",
    "kaz": "kk",
    "ara": "ar",
    "heb": "he",
    "ind": "id",
    "msa": "ms",
}


class ApertiumLoadOptions(LoadOptions):
    """Load-time options of the `apertium` backend: the program and how long one run of it may take."""

    binary: str = Field(default="apertium", description="the apertium executable")
    timeout_s: float = Field(default=600.0, gt=0, description="seconds one apertium process may run")


class ApertiumCallOptions(CallOptions):
    """Call-time options of the `apertium` backend."""

    mark_unknown: bool = Field(default=False, description="keep Apertium's '*' before words it does not know")
    batch_size: int = Field(default=2000, ge=1, le=10000, description="texts per apertium process")


@cache
def installed_modes(binary: str) -> dict[tuple[str, str], str]:
    """Installed translation modes by (src, tgt) ISO pair, e.g. ("en", "es") -> "eng-spa"."""
    out = subprocess.run([binary, "-l"], capture_output=True, text=True, check=True).stdout
    modes: dict[tuple[str, str], str] = {}
    for line in out.split():
        match = re.fullmatch(r"([a-z]{2,3})-([a-z]{2,3})", line.strip())
        if not match:
            continue
        src = ISO3_TO_ISO1.get(match.group(1), match.group(1))
        tgt = ISO3_TO_ISO1.get(match.group(2), match.group(2))
        modes[(src, tgt)] = line.strip()
    return modes


class ApertiumTranslator:
    """Translate a batch in one apertium process, texts joined by a separator line it passes through."""

    name = "apertium"
    keeps_markers = True
    call_options_model = ApertiumCallOptions

    def __init__(self, opts: ApertiumLoadOptions) -> None:
        path = shutil.which(opts.binary)
        if path is None:
            raise MissingDependencyError(f"the apertium backend needs the apertium command: {INSTALL}")
        self.opts = opts
        self.binary = path
        self.modes = installed_modes(path)
        if not self.modes:
            raise MissingDependencyError(f"apertium has no language pair installed: {INSTALL}")
        self.model_id = "apertium:" + ",".join(sorted(self.modes.values()))
        # Another program is another translator: the translation memory keeps their outputs apart.
        self.options: dict[str, object] = {"binary": path}

    def supported_languages(self) -> list[str]:
        return sorted({code for pair in self.modes for code in pair})

    def languages(self) -> list[tuple[str, str]] | None:
        return sorted(self.modes)

    def supports(self, src: str, tgt: str) -> bool:
        return supports_pair(self, src, tgt)

    def translate(
        self, texts: list[str], src: str, tgt: str, options: CallOptions | None = None
    ) -> list[str]:
        call = resolve_call_options(ApertiumCallOptions, options)
        check_pair(self, src, tgt)
        for i, text in enumerate(texts):
            if SEPARATOR in text:
                raise ConfigError(
                    f"text {i} contains '{SEPARATOR}', which the apertium backend reserves; "
                    "remove it from the text or translate it with another backend"
                )
        mode = self.modes[(src, tgt)]
        step = call.batch_size
        return translate_nonempty(
            texts,
            lambda batch: [
                out
                for start in range(0, len(batch), step)
                for out in self._run(batch[start : start + step], mode, call.mark_unknown)
            ],
        )

    def close(self) -> None:
        """Nothing stays loaded: every call runs its own apertium process."""

    def _run(self, texts: list[str], mode: str, mark_unknown: bool) -> list[str]:
        joined = f"\n{SEPARATOR}\n".join(texts) + "\n"
        command = [self.binary, mode] if mark_unknown else [self.binary, "-u", mode]
        try:
            done = subprocess.run(
                command, input=joined, capture_output=True, text=True, timeout=self.opts.timeout_s
            )
        except subprocess.TimeoutExpired:
            raise TransientError(
                f"apertium {mode} did not answer within {self.opts.timeout_s} s (busy or paused machine)"
            ) from None
        if done.returncode != 0:
            raise BackendError(
                f"apertium {mode} failed (exit {done.returncode}): {done.stderr.strip()[:500]}"
            )
        parts = done.stdout.split(f"\n{SEPARATOR}\n")
        if len(parts) != len(texts):
            raise BackendError(
                f"apertium {mode} returned {len(parts)} segments for {len(texts)} texts; "
                "the separator line did not survive, translate these texts in smaller batches"
            )
        return [part.strip() for part in parts]
