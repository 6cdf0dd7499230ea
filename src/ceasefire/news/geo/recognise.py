"""Toponym recognition: spaCy's entities, corrected with the gazetteer.

The small English model does not know Caucasus names: it calls Aghdam, Lachin or Fuzuli a
PERSON, Kalbajar or Armenia an ORG, and leaves Shusha untagged. ``correct_place_entities``
relabels such spans as GPE/LOC when the gazetteer knows the name as a country, a subdivision, a
region or a place in the region of interest, unless the text shows it is a person ("President
X", "X said", or part of a full name given elsewhere). ``find_toponyms`` then lists the place
entities with the cues the resolver needs ("X district", "near X", demonyms).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from ceasefire.news.geo.gazetteer import Gazetteer, Place
from ceasefire.news.geo.mention import DEFAULT_CONTEXT, GeoContext

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_RELABELLED = frozenset({"PERSON", "ORG"})
_TITLES = frozenset(
    [
        "president",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "minister",
        "general",
        "gen",
        "sen",
        "senator",
        "gov",
        "governor",
        "prime",
        "king",
        "queen",
        "pope",
        "prince",
        "princess",
        "sir",
        "lord",
        "lady",
        "judge",
        "rep",
        "chancellor",
        "colonel",
        "col",
        "lt",
        "sgt",
        "captain",
        "capt",
        "commander",
        "spokesman",
        "spokeswoman",
        "ambassador",
        "mayor",
    ]
)
_SPEECH = frozenset(
    [
        "say",
        "tell",
        "add",
        "state",
        "claim",
        "accuse",
        "announce",
        "deny",
        "write",
        "urge",
        "warn",
        "insist",
        "argue",
        "explain",
        "ask",
        "reply",
        "note",
    ]
)
ADMIN_WORDS = frozenset(
    [
        "district",
        "rayon",
        "region",
        "province",
        "oblast",
        "state",
        "county",
        "governorate",
        "prefecture",
        "municipality",
        "raion",
        "krai",
        "canton",
        "department",
        "territory",
    ]
)
_NEAR_WORDS = frozenset(["near", "outside", "outskirts", "around", "nearby", "close"])
_DETERMINERS = frozenset({"the"})
_EMBEDDING_LABELS = frozenset({"ORG"})
_EMBEDDED_CITY = 100_000
# A city far from the region of interest is relabelled only if it is this large: every
# surname is a village somewhere.
_LARGE_CITY = 1_000_000
_CONTEXT_CITY = 50_000


@dataclass(frozen=True, slots=True)
class Toponym:
    """A recognised place name, before resolution."""

    start: int
    end: int
    text: str
    label: str
    admin_word: str | None = None
    near: bool = False
    demonym_country: str | None = None


_POSSESSIVES = frozenset({"'s", "\u2019s", "'", "\u2019"})


def _strip_determiner(span: Span) -> Span:
    """The span without a leading "the" and a trailing possessive ("New York's" is New York)."""
    start, end = span.start, span.end
    while start < end - 1 and span.doc[start].lower_ in _DETERMINERS:
        start += 1
    while end - 1 > start and span.doc[end - 1].lower_ in _POSSESSIVES:
        end -= 1
    return span.doc[start:end]


def _strong_places(
    places: list[Place], context: GeoContext, named: frozenset[str] = frozenset()
) -> list[Place]:
    """Readings good enough to overrule the model: anything but an obscure village.

    A town counts when it is in the region of interest, has a million inhabitants, or has
    50,000 and lies in a country the text names ("Dewsbury" in a text about Britain).
    """
    return [
        place
        for place in places
        if place.kind != "city"
        or place.country in context.focus_countries
        or place.population >= _LARGE_CITY
        or (place.population >= _CONTEXT_CITY and place.country in named)
    ]


def _named_countries(doc: Doc, gazetteer: Gazetteer, context: GeoContext) -> frozenset[str]:
    """Countries the text names by name (a GPE entity) or demonym, and the context's."""
    named = set(context.countries)
    for ent in doc.ents:
        if ent.label_ == "NORP":
            code = gazetteer.demonym_country(ent.text)
            if code is not None:
                named.add(code)
        elif ent.label_ == "GPE":
            named.update(
                p.country
                for p in gazetteer.lookup(_strip_determiner(ent).text)
                if p.kind == "country"
            )
    return frozenset(named)


def _person_words(doc: Doc) -> set[str]:
    """Words of full personal names in the text ("Tayyip Erdogan" gives "erdogan")."""
    return {
        token.lower_
        for ent in doc.ents
        if ent.label_ == "PERSON" and len(ent) > 1
        for token in ent
        if token.is_alpha
    }


def _looks_like_person(span: Span, places: list[Place], person_words: set[str]) -> bool:
    previous = span.doc[span.start - 1] if span.start > 0 else None
    if previous is not None and previous.lower_.rstrip(".") in _TITLES:
        return True
    if len(span) == 1 and span[0].lower_ in person_words:
        return True
    following = span.doc[span.end] if span.end < len(span.doc) else None
    only_towns = all(place.kind == "city" for place in places)
    # "Azerbaijan said" is a government speaking (a GPE); "Goris said" is a person.
    return only_towns and following is not None and following.lemma_ in _SPEECH


def _place_label(places: list[Place]) -> str:
    if all(place.kind in {"region", "water", "continent"} for place in places):
        return "LOC"
    return "GPE"


def correct_place_entities(
    doc: Doc, gazetteer: Gazetteer, context: GeoContext | None = None
) -> Doc:
    """Relabel PERSON/ORG spans that are places, and tag untagged place names; in place.

    Returns the same ``Doc`` so that it can serve as a pipeline component.
    """
    context = context or DEFAULT_CONTEXT
    person_words = _person_words(doc)
    named = _named_countries(doc, gazetteer, context)
    entities: list[Span] = []
    covered: set[int] = set()
    for ent in doc.ents:
        covered.update(range(ent.start, ent.end))
        if ent.label_ in _RELABELLED:
            span = _strip_determiner(ent)
            strong = _strong_places(gazetteer.lookup(span.text), context, named)
            if strong and not _looks_like_person(span, strong, person_words):
                entities.append(Span(doc, span.start, span.end, label=_place_label(strong)))
                continue
        entities.append(ent)
    entities.extend(_untagged_places(doc, gazetteer, context, covered, person_words))
    entities = [_extend_to_region(span, gazetteer, covered) for span in entities]
    doc.ents = sorted(entities, key=lambda span: span.start)
    return doc


def _extend_to_region(span: Span, gazetteer: Gazetteer, covered: set[int]) -> Span:
    """ "Lachin" followed by "corridor" is the Lachin corridor, if the gazetteer knows it."""
    doc = span.doc
    if span.label_ not in PLACE_LABELS or span.end >= len(doc) or span.end in covered:
        return span
    if not doc[span.end].is_alpha:
        return span
    longer = doc[span.start : span.end + 1]
    regions = [p for p in gazetteer.lookup(longer.text) if p.kind in {"region", "water"}]
    return Span(doc, longer.start, longer.end, label="LOC") if regions else span


def _name_like(token: Token) -> bool:
    """A capitalised proper noun; or, first in its sentence, a capitalised word the tagger took
    for a common noun ("Lachin is quiet.")."""
    if not token.is_title or len(token) < 3:
        return False
    return token.pos_ == "PROPN" or (bool(token.is_sent_start) and token.pos_ == "NOUN")


def _untagged_places(
    doc: Doc,
    gazetteer: Gazetteer,
    context: GeoContext,
    covered: set[int],
    person_words: set[str],
) -> list[Span]:
    """Runs of proper nouns outside any entity that name a strong gazetteer place."""
    found: list[Span] = []
    i = 0
    while i < len(doc):
        if i in covered or not _name_like(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < len(doc) and j not in covered and (doc[j].pos_ == "PROPN" or doc[j].text == "-"):
            j += 1
        span = doc[i:j]
        strong = _strong_places(gazetteer.lookup(span.text), context)
        # Untagged names get the stricter test: only the region of interest and non-towns.
        strong = [p for p in strong if p.kind != "city" or p.country in context.focus_countries]
        if strong and not _looks_like_person(span, strong, person_words):
            found.append(Span(doc, i, j, label=_place_label(strong)))
        i = j
    return found


def _embedded_place(ent: Span, gazetteer: Gazetteer) -> Span | None:
    """The place an organisation's name is named after: "Toronto" in "Toronto Police Service",
    "Zimbabwe" in "Air Zimbabwe", "Malta" in "Central Bank of Malta".

    Its mention keeps the label ORG: a toponym, but not where anything happened ("the Minsk
    Group" meets anywhere), so that event location can leave it aside.

    The longest leading run of words that names a country, a division, a region or a town of
    100,000 or more counts: villages are named after too many common words ("Bank"). Failing
    that, the longest trailing run (after "of", or the name's last words) that names a
    country or first-order division: a town there is more often part of the name
    ("Manchester United").
    """
    span = _strip_determiner(ent)
    if any(token.lower_ == "of" for token in span):
        # "Central Bank of Malta", "University of Toronto": named after what follows "of".
        after = max(token.i for token in span if token.lower_ == "of") + 1
        found = _trailing_place(span, gazetteer, start=after)
        if found is not None:
            return found
    for end in range(span.end - 1, span.start, -1):
        head = span.doc[span.start : end]
        if not head[-1].is_alpha or not head[0].text[:1].isupper():
            continue
        if len(head) == 1 and head[0].lower_ in _GENERIC_WORDS:
            continue  # "Central Bank": Central is a region of Uganda, not this bank's place
        places = [
            place
            for place in gazetteer.lookup(head.text)
            if place.kind != "city" or place.population >= _EMBEDDED_CITY
        ]
        if places:
            return head
    return _trailing_place(span, gazetteer, start=span.start + 1)


def _trailing_place(span: Span, gazetteer: Gazetteer, *, start: int) -> Span | None:
    """The longest run of words ending ``span`` (from ``start`` on) that names a country or a
    first-order division, ignoring a company suffix ("HSBC Bank Malta plc")."""
    end = span.end
    while end > start and span.doc[end - 1].lower_ in _COMPANY_SUFFIXES:
        end -= 1
    for first in range(start, end):
        tail = span.doc[first:end]
        if not tail[0].text[:1].isupper() or not tail[-1].is_alpha:
            continue
        if any(p.kind in {"country", "admin1"} for p in gazetteer.lookup(tail.text)):
            return tail
    return None


# Words that begin many organisations' names and name some division somewhere.
_GENERIC_WORDS = frozenset(
    {
        "central",
        "national",
        "federal",
        "united",
        "royal",
        "general",
        "international",
        "global",
        "northern",
        "southern",
        "eastern",
        "western",
        "north",
        "south",
        "east",
        "west",
        "capital",
        "first",
        "new",
        "grand",
        "great",
        "metropolitan",
        "regional",
        "state",
        "union",
        "pacific",
    }
)
_COMPANY_SUFFIXES = frozenset({"plc", "ltd", "inc", "llc", "ag", "sa", "co", "corp", "limited"})


def find_toponyms(
    doc: Doc, gazetteer: Gazetteer, context: GeoContext | None = None
) -> list[Toponym]:
    """Place entities of ``doc`` (GPE, LOC, FAC) and, as context, its demonyms."""
    context = context or DEFAULT_CONTEXT
    toponyms: list[Toponym] = []
    for ent in doc.ents:
        if ent.label_ == "NORP":
            code = gazetteer.demonym_country(ent.text)
            if code is not None:
                toponyms.append(
                    Toponym(ent.start_char, ent.end_char, ent.text, "NORP", demonym_country=code)
                )
            continue
        if ent.label_ in _EMBEDDING_LABELS:
            embedded = _embedded_place(ent, gazetteer)
            if embedded is not None:
                toponyms.append(
                    Toponym(embedded.start_char, embedded.end_char, embedded.text, "ORG")
                )
            continue
        if ent.label_ not in PLACE_LABELS:
            continue
        span = _strip_determiner(ent)
        if len(span) > 1 and not gazetteer.knows(span.text):
            # "Building Ireland", "Greater Manchester": the known place the name ends with.
            span = _trailing_place(span, gazetteer, start=span.start + 1) or span
        admin_word = None
        if span[-1].lower_ in ADMIN_WORDS and len(span) > 1:
            admin_word = span[-1].lower_
        elif span.end < len(doc) and doc[span.end].lower_ in ADMIN_WORDS:
            admin_word = doc[span.end].lower_
        near = any(doc[k].lower_ in _NEAR_WORDS for k in range(max(0, span.start - 2), span.start))
        toponyms.append(
            Toponym(
                span.start_char,
                span.end_char,
                span.text,
                ent.label_,
                admin_word=admin_word,
                near=near,
            )
        )
    return toponyms
