"""Builders for tiny randomly initialised translation models (no hub; seconds to build).

Plain functions: callers decide where to cache (session fixtures use `tmp_path_factory`).
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path

from trainer.tiny import train_sentencepiece

_EN_SUBJECTS = ["the house", "the dog", "my friend", "a teacher", "the river", "our city", "the old man"]
_EN_VERBS = ["is near", "looks at", "was built by", "walks to", "lives in", "talks about", "remembers"]
_EN_OBJECTS = ["the market", "a small garden", "the school", "the mountains", "a red car", "the station"]
_ES_SUBJECTS = ["la casa", "el perro", "mi amigo", "una maestra", "el río", "nuestra ciudad", "el viejo"]
_ES_VERBS = ["está cerca de", "mira", "fue construida por", "camina a", "vive en", "habla de", "recuerda"]
_ES_OBJECTS = [
    "el mercado",
    "un jardín pequeño",
    "la escuela",
    "las montañas",
    "un coche rojo",
    "la estación",
]
_SW_SUBJECTS = ["nyumba", "mbwa", "rafiki yangu", "mwalimu", "mto", "mji wetu", "mzee"]
_SW_VERBS = [
    "iko karibu na",
    "anaangalia",
    "ilijengwa na",
    "anatembea kwenda",
    "anaishi",
    "anazungumza kuhusu",
]
_SW_OBJECTS = ["soko", "bustani ndogo", "shule", "milima", "gari jekundu", "kituo"]


def fixture_corpus(n_lines: int = 600, seed: int = 0) -> list[str]:
    """English, Spanish and Swahili-like sentences built from small phrase lists."""
    rng = random.Random(seed)
    parts = [
        (_EN_SUBJECTS, _EN_VERBS, _EN_OBJECTS),
        (_ES_SUBJECTS, _ES_VERBS, _ES_OBJECTS),
        (_SW_SUBJECTS, _SW_VERBS, _SW_OBJECTS),
    ]
    lines = []
    for i in range(n_lines):
        subjects, verbs, objects = parts[i % 3]
        words = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
        if rng.random() < 0.3:
            words += f" and {rng.choice(objects)}" if i % 3 == 0 else f" {rng.choice(objects)}"
        lines.append(words[0].upper() + words[1:] + rng.choice([".", ".", "?", "!"]) + f" {i % 97}")
    return lines


def _spm_pieces(model_path: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def _seq2seq_shape(d_model: int, layers: int, heads: int, ffn_dim: int) -> dict[str, int]:
    """Encoder-decoder dimensions shared by the tiny Marian and M2M100 configs."""
    return {
        "d_model": d_model,
        "encoder_layers": layers,
        "decoder_layers": layers,
        "encoder_attention_heads": heads,
        "decoder_attention_heads": heads,
        "encoder_ffn_dim": ffn_dim,
        "decoder_ffn_dim": ffn_dim,
        "max_position_embeddings": 512,
    }


def build_tiny_marian(
    directory: Path,
    *,
    d_model: int = 32,
    layers: int = 1,
    ffn_dim: int = 64,
    heads: int = 2,
    vocab_size: int = 300,
    corpus_lines: Sequence[str] | None = None,
    src: str = "en",
    tgt: str = "es",
    seed: int = 0,
) -> Path:
    """A random MarianMT checkpoint (shared source/target vocabulary) saved in `directory`."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    directory.mkdir(parents=True, exist_ok=True)
    work = directory / "_spm"
    model_file = train_sentencepiece(work, corpus_lines or fixture_corpus(), vocab_size)
    pieces = [p for p in _spm_pieces(model_file) if p not in ("<unk>", "</s>", "<pad>")]
    vocab = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    staging = directory / "_files"
    staging.mkdir(exist_ok=True)
    shutil.copy(model_file, staging / "source.spm")
    shutil.copy(model_file, staging / "target.spm")
    (staging / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        source_spm=str(staging / "source.spm"),
        target_spm=str(staging / "target.spm"),
        vocab=str(staging / "vocab.json"),
        source_lang=src,
        target_lang=tgt,
    )
    size = len(vocab)
    config = MarianConfig(
        vocab_size=size,
        **_seq2seq_shape(d_model, layers, heads, ffn_dim),
        pad_token_id=size - 1,
        decoder_start_token_id=size - 1,
        eos_token_id=0,
        # HF would force </s> at the length limit where CTranslate2 does not; random models hit the limit.
        forced_eos_token_id=None,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    shutil.rmtree(work)
    shutil.rmtree(staging)
    return directory


def build_tiny_m2m100(
    directory: Path,
    *,
    d_model: int = 32,
    layers: int = 1,
    ffn_dim: int = 64,
    heads: int = 2,
    vocab_size: int = 300,
    seed: int = 0,
) -> Path:
    """A random M2M100 checkpoint with all 100 language tokens, saved in `directory`."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    directory.mkdir(parents=True, exist_ok=True)
    work = directory / "_spm"
    model_file = train_sentencepiece(work, fixture_corpus(), vocab_size)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab = {token: i for i, token in enumerate(specials)}
    for piece in _spm_pieces(model_file):
        vocab.setdefault(piece, len(vocab))
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    lang_tokens = [f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]]
    tokenizer = M2M100Tokenizer(
        vocab_file=str(work / "vocab.json"),
        spm_file=str(model_file),
        src_lang="en",
        tgt_lang="es",
        additional_special_tokens=lang_tokens,
    )
    size = len(vocab) + len(lang_tokens) + 8
    config = M2M100Config(
        vocab_size=size,
        **_seq2seq_shape(d_model, layers, heads, ffn_dim),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    shutil.rmtree(work)
    return directory


NLLB_FILES = ("sentencepiece.bpe.model", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json")


def build_tiny_nllb(
    directory: Path,
    *,
    d_model: int = 32,
    layers: int = 1,
    ffn_dim: int = 64,
    heads: int = 2,
    vocab_size: int = 300,
    seed: int = 0,
) -> Path:
    """A random NLLB-200-shaped checkpoint: the M2M100 architecture with NLLB's tokenizer (a BPE
    sentencepiece model and the 202 FLORES-200 codes such as `spa_Latn`), in the files of the
    published NLLB-200 folders (`NLLB_FILES` beside config.json and the weights)."""
    import sentencepiece as spm
    import torch
    from transformers import AutoTokenizer, M2M100Config, M2M100ForConditionalGeneration
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    directory.mkdir(parents=True, exist_ok=True)
    work = directory / "_spm"
    work.mkdir(exist_ok=True)
    (work / "corpus.txt").write_text("\n".join(fixture_corpus()) + "\n", encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(work / "corpus.txt"),
        model_prefix=str(work / "sentencepiece.bpe"),
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    shutil.copy(work / "sentencepiece.bpe.model", directory / "sentencepiece.bpe.model")
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
    config_file = {
        "tokenizer_class": "NllbTokenizer",
        "src_lang": "eng_Latn",
        "tgt_lang": "spa_Latn",
        "additional_special_tokens": FAIRSEQ_LANGUAGE_CODES,
        **special,
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config_file), encoding="utf-8")
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    tokenizer.save_pretrained(work)  # tokenizer.json, converted from the sentencepiece model
    shutil.copy(work / "tokenizer.json", directory / "tokenizer.json")
    specials_map = {**special, "mask_token": "<mask>", "additional_special_tokens": FAIRSEQ_LANGUAGE_CODES}
    (directory / "special_tokens_map.json").write_text(json.dumps(specials_map), encoding="utf-8")
    config = M2M100Config(
        vocab_size=len(tokenizer) + 2,
        **_seq2seq_shape(d_model, layers, heads, ffn_dim),
        scale_embedding=True,
        init_std=0.3,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    with torch.no_grad():  # small language-code embeddings, so the random model writes words, not codes
        codes = tokenizer.convert_tokens_to_ids(FAIRSEQ_LANGUAGE_CODES)
        model.get_input_embeddings().weight[codes] *= 0.2
    model.save_pretrained(directory)
    shutil.rmtree(work)
    return directory


def convert_ct2(hf_dir: Path, out_dir: Path, quantization: str | None = None) -> Path:
    """Convert a HF checkpoint to a CTranslate2 directory, tokenizer files copied alongside."""
    import ctranslate2

    files = [p.name for p in hf_dir.iterdir() if p.is_file() and _is_tokenizer_file(p.name)]
    converter = ctranslate2.converters.TransformersConverter(str(hf_dir), copy_files=files)
    converter.convert(str(out_dir), quantization=quantization, force=True)
    return out_dir


def _is_tokenizer_file(name: str) -> bool:
    return name.endswith((".spm", ".model")) or name in (
        "vocab.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "tokenizer.json",
        "added_tokens.json",
    )


def build_tiny_llama(directory: Path, *, hidden: int = 64, layers: int = 2, vocab_size: int = 400) -> Path:
    """A random Llama causal LM with a byte-level BPE tokenizer (no chat template), for vLLM."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    directory.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token=None))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(fixture_corpus(), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    config = LlamaConfig(
        vocab_size=bpe.get_vocab_size(),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=2,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
