"""What the Russian and Turkish pipelines share: their data, place choice, dates and events.

Both pipelines work on their own token lists (natasha's for Russian, a suffix-aware tokenizer
for Turkish), so the pieces here take plain values: words, offsets, gazetteer entries.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from ceasefire.news.article import Article
from ceasefire.news.geo.gazetteer import Place
from ceasefire.news.geo.resolve import FOCUS_PRIOR, KIND_PRIOR, POPULATION_WEIGHT
from ceasefire.news.model import ActorRef, Event, Modality, PlaceMention, Quote, SentenceRef
from ceasefire.news.pipeline import NewsDoc
from ceasefire.news.timeexpr import Precision, TimeMention

_DATA = "ceasefire.news.lang.data"
ACTOR_KINDS = ("states", "metonyms", "people", "organisations")
# Evidence for a reading in a country the text names (as in news/geo/resolve.py).
COUNTRY_EVIDENCE = 1.5
ADMIN_WORD_EVIDENCE = 3.0
# A city is read before the province of the same name unless the text says "district".
CITY_OVER_ADMIN = 0.5
# The event types a negation turns into REJECT ("не согласились", "kabul etmedi").
COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})


@cache
def load_data(name: str) -> dict[str, Any]:
    """A YAML file of ``news/lang/data`` (read once per process)."""
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


@dataclass(frozen=True)
class ActorEntry:
    """An actor of the Russian/Turkish dictionary, under one of its words or phrases."""

    code: str
    sector: str | None
    kind: str  # "state", "metonym", "person", "organisation"
    name: str | None = None


@cache
def actor_entries(language: str) -> dict[tuple[str, ...], ActorEntry]:
    """The actor dictionary of ``language`` ("ru" lemmas, "tr" stems), keyed by word tuples."""
    data = load_data("actors.yaml")
    entries: dict[tuple[str, ...], ActorEntry] = {}
    for group in ACTOR_KINDS:
        kind = group.rstrip("s") if group != "people" else "person"
        for item in data.get(group, []):
            entry = ActorEntry(
                code=str(item["code"]),
                sector=item.get("sector") or ("GOV" if kind == "state" else None),
                kind=kind,
                name=item.get("name"),
            )
            for phrase in item.get(language) or []:
                entries[tuple(str(phrase).split())] = entry
    return entries


def actor_ref(
    text: str, start: int, end: int, entry: ActorEntry | None, sector: str | None = None
) -> ActorRef:
    """An :class:`ActorRef` for a span of ``Article.text``."""
    return ActorRef(
        text=text,
        code=entry.code if entry else None,
        sector=sector or (entry.sector if entry else None),
        start=start,
        end=end,
        name=entry.name if entry and entry.kind == "person" else None,
    )


# -- places ---------------------------------------------------------------------------------


def best_place(
    candidates: Iterable[Place],
    *,
    countries: Mapping[str, int],
    focus: Sequence[str],
    admin_word: bool = False,
) -> Place | None:
    """The reading of a name the text most likely means.

    The priors and weights of the English resolver (news/geo/resolve.py): size, kind, the
    region of interest, and the countries the text names.
    """
    best: Place | None = None
    best_score = -math.inf
    for place in candidates:
        score = POPULATION_WEIGHT * math.log10(place.population + 1) + KIND_PRIOR.get(place.kind, 0)
        if place.country in focus:
            score += FOCUS_PRIOR
        if countries.get(place.country):
            score += COUNTRY_EVIDENCE
        if admin_word and place.kind in ("admin1", "admin2"):
            score += ADMIN_WORD_EVIDENCE
        elif not admin_word and place.kind == "city":
            score += CITY_OVER_ADMIN
        if score > best_score:
            best, best_score = place, score
    return best


def known_town(place: Place, focus: Sequence[str]) -> bool:
    """Whether a town is known enough to read a doubtful name as (a word that may not be a
    place at all): 100,000 people or more, or 1,000 in the region of interest, not an obscure
    village elsewhere."""
    return place.population >= 100_000 or (place.country in focus and place.population >= 1_000)


def place_mention(text: str, start: int, end: int, place: Place) -> PlaceMention:
    """A :class:`PlaceMention` of ``place`` at ``[start, end)`` of the article's text."""
    return PlaceMention(
        start=start,
        end=end,
        text=text,
        name=place.name,
        lat=round(place.lat, 5),
        lon=round(place.lon, 5),
        country=place.country or None,
        feature_class=place.feature_class,
        precision=place.precision,
        geonameid=place.geonameid,
    )


def resolve_places(
    text: str,
    found: Iterable[tuple[int, int, list[Place], bool]],
    *,
    countries: Mapping[str, int],
    focus: Sequence[str],
) -> list[PlaceMention]:
    """The place mentions of the names ``found`` in ``text``, in text order: each name
    (start, end, the places it may mean, whether an administrative word goes with it) read
    as its :func:`best_place`, or left out when it has none."""
    mentions = []
    for start, end, candidates, admin in found:
        place = best_place(candidates, countries=countries, focus=focus, admin_word=admin)
        if place is not None:
            mentions.append(place_mention(text[start:end], start, end, place))
    return sorted(mentions, key=lambda p: p.start)


# -- dates ----------------------------------------------------------------------------------

_MONTHS = {
    "ru": r"январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[яй]|июн[ья]|июл[ья]|августа?|"
    r"сентябр[ья]|октябр[ья]|ноябр[ья]|декабр[ья]",
    "tr": r"ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık",
}
_WEEKDAYS = {
    "ru": ["понедельник", "вторник", "сред", "четверг", "пятниц", "суббот", "воскресень"],
    "tr": ["pazartesi", "salı", "çarşamba", "perşembe", "cuma", "cumartesi", "pazar"],
}
_RELATIVE = {
    "ru": r"вчера|сегодня|позавчера|завтра",
    "tr": r"dün|bugün|yarın",
}


@cache
def _date_pattern(language: str) -> re.Pattern[str]:
    weekdays = "|".join(_WEEKDAYS[language])
    return re.compile(
        rf"(?P<dm>\b\d{{1,2}}\s+(?:{_MONTHS[language]})[a-zа-яçğıöşü]*(?:\s+\d{{4}})?)"
        rf"|(?P<wd>\b(?:{weekdays})[a-zа-яçğıöşü]*)"
        rf"|(?P<rel>\b(?:{_RELATIVE[language]})\b)",
        re.IGNORECASE,
    )


def find_dates(text: str, language: str, reference: date | None) -> list[TimeMention]:
    """Dates in a Russian or Turkish text, resolved with dateparser against ``reference``.

    A day and month without a year takes the year that puts it nearest the article's date
    (a November article's "1 декабря" is the coming one, a January article's "10 ноября" the
    last one); a weekday is the last such day before the article (news reports the past).
    """
    if reference is None:
        return []
    import dateparser

    base = datetime(reference.year, reference.month, reference.day)  # noqa: DTZ001 - a date
    found: list[TimeMention] = []
    for match in _date_pattern(language).finditer(text):
        raw = match.group(0)
        precision: Precision = "day"
        if match.group("wd"):
            day = _last_weekday(raw, language, reference)
            if day is None:
                continue
        else:
            parsed = dateparser.parse(
                raw,
                languages=[language],
                settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "current_period"},
            )
            if parsed is None:
                continue
            day = parsed.date()
            if match.group("dm") and not re.search(r"\d{4}", raw):
                day = _nearest_year(day, reference)
        found.append(
            TimeMention(
                text=raw, start=match.start(), end=match.end(), date=day, precision=precision
            )
        )
    return found


def _nearest_year(day: date, reference: date) -> date:
    options = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:  # 29 February
            continue
    return min(options, key=lambda d: abs((d - reference).days))


def _last_weekday(word: str, language: str, reference: date) -> date | None:
    lowered = word.casefold()
    for number, stem in enumerate(_WEEKDAYS[language]):
        # "cumartesi" starts with "cuma": the longest stem wins.
        if lowered.startswith(stem) and not any(
            lowered.startswith(other) and len(other) > len(stem) for other in _WEEKDAYS[language]
        ):
            back = (reference.weekday() - number) % 7 or 7
            return reference - timedelta(days=back)
    return None


# -- sentences and events -------------------------------------------------------------------


def sentence_ref(article: Article, start: int, end: int) -> SentenceRef:
    """The evidence sentence ``[start, end)`` of the article's text, with its section."""
    block = article.block_at(start)
    return SentenceRef(
        text=article.text[start:end],
        start=start,
        end=end,
        section=block.kind if block else None,
    )


def block_quote(
    news: NewsDoc,
    words: str,
    span: tuple[int, int],
    kind: Literal["direct", "indirect"],
    speaker: ActorRef | None,
    cue: str | None,
    how: str | None,
    component: str,
) -> Quote:
    """A quote of ``words`` at ``span``, its evidence the paragraph it stands in."""
    start, end = span
    block = news.article.block_at(start)
    return Quote(
        text=words,
        start=start,
        end=end,
        kind=kind,
        speaker=speaker,
        cue=cue,
        sentence=sentence_ref(
            news.article, block.start if block else start, block.end if block else end
        ),
        speaker_resolved_from=how if speaker else None,
        component=component,
    )


def argument_confidence(source: list[ActorRef], target: list[ActorRef]) -> float:
    """An event's confidence from its arguments, as the ru, tr and suffixing coders score it:
    0.4 for the trigger, 0.25 more when a source is coded, 0.15 more when it has a target."""
    return 0.4 + (0.25 if any(r.code for r in source) else 0) + (0.15 if target else 0)


def sentence_event(
    news: NewsDoc,
    start: int,
    end: int,
    *,
    event: str,
    modality: Modality,
    source: list[ActorRef],
    target: list[ActorRef],
    location: dict[str, Any] | None,
    trigger: list[str],
    trigger_span: tuple[int, int],
    confidence: float,
    component: str,
    claimed_by: list[ActorRef],
) -> Event:
    """An event found in the sentence ``[start, end)``: dated by the first date the sentence
    gives, with the sentence as its evidence (no PLOVER mode or context: these pipelines do
    not tell them)."""
    time = next((m for m in news.times if start <= m.start < end), None)
    return Event(
        event=event,
        mode=None,
        context=None,
        modality=modality,
        source=source,
        target=target,
        date=time.date if time else None,
        date_precision=time.precision if time else None,
        date_text=time.text if time else None,
        location=location,
        sentence=sentence_ref(news.article, start, end),
        trigger=trigger,
        trigger_span=trigger_span,
        confidence=min(confidence, 1.0),
        component=component,
        claimed_by=claimed_by,
    )


def nearest_location(
    places: Iterable[PlaceMention],
    start: int,
    end: int,
    offset: int,
    taken: Collection[tuple[int, int]] = (),
) -> dict[str, Any] | None:
    """Where an event at ``offset`` happened: the place named nearest to it in the sentence
    ``[start, end)``, neither an argument's span in ``taken`` nor a whole country (6)."""
    candidates = [
        p
        for p in places
        if start <= p.start < end and (p.start, p.end) not in taken and p.precision != 6
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda p: abs(p.start - offset)).location()


def token_run_event(
    news: NewsDoc,
    start: int,
    end: int,
    words: Sequence[Any],
    *,
    event: str,
    modality: Modality,
    source: list[ActorRef],
    target: list[ActorRef],
    component: str,
    claimed_by: list[ActorRef],
) -> Event:
    """An event of the sentence ``[start, end)`` whose trigger is a run of tokens ``words``
    (the token pipelines: tr, az, hy): placed at the place nearest its first word, its
    confidence from its arguments."""
    first, last = words[0].start, words[-1].end
    return sentence_event(
        news,
        start,
        end,
        event=event,
        modality=modality,
        source=source,
        target=target,
        location=nearest_location(news.places, start, end, first),
        trigger=[t.text for t in words],
        trigger_span=(first, last),
        confidence=argument_confidence(source, target),
        component=component,
        claimed_by=claimed_by,
    )


def scratch_list(news: NewsDoc, key: str) -> list[Any]:
    """What a component of the pipeline left under ``key`` (its sentences, its actors)."""
    value = news.scratch.get(key)
    return value if isinstance(value, list) else []


def sentences_component(
    key: str, split: Callable[[str, int], list[Any]]
) -> Callable[[NewsDoc], NewsDoc]:
    """The first step of a language: each block of the article cut into its sentences by
    ``split(text, offset)`` (offsets into ``Article.text``), kept under ``key`` for the
    steps after it."""

    def sentences(news: NewsDoc) -> NewsDoc:
        found: list[Any] = []
        for block in news.article.blocks:
            found.extend(split(block.text, block.start))
        news.scratch[key] = found
        return news

    return sentences


def events_component(
    sentences_key: str,
    actors_key: str,
    sentence_events: Callable[[NewsDoc, Any, Any], list[Event]],
) -> Callable[[NewsDoc], NewsDoc]:
    """The ``events`` step of a language: ``sentence_events(news, sentence, actors)`` for
    each sentence, with what the actor step found in it (kept under ``actors_key``, one item
    a sentence; None when it found nothing there)."""

    def events(news: NewsDoc) -> NewsDoc:
        actors = scratch_list(news, actors_key)
        found: list[Event] = []
        for number, sentence in enumerate(scratch_list(news, sentences_key)):
            found.extend(sentence_events(news, sentence, of_sentence(actors, number)))
        news.events = found
        return news

    return events


def of_sentence(found: Sequence[Any], number: int) -> Any | None:
    """What a step found in the sentence ``number`` (its list has one item a sentence), or
    None when it has no item for it."""
    return found[number] if number < len(found) else None


def times_component(language: str) -> Callable[[NewsDoc], NewsDoc]:
    """The ``times`` step of a language: its dates, resolved against the reference date."""

    def times(news: NewsDoc) -> NewsDoc:
        news.times = find_dates(news.article.text, language, news.reference_date)
        return news

    return times


ALPHA3_TO_2 = {
    "AZE": "AZ",
    "ARM": "AM",
    "RUS": "RU",
    "TUR": "TR",
    "USA": "US",
    "FRA": "FR",
    "IRN": "IR",
    "GEO": "GE",
    "UKR": "UA",
    "DEU": "DE",
    "GBR": "GB",
    "ISR": "IL",
    "PAK": "PK",
    "SYR": "SY",
}
