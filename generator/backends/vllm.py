"""LLM translation by prompt: an offline vLLM engine, or any OpenAI-compatible server by URL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from generator.backends.base import check_pair, supports_pair, translate_nonempty
from generator.backends.langcodes import all_codes, language_name
from generator.errors import ConfigError, MissingDependencyError, XstiltsError

DEFAULT_TEMPLATE = (
    "Translate the following {src_name} text to {tgt_name}. Keep any [[ and ]] markers around the "
    "same words. Output only the translation.\n\n{text}"
)


class VLLMOptions(BaseModel):
    """Options of the `vllm` backend."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="model path for the offline engine, or the served model name")
    server_url: str | None = Field(
        default=None, description="OpenAI-compatible server, e.g. http://host:8000"
    )
    api: Literal["chat", "completions"] = Field(default="chat", description="server endpoint to call")
    api_key: str | None = None
    prompt_template: str = Field(
        default=DEFAULT_TEMPLATE, description="fields: src, tgt, src_name, tgt_name, text"
    )
    max_tokens: int = Field(default=512, ge=1)
    concurrency: int = Field(default=16, ge=1, description="requests in flight against a server")
    timeout_s: float = Field(default=120.0, gt=0)
    tensor_parallel_size: int = Field(default=1, ge=1, description="offline engine: GPUs per model")
    gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    dtype: str = Field(default="auto", description="offline engine dtype")

    @model_validator(mode="after")
    def _template_has_text(self) -> VLLMOptions:
        if "{text}" not in self.prompt_template:
            raise ValueError("prompt_template must contain {text}")
        return self


class VLLMTranslator:
    """Prompted LLM translation (greedy) that is asked to keep [[ ]] span markers."""

    name = "vllm"
    keeps_markers = True

    def __init__(self, opts: VLLMOptions) -> None:
        self.opts = opts
        self.model_id = f"{opts.server_url}#{opts.model}" if opts.server_url else opts.model
        self.options: dict[str, object] = {
            "prompt_template": opts.prompt_template,
            "api": opts.api if opts.server_url else "offline",
            "max_tokens": opts.max_tokens,
            "temperature": 0.0,
        }
        self._engine: Any = None
        self._lock = threading.Lock()
        if opts.server_url is None:
            _import_vllm()

    def supported_languages(self) -> list[str]:
        return all_codes()

    def languages(self) -> list[tuple[str, str]] | None:
        return None

    def supports(self, src: str, tgt: str) -> bool:
        return supports_pair(self, src, tgt)

    def prompt(self, text: str, src: str, tgt: str) -> str:
        return self.opts.prompt_template.format(
            src=src,
            tgt=tgt,
            src_name=language_name(src),
            tgt_name=language_name(tgt),
            text=text,
        )

    def translate(self, texts: list[str], src: str, tgt: str) -> list[str]:
        check_pair(self, src, tgt)
        run = self._via_server if self.opts.server_url else self._offline
        return translate_nonempty(texts, lambda batch: run([self.prompt(t, src, tgt) for t in batch]))

    def _via_server(self, prompts: list[str]) -> list[str]:
        import httpx

        base = str(self.opts.server_url).rstrip("/")
        path = "/v1/chat/completions" if self.opts.api == "chat" else "/v1/completions"
        headers = {"Authorization": f"Bearer {self.opts.api_key}"} if self.opts.api_key else {}
        with httpx.Client(base_url=base, headers=headers, timeout=self.opts.timeout_s) as client:

            def one(prompt: str) -> str:
                body: dict[str, Any] = {
                    "model": self.opts.model,
                    "max_tokens": self.opts.max_tokens,
                    "temperature": 0.0,
                }
                if self.opts.api == "chat":
                    body["messages"] = [{"role": "user", "content": prompt}]
                else:
                    body["prompt"] = prompt
                try:
                    response = client.post(path, json=body)
                except httpx.HTTPError as exc:
                    raise ConfigError(f"cannot reach the translation server at {base}: {exc}") from exc
                if response.status_code != 200:
                    raise XstiltsError(f"{base}{path} answered {response.status_code}: {response.text[:300]}")
                return parse_completion(response.json(), self.opts.api)

            with ThreadPoolExecutor(max_workers=self.opts.concurrency) as pool:
                return list(pool.map(one, prompts))

    def _offline(self, prompts: list[str]) -> list[str]:
        vllm = _import_vllm()
        with self._lock:
            if self._engine is None:
                self._engine = vllm.LLM(
                    model=self.opts.model,
                    tensor_parallel_size=self.opts.tensor_parallel_size,
                    gpu_memory_utilization=self.opts.gpu_memory_utilization,
                    dtype=self.opts.dtype,
                )
            engine = self._engine
        params = vllm.SamplingParams(temperature=0.0, max_tokens=self.opts.max_tokens)
        if getattr(engine.get_tokenizer(), "chat_template", None):
            chats = [[{"role": "user", "content": p}] for p in prompts]
            outputs = engine.chat(chats, params, use_tqdm=False)
        else:
            outputs = engine.generate(prompts, params, use_tqdm=False)
        return [output.outputs[0].text.strip() for output in outputs]


def parse_completion(payload: Any, api: str) -> str:
    """The generated text of an OpenAI-style chat or completions response."""
    try:
        choice = payload["choices"][0]
        text = choice["message"]["content"] if api == "chat" else choice["text"]
    except (KeyError, IndexError, TypeError) as exc:
        raise XstiltsError(
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
