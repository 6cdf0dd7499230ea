"""Which language an article is in: stop-word counts and scripts, no model needed.

The pipeline reads English only; other languages are recognised so the user is told why a
file is refused instead of getting empty results.
"""

from __future__ import annotations

import re
from collections import Counter

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "a",
            "is",
            "that",
            "for",
            "on",
            "with",
            "as",
            "was",
            "said",
            "by",
            "it",
            "from",
            "at",
            "his",
            "have",
            "has",
            "are",
            "be",
            "an",
            "which",
            "were",
            "not",
            "this",
            "but",
            "their",
            "they",
            "its",
            "he",
            "who",
            "had",
            "been",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "de",
            "du",
            "et",
            "est",
            "une",
            "un",
            "dans",
            "pour",
            "que",
            "qui",
            "sur",
            "pas",
            "par",
            "au",
            "aux",
            "avec",
            "ce",
            "il",
            "elle",
            "sont",
            "été",
            "son",
            "ses",
            "cette",
            "mais",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "zu",
            "den",
            "mit",
            "von",
            "sich",
            "des",
            "auf",
            "für",
            "im",
            "dem",
            "auch",
            "es",
            "an",
            "werden",
            "wurde",
            "sie",
            "er",
            "hat",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "y",
            "que",
            "en",
            "un",
            "una",
            "por",
            "con",
            "para",
            "es",
            "no",
            "se",
            "su",
            "al",
            "lo",
            "como",
            "más",
            "pero",
            "sus",
            "fue",
            "ha",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "la",
            "gli",
            "le",
            "di",
            "del",
            "della",
            "e",
            "che",
            "in",
            "un",
            "una",
            "per",
            "con",
            "non",
            "è",
            "sono",
            "ha",
            "da",
            "al",
            "nel",
            "anche",
            "come",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "que",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "é",
            "por",
            "se",
            "na",
            "no",
            "mais",
            "foi",
            "como",
            "ao",
        ]
    ),
    "tr": frozenset(
        [
            "ve",
            "bir",
            "bu",
            "da",
            "de",
            "için",
            "ile",
            "olarak",
            "çok",
            "daha",
            "gibi",
            "ama",
            "olan",
            "sonra",
            "en",
            "ise",
            "kadar",
            "değil",
            "ne",
            "mi",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "in",
            "is",
            "dat",
            "op",
            "te",
            "zijn",
            "met",
            "voor",
            "niet",
            "die",
            "aan",
            "er",
            "ook",
            "als",
            "bij",
            "werd",
        ]
    ),
    "az": frozenset(
        ["və", "bir", "bu", "ilə", "üçün", "də", "da", "olan", "isə", "onun", "artıq", "görə"]
    ),
}
_SCRIPTS: list[tuple[str, re.Pattern[str]]] = [
    ("ru", re.compile(r"[\u0400-\u04FF]")),
    ("ar", re.compile(r"[\u0600-\u06FF]")),
    ("hy", re.compile(r"[\u0530-\u058F]")),
    ("ka", re.compile(r"[\u10A0-\u10FF]")),
    ("zh", re.compile(r"[\u4E00-\u9FFF]")),
    ("he", re.compile(r"[\u0590-\u05FF]")),
    ("fa", re.compile(r"[\u06A9\u06AF\u067E\u0686]")),
]
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or ``"und"`` when it cannot be told."""
    sample = text[:20000]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return "und"
    for code, pattern in _SCRIPTS:
        if len(pattern.findall(sample)) > 0.3 * len(letters):
            return code
    words = Counter(w.lower() for w in _WORD.findall(sample))
    total = sum(words.values())
    if total == 0:
        return "und"
    scores = {
        lang: sum(count for word, count in words.items() if word in stops) / total
        for lang, stops in _STOPWORDS.items()
    }
    best = max(scores, key=lambda lang: scores[lang])
    # Short texts (a headline) have few stop words: trust only a clear lead.
    if scores[best] < 0.05:
        return "en" if total < 12 and _mostly_ascii(letters) else "und"
    return best


def _mostly_ascii(letters: list[str]) -> bool:
    return sum(1 for ch in letters if ch.isascii()) > 0.95 * len(letters)
