from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from generator.backends import create_translator
from generator.backends.vllm import VLLMOptions, VLLMTranslator, parse_completion
from generator.errors import ConfigError, MissingDependencyError, XstiltsError


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
    translator = create_translator(
        "vllm",
        model="served",
        server_url=server_url,
        api="completions",
        prompt_template="{src}->{tgt} ({tgt_name}):\n{text}",
    )
    assert translator.translate(["hola"], "es", "en") == ["HOLA"]
    path, body, _ = _Recorder.requests[0]
    assert path == "/v1/completions" and body["prompt"] == "es->en (English):\nhola"
    assert translator.options["prompt_template"] == "{src}->{tgt} ({tgt_name}):\n{text}"


def test_server_errors_are_reported(server_url: str) -> None:
    broken = create_translator("vllm", model="broken", server_url=server_url)
    with pytest.raises(XstiltsError, match="answered 500"):
        broken.translate(["x"], "en", "es")
    unreachable = create_translator("vllm", model="m", server_url="http://127.0.0.1:9", timeout_s=2)
    with pytest.raises(ConfigError, match="cannot reach the translation server"):
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
        create_translator("vllm", model="m", server_url=server_url, prompt_template="no text")


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
        VLLMOptions(model=str(model_dir), max_tokens=8, gpu_memory_utilization=0.3, dtype="float16")
    )
    out = translator.translate(["the house", "", "the dog is big"], "en", "es")
    assert len(out) == 3 and out[1] == ""
    assert translator.translate(["the house"], "en", "es") == out[:1]
