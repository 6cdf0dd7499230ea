"""Name keys: how a place name in a text and a name in the gazetteer are made comparable.

English-language news writes Caucasus and Turkish names in several ways: "Xankəndi",
"Khankendi"; "Laçın", "Lachin", "Lacin"; "Ağdam", "Aghdam", "Agdam". A name is reduced to one
or more ASCII keys: diacritics are dropped, punctuation and case are ignored, and for names
written in a Turkic Latin alphabet the usual English transliterations are added as extra keys
(ç → ch, ş → sh, ğ → gh, initial x → kh) so that "Lachin" finds both the Azerbaijani Laçın and
the Turkish Laçin.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus a combining mark.
_LETTERS = str.maketrans(
    {
        "ə": "e",
        "Ə": "e",
        "ǝ": "e",
        "Ǝ": "e",
        "ı": "i",
        "ł": "l",
        "Ł": "l",
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "þ": "th",
        "Þ": "th",
    }
)
# Turkic Latin letters and the English spelling news agencies use for them.
_ANGLICISE = str.maketrans(
    {
        "ç": "ch",
        "Ç": "ch",
        "ş": "sh",
        "Ş": "sh",
        "ğ": "gh",
        "Ğ": "gh",
        "ə": "a",
        "Ə": "a",
        "ǝ": "a",
    }
)
_APOSTROPHES = re.compile(r"[\u2018\u2019'ʼʻʹ`´.\"]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_/,;:()]+")
# Anything outside the Latin, IPA and combining-mark blocks: such a name cannot match English.
_NON_LATIN = re.compile(r"[^\x00-\u02ff\u0300-\u036f\u1e00-\u1eff\u2010-\u201f]")
_TURKIC = re.compile("[çÇşŞğĞəƏǝı]")
# Scripts of the centre's languages other than Latin (Cyrillic, Armenian, Georgian): their
# GeoNames alternate names get keys of their own, for Russian (and later Armenian, Georgian)
# text. Han, Arabic and the rest stay out: nothing reads them yet, and they are most of the
# non-Latin names.
_NATIVE = re.compile(r"[\u0400-\u052f\u0530-\u058f\u10a0-\u10ff]")


def ascii_key(text: str) -> str:
    """``name_key`` of a name already known to be ASCII."""
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text)).strip().casefold()


def name_key(text: str) -> str:
    """The main lookup key of a name: ASCII, lower case, no punctuation ("U.S." → "us").

    Returns "" for a name not written in a Latin script (it cannot match English text).
    """
    if text.isascii():
        return ascii_key(text)
    if _NON_LATIN.search(text):
        return ""
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text))
    return text.strip().casefold() if text.isascii() else ""


def native_key(text: str) -> str:
    """The key of a name written in Cyrillic, Armenian or Georgian ("" for other scripts).

    Lower case, ё read as е (Russian print mostly omits its dots), punctuation and hyphens as
    spaces; never equal to a ``name_key`` (those are ASCII), so both share one index.
    """
    if not _NATIVE.search(text):
        return ""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    return _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text)).strip()


def name_keys(text: str) -> set[str]:
    """All keys of a gazetteer name: the main key plus English transliterations."""
    keys = {name_key(text)}
    if not text.isascii() and _TURKIC.search(text):
        keys.add(name_key(text.translate(_ANGLICISE)))
        if "ə" in text or "Ə" in text:
            # Azerbaijani c is the English j: Cəbrayıl → Jabrayil, Kəlbəcər → Kalbajar.
            keys.add(name_key(text.translate(_ANGLICISE).replace("c", "j").replace("C", "J")))
        if text[:1] in "Xx":
            # Azerbaijani x is the English kh: Xankəndi → Khankendi.
            keys |= {"kh" + key[1:] for key in list(keys) if key.startswith("x")}
    keys.discard("")
    return keys
