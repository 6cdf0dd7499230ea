"""What the pipeline finds in an article: places, actors, quotes, figures, events.

Plain dataclasses with ``to_dict`` giving the shapes of ``ceasefire extract --json``.
Character offsets refer to :attr:`ceasefire.news.article.Article.text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Modality = Literal["occurred", "planned", "claimed", "denied"]


PLACE_FIELDS = (
    "start",
    "end",
    "text",
    "name",
    "lat",
    "lon",
    "country",
    "feature_class",
    "precision",
)
"""The keys of a place mention in JSON, here and in ``ceasefire geoparse --jsonl``."""


def place_fields(mention: object) -> dict[str, Any]:
    """The JSON object of a place mention: the :data:`PLACE_FIELDS` of ``mention``."""
    return {key: getattr(mention, key) for key in PLACE_FIELDS}


@dataclass(frozen=True)
class PlaceMention:
    """A toponym in the text, resolved to a gazetteer entry (from the geo component)."""

    start: int
    end: int
    text: str
    name: str
    lat: float | None
    lon: float | None
    country: str | None
    feature_class: str | None
    precision: int | str | None
    geonameid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return place_fields(self)

    def location(self, basis: str = "stated") -> dict[str, Any]:
        """The ``location`` object of an event."""
        return {
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country": self.country,
            "precision": self.precision,
            "basis": basis,
        }


@dataclass(frozen=True)
class ActorRef:
    """An actor as an argument of an event or the speaker of a quote."""

    text: str
    code: str | None
    sector: str | None
    start: int
    end: int
    id: str | None = None
    name: str | None = None
    role: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "code": self.code, "sector": self.sector}
        if self.id:
            out["id"] = self.id
        if self.name:
            out["name"] = self.name
        if self.role:
            out["role"] = self.role
        out["start"] = self.start
        out["end"] = self.end
        return out


@dataclass
class ActorMention:
    """An actor named in the text (token range ``[token_start, token_end)``)."""

    ref: ActorRef
    token_start: int
    token_end: int
    kind: str
    head: int

    def to_dict(self) -> dict[str, Any]:
        return {**self.ref.to_dict(), "kind": self.kind}


@dataclass(frozen=True)
class SentenceRef:
    text: str
    start: int
    end: int
    section: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "section": self.section}


@dataclass
class Quote:
    """Words attributed to a speaker, directly (in quotation marks) or indirectly."""

    text: str
    start: int
    end: int
    kind: Literal["direct", "indirect"]
    speaker: ActorRef | None
    cue: str | None
    sentence: SentenceRef
    speaker_resolved_from: str | None = None
    component: str = "news.quotes.v1"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "speaker": self.speaker.to_dict() if self.speaker else None,
            "speaker_resolved_from": self.speaker_resolved_from,
            "cue": self.cue,
            "sentence": self.sentence.to_dict(),
            "component": self.component,
        }


@dataclass(frozen=True)
class CasualtyFigure:
    """A stated number of people killed, wounded, missing, captured or displaced."""

    kind: Literal["killed", "wounded", "missing", "captured", "displaced"]
    low: int
    high: int
    text: str
    start: int
    end: int
    who: str | None = None
    approximate: bool = False
    component: str = "news.casualties.v1"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "low": self.low,
            "high": self.high,
            "approximate": self.approximate,
            "who": self.who,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "component": self.component,
        }


@dataclass(frozen=True)
class WeaponMention:
    """A weapon or means of attack named in the text, with its class."""

    text: str
    weapon_class: str
    start: int
    end: int
    component: str = "news.casualties.v1"

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "class": self.weapon_class,
            "start": self.start,
            "end": self.end,
            "component": self.component,
        }


@dataclass
class Event:
    """A PLOVER event with its actors, time, place, modality and evidence."""

    event: str
    mode: str | None
    context: str | None
    modality: Modality
    source: list[ActorRef]
    target: list[ActorRef]
    date: date | None
    date_precision: str | None
    date_text: str | None
    location: dict[str, Any] | None
    sentence: SentenceRef
    trigger: list[str]
    trigger_span: tuple[int, int]
    confidence: float
    component: str = "news.events.v1"
    claimed_by: list[ActorRef] = field(default_factory=list)
    casualties: list[CasualtyFigure] = field(default_factory=list)
    weapons: list[WeaponMention] = field(default_factory=list)
    primary: bool = False
    negated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "mode": self.mode,
            "context": self.context,
            "modality": self.modality,
            "source": [a.to_dict() for a in self.source],
            "target": [a.to_dict() for a in self.target],
            "claimed_by": [a.to_dict() for a in self.claimed_by],
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "date_text": self.date_text,
            "location": self.location,
            "sentence": self.sentence.to_dict(),
            "trigger": list(self.trigger),
            "trigger_span": {"start": self.trigger_span[0], "end": self.trigger_span[1]},
            "casualties": [c.to_dict() for c in self.casualties],
            "weapons": [w.to_dict() for w in self.weapons],
            "confidence": round(self.confidence, 2),
            "primary": self.primary,
            "component": self.component,
        }
