"""The trigger lexicon of news.events.v1 and v2 (``data/triggers.yaml``), indexed for matching."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ceasefire.news.sources import load_package_yaml

PLOVER_TYPES = (
    "AGREE", "AID", "ASSAULT", "COERCE", "CONCEDE", "CONSULT", "COOPERATE", "DEMAND",
    "DISAPPROVE", "FIGHT", "INVESTIGATE", "MOBILIZE", "PROTEST", "REJECT", "RETREAT",
    "SANCTION", "SUPPORT", "THREATEN",
)  # fmt: skip
COOPERATIVE = frozenset(
    {"AGREE", "AID", "CONCEDE", "CONSULT", "COOPERATE", "RETREAT", "SUPPORT", "INVESTIGATE"}
)
MATERIAL_HOSTILE = frozenset({"ASSAULT", "COERCE", "FIGHT", "SANCTION", "MOBILIZE"})
VIOLENT = frozenset({"ASSAULT", "FIGHT", "COERCE"})

# Specificity of a match: an entry that names the verb's object beats one that does not.
BARE, NEEDS_OBJECT, NAMED_OBJECT = 1, 2, 3


@dataclass(frozen=True)
class TriggerEntry:
    event: str
    particle: str | None
    objects: frozenset[str] | None
    mode: str | None
    context: str | None
    order: int

    def specificity(self) -> int:
        if self.objects is None:
            return BARE
        return NAMED_OBJECT if self.objects else NEEDS_OBJECT


@dataclass(frozen=True)
class NounEntry:
    event: str
    verbs: frozenset[str]
    mode: str | None


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, tuple[TriggerEntry, ...]]
    adjectives: dict[str, TriggerEntry]
    nouns: dict[str, NounEntry]
    speech_verbs: frozenset[str]
    accusation_verbs: frozenset[str]
    denial_verbs: frozenset[str]
    content_takers: frozenset[str]


def _word(value: object) -> str:
    """A lexicon word; YAML 1.1 reads a bare "on" or "off" as a boolean, refused here."""
    if isinstance(value, bool):
        raise ValueError(f"triggers.yaml: a bare {value!r} (quote on/off/yes/no)")
    return str(value).lower()


@cache
def lexicon() -> Lexicon:
    """The trigger lexicon, loaded once per process."""
    data: dict[str, Any] = load_package_yaml("triggers.yaml")
    verbs: dict[str, list[TriggerEntry]] = {}
    adjectives: dict[str, TriggerEntry] = {}
    nouns: dict[str, NounEntry] = {}
    order = 0
    # File order breaks ties between equally specific entries (PROTEST's "hunger strike"
    # before FIGHT's "strike").
    for event in [key for key in data if key in PLOVER_TYPES]:
        for item in data.get(event) or []:
            objects = item.get("objects")
            object_set = frozenset(_word(o) for o in objects) if objects is not None else None
            mode, context = item.get("mode"), item.get("context")
            if item.get("nouns"):
                happen = frozenset(str(v) for v in item.get("verbs") or [])
                for noun in item["nouns"]:
                    nouns.setdefault(str(noun).lower(), NounEntry(event, happen, mode))
                continue
            for verb in item.get("verbs") or []:
                lemma, _, part = str(verb).partition(" ")
                entry = TriggerEntry(event, part or None, object_set, mode, context, order)
                order += 1
                verbs.setdefault(lemma.lower(), []).append(entry)
            for adjective in item.get("adjectives") or []:
                adjectives[str(adjective).lower()] = TriggerEntry(
                    event, None, None, mode, context, order
                )
                order += 1
    return Lexicon(
        verbs={k: tuple(v) for k, v in verbs.items()},
        adjectives=adjectives,
        nouns=nouns,
        speech_verbs=frozenset(data["speech_verbs"]),
        accusation_verbs=frozenset(data["accusation_verbs"]),
        denial_verbs=frozenset(data["denial_verbs"]),
        content_takers=frozenset(data["content_takers"]),
    )
