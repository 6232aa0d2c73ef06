"""The XTREME-R language registry: codes, scripts, MT model codes, resource tier and task coverage.

Resource tier rule (`tier_for`): the tier follows from how much text of the language XLM-R saw
in pretraining, the CC-100 size in GiB from Conneau et al. 2020 ("Unsupervised Cross-lingual
Representation Learning at Scale", table 6), kept per language as `cc100_gib`:

- high: `cc100_gib >= 20` (HIGH_MIN_GIB)
- mid:  `1 <= cc100_gib < 20` (LOW_BELOW_GIB <= size < HIGH_MIN_GIB)
- low:  `cc100_gib < 1`, which includes the languages XLM-R never saw (ht qu wo yo, `cc100_gib == 0`)

Sizes count the native script only (Burmese without its Zawgyi-encoded share, Chinese Simplified).
Task coverage follows XTREME-R (Ruder et al. 2021) as released in google-research/xtreme
(`evaluate.py`, XTREME_R_TASK2LANGS); LAReQA covers the XQuAD-R languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.errors import ConfigError

Tier = Literal["high", "mid", "low"]
TIERS: tuple[Tier, ...] = ("high", "mid", "low")
HIGH_MIN_GIB = 20.0
LOW_BELOW_GIB = 1.0


def tier_for(cc100_gib: float) -> Tier:
    """The resource tier of a language from its XLM-R (CC-100) pretraining size in GiB."""
    if cc100_gib >= HIGH_MIN_GIB:
        return "high"
    if cc100_gib >= LOW_BELOW_GIB:
        return "mid"
    return "low"


@dataclass(frozen=True, slots=True)
class Language:
    """One XTREME-R language; `tier` and `in_xlmr` are derived from `cc100_gib` by the registry."""

    code: str
    name: str
    script: str
    flores: str
    m2m100: str | None
    cc100_gib: float
    tier: Tier
    in_xlmr: bool
    tasks: tuple[str, ...]


def _codes(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


TASK_LANGUAGES: dict[str, tuple[str, ...]] = {
    "xnli": _codes("ar bg de el en es fr hi ru sw th tr ur vi zh"),
    "xcopa": _codes("et ht id it qu sw ta th tr vi zh"),
    "udpos": _codes(
        "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi yo zh "
        "lt pl uk wo ro"
    ),
    "panx": _codes(
        "ar he vi id jv ms tl eu ml ta te af nl en de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw yo my "
        "zh kk tr et fi hu qu pl uk az lt pa gu ro"
    ),
    "xquad": _codes("ar de el en es hi ro ru th tr vi zh"),
    "mlqa": _codes("ar de en es hi vi zh"),
    "tydiqa": _codes("ar bn en fi id ko ru sw te"),
    "tatoeba": _codes(
        "ar he vi id jv tl eu ml ta te af nl de el bn hi mr ur fa fr it pt es bg ru ja ka ko th sw zh kk tr "
        "et fi hu az lt pl uk ro"
    ),
    "lareqa": _codes("ar de el en es hi ru th tr vi zh"),
    "mewslix": _codes("ar de en es fa ja pl ro ta tr uk"),
}
TASKS: tuple[str, ...] = tuple(TASK_LANGUAGES)
_TASK_ALIASES = {
    "wikiann": "panx",
    "ner": "panx",
    "pos": "udpos",
    "tydiqagoldp": "tydiqa",
    "xquadr": "lareqa",
}


def task_name(task: str) -> str:
    """The registry name of an XTREME-R task ("WikiANN", "UD-POS", "Mewsli-X" -> panx, udpos, mewslix)."""
    key = task.strip().lower().replace("-", "").replace("_", "")
    key = _TASK_ALIASES.get(key, key)
    if key not in TASK_LANGUAGES:
        raise ConfigError(f"unknown XTREME-R task {task!r}; use one of: {', '.join(TASKS)}")
    return key


# code, name, FLORES-200 (NLLB) code, M2M100 code or None, CC-100 GiB (0: not in XLM-R pretraining)
_ROWS: tuple[tuple[str, str, str, str | None, float], ...] = (
    ("af", "Afrikaans", "afr_Latn", "af", 1.3),
    ("ar", "Arabic", "arb_Arab", "ar", 28.0),
    ("az", "Azerbaijani", "azj_Latn", "az", 6.5),
    ("bg", "Bulgarian", "bul_Cyrl", "bg", 57.5),
    ("bn", "Bengali", "ben_Beng", "bn", 8.4),
    ("de", "German", "deu_Latn", "de", 66.6),
    ("el", "Greek", "ell_Grek", "el", 46.9),
    ("en", "English", "eng_Latn", "en", 300.8),
    ("es", "Spanish", "spa_Latn", "es", 53.3),
    ("et", "Estonian", "est_Latn", "et", 6.1),
    ("eu", "Basque", "eus_Latn", None, 2.0),
    ("fa", "Persian", "pes_Arab", "fa", 111.6),
    ("fi", "Finnish", "fin_Latn", "fi", 54.3),
    ("fr", "French", "fra_Latn", "fr", 56.8),
    ("gu", "Gujarati", "guj_Gujr", "gu", 1.9),
    ("he", "Hebrew", "heb_Hebr", "he", 31.6),
    ("hi", "Hindi", "hin_Deva", "hi", 20.2),
    ("ht", "Haitian Creole", "hat_Latn", "ht", 0.0),
    ("hu", "Hungarian", "hun_Latn", "hu", 58.4),
    ("id", "Indonesian", "ind_Latn", "id", 148.3),
    ("it", "Italian", "ita_Latn", "it", 30.2),
    ("ja", "Japanese", "jpn_Jpan", "ja", 69.3),
    ("jv", "Javanese", "jav_Latn", "jv", 0.2),
    ("ka", "Georgian", "kat_Geor", "ka", 9.1),
    ("kk", "Kazakh", "kaz_Cyrl", "kk", 6.4),
    ("ko", "Korean", "kor_Hang", "ko", 54.2),
    ("lt", "Lithuanian", "lit_Latn", "lt", 13.7),
    ("ml", "Malayalam", "mal_Mlym", "ml", 7.6),
    ("mr", "Marathi", "mar_Deva", "mr", 2.8),
    ("ms", "Malay", "zsm_Latn", "ms", 8.5),
    ("my", "Burmese", "mya_Mymr", "my", 0.4),
    ("nl", "Dutch", "nld_Latn", "nl", 29.3),
    ("pa", "Punjabi", "pan_Guru", "pa", 0.8),
    ("pl", "Polish", "pol_Latn", "pl", 44.6),
    ("pt", "Portuguese", "por_Latn", "pt", 49.1),
    ("qu", "Quechua", "quy_Latn", None, 0.0),
    ("ro", "Romanian", "ron_Latn", "ro", 61.4),
    ("ru", "Russian", "rus_Cyrl", "ru", 278.0),
    ("sw", "Swahili", "swh_Latn", "sw", 1.6),
    ("ta", "Tamil", "tam_Taml", "ta", 12.2),
    ("te", "Telugu", "tel_Telu", None, 4.7),
    ("th", "Thai", "tha_Thai", "th", 71.7),
    ("tl", "Tagalog", "tgl_Latn", "tl", 3.1),
    ("tr", "Turkish", "tur_Latn", "tr", 20.9),
    ("uk", "Ukrainian", "ukr_Cyrl", "uk", 84.6),
    ("ur", "Urdu", "urd_Arab", "ur", 5.7),
    ("vi", "Vietnamese", "vie_Latn", "vi", 137.3),
    ("wo", "Wolof", "wol_Latn", "wo", 0.0),
    ("yo", "Yoruba", "yor_Latn", "yo", 0.0),
    ("zh", "Chinese", "zho_Hans", "zh", 46.9),
)


def _build() -> dict[str, Language]:
    languages: dict[str, Language] = {}
    for code, name, flores, m2m100, gib in _ROWS:
        tasks = tuple(task for task, codes in TASK_LANGUAGES.items() if code in codes)
        script = flores.split("_", 1)[1]
        languages[code] = Language(code, name, script, flores, m2m100, gib, tier_for(gib), gib > 0, tasks)
    return languages


LANGUAGES: dict[str, Language] = _build()


def get_language(code: str) -> Language:
    """The language with this ISO 639-1 code; ConfigError listing the valid codes otherwise."""
    try:
        return LANGUAGES[code.strip().lower()]
    except KeyError:
        raise ConfigError(
            f"unknown language code {code!r}; use one of the XTREME-R codes: {' '.join(LANGUAGES)}"
        ) from None


def parse_languages(spec: str | list[str] | tuple[str, ...]) -> list[Language]:
    """Languages from "es,sw,yo" (or a list of codes), in order, duplicates dropped; all unknown codes reported at once."""
    codes = spec.split(",") if isinstance(spec, str) else list(spec)
    cleaned = [c.strip().lower() for c in codes if c.strip()]
    if not cleaned:
        raise ConfigError("no language codes given; pass comma-separated XTREME-R codes such as 'es,sw,yo'")
    unknown = [c for c in cleaned if c not in LANGUAGES]
    if unknown:
        raise ConfigError(
            f"unknown language code(s) {', '.join(unknown)}; use XTREME-R codes: {' '.join(LANGUAGES)}"
        )
    return [LANGUAGES[c] for c in dict.fromkeys(cleaned)]


def languages_for_task(task: str) -> list[Language]:
    """The languages an XTREME-R task evaluates, in registry order."""
    key = task_name(task)
    return [lang for lang in LANGUAGES.values() if key in lang.tasks]


def languages_in_tier(tier: str) -> list[Language]:
    """The languages of one resource tier, in registry order."""
    if tier not in TIERS:
        raise ConfigError(f"unknown tier {tier!r}; use one of: {', '.join(TIERS)}")
    return [lang for lang in LANGUAGES.values() if lang.tier == tier]
