"""Toponym resolution: choosing, for each recognised name, the place the text means.

Every reading of a name is scored; the highest wins (docs/geoparsing.md explains the weights):

* a weak prior for size (log population) and kind (countries and regions before villages);
* a weak prior for the region of interest (``GeoContext.focus_countries``);
* evidence from the text: countries it names, countries its demonyms name ("Azeri", "Turkish"),
  the countries and first-order divisions of the places already resolved with confidence, and
  the distance to those places;
* the qualifier of "X, Y" ("Barda, Azerbaijan", "Portland, Oregon");
* "X district" / "X province" makes the administrative reading of X win.

Resolution runs twice: the first round resolves what it can on priors and the names of
countries; its confident choices (anchors) become the evidence of the second round.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TypeVar

from ceasefire.news.geo.gazetteer import (
    PRECISION_ADMIN2,
    PRECISION_NEAR,
    Gazetteer,
    Place,
    contains,
)
from ceasefire.news.geo.mention import DEFAULT_CONTEXT, GeoContext, PlaceMention, distance_km
from ceasefire.news.geo.normalise import name_key
from ceasefire.news.geo.recognise import (
    ADMIN_WORDS,
    AREA_NOUNS,
    COMPASS_WORDS,
    OUTER_KINDS,
    PLURAL_ADMIN_WORDS,
    STATE_ABBREVIATIONS,
    WATER_WORDS,
    Toponym,
)

POPULATION_WEIGHT = 0.35
KIND_PRIOR: Mapping[str, float] = {
    "country": 1.0,
    "continent": 1.0,
    "region": 4.5,
    "water": 4.5,
    "admin1": 0.25,
    "admin2": 0.0,
    "city": 0.0,
}
FOCUS_PRIOR = 0.75
CAPITAL_PRIOR = 1.0  # "Washington" is the capital before the state, "London" before Ontario's
FACILITY_TOWN_POPULATION = 100_000
PRIMARY_NAME = 0.75  # the name GeoNames gives the place, not one of its alternate names
COUNTRY_EVIDENCE = 1.5
COUNTRY_EVIDENCE_REPEATED = 0.5  # a country named three times or more
ADMIN1_EVIDENCE = 1.5
QUALIFIER_EVIDENCE = 4.0
ADMIN_WORD_EVIDENCE = 3.0
# "central Washington", "northern Syria": an area, so a country or division before a town.
PART_OF_EVIDENCE = 2.0
# "California or Washington", "England and Wales": a name listed with countries or divisions
# is one of the same kind (the capital and the village of those names are not meant).
LISTED_KIND_EVIDENCE = 2.0
_LISTED_KINDS = frozenset({"country", "admin1", "admin2"})
# The model labels seas, continents and regions LOC, states and towns GPE.
LOC_LABEL_EVIDENCE = 2.0
_NATURAL_KINDS = frozenset({"region", "water", "continent"})
ANCHOR_MARGIN = 1.0
# A county of the state of a large town an organisation is named after ("The Denver Post
# reported that Adams County ..."): local outlets and teams report on their own area.
ORG_STATE_EVIDENCE = 1.0
ORG_TOWN_POPULATION = 100_000
# A county of a state where another county the text names also lies.
COUNTY_STATE_EVIDENCE = 0.75  # a tie-break: the towns the text names weigh more
# The document's region (round three, ``_region``): the country, and the first-order division
# the text names, where the most names of the text have a plausible reading (one within
# ``ANCHOR_MARGIN`` of their best), at least ``REGION_NAMES`` of them and more than anywhere
# else: a tie-break among the readings of one kind of the names round two left undecided
# ("Columbus" beside "a Georgia man" is Georgia's).
REGION_COUNTRY_EVIDENCE = 1.0  # only for a country the text does not name
REGION_DIVISION_EVIDENCE = 0.5
REGION_NAMES = 2
TOWN_STATE_EVIDENCE = 0.5  # a tie-break between namesake counties
SAME_PLACE_KM = 50.0
SEAT_KM = 30.0
# ... and a seat holds at least this share of its division's people: a village of the same
# name near the middle of a province ("Syunik", 645 inhabitants) is not what the name means.
SEAT_SHARE = 20
_LOCAL_KINDS = frozenset({"city", "admin1", "admin2"})
# The anchors a local reading is measured from.
_NEARBY_KINDS = _LOCAL_KINDS | {"region"}
_ADMIN_KINDS = frozenset({"admin1", "admin2"})


@dataclass(frozen=True, slots=True)
class _Evidence:
    # How often the text names each country: the context's, demonyms, the countries of its
    # confident readings and of names whose country is certain though their place is not.
    countries: Counter[str]
    # (name key of the mention, country, admin1 code, population of the division)
    admin1: frozenset[tuple[str, str, str, int]]
    anchors: tuple[tuple[str, Place], ...]  # (name key of the mention, place)
    # (name key, country, admin1) of the towns an organisation is named after ("The Denver
    # Post"): no anchors, but a county of their state is likelier than its namesakes.
    org_states: frozenset[tuple[str, str, str]] = frozenset()
    # (name key, country, admin1) of each US-style county reading of the text's county names:
    # counties named together are in one state if they can be ("Orange County and Seminole
    # County" are both Florida's, not California's and Oklahoma's).
    county_states: frozenset[tuple[str, str, str]] = frozenset()
    # The document's region, (country, admin1); "" where none explains most names.
    region: tuple[str, str] = ("", "")
    # The state (country, admin1) most of the text's towns were read in, confident or not:
    # where a county no confident town places ("Fayette County" beside Lexington and
    # Versailles, both read as Kentucky's) most likely is. Round three only.
    town_state: tuple[str, str] = ("", "")
    # ``_full_key`` of the names scored against this evidence, by name: a document's
    # candidate readings share a few hundred names, each scored many times.
    full_keys: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class _Choice:
    place: Place
    margin: float
    # The margin over the best reading in another country: "Jacksonville" may be in Florida
    # or North Carolina, but it is in the United States.
    country_margin: float = 0.0
    # The readings that score within ``ANCHOR_MARGIN`` of the best: where the name may be.
    plausible: tuple[Place, ...] = ()


def _in_state_of_another(place: Place, key: str, states: frozenset[tuple[str, str, str]]) -> bool:
    """Whether ``place`` is in the (country, admin1) of one of ``states`` (name key, country,
    admin1) that another mention than ``key`` gives."""
    return any(
        (country, admin1) == (place.country, place.admin1)
        for other, country, admin1 in states
        if other != key
    )


def _proximity_bonus(km: float) -> float:
    if km < 100:
        return 1.5
    if km < 300:
        return 1.0
    if km < 1000:
        return 0.5
    return 0.0


# Abbreviated words of place names, as news writes them: "St. Petersburg" is GeoNames's
# "Saint Petersburg", "Ft. Worth" its "Fort Worth".
_ABBREVIATED_WORDS: Mapping[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "mt": "mount",
    "ft": "fort",
}


def _full_key(name: str) -> str:
    """The name's key with abbreviated words written out."""
    return " ".join(_ABBREVIATED_WORDS.get(word, word) for word in name_key(name).split())


def _known_full_key(evidence: _Evidence, name: str) -> str:
    """``_full_key(name)``, worked out once per name for the evidence of one document."""
    key = evidence.full_keys.get(name)
    if key is None:
        key = evidence.full_keys[name] = _full_key(name)
    return key


# A division no town weighs (a US county placed at its state's middle) is weighed as the
# median US county (about 25,000 people, Census 2020), not as an empty one.
UNWEIGHED_DIVISION_POPULATION = 25_000


def _prior(place: Place) -> float:
    population = place.population
    if place.kind == "admin2" and not population:
        population = UNWEIGHED_DIVISION_POPULATION
    return POPULATION_WEIGHT * math.log10(population + 1) + KIND_PRIOR[place.kind]


def score_place(
    place: Place,
    toponym: Toponym,
    evidence: _Evidence,
    qualifiers: Sequence[Place],
    context: GeoContext,
    listed_kinds: frozenset[str] = frozenset(),
) -> float:
    """How well ``place`` explains ``toponym`` given the rest of the text; ``listed_kinds``
    are the kinds of the places listed with it."""
    score = _prior(place)
    if _known_full_key(evidence, place.name) == _known_full_key(evidence, toponym.text):
        # Under its own name only: "Mexico" is the country, not Mexico City.
        score += PRIMARY_NAME + (CAPITAL_PRIOR if place.capital else 0.0)
    if place.country and place.country in context.focus_countries:
        score += FOCUS_PRIOR
    key = name_key(toponym.text)
    named = evidence.countries.get(place.country, 0) if place.country else 0
    if named:
        score += COUNTRY_EVIDENCE + (COUNTRY_EVIDENCE_REPEATED if named >= 3 else 0.0)
    if place.kind in {"city", "admin2"} and any(
        (country, admin1) == (place.country, place.admin1)
        and (other != key or place.population * SEAT_SHARE >= people)
        for other, country, admin1, people in evidence.admin1
    ):
        # A division the text names, by another mention or by this one if the town can be
        # its seat ("New York"); the province Syunik does not vouch for the village Syunik.
        score += ADMIN1_EVIDENCE
    if place.kind == "admin2" and any(
        anchor.kind == "city" and (anchor.country, anchor.admin1) == (place.country, place.admin1)
        for anchor_key, anchor in evidence.anchors
        if anchor_key != key
    ):
        # "Lake County" in a text about Mundelein and Libertyville is Illinois's: a county of
        # the state the text's towns are in.
        score += ADMIN1_EVIDENCE
    elif place.kind == "admin2" and _in_state_of_another(place, key, evidence.org_states):
        score += ORG_STATE_EVIDENCE
    if place.kind == "admin2" and _in_state_of_another(place, key, evidence.county_states):
        score += COUNTY_STATE_EVIDENCE
    if place.kind in _LOCAL_KINDS:
        distances = [
            distance_km(place.lat, place.lon, anchor.lat, anchor.lon)
            for anchor_key, anchor in evidence.anchors
            if anchor_key != key and anchor.kind in _NEARBY_KINDS
        ]
        if distances:
            score += _proximity_bonus(min(distances))
    region_country, region_admin1 = evidence.region
    if region_country and place.country == region_country:
        if not named:
            # A country the text does not name outright but most of its names point to.
            score += REGION_COUNTRY_EVIDENCE
        if region_admin1 and place.kind in {"city", "admin2"} and place.admin1 == region_admin1:
            score += REGION_DIVISION_EVIDENCE
    if place.kind == "admin2" and (place.country, place.admin1) == evidence.town_state:
        score += TOWN_STATE_EVIDENCE
    if toponym.admin_word and place.kind in _ADMIN_KINDS:
        score += ADMIN_WORD_EVIDENCE
    if toponym.part_of and place.kind in _LISTED_KINDS | {"region"}:
        score += PART_OF_EVIDENCE
    if place.kind in listed_kinds:
        score += LISTED_KIND_EVIDENCE
    if toponym.label == "LOC" and place.kind in _NATURAL_KINDS:
        score += LOC_LABEL_EVIDENCE
    if any(contains(outer, place) for outer in qualifiers):
        score += QUALIFIER_EVIDENCE
    return score


def candidates(toponym: Toponym, gazetteer: Gazetteer) -> list[Place]:
    """The readings of a toponym: its name, then its name without "district" etc.

    A building or airport (spaCy FAC) named like a village is not that village ("White
    House", "Heathrow"): it may only be read as a large town or a non-town. So is a name of two
    letters or fewer ("BA", "La"), unless it names a country, division or region ("US", "EU")
    or an administrative word follows it ("Bo district").
    """
    places = _readings(toponym, gazetteer)
    if toponym.natural_word in WATER_WORDS:
        # "the Dnipro river" is not the city Dnipro: a division named after the water
        # (Sudan's Blue Nile state) is its nearest reading, else it stays unresolved.
        places = [p for p in places if p.kind != "city"]
    if toponym.label == "FAC":
        places = [p for p in places if p.kind != "city" or p.population >= FACILITY_TOWN_POPULATION]
    if (
        len(name_key(toponym.text).replace(" ", "")) <= 2
        and toponym.text not in STATE_ABBREVIATIONS
        and not toponym.admin_word  # "Bo district": the district, named after its town
    ):
        places = [p for p in places if p.kind in {"country", "admin1", "region"}]
    if _short_capitals(toponym.text) and not toponym.dateline:
        # GeoNames gives towns their airport codes as alternate names ("DKR" Dakar, "SAT" San
        # Antonio): in capitals, a short name is a town only as its own name or its initials
        # ("NYC"); "NBC News" or "the TNA" are not Nizhnekamsk or Jinan. A dateline ("KIEV,
        # Ukraine (AP) -") names a town under any of its names.
        key = name_key(toponym.text)
        places = [
            p for p in places if p.kind != "city" or key in {name_key(p.name), _initials(p.name)}
        ]
    return places


def _short_capitals(text: str) -> bool:
    return text.isalpha() and text.isupper() and 3 <= len(text) <= 4


def _initials(name: str) -> str:
    return "".join(word[0] for word in name_key(name).split())


def _readings(toponym: Toponym, gazetteer: Gazetteer) -> list[Place]:
    if toponym.text in STATE_ABBREVIATIONS:
        country, name = STATE_ABBREVIATIONS[toponym.text]
        return [p for p in gazetteer.lookup(name) if p.kind == "admin1" and p.country == country]
    places = gazetteer.lookup(toponym.text) + gazetteer.lookup_postal(toponym.text)
    if toponym.admin_word and toponym.text.lower().endswith(toponym.admin_word):
        stripped = gazetteer.lookup(toponym.text[: -len(toponym.admin_word)])
        if not places:
            places = stripped
        elif toponym.admin_word == "county":
            # "Kent County" is a US county and, in "Kent County Council", the English one:
            # the text's countries decide between them.
            places += [p for p in stripped if p.kind in _ADMIN_KINDS and p not in places]
    if not places and "," in toponym.text:
        head, _, tail = toponym.text.partition(",")
        outer = gazetteer.lookup(tail)
        places = [p for p in gazetteer.lookup(head) if any(contains(o, p) for o in outer)]
    return places


def _choose(
    toponym: Toponym,
    places: Sequence[Place],
    evidence: _Evidence,
    qualifiers: Sequence[Place],
    context: GeoContext,
    listed_kinds: frozenset[str] = frozenset(),
) -> _Choice:
    scored = sorted(
        (
            (score_place(p, toponym, evidence, qualifiers, context, listed_kinds), i)
            for i, p in enumerate(places)
        ),
        reverse=True,
    )
    best_score, best_index = scored[0]
    best = places[best_index]
    rivals = [
        score
        for score, i in scored[1:]
        if distance_km(best.lat, best.lon, places[i].lat, places[i].lon) > SAME_PLACE_KM
    ]
    margin = best_score - rivals[0] if rivals else best_score
    abroad = [score for score, i in scored[1:] if places[i].country != best.country]
    country_margin = best_score - abroad[0] if abroad else best_score
    plausible = tuple(places[i] for score, i in scored if best_score - score < ANCHOR_MARGIN)
    if best.kind in _ADMIN_KINDS and not toponym.admin_word:
        # A district named after its seat: the town is the more precise reading.
        seats = [
            p
            for p in places
            if p.kind == "city"
            and p.country == best.country
            and distance_km(best.lat, best.lon, p.lat, p.lon) < SEAT_KM
            and p.population * SEAT_SHARE >= best.population
        ]
        if seats:
            best = max(seats, key=lambda p: p.population)
    return _Choice(best, margin, country_margin, plausible)


def _region(chosen: Sequence[tuple[Toponym, _Choice]]) -> tuple[str, str]:
    """The document's region: the country where the most names of the text have a plausible
    reading, at least ``REGION_NAMES`` names and more than in any other country, and of the
    first-order divisions of it that a name was read as in round two, the one that explains
    the most names likewise; ("", "") where no country does, "" for no such division. A town
    an organisation is named after does not count, as for anchors."""
    countries: dict[str, set[str]] = {}
    divisions: dict[tuple[str, str], set[str]] = {}
    named = {(c.place.country, c.place.admin1) for _, c in chosen if c.place.kind == "admin1"}
    for toponym, choice in chosen:
        if toponym.label == "ORG" and choice.place.kind == "city":
            continue
        key = name_key(toponym.text)
        for place in choice.plausible:
            if place.country:
                countries.setdefault(place.country, set()).add(key)
                if place.admin1 and place.kind in _LOCAL_KINDS:
                    divisions.setdefault((place.country, place.admin1), set()).add(key)
    country = _most(countries)
    if not country:
        return ("", "")
    division = _most({d: keys for d, keys in divisions.items() if d[0] == country and d in named})
    return (country, division[1] if division else "")


def _town_state(chosen: Sequence[tuple[Toponym, _Choice]]) -> tuple[str, str]:
    """The (country, admin1) that round two read most of the text's town names in, at least
    ``REGION_NAMES`` and more than any other; ("", "") where none. Not the towns
    organisations are named after."""
    states: dict[tuple[str, str], set[str]] = {}
    for toponym, choice in chosen:
        place = choice.place
        if place.kind == "city" and place.admin1 and toponym.label != "ORG":
            states.setdefault((place.country, place.admin1), set()).add(name_key(toponym.text))
    return _most(states) or ("", "")


def _rechoose(
    toponym: Toponym,
    choice: _Choice,
    evidence: _Evidence,
    qualifiers: Sequence[Place],
    context: GeoContext,
    listed_kinds: frozenset[str],
) -> _Choice:
    """Round three's choice: a name round two left undecided (margin under
    ``ANCHOR_MARGIN``), between its plausible readings of the chosen kind."""
    if choice.margin >= ANCHOR_MARGIN:
        return choice
    rivals = [p for p in choice.plausible if p.kind == choice.place.kind]
    if len(rivals) < 2:
        return choice
    again = _choose(toponym, rivals, evidence, qualifiers, context, listed_kinds)
    if again.place == choice.place or score_place(
        again.place, toponym, evidence, qualifiers, context, listed_kinds
    ) <= score_place(choice.place, toponym, evidence, qualifiers, context, listed_kinds):
        return choice  # the region breaks ties it creates, not those round two had
    return replace(again, margin=min(again.margin, choice.margin))


_Key = TypeVar("_Key")


def _most(names: Mapping[_Key, set[str]]) -> _Key | None:
    """The key explaining the most names, at least ``REGION_NAMES`` and more than any other."""
    counts = sorted(((len(keys), k) for k, keys in names.items()), key=lambda c: -c[0])
    if not counts or counts[0][0] < REGION_NAMES:
        return None
    if len(counts) > 1 and counts[1][0] == counts[0][0]:
        return None
    return counts[0][1]


def _qualifiers(
    toponyms: Sequence[Toponym], readings: Sequence[list[Place]], text: str
) -> tuple[list[list[Place]], dict[int, int]]:
    """For "X, Y", "the X zone of Y" and "X (and Z) in southern Y": the readings of Y that
    may contain X; and for each such X, the index of Y."""
    result: list[list[Place]] = [[] for _ in toponyms]
    outer_of: dict[int, int] = {}
    for i in range(len(toponyms) - 1):
        here, after = toponyms[i], toponyms[i + 1]
        if after.label == "NORP":
            continue
        between = text[here.end : after.start].strip()
        if between == ",":
            if i + 2 < len(toponyms) and _listed(text, after, toponyms[i + 2]):
                continue  # "Hodeidah, Sanaa and Taiz": a list, not a town in its division
            outer = i + 1
        elif _AREA_OF.fullmatch(between):
            outer = i + 1  # "the Guji zone of Oromia", "the Sanaag and Togdheer regions of"
        else:
            # "Wagga Wagga and Gundagai in southern NSW": the names of a list, then "in";
            # not a name no gazetteer knows ("the White House in Washington", a building).
            j = i
            while j + 1 < len(toponyms) and _join(text, *toponyms[j : j + 2]) in _LIST_JOINS:
                j += 1
            if j + 1 >= len(toponyms) or toponyms[j + 1].label == "NORP" or not readings[i]:
                continue
            join = _join(text, toponyms[j], toponyms[j + 1])
            if not (_IN_AREA.fullmatch(join) or (j > i and _AREA_OF.fullmatch(join))):
                continue
            outer = j + 1
        result[i] = [p for p in readings[outer] if p.kind in OUTER_KINDS]
        if result[i]:
            outer_of[i] = outer
    return result, outer_of


_LIST_JOINS = frozenset({",", "and", "or", "&", ", and", ", or"})
# "X zone of Y", "X and Z districts of the Y": Y contains the area X names.
_AREA_WORDS = AREA_NOUNS | PLURAL_ADMIN_WORDS.keys() | {noun + "s" for noun in AREA_NOUNS}
_AREA_OF = re.compile(rf"(?:health )?(?:{'|'.join(sorted(_AREA_WORDS))}) of(?: the)?")
# "X in Y", "X in the eastern Y", "X in north Y": Y contains X.
_IN_AREA = re.compile(rf"in(?: the)?(?: (?:{'|'.join(sorted(COMPASS_WORDS))}))?")


def _join(text: str, here: Toponym, after: Toponym) -> str:
    """The words between two toponyms."""
    return " ".join(text[here.end : after.start].split())


def _towns_outside_qualifier(
    toponyms: Sequence[Toponym],
    readings: Sequence[list[Place]],
    qualifiers: Sequence[list[Place]],
    outer_of: Mapping[int, int],
    text: str,
) -> set[int]:
    """The toponyms "X, Y" whose readings are all towns outside the division Y names
    ("Rockingham, Northamptonshire": the English village is below GeoNames' 500 people, its
    namesakes are in Australia and the US), X being placed in Y instead. Y must be a division
    before anything else (not "London", a city before the City of London) and end the list
    ("West Palm Beach, New York, Boston" lists towns)."""
    found: set[int] = set()
    for i, (reading, qualifier) in enumerate(zip(readings, qualifiers, strict=True)):
        if not (reading and qualifier) or any(p.kind != "city" for p in reading):
            continue
        if any(contains(q, p) for q in qualifier for p in reading):
            continue
        k = outer_of[i]
        if max(readings[k], key=_prior).kind not in _ADMIN_KINDS:
            continue
        after = toponyms[k]
        if k + 1 < len(toponyms) and text[after.end : toponyms[k + 1].start].strip() in _LIST_JOINS:
            continue
        found.add(i)
    return found


def _listed_kinds(
    toponyms: Sequence[Toponym], choices: Sequence[_Choice | None], text: str
) -> list[frozenset[str]]:
    """For each toponym, the kinds (country, division) its neighbours in a list were read
    as in the first round, one of them confidently ("Utah, Colorado, and Idaho"), when most
    of them were read so: in "Washington, New York and Boston" a state and a town say nothing
    of the kind of the third. A list has three names or "and" or "or": "X, Y" alone is a
    place and its qualifier."""
    joins = [text[a.end : b.start].strip() for a, b in pairwise(toponyms)]
    kinds: list[frozenset[str]] = [frozenset() for _ in toponyms]
    start = 0
    while start < len(toponyms):
        end = start
        while end < len(joins) and joins[end] in _LIST_JOINS:
            end += 1
        group = range(start, end + 1)
        if end - start >= 2 or (end > start and joins[start] != ","):
            for i in group:
                others = [c for k in group if k != i and (c := choices[k]) is not None]
                divisions = [c for c in others if c.place.kind in _LISTED_KINDS]
                towns = len(others) - len(divisions)
                if len(divisions) > towns and any(c.margin >= ANCHOR_MARGIN for c in divisions):
                    kinds[i] = frozenset(c.place.kind for c in divisions)
        start = end + 1
    return kinds


def _listed(text: str, toponym: Toponym, following: Toponym) -> bool:
    """Whether "and" or "or" joins ``toponym`` to the next place, as the last two of a list."""
    return text[toponym.end : following.start].strip() in {"and", "or", "&"}


def _evidence(
    base: Counter[str],
    anchors: Sequence[tuple[str, Place]],
    countries: Sequence[tuple[str, str]] = (),
    org_states: frozenset[tuple[str, str, str]] = frozenset(),
    county_states: frozenset[tuple[str, str, str]] = frozenset(),
) -> _Evidence:
    """The evidence of the confident readings ``anchors`` and of ``countries``, (name key,
    country) of names whose country is certain though their place is not."""
    named = Counter(base)
    named.update(place.country for _, place in anchors if place.country)
    named.update(country for _, country in countries)
    admin1: set[tuple[str, str, str, int]] = set()
    for key, place in anchors:
        if place.kind == "admin1":
            admin1.add((key, place.country, place.admin1, place.population))
    return _Evidence(
        named,
        frozenset(admin1),
        tuple(anchors),
        org_states,
        county_states,
    )


def _county_states(
    toponyms: Sequence[Toponym], readings: Sequence[list[Place]]
) -> frozenset[tuple[str, str, str]]:
    """(name key, country, admin1) of every county reading of the names given with "County"
    or "Parish" ("Orange County"): the states each county name may lie in."""
    return frozenset(
        (name_key(t.text), p.country, p.admin1)
        for t, reading in zip(toponyms, readings, strict=True)
        if t.admin_word
        for p in reading
        if p.kind == "admin2"
    )


def resolve_toponyms(
    toponyms: Sequence[Toponym],
    gazetteer: Gazetteer,
    text: str,
    context: GeoContext | None = None,
) -> list[PlaceMention]:
    """Resolve every toponym of one text against the gazetteer, using the whole text."""
    context = context or DEFAULT_CONTEXT
    places = [t for t in toponyms if t.label != "NORP"]
    readings = [candidates(t, gazetteer) for t in places]
    qualifiers, outer_of = _qualifiers(places, readings, text)

    base: Counter[str] = Counter(code for code in context.countries)
    base.update(t.demonym_country for t in toponyms if t.demonym_country)
    # Round one: countries the text names outright are evidence from the start; not a name
    # that is as much a state's ("Georgia" in "a Georgia man" beside Jacksonville).
    named = [
        (name_key(t.text), best)
        for t, reading in zip(places, readings, strict=True)
        if reading
        and (best := max(reading, key=_prior)).kind == "country"
        and not any(
            p.kind == "admin1" and _prior(best) - _prior(p) < ANCHOR_MARGIN for p in reading
        )
    ]
    county_states = _county_states(places, readings)
    evidence = _evidence(base, named, county_states=county_states)
    first = [
        _choose(t, r, evidence, q, context) if r else None
        for t, r, q in zip(places, readings, qualifiers, strict=True)
    ]
    anchors = [
        (name_key(t.text), choice.place)
        for t, choice in zip(places, first, strict=True)
        if choice is not None
        and choice.margin >= ANCHOR_MARGIN
        # A town an organisation is named after ("Queens Park Rangers", "the Boston Globe")
        # says nothing of where the text is; a country or division at its start still does.
        and not (t.label == "ORG" and choice.place.kind == "city")
    ]
    # Names whose country is certain though their place is not ("Jacksonville"), and the
    # states of the large towns organisations are named after.
    anchored = {key for key, _ in anchors}
    countries = [
        (name_key(t.text), choice.place.country)
        for t, choice in zip(places, first, strict=True)
        if choice is not None
        and choice.place.country
        and choice.country_margin >= ANCHOR_MARGIN
        and name_key(t.text) not in anchored
        and not (t.label == "ORG" and choice.place.kind == "city")
    ]
    org_states = frozenset(
        (name_key(t.text), choice.place.country, choice.place.admin1)
        for t, choice in zip(places, first, strict=True)
        if choice is not None
        and t.label == "ORG"
        and choice.place.kind == "city"
        and choice.place.population >= ORG_TOWN_POPULATION
    )
    # Round two: the confident choices of round one are the context of every choice.
    evidence = _evidence(base, anchors, countries, org_states, county_states)
    listed = _listed_kinds(places, first, text)
    mentions: list[PlaceMention] = []
    chosen: list[tuple[Toponym, _Choice]] = []
    again: list[tuple[list[Place], frozenset[str]]] = []
    elsewhere = _towns_outside_qualifier(places, readings, qualifiers, outer_of, text)
    for index, (toponym, reading, qualifier, kinds) in enumerate(
        zip(places, readings, qualifiers, listed, strict=True)
    ):
        if qualifier and (not reading or index in elsewhere):
            # "Knockhill, Fife": a place the gazetteer lacks, somewhere in the division named;
            # "Rockingham, Northamptonshire", whose namesakes all lie elsewhere, too.
            outer = max(qualifier, key=_prior)
            mentions.append(_mention(toponym, _Choice(outer, 0.0)))
            continue
        if not reading:
            if toponym.label == "FAC" or toponym.cued or " " in toponym.text.strip():
                # A street or building ("Royal Street") is a place the gazetteer lacks; a
                # single word no gazetteer knows is more often a name ("Buhari", "Dropbox"),
                # unless a cue introduces it as a place ("in Portroe").
                mentions.append(
                    PlaceMention(toponym.start, toponym.end, toponym.text, label=toponym.label)
                )
            continue
        choice = _choose(toponym, reading, evidence, qualifier, context, kinds)
        chosen.append((toponym, choice))
        again.append((qualifier, kinds))
    region = _region(chosen)
    town_state = _town_state(chosen)
    if region[0] or town_state[0]:
        # Round three: each name round two left undecided, between its plausible readings of
        # the kind chosen (towns among towns), with the document's region as a tie-break.
        evidence = replace(evidence, region=region, town_state=town_state)
        chosen = [
            (toponym, _rechoose(toponym, choice, evidence, qualifier, context, kinds))
            for (toponym, choice), (qualifier, kinds) in zip(chosen, again, strict=True)
        ]
    chosen = _areas_of_towns(places, readings, chosen, evidence, context, text)
    reading_of = {id(t): r for t, r in zip(places, readings, strict=True)}
    chosen = _clustered(chosen, [reading_of[id(t)] for t, _ in chosen], base)
    chosen = _divisions_of_the_text(chosen, [reading_of[id(t)] for t, _ in chosen])
    stray = [
        (toponym, choice)
        for toponym, choice in chosen
        if _stray_town(toponym, choice, evidence)
        # a town that lies with another name of the text is the text's area, not a stray
        and not any(
            _co_located(choice.place, other.place)
            for named, other in chosen
            if name_key(named.text) != name_key(toponym.text)
        )
    ]
    mentions.extend(PlaceMention(t.start, t.end, t.text, label=t.label) for t, _ in stray)
    mentions.extend(_placed_in_text([c for c in chosen if c not in stray]))
    mentions = _placed_by_hosts(mentions)
    if context.include_demonyms:
        mentions.extend(_demonym_mentions(toponyms, gazetteer))
    return sorted(mentions, key=lambda m: m.start)


# Round four, the smallest area that explains the names together: readings of towns and
# counties within this distance of each other (or, for a county at its state's middle, in
# the same state) explain each other.
CLUSTER_KM = 100.0
CLUSTER_NAMES = 3  # names one area must explain to overrule a confident choice
CLUSTER_GAIN = 1.5  # and by how much more support than the chosen reading
_CLUSTER_KINDS = frozenset({"city", "admin2"})


def _unplaced(place: Place) -> bool:
    """A county the gazetteer has only at its state's middle (no town weighs it)."""
    return place.kind == "admin2" and not place.population


def _co_located(a: Place, b: Place) -> bool:
    """Whether two readings lie in one small area: the same country, and within
    ``CLUSTER_KM`` or, for a county at its state's middle, in the same state."""
    if not a.country or a.country != b.country:
        return False
    if _unplaced(a) or _unplaced(b):
        return bool(a.admin1) and a.admin1 == b.admin1
    return distance_km(a.lat, a.lon, b.lat, b.lon) <= CLUSTER_KM


def _clustered(
    chosen: list[tuple[Toponym, _Choice]],
    readings: Sequence[list[Place]],
    named: Counter[str],
) -> list[tuple[Toponym, _Choice]]:
    """Round four: a town or county whose reading stands alone, while another of its
    readings lies in one small area with the readings of other names of the text, takes that
    reading ("Georgetown and Versailles" beside Lexington, Kentucky, are Kentucky's towns,
    not Guyana's capital and the French town; "New Market" beside Huntsville and Madison
    County is Alabama's). Support: 1 for the name itself, 1 for each other name whose chosen
    reading lies in the area, 1/2 for each whose plausible readings do (not the towns
    organisations are named after). An area that explains ``CLUSTER_NAMES`` names with
    support ``CLUSTER_GAIN`` above the chosen reading's overrules a confident choice in a
    country nothing else in the text points to (``named``: the context's and demonyms'
    countries; the other names' choices); a plausible reading (round two scored it within
    ``ANCHOR_MARGIN`` of the chosen one) with support one above wins unless the chosen
    reading is a national capital."""
    keys = [name_key(toponym.text) for toponym, _ in chosen]
    eligible = [
        i
        for i, (toponym, choice) in enumerate(chosen)
        if choice.place.kind in _CLUSTER_KINDS
        and not (toponym.label == "ORG" and choice.place.kind == "city")
    ]
    result = list(chosen)
    for _ in range(2):  # a name moved may bring another with it
        moved = False
        for i in eligible:
            toponym, choice = result[i]
            others = [j for j in eligible if keys[j] != keys[i]]

            def support(place: Place, others: list[int] = others) -> tuple[float, int]:
                here = {keys[j] for j in others if _co_located(place, result[j][1].place)}
                plausible = {
                    keys[j]
                    for j in others
                    if keys[j] not in here
                    and any(_co_located(place, p) for p in result[j][1].plausible)
                }
                return 1 + len(here) + len(plausible) / 2, 1 + len(here) + len(plausible)

            now, _ = support(choice.place)
            options = [
                (support(p), _prior(p), n)
                for n, p in enumerate(readings[i])
                if p.kind == choice.place.kind and not _co_located(p, choice.place)
            ]
            if not options:
                continue
            (weight, names), _, best = max(options)
            place = readings[i][best]
            strong = (
                names >= CLUSTER_NAMES
                and weight >= now + CLUSTER_GAIN
                # across a border, and from a country nothing else in the text points to
                # ("Georgetown" is Guyana's capital, but nothing else in the text is Guyana's)
                and place.country != choice.place.country
                and choice.place.country not in named
                and not any(
                    result[j][1].place.country == choice.place.country
                    for j, (other, _) in enumerate(result)
                    if name_key(other.text) != keys[i]
                )
            )
            if not strong:
                if choice.place.capital:
                    continue  # "In Washington" beside London is still the US capital
                # a reading round two found as plausible as the chosen one
                close = [option for option in options if readings[i][option[2]] in choice.plausible]
                if not close:
                    continue
                (weight, names), _, best = max(close)
                place = readings[i][best]
            weak = weight >= now + 1
            if strong or weak:
                result[i] = (toponym, _Choice(place, 0.0))
                moved = True
        if not moved:
            break
    return result


STRAY_TOWN = 20_000
# "the X ward of Y", "the X neighbourhood of Y" with Y a town: X lies within this distance.
AREA_OF_TOWN_KM = 30.0


def _areas_of_towns(
    toponyms: Sequence[Toponym],
    readings: Sequence[list[Place]],
    chosen: list[tuple[Toponym, _Choice]],
    evidence: _Evidence,
    context: GeoContext,
    text: str,
) -> list[tuple[Toponym, _Choice]]:
    """For "the X ward of Y" where Y may be a town: the readings of X and Y that lie together
    and score best together, where their separate choices do not ("the Sherwood ward of
    Nottingham" is the English city's, not an Arkansas town's and a New Hampshire town's)."""
    index = {id(toponym): n for n, (toponym, _) in enumerate(chosen)}
    result = list(chosen)
    for i in range(len(toponyms) - 1):
        here, after = toponyms[i], toponyms[i + 1]
        if not _AREA_OF.fullmatch(_join(text, here, after)):
            continue
        a, b = index.get(id(here)), index.get(id(after))
        if a is None or b is None:
            continue
        x, y = result[a][1].place, result[b][1].place
        if y.kind != "city" or distance_km(x.lat, x.lon, y.lat, y.lon) <= AREA_OF_TOWN_KM:
            continue

        def score(place: Place, toponym: Toponym) -> float:
            return score_place(place, toponym, evidence, (), context)

        pairs = [
            (score(p, here) + score(q, after), p, q)
            for q in readings[i + 1]
            if q.kind == "city"
            for p in readings[i]
            if distance_km(p.lat, p.lon, q.lat, q.lon) <= AREA_OF_TOWN_KM
        ]
        if pairs:
            _, p, q = max(pairs, key=lambda pair: pair[0])
            result[a] = (here, _Choice(p, 0.0))
            result[b] = (after, _Choice(q, 0.0))
        else:
            # No X lies in any Y: X is an area the gazetteer lacks, which says nothing of the
            # document's region; Y is read without the region, and X, if that puts it in
            # another country, placed at Y (a namesake in the same country may be the
            # gazetteer's entry for the area).
            plain = replace(evidence, region=("", ""), town_state=("", ""))
            result[b] = (after, _choose(after, readings[i + 1], plain, (), context))
            if result[b][1].place.country != x.country:
                result[a] = (here, result[b][1])
    return result


# Other names of the text that must lie in a first-order division for it to overrule a
# country of the same name.
DIVISION_NAMES = 2


def _divisions_of_the_text(
    chosen: list[tuple[Toponym, _Choice]], readings: Sequence[list[Place]]
) -> list[tuple[Toponym, _Choice]]:
    """Round five, the smallest common area: a name read as a country that is also a
    first-order division elsewhere takes the division when ``DIVISION_NAMES`` other names of
    the text lie in it and none in the country ("Georgia's secretary of state" beside
    Atlanta, Savannah and Augusta is the US state; beside Tbilisi, the country)."""
    keys = [name_key(toponym.text) for toponym, _ in chosen]
    result = list(chosen)
    for i, (toponym, choice) in enumerate(chosen):
        if choice.place.kind != "country":
            continue
        others = [c.place for j, (_, c) in enumerate(chosen) if keys[j] != keys[i]]
        if any(place.country == choice.place.country for place in others):
            continue
        for division in readings[i]:
            inside = [
                place
                for place in others
                if division.kind == "admin1"
                and place.country == division.country
                and place.admin1 == division.admin1
            ]
            if len(inside) >= DIVISION_NAMES:
                result[i] = (toponym, _Choice(division, 0.0))
                break
    return result


def _stray_town(toponym: Toponym, choice: _Choice, evidence: _Evidence) -> bool:
    """A small town read in a country the text gives no other sign of, where it names other
    countries: more likely a place of the text's own country that the gazetteer lacks
    ("Castilla", a district of Piura, in a Peruvian report: the only Castillas of GeoNames'
    towns are Spanish, Colombian and Philippine)."""
    place = choice.place
    if place.kind != "city" or place.population >= STRAY_TOWN or toponym.label == "ORG":
        return False
    # The town's own confident reading is no sign of its country ("St Agnes" read in
    # Australia among Cornish towns: the only St Agnes of GeoNames' towns).
    key = name_key(toponym.text)
    own = sum(1 for named, p in evidence.anchors if named == key and p.country == place.country)
    others = sum(evidence.countries.values()) - own
    return others > 0 and evidence.countries.get(place.country, 0) - own <= 0


def _placed_in_text(chosen: Sequence[tuple[Toponym, _Choice]]) -> list[PlaceMention]:
    """The mentions of the chosen readings; a division placed only at the middle of its state
    (a US county no town is named after: population 0) is moved to the town of that state the
    text names nearest to it, within ``HOST_CHARS``, or else most often: "Hamilton County
    jail" in a text about Chattanooga is in Tennessee's south-east, not its middle."""
    towns = [
        (toponym, choice.place)
        for toponym, choice in chosen
        if choice.place.kind == "city" and toponym.label != "ORG"
    ]
    counts = Counter(place.geonameid for _, place in towns)
    placed = [(toponym, _hosted(toponym, choice, towns, counts)) for toponym, choice in chosen]
    # "Suffolk" in a text that names "Suffolk County" is that county, not a Suffolk elsewhere
    # (one sense per text); a town of the county's own state keeps its reading ("Los Angeles").
    counties = {
        name_key(toponym.text.rsplit(" ", 1)[0]): choice
        for toponym, choice in placed
        if choice.place.kind == "admin2" and toponym.admin_word and " " in toponym.text.strip()
    }
    mentions = []
    for toponym, choice in placed:
        county = None if toponym.admin_word else counties.get(name_key(toponym.text))
        if county is not None and (choice.place.country, choice.place.admin1) != (
            county.place.country,
            county.place.admin1,
        ):
            choice = county
        mentions.append(_mention(toponym, choice))
    return mentions


def _hosted(
    toponym: Toponym,
    choice: _Choice,
    towns: Sequence[tuple[Toponym, Place]],
    counts: Mapping[int | None, int],
) -> _Choice:
    """``choice``, a division at its state's middle moved to the text's town of that state."""
    place = choice.place
    if place.kind != "admin2" or place.population:
        return choice
    same = [(t, p) for t, p in towns if (p.country, p.admin1) == (place.country, place.admin1)]
    if not same:
        return choice
    gap, host = min(
        ((max(t.start - toponym.end, toponym.start - t.end, 0), p) for t, p in same),
        key=lambda gap_place: gap_place[0],
    )
    if gap > HOST_CHARS:
        host = max((p for _, p in same), key=lambda p: counts[p.geonameid])
    return _Choice(replace(place, lat=host.lat, lon=host.lon), choice.margin)


# A building or street the gazetteer lacks lies in the town the text names beside it, within
# this many characters ("at the Farmers Service Centre, in Goodlands"), or else in the town the
# text names most often.
HOST_CHARS = 200


def _placed_by_hosts(mentions: list[PlaceMention]) -> list[PlaceMention]:
    """Unresolved buildings and streets placed at the town that hosts them, near (precision 2):
    "Barclays Center" in a text about Brooklyn is in Brooklyn, within a few kilometres; a
    division the gazetteer lacks (a county no source lists) at that town, as a division (3,
    class A)."""
    towns = [m for m in mentions if m.resolved and m.feature_class == "P" and m.label != "ORG"]
    if not towns:
        return mentions
    counts = Counter(m.geonameid for m in towns)
    main = max(towns, key=lambda m: counts[m.geonameid])
    placed = []
    for mention in mentions:
        if mention.resolved:
            placed.append(mention)
            continue
        near = min(towns, key=lambda m: _gap(m, mention))
        host = near if _gap(near, mention) <= HOST_CHARS else main
        precision = _hosted_precision(mention)
        placed.append(
            PlaceMention(
                start=mention.start, end=mention.end, text=mention.text, name=host.name,
                lat=host.lat, lon=host.lon, country=host.country,
                feature_class="A" if precision == PRECISION_ADMIN2 else host.feature_class,
                precision=precision, label=mention.label,
            )
        )  # fmt: skip
    return placed


def _hosted_precision(mention: PlaceMention) -> int:
    """A building or street near its town (2); a division the gazetteer lacks (a county no
    source lists, placed at a town the text names beside it) is a second-order division (3)."""
    words = mention.text.lower().split()
    return PRECISION_ADMIN2 if words and words[-1] in ADMIN_WORDS else PRECISION_NEAR


def _gap(a: PlaceMention, b: PlaceMention) -> int:
    return max(a.start - b.end, b.start - a.end, 0)


def _precision(toponym: Toponym, place: Place) -> int:
    if place.kind == "city":
        if toponym.near:
            return PRECISION_NEAR
        if toponym.admin_word:
            return PRECISION_ADMIN2
    return place.precision


def _mention(toponym: Toponym, choice: _Choice) -> PlaceMention:
    place = choice.place
    return PlaceMention(
        start=toponym.start,
        end=toponym.end,
        text=toponym.text,
        name=place.name,
        lat=round(place.lat, 5),
        lon=round(place.lon, 5),
        country=place.country or None,
        feature_class=place.feature_class,
        precision=_precision(toponym, place),
        geonameid=place.geonameid,
        label=toponym.label,
        score=round(choice.margin, 3),
    )


def _demonym_mentions(toponyms: Sequence[Toponym], gazetteer: Gazetteer) -> list[PlaceMention]:
    """Demonyms used as modifiers ("Russian troops"), as mentions of their country; nouns
    naming people ("Russians", "a Nigerian") are not toponyms and are left out."""
    mentions = []
    for toponym in toponyms:
        if not toponym.modifier:
            continue
        if toponym.demonym_country:
            place = gazetteer.country(toponym.demonym_country)
        else:
            regions = gazetteer.lookup(toponym.demonym_region or "")
            place = next((p for p in regions if p.kind in {"continent", "region"}), None)
        if place is not None:
            mentions.append(_mention(toponym, _Choice(place, 0.0)))
    return mentions
