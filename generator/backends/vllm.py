"""LLM translation by prompt: an offline vLLM engine, or any OpenAI-compatible server by URL."""

from __future__ import annotations

import gc
import string
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, Field

from generator.backends.base import (
    CallOptions,
    LoadOptions,
    check_pair,
    resolve_call_options,
    supports_pair,
    translate_nonempty,
)
from generator.backends.langcodes import all_codes, language_name
from generator.errors import BackendError, MissingDependencyError, TransientError

DEFAULT_TEMPLATE = (
    "Translate the following {src_name} text to {tgt_name}. Keep any [[ and ]] markers around the "
    "same words. Output only the translation.\n\n{text}"
)


TEMPLATE_FIELDS = ("src", "tgt", "src_name", "tgt_name", "text")
# Answers of a translation server that may pass: too many requests, overloaded, restarting.
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})


def check_template(template: str) -> str:
    """`template` when it holds `{text}` and no other field than TEMPLATE_FIELDS (no attribute or index)."""
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"prompt_template is not a format string: {exc}") from None
    for name, spec in fields:
        if name not in TEMPLATE_FIELDS or (spec and "{" in spec):
            raise ValueError(
                f"prompt_template field {{{name}}} is not allowed; use {{{'}, {'.join(TEMPLATE_FIELDS)}}}"
            )
    if "text" not in {name for name, _ in fields}:
        raise ValueError("prompt_template must contain {text}")
    return template


class VLLMLoadOptions(LoadOptions):
    """Load-time options of the `vllm` backend: the model, and the offline engine or the server it runs on."""

    model: str = Field(description="model path for the offline engine, or the served model name")
    server_url: str | None = Field(
        default=None, description="OpenAI-compatible server, e.g. http://host:8000"
    )
    api: Literal["chat", "completions"] = Field(default="chat", description="server endpoint to call")
    api_key: str | None = None
    concurrency: int = Field(default=16, ge=1, description="requests in flight against a server")
    timeout_s: float = Field(default=120.0, gt=0, description="seconds one server request may take")
    tensor_parallel_size: int = Field(default=1, ge=1, description="offline engine: GPUs per model")
    gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    dtype: str = Field(default="auto", description="offline engine dtype")


class VLLMCallOptions(CallOptions):
    """Call-time options of the `vllm` backend: the prompt and the output length (decoding is greedy)."""

    prompt_template: Annotated[str, AfterValidator(check_template)] = Field(
        default=DEFAULT_TEMPLATE,
        max_length=4000,
        description=f"fields: {', '.join(TEMPLATE_FIELDS)}; must contain {{text}}",
    )
    max_tokens: int = Field(default=512, ge=1, le=4096)


class LLMEngine(Protocol):
    """What the offline path calls: greedy completions of prompts. Not safe to call from two threads at once."""

    def complete(self, prompts: list[str], max_tokens: int) -> list[str]: ...


class VLLMEngine:
    """`vllm.LLM` behind `complete`: chat when the model has a chat template, plain generation otherwise."""

    def __init__(self, opts: VLLMLoadOptions) -> None:
        self._vllm = _import_vllm()
        self._llm = self._vllm.LLM(
            model=opts.model,
            tensor_parallel_size=opts.tensor_parallel_size,
            gpu_memory_utilization=opts.gpu_memory_utilization,
            dtype=opts.dtype,
        )

    def complete(self, prompts: list[str], max_tokens: int) -> list[str]:
        params = self._vllm.SamplingParams(temperature=0.0, max_tokens=max_tokens)
        if getattr(self._llm.get_tokenizer(), "chat_template", None):
            chats = [[{"role": "user", "content": p}] for p in prompts]
            outputs = self._llm.chat(chats, params, use_tqdm=False)
        else:
            outputs = self._llm.generate(prompts, params, use_tqdm=False)
        return [output.outputs[0].text.strip() for output in outputs]


EngineFactory = Callable[[VLLMLoadOptions], LLMEngine]


class VLLMTranslator:
    """Prompted LLM translation (greedy) that is asked to keep [[ ]] span markers.

    The offline engine is created on first use and called by one thread at a time: one lock per
    instance covers its creation and every call, whichever language pair or thread asks.
    """

    name = "vllm"
    keeps_markers = True
    call_options_model = VLLMCallOptions

    def __init__(self, opts: VLLMLoadOptions, engine_factory: EngineFactory | None = None) -> None:
        self.opts = opts
        self.model_id = f"{opts.server_url}#{opts.model}" if opts.server_url else opts.model
        self.options: dict[str, object] = {
            "api": opts.api if opts.server_url else "offline",
            "temperature": 0.0,
        }
        if opts.server_url is None:
            self.options["dtype"] = opts.dtype
        self._engine: LLMEngine | None = None
        self._engine_factory = engine_factory or VLLMEngine
        self._lock = threading.Lock()
        if opts.server_url is None and engine_factory is None:
            _import_vllm()

    def supported_languages(self) -> list[str]:
        return all_codes()

    def languages(self) -> list[tuple[str, str]] | None:
        return None

    def supports(self, src: str, tgt: str) -> bool:
        return supports_pair(self, src, tgt)

    def prompt(self, template: str, text: str, src: str, tgt: str) -> str:
        return template.format(
            src=src,
            tgt=tgt,
            src_name=language_name(src),
            tgt_name=language_name(tgt),
            text=text,
        )

    def translate(
        self, texts: list[str], src: str, tgt: str, options: CallOptions | None = None
    ) -> list[str]:
        call = resolve_call_options(VLLMCallOptions, options)
        check_pair(self, src, tgt)

        def run(batch: list[str]) -> list[str]:
            prompts = [self.prompt(call.prompt_template, t, src, tgt) for t in batch]
            if self.opts.server_url:
                return self._via_server(prompts, call.max_tokens)
            return self._offline(prompts, call.max_tokens)

        return translate_nonempty(texts, run)

    def close(self) -> None:
        """Drop the offline engine (the server mode holds nothing between calls)."""
        with self._lock:
            self._engine = None
        gc.collect()

    def _via_server(self, prompts: list[str], max_tokens: int) -> list[str]:
        import httpx

        base = str(self.opts.server_url).rstrip("/")
        path = "/v1/chat/completions" if self.opts.api == "chat" else "/v1/completions"
        headers = {"Authorization": f"Bearer {self.opts.api_key}"} if self.opts.api_key else {}
        with httpx.Client(base_url=base, headers=headers, timeout=self.opts.timeout_s) as client:

            def one(prompt: str) -> str:
                body: dict[str, Any] = {
                    "model": self.opts.model,
                    "max_tokens": max_tokens,
                    "temperature": 0.0,
                }
                if self.opts.api == "chat":
                    body["messages"] = [{"role": "user", "content": prompt}]
                else:
                    body["prompt"] = prompt
                try:
                    response = client.post(path, json=body)
                except httpx.HTTPError as exc:
                    raise TransientError(f"cannot reach the translation server at {base}: {exc}") from exc
                if response.status_code in TRANSIENT_STATUS:
                    raise TransientError(
                        f"{base}{path} answered {response.status_code}: {response.text[:300]}"
                    )
                if response.status_code != 200:
                    raise BackendError(f"{base}{path} answered {response.status_code}: {response.text[:300]}")
                return parse_completion(response.json(), self.opts.api)

            with ThreadPoolExecutor(max_workers=self.opts.concurrency) as pool:
                return list(pool.map(one, prompts))

    def _offline(self, prompts: list[str], max_tokens: int) -> list[str]:
        with self._lock:
            if self._engine is None:
                self._engine = self._engine_factory(self.opts)
            return self._engine.complete(prompts, max_tokens)


def parse_completion(payload: Any, api: str) -> str:
    """The generated text of an OpenAI-style chat or completions response."""
    try:
        choice = payload["choices"][0]
        text = choice["message"]["content"] if api == "chat" else choice["text"]
    except (KeyError, IndexError, TypeError) as exc:
        raise BackendError(
            f"unexpected response from the translation server: {str(payload)[:300]}; "
            f"check that it serves the OpenAI-compatible {api} API"
        ) from exc
    return str(text).strip()


def _import_vllm() -> Any:
    try:
        import vllm
    except ImportError as exc:
        raise MissingDependencyError(
            "the offline vllm backend needs vLLM and a GPU: pip install 'xstilts[gpu]' "
            "(or set server_url= to use a running OpenAI-compatible server)"
        ) from exc
    return vllm
