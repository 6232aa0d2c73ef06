"""Code-switching whole examples: QA answers stay valid, tagging keeps one tag per token, labels stay.

Switched examples carry `method="codeswitch"` and `lang="+".join(sorted(cfg.langs))`: the requested
language set names the shard (`es` for a one-language config, `de+es` for a mix).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from random import Random

from generator.codeswitch.config import CodeSwitchConfig
from generator.codeswitch.switching import SENTENCE_OPENERS, cased, choose_units, switch_text
from generator.codeswitch.tables import tables_for, token_key
from generator.errors import ConfigError
from generator.example import Answer, Example, Switch
from generator.lexicons.lexicon import Lexicon

_BIO = re.compile(r"^(?:O|[BI]-.+)$")


def _title_spans(text: str, title: str) -> list[tuple[int, int]]:
    """Where the article title (`Super_Bowl_50` -> `Super Bowl 50`) occurs in `text`."""
    title = title.replace("_", " ").strip()
    spans: list[tuple[int, int]] = []
    if not title:
        return spans
    start = text.find(title)
    while start >= 0:
        spans.append((start, start + len(title)))
        start = text.find(title, start + len(title))
    return spans


def _answers_valid(context: str, answers: Iterable[Answer]) -> bool:
    return all(
        a.text and a.start >= 0 and context[a.start : a.start + len(a.text)] == a.text for a in answers
    )


def switch_qa(
    example: Example, lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> Example | None:
    """Switch context and question; answers stay valid (protected, or switched with the context), else None."""
    if not _answers_valid(example.context, example.answers):
        return None
    spans = [(a.start, a.start + len(a.text)) for a in example.answers]
    titles = _title_spans(example.context, example.title) if cfg.protect_names else []
    if cfg.switch_answers:
        points = sorted({p for span in spans for p in span})
        context = switch_text(example.context, lexicons, cfg, rng, protect=titles, boundaries=points)
        answers = []
        for start, end in spans:
            new_start, new_end = context.offset_map.span(start, end)
            answers.append(Answer(context.text[new_start:new_end], new_start))
    else:
        context = switch_text(example.context, lexicons, cfg, rng, protect=spans + titles)
        answers = [Answer(a.text, context.offset_map(a.start)) for a in example.answers]
    if not _answers_valid(context.text, answers):
        return None
    question_titles = _title_spans(example.question, example.title) if cfg.protect_names else []
    question = switch_text(example.question, lexicons, cfg, rng, protect=question_titles)
    return _switched(
        example,
        context.switches + question.switches,
        cfg,
        context=context.text,
        question=question.text,
        answers=answers,
    )


def _is_bio(tags: Sequence[str]) -> bool:
    return all(_BIO.match(tag) for tag in tags)


def switch_tagging(
    example: Example, lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> Example:
    """Switch tokens and keep one tag per output token.

    BIO tags: entity tokens stay unless `switch_entities`; then a unit spans tokens of one entity (or
    only O tokens) and a k-word translation of a unit tagged B-X (I-X) gets B-X (I-X) then I-X for
    the other words; O stays O. Other tag sets (UD-POS, CCG) switch single tokens to single-word
    translations only, each keeping its tag.
    """
    tokens, tags = example.tokens, example.tags
    if len(tokens) != len(tags):
        raise ConfigError(
            f"example {example.id}: {len(tokens)} tokens but {len(tags)} tags; give one tag per token"
        )
    bio = _is_bio(tags)
    tables = tables_for(lexicons, cfg, single_words=not bio)
    if rng.random() >= cfg.sentence_ratio:
        return _switched(example, [], cfg)
    table = tables[0] if len(tables) == 1 else tables[rng.randrange(len(tables))]
    keys = [token_key(token) for token in tokens]

    def can_join(k: int) -> bool:
        before, tag = tags[k - 1], tags[k]
        return bio and ((tag == "O" and before == "O") or (tag.startswith("I-") and before[2:] == tag[2:]))

    blocked = {k for k, tag in enumerate(tags) if tag != "O"} if bio and not cfg.switch_entities else ()
    capitals = {k for k, token in enumerate(tokens) if token[:1].isupper()} if cfg.protect_names else ()
    chosen, _ = choose_units(keys, can_join, blocked, table, cfg.token_ratio, rng, capitals)
    new_tokens: list[str] = []
    new_tags: list[str] = []
    switches: list[Switch] = []
    cursor = 0
    for first, width, lang, target in chosen:
        new_tokens.extend(tokens[cursor:first])
        new_tags.extend(tags[cursor:first])
        source = " ".join(tokens[first : first + width])
        initial = first == 0 or keys[first - 1] in SENTENCE_OPENERS
        words = (cased(source, target) if cfg.keep_case and initial else target).split()
        head = tags[first]
        new_tokens.extend(words)
        new_tags.append(head)
        new_tags.extend([head if head == "O" else "I-" + head[2:]] * (len(words) - 1))
        switches.append(Switch(source, " ".join(words), lang))
        cursor = first + width
    new_tokens.extend(tokens[cursor:])
    new_tags.extend(tags[cursor:])
    return _switched(example, switches, cfg, tokens=new_tokens, tags=new_tags)


def _switch_fields(
    example: Example,
    names: Sequence[str],
    lexicons: Mapping[str, Lexicon],
    cfg: CodeSwitchConfig,
    rng: Random,
) -> Example:
    switches: list[Switch] = []
    changes: dict[str, object] = {}
    for name in names:
        value = getattr(example, name)
        if name == "choices":
            results = [switch_text(choice, lexicons, cfg, rng) for choice in value]
            changes[name] = [r.text for r in results]
            for r in results:
                switches.extend(r.switches)
        elif value:
            result = switch_text(value, lexicons, cfg, rng)
            changes[name] = result.text
            switches.extend(result.switches)
    return _switched(example, switches, cfg, **changes)


def _switched(example: Example, switches: list[Switch], cfg: CodeSwitchConfig, **changes: object) -> Example:
    fields: dict[str, object] = {
        "meta": dict(example.meta),
        "answers": list(example.answers),
        "choices": list(example.choices),
        "tokens": list(example.tokens),
        "tags": list(example.tags),
    }
    fields.update(changes)
    return replace(
        example,
        lang=cfg.lang_label,
        method="codeswitch",
        switched=list(example.switched) + switches,
        **fields,  # type: ignore[arg-type]
    )


def switch_example(
    example: Example, lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> Example | None:
    """The code-switched copy of `example` (labels unchanged), or None when a QA answer span was lost."""
    if example.kind == "qa":
        return switch_qa(example, lexicons, cfg, rng)
    if example.kind == "tagging":
        return switch_tagging(example, lexicons, cfg, rng)
    if example.kind == "pair":
        return _switch_fields(example, ("text_a", "text_b"), lexicons, cfg, rng)
    if example.kind == "choice":
        return _switch_fields(example, ("context", "question", "choices"), lexicons, cfg, rng)
    raise ConfigError(
        f"example {example.id}: {example.kind} examples are evaluation data and are not code-switched; "
        "code-switch qa, pair, choice or tagging examples"
    )


def switch_examples(
    examples: Iterable[Example], lexicons: Mapping[str, Lexicon], cfg: CodeSwitchConfig, rng: Random
) -> tuple[list[Example], Counter[str]]:
    """Switch every example; returns the kept ones and drop counts by reason ("lost_span")."""
    kept: list[Example] = []
    dropped: Counter[str] = Counter()
    for example in examples:
        switched = switch_example(example, lexicons, cfg, rng)
        if switched is None:
            dropped["lost_span"] += 1
        else:
            kept.append(switched)
    return kept, dropped
