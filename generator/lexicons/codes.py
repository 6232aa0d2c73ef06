"""FreeDict (ISO 639-3) language codes and their XTREME-R (ISO 639-1) counterparts."""

from __future__ import annotations

FREEDICT_TO_ISO: dict[str, str] = {
    "afr": "af", "ara": "ar", "aze": "az", "bul": "bg", "ben": "bn", "deu": "de", "ell": "el",
    "eng": "en", "spa": "es", "est": "et", "eus": "eu", "fas": "fa", "pes": "fa", "fin": "fi",
    "fra": "fr", "guj": "gu", "heb": "he", "hin": "hi", "hat": "ht", "hun": "hu", "ind": "id",
    "ita": "it", "jpn": "ja", "jav": "jv", "kat": "ka", "kaz": "kk", "kor": "ko", "lit": "lt",
    "mal": "ml", "mar": "mr", "msa": "ms", "zsm": "ms", "mya": "my", "nld": "nl", "pan": "pa",
    "pol": "pl", "por": "pt", "que": "qu", "ron": "ro", "rus": "ru", "swa": "sw", "swh": "sw",
    "tam": "ta", "tel": "te", "tha": "th", "tgl": "tl", "tur": "tr", "ukr": "uk", "urd": "ur",
    "vie": "vi", "wol": "wo", "yor": "yo", "zho": "zh", "cmn": "zh",
    "ces": "cs", "dan": "da", "swe": "sv", "nor": "no", "nob": "nb", "gle": "ga", "cym": "cy",
    "lat": "la", "srp": "sr", "hrv": "hr", "slk": "sk", "slv": "sl", "isl": "is", "epo": "eo",
    "bre": "br", "gla": "gd", "kur": "ku", "lav": "lv", "mkd": "mk", "sqi": "sq", "bos": "bs",
}  # fmt: skip
# The package to install for each ISO code (first FreeDict code wins for fa, ms, sw, zh).
ISO_TO_FREEDICT: dict[str, str] = {}
for _three, _two in FREEDICT_TO_ISO.items():
    ISO_TO_FREEDICT.setdefault(_two, _three)
ISO_TO_FREEDICT["sw"] = "swh"
ISO_TO_FREEDICT["fa"] = "pes"


def iso_code(freedict_code: str) -> str:
    """The XTREME-R (ISO 639-1) code for a FreeDict 3-letter code; unknown codes pass through."""
    return FREEDICT_TO_ISO.get(freedict_code, freedict_code)
