"""How strong a new password is: at least 10 characters, and not easy to guess.

Length alone let ``password123``, ``qwertyuiop`` and ``aze-liaison2020`` through. zxcvbn
(Dropbox's estimator, the Python port; offline, its frequency lists of common passwords,
English words, names and surnames are in the wheel) estimates the guesses an attacker who
knows those lists, keyboard patterns, repeats, sequences and dates would need; a password
scoring below :data:`MIN_SCORE` (3 of 4: about 10^8 guesses, out of reach of an online
attack and costly offline against argon2id) is refused. The user's name, its member's id and
name and its display name count as known words (zxcvbn's ``user_inputs``): another member's
staff read them in the ledger.

The refusal names why, as our own catalogue message (zxcvbn's feedback is English only): the
longest pattern zxcvbn found decides which (:class:`Weakness`).
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from zxcvbn import zxcvbn

from ceasefire.i18n.markers import N_

MIN_LENGTH = 10
MIN_SCORE = 3
# zxcvbn refuses longer passwords (its matching is quadratic); a long one is judged by its
# first 72 characters, which only makes the estimate lower, never higher.
_ESTIMATED_LENGTH = 72
# zxcvbn keeps the user inputs in a module-level dictionary while it scores: one at a time.
_ZXCVBN = threading.Lock()
_WORD_SEPARATORS = re.compile(r"[^\w]+|_")


class Weakness(StrEnum):
    """Why a password is easy to guess (the ``reason`` of the refusal's details)."""

    TOO_SHORT = "too_short"
    COMMON_PASSWORD = "common_password"  # noqa: S105 (a reason, not a password)
    PERSONAL = "names_the_user"
    WORDS = "common_words"
    KEYBOARD = "keyboard_pattern"
    REPEAT = "repeats"
    SEQUENCE = "sequence"
    DATES = "dates"
    GUESSABLE = "guessable"


# Why a password is refused, in the reader's language (zxcvbn's own feedback is English).
REFUSALS: dict[Weakness, str] = {
    Weakness.TOO_SHORT: N_("the password must have at least %(length)s characters"),
    Weakness.COMMON_PASSWORD: N_(
        "the password is too easy to guess: it is, or is close to, a commonly used password"
    ),
    Weakness.PERSONAL: N_(
        "the password is too easy to guess: it contains the user's or the member's name"
    ),
    Weakness.WORDS: N_(
        "the password is too easy to guess: a common word or name needs more uncommon words"
    ),
    Weakness.KEYBOARD: N_("the password is too easy to guess: it follows the keyboard"),
    Weakness.REPEAT: N_("the password is too easy to guess: it repeats characters or words"),
    Weakness.SEQUENCE: N_("the password is too easy to guess: it is a sequence like abc or 6543"),
    Weakness.DATES: N_("the password is too easy to guess: dates and years are guessed early"),
    Weakness.GUESSABLE: N_(
        "the password is too easy to guess: use a few uncommon words, or make it longer"
    ),
}


@dataclass(frozen=True, slots=True)
class Strength:
    """zxcvbn's score (0-4) of a password and, when it is refused, why."""

    score: int
    weakness: Weakness | None

    @property
    def acceptable(self) -> bool:
        return self.weakness is None


def known_words(values: Iterable[str | None]) -> list[str]:
    """The user's names as zxcvbn's ``user_inputs``: each value and its words
    (``aze-liaison`` also gives ``aze`` and ``liaison``)."""
    words: list[str] = []
    for value in values:
        if not value:
            continue
        words.append(value.lower())
        words += [w.lower() for w in _WORD_SEPARATORS.split(value) if len(w) >= 3]
    return list(dict.fromkeys(words))


def strength(password: str, user_inputs: Iterable[str | None] = ()) -> Strength:
    """How strong ``password`` is for the user named by ``user_inputs``."""
    if len(password) < MIN_LENGTH:
        return Strength(0, Weakness.TOO_SHORT)
    with _ZXCVBN:
        result = zxcvbn(password[:_ESTIMATED_LENGTH], user_inputs=known_words(user_inputs))
    score = int(result["score"])
    if score >= MIN_SCORE:
        return Strength(score, None)
    return Strength(score, _weakness(result["sequence"]))


def _weakness(sequence: list[dict[str, Any]]) -> Weakness:
    """The pattern of the longest match zxcvbn found (as its own feedback picks one)."""
    found = [m for m in sequence if m.get("pattern") != "bruteforce"]
    if not found:
        return Weakness.GUESSABLE
    match = max(found, key=lambda m: len(m.get("token", "")))
    pattern = match.get("pattern")
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        if name == "passwords":
            return Weakness.COMMON_PASSWORD
        if name == "user_inputs":
            return Weakness.PERSONAL
        return Weakness.WORDS
    return {
        "spatial": Weakness.KEYBOARD,
        "repeat": Weakness.REPEAT,
        "sequence": Weakness.SEQUENCE,
        "regex": Weakness.DATES,
        "date": Weakness.DATES,
    }.get(str(pattern), Weakness.GUESSABLE)


def generated(user_inputs: Iterable[str | None] = ()) -> str:
    """A random password (16 URL-safe characters, 96 bits) that passes :func:`strength` for
    the user named by ``user_inputs`` (a random one almost always does at once)."""
    inputs = list(user_inputs)
    while True:
        password = secrets.token_urlsafe(12)
        if strength(password, inputs).acceptable:
            return password
