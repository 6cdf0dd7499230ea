"""Which language an article is in: py3langid's model, with the writing system as a guard.

py3langid (a maintained fork of langid.py; its model ships inside the wheel, nothing is
downloaded) scores 97 languages from character n-grams. Its errors on news pages are of two
kinds, and both are fixed by looking at the script the text is written in:

* a script names the language by itself: Hangul is Korean, kana (with or without kanji) is
  Japanese — so a Japanese page heavy in kanji is never ``zh`` —, Armenian, Georgian, Greek,
  Hebrew and Thai letters are their languages;
* a language is only possible in its scripts: Chinese needs Han characters, Russian Cyrillic
  letters; a Latin-script text called ``zh`` (or a Cyrillic one called ``en``) falls back to the
  most likely language of that script.

``und`` is returned only when there is no text (no letters) to judge.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

UNDETERMINED = "und"
# Letters sampled: a page's first 5,000 letters tell its language; more only costs time.
_SAMPLE = 20_000
# The model's answer counts only with at least this probability. Below it, a short ASCII-only
# text (a headline, a sentence fragment: under 40 letters) is taken as English, the centre's
# input without other evidence being the wires ("Aliyev visits Shusha" scores Swahili at
# 0.08); any other text takes the most likely of the common languages of its script, never a
# rare language guessed from a few n-grams. Above it, a short snippet keeps the model's
# answer ("As tropas retiraram-se da cidade": pt at 0.78, no longer English).
MIN_CONFIDENCE = 0.5
_SHORT = 40

# Scripts by Unicode block; the first of each pair is the script's name.
_SCRIPT_RANGES: dict[str, str] = {
    "hangul": "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af",
    "kana": "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f",
    "han": "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
    "cyrillic": "\u0400-\u04ff\u0500-\u052f",
    "arabic": "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
    "armenian": "\u0530-\u058f",
    "georgian": "\u10a0-\u10ff",
    "hebrew": "\u0590-\u05ff",
    "greek": "\u0370-\u03ff",
    "thai": "\u0e00-\u0e7f",
    "devanagari": "\u0900-\u097f",
    "latin": "A-Za-z\u00c0-\u024f\u1e00-\u1eff",
}
_SCRIPTS = {name: re.compile(f"[{ranges}]") for name, ranges in _SCRIPT_RANGES.items()}
# A script that is one language (or one language of the centre's concern) by itself.
_SCRIPT_LANGUAGE = {
    "hangul": "ko",
    "kana": "ja",
    "armenian": "hy",
    "georgian": "ka",
    "greek": "el",
    "thai": "th",
}
# The languages possible in a script, most likely first (the fallback when the model's
# answer is not among them).
_SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "han": ("zh",),
    "cyrillic": ("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn"),
    "arabic": ("ar", "fa", "ur", "ps", "ug"),
    "hebrew": ("he", "yi"),
    "devanagari": ("hi", "mr", "ne"),
}


@cache
def _identifier() -> LanguageIdentifier:
    """py3langid's model, loaded once per process (under a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def script_counts(text: str) -> dict[str, int]:
    """How many letters of each script of interest ``text`` has."""
    return {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS.items()}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or ``"und"`` when there is no text to judge."""
    sample = text[:_SAMPLE]
    letters = sum(1 for ch in sample if ch.isalpha())
    if letters == 0:
        return UNDETERMINED
    counts = script_counts(sample)
    # Japanese writes kana between its kanji: a few kana are enough to tell it from Chinese.
    if counts["kana"] >= max(2, 0.05 * letters):
        return "ja"
    script = max(counts, key=lambda name: counts[name])
    if counts[script] == 0:
        script = "other"
    if script in _SCRIPT_LANGUAGE and counts[script] >= 0.3 * letters:
        return _SCRIPT_LANGUAGE[script]
    language, probability = _identifier().classify(sample)
    unsure = probability < MIN_CONFIDENCE
    if script == "latin":
        if unsure and letters < _SHORT and sample.isascii():
            return "en"
        # A Latin-script text is not Chinese or Russian, whatever a few n-grams say.
        non_latin = {lang for langs in _SCRIPT_LANGUAGES.values() for lang in langs}
        if unsure or language in non_latin or language in _SCRIPT_LANGUAGE.values():
            return _best_of(sample, _LATIN_FALLBACK)
        return str(language)
    possible = _SCRIPT_LANGUAGES.get(script)
    if possible is not None and (unsure or language not in possible):
        return _best_of(sample, possible)
    return str(language)


# When the model names a language the script cannot have, the best of these is taken.
_LATIN_FALLBACK = ("en", "fr", "de", "es", "pt", "it", "tr", "az", "nl", "id", "pl")


def _best_of(sample: str, languages: tuple[str, ...]) -> str:
    """The most likely of ``languages`` for ``sample`` according to the model."""
    ranked = _identifier().rank(sample)
    allowed = set(languages)
    for language, _score in ranked:
        if language in allowed:
            return str(language)
    return languages[0]
