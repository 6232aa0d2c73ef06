from __future__ import annotations

import importlib.util
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from generator.backends.base import cache_key
from generator.backends.registry import call_options, create_translator
from generator.backends.vllm import VLLMCallOptions, VLLMLoadOptions, VLLMTranslator, parse_completion
from generator.errors import BackendError, ConfigError, MissingDependencyError, TransientError, XstiltsError


class _Recorder(BaseHTTPRequestHandler):
    """Loopback OpenAI-style server: answers with the prompt's last line upper-cased (tests the client)."""

    requests: ClassVar[list[tuple[str, dict[str, Any], str]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, body, self.headers.get("Authorization", "")))
        if body.get("model") == "broken":
            self._send(500, {"error": "boom"})
            return
        if self.path == "/v1/chat/completions":
            prompt = body["messages"][-1]["content"]
            self._send(200, {"choices": [{"message": {"role": "assistant", "content": _echo(prompt)}}]})
        elif self.path == "/v1/completions":
            self._send(200, {"choices": [{"text": _echo(body["prompt"])}]})
        else:
            self._send(404, {"error": "not found"})

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _echo(prompt: str) -> str:
    return "  " + prompt.splitlines()[-1].upper() + "\n"


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_chat_requests_and_parsing(server_url: str) -> None:
    _Recorder.requests.clear()
    translator = create_translator("vllm", model="served", server_url=server_url, api_key="k1", concurrency=3)
    texts = [f"sentence [[{i}]]" for i in range(10)]
    texts.insert(4, "")
    out = translator.translate(texts, "en", "sw")
    assert out[4] == ""
    assert [o for i, o in enumerate(out) if i != 4] == [f"SENTENCE [[{i}]]" for i in range(10)]
    assert len(_Recorder.requests) == 10
    path, body, auth = _Recorder.requests[0]
    assert path == "/v1/chat/completions" and auth == "Bearer k1"
    assert body["model"] == "served" and body["temperature"] == 0.0 and body["max_tokens"] == 512
    prompt = body["messages"][0]["content"]
    assert prompt.startswith("Translate the following English text to Swahili.")
    assert "[[ and ]]" in prompt
    assert translator.keeps_markers


def test_completions_api_and_template(server_url: str) -> None:
    _Recorder.requests.clear()
    translator = create_translator("vllm", model="served", server_url=server_url, api="completions")
    call = VLLMCallOptions(prompt_template="{src}->{tgt} ({tgt_name}):\n{text}", max_tokens=7)
    assert translator.translate(["hola"], "es", "en", call) == ["HOLA"]
    path, body, _ = _Recorder.requests[0]
    assert path == "/v1/completions" and body["prompt"] == "es->en (English):\nhola"
    assert body["max_tokens"] == 7
    assert cache_key(translator, call, "es", "en") != cache_key(translator, None, "es", "en")


def test_server_errors_are_reported(server_url: str) -> None:
    broken = create_translator("vllm", model="broken", server_url=server_url)
    with pytest.raises(BackendError, match="answered 500"):
        broken.translate(["x"], "en", "es")
    unreachable = create_translator("vllm", model="m", server_url="http://127.0.0.1:9", timeout_s=2)
    with pytest.raises(TransientError, match="cannot reach the translation server"):
        unreachable.translate(["x"], "en", "es")


def test_parse_completion_rejects_odd_payloads() -> None:
    with pytest.raises(XstiltsError, match="unexpected response"):
        parse_completion({"choices": []}, "chat")


def test_languages_and_template_validation(server_url: str) -> None:
    translator = create_translator("vllm", model="m", server_url=server_url)
    assert translator.languages() is None
    assert translator.supports("en", "yo") and not translator.supports("en", "xx")
    with pytest.raises(ConfigError, match="cannot translate en->xx"):
        translator.translate(["x"], "en", "xx")
    with pytest.raises(ConfigError, match=r"prompt_template must contain \{text\}"):
        call_options("vllm", prompt_template="no text")


@pytest.mark.parametrize(
    "template", ["{text} {secret}", "{text.__class__}", "{text[0]}", "{text:{tgt}}", "{"]
)
def test_templates_may_use_only_the_prompt_fields(template: str) -> None:
    with pytest.raises(ConfigError, match="prompt_template"):
        call_options("vllm", prompt_template=template)


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here")
def test_offline_without_vllm_says_how_to_install() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'xstilts\[gpu\]'"):
        create_translator("vllm", model="/some/model")


@pytest.mark.gpu
def test_offline_engine_on_a_tiny_llama(tmp_path: Path) -> None:
    pytest.importorskip("vllm")
    from tests.tiny_models import build_tiny_llama

    model_dir = build_tiny_llama(tmp_path / "llama")
    translator = VLLMTranslator(
        VLLMLoadOptions(model=str(model_dir), gpu_memory_utilization=0.3, dtype="float16")
    )
    call = VLLMCallOptions(max_tokens=8)
    out = translator.translate(["the house", "", "the dog is big"], "en", "es", call)
    assert len(out) == 3 and out[1] == ""
    assert translator.translate(["the house"], "en", "es", call) == out[:1]
    translator.close()


class EntryRecorder:
    """An offline engine stand-in that records how many threads are inside it at once (tests locking only)."""

    def __init__(self) -> None:
        self.inside = 0
        self.most_inside = 0
        self.calls: list[list[str]] = []
        self._count = threading.Lock()

    def complete(self, prompts: list[str], max_tokens: int) -> list[str]:
        with self._count:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
            self.calls.append(prompts)
        time.sleep(0.02)
        with self._count:
            self.inside -= 1
        return ["" for _ in prompts]


def test_offline_engine_is_created_once_and_entered_by_one_thread_at_a_time() -> None:
    engines: list[EntryRecorder] = []

    def factory(opts: VLLMLoadOptions) -> EntryRecorder:
        engines.append(EntryRecorder())
        return engines[-1]

    translator = VLLMTranslator(VLLMLoadOptions(model="/models/llm"), engine_factory=factory)
    pairs = [("en", "es"), ("en", "sw"), ("en", "yo"), ("es", "en")] * 3
    with ThreadPoolExecutor(len(pairs)) as pool:
        list(pool.map(lambda pair: translator.translate(["a text"], *pair), pairs))
    (engine,) = engines
    assert len(engine.calls) == len(pairs)
    assert engine.most_inside == 1
    translator.close()
    translator.translate(["a text"], "en", "es")
    assert len(engines) == 2
