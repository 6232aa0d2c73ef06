"""One loaded translator per process and load-time options, shared by /v1/translate and jobs; engine locking."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from generator.backends.ctranslate2 import CT2LoadOptions
from generator.backends.loaded import loaded_key, loaded_translators
from generator.backends.vllm import VLLMCallOptions, VLLMLoadOptions, VLLMTranslator
from service.metrics import Metrics
from service.settings import Settings
from service.translators import Selected, TranslationRunner
from tests.generator.backends.test_vllm import EntryRecorder
from tests.service.conftest import ClientFactory
from tests.service.test_jobs import FAST, submit, upload, wait_for


@pytest.fixture(autouse=True)
def _empty_registry() -> None:
    loaded_translators().close()


def test_a_translate_request_and_a_job_share_one_loaded_model(
    make_client: ClientFactory, tiny_m2m100_ct2_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctranslate2

    models: list[Any] = []
    real = ctranslate2.Translator

    def counted(*args: Any, **kwargs: Any) -> Any:
        models.append(real(*args, **kwargs))
        return models[-1]

    monkeypatch.setattr(ctranslate2, "Translator", counted)
    load = {"model": str(tiny_m2m100_ct2_dir), "device": "cpu", "compute_type": "float32"}
    registry = loaded_translators()
    profiles = {"tiny": {"backend": "ct2", "options": load}}
    with make_client(**FAST, backends=profiles, default_profile="tiny") as client:
        assert client.app.state.services.translators.loaded is registry  # type: ignore[attr-defined]
        response = client.post(
            "/v1/translate", json={"texts": ["The house."], "tgt": "es", "options": {"beam_size": 1}}
        )
        assert response.status_code == 200, response.text
        job = submit(
            client,
            dataset_id=upload(client),
            langs=["es"],
            options={"max_decoding_length": 16},
        )
        done = wait_for(client, job["id"])
        assert done["progress"][0]["done_rows"] == done["progress"][0]["total_rows"] > 0
        assert registry.keys() == [loaded_key("ct2", CT2LoadOptions(**load))]
        translator = registry.peek("ct2", CT2LoadOptions(**load))
        assert translator is not None and getattr(translator, "_model", None) is models[0]
        assert len(models) == 1, "the request and the job loaded the model once between them"
    assert len(registry) == 0, "the app's shutdown releases the loaded models"
    assert getattr(translator, "_model", "still loaded") is None


def test_two_language_pairs_never_enter_one_vllm_engine_at_once(tmp_path: Path) -> None:
    engines: list[EntryRecorder] = []

    def factory(opts: VLLMLoadOptions) -> EntryRecorder:
        engines.append(EntryRecorder())
        return engines[-1]

    translator = VLLMTranslator(VLLMLoadOptions(model="/models/llm"), engine_factory=factory)
    settings = Settings(data_dir=tmp_path, batch_concurrency=2, batch_wait_ms=0, use_cache=False)
    selected = Selected("llm", translator, VLLMCallOptions(max_tokens=16))
    targets = ["es", "sw", "yo", "de"]

    async def translate_all() -> None:
        runner = TranslationRunner(settings, Metrics(), cache=None)
        try:
            await asyncio.gather(
                *(runner.translate(selected, [f"text {i}"], "en", tgt) for i in range(6) for tgt in targets)
            )
        finally:
            await runner.close()

    asyncio.run(translate_all())
    (engine,) = engines
    prompts = [prompt for call in engine.calls for prompt in call]
    assert len(prompts) == 6 * len(targets)
    assert {
        name for name in ("Spanish", "Swahili", "Yoruba", "German") if any(name in p for p in prompts)
    } == {
        "Spanish",
        "Swahili",
        "Yoruba",
        "German",
    }
    assert engine.most_inside == 1
