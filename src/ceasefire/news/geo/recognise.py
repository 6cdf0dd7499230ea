"""Toponym recognition: spaCy's entities, corrected with the gazetteer.

The small English model does not know Caucasus names: it calls Aghdam, Lachin or Fuzuli a
PERSON, Kalbajar or Armenia an ORG, and leaves Shusha untagged. ``correct_place_entities``
relabels such spans as GPE/LOC when the gazetteer knows the name as a country, a subdivision, a
region or a place in the region of interest, unless the text shows it is a person ("President
X", "X said", or part of a full name given elsewhere). ``find_toponyms`` then lists the place
entities with the cues the resolver needs ("X district", "near X", demonyms).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from ceasefire.news.geo.gazetteer import Gazetteer, Place, contains
from ceasefire.news.geo.mention import DEFAULT_CONTEXT, GeoContext, distance_km
from ceasefire.news.geo.normalise import name_key

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_RELABELLED = frozenset({"PERSON", "ORG", "PRODUCT", "WORK_OF_ART"})
# Labels whose span is read as a place only when written in lower and upper case: in capitals
# they are mostly product codes and initials ("MBA", an alternate name of Mombasa).
_RELABELLED_IF_NOT_CAPITALS = frozenset({"PRODUCT", "WORK_OF_ART"})
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
# Abbreviations of US states and Canadian provinces in news style (AP Stylebook): "Portland,
# Ore.", "Halifax, N.S.". Only the dotted form counts: "La" or "Pa" alone are not states.
STATE_ABBREVIATIONS: Mapping[str, tuple[str, str]] = {
    abbreviation: (country, name)
    for country, pairs in {
        "US": "Ala.=Alabama Ariz.=Arizona Ark.=Arkansas Calif.=California Colo.=Colorado "
        "Conn.=Connecticut Del.=Delaware Fla.=Florida Ga.=Georgia Ill.=Illinois Ind.=Indiana "
        "Kan.=Kansas Ky.=Kentucky La.=Louisiana Md.=Maryland Mass.=Massachusetts "
        "Mich.=Michigan Minn.=Minnesota Miss.=Mississippi Mo.=Missouri Mont.=Montana "
        "Neb.=Nebraska Nev.=Nevada N.H.=New_Hampshire N.J.=New_Jersey N.M.=New_Mexico "
        "N.Y.=New_York N.C.=North_Carolina N.D.=North_Dakota Okla.=Oklahoma Ore.=Oregon "
        "Pa.=Pennsylvania R.I.=Rhode_Island S.C.=South_Carolina S.D.=South_Dakota "
        "Tenn.=Tennessee Vt.=Vermont Va.=Virginia Wash.=Washington W.Va.=West_Virginia "
        "Wis.=Wisconsin Wyo.=Wyoming",
        "CA": "Alta.=Alberta B.C.=British_Columbia Man.=Manitoba N.B.=New_Brunswick "
        "Nfld.=Newfoundland N.S.=Nova_Scotia Ont.=Ontario P.E.I.=Prince_Edward_Island "
        "Que.=Quebec Sask.=Saskatchewan",
    }.items()
    for pair in pairs.split()
    for abbreviation, name in [pair.replace("_", " ").split("=")]
}
# Adjectives that name a part of an area ("northern Syria", "central Washington").
COMPASS_ADJECTIVES = frozenset(
    [
        "central", "northern", "southern", "eastern", "western",
        "northeastern", "northwestern", "southeastern", "southwestern",
        "north-eastern", "north-western", "south-eastern", "south-western",
        "northeast", "northwest", "southeast", "southwest",
    ]
)  # fmt: skip
# Compass words before the name of a larger place that contains another: "in north Queensland".
COMPASS_WORDS = COMPASS_ADJECTIVES | {"north", "south", "east", "west"}
# What may follow "X," as the place that contains X: "Portland, Oregon", "Thruxton, Hampshire".
OUTER_KINDS = frozenset({"country", "admin1", "admin2"})
_NEAR_WORDS = frozenset(["near", "outside", "outskirts", "around", "nearby", "close"])
# Prepositions that introduce a location: "in Colchester", "from Centreville", "to Cirencester".
_LOCATIVE = frozenset(
    [
        "in",
        "at",
        "near",
        "from",
        "to",
        "into",
        "outside",
        "around",
        "across",
        "via",
        "toward",
        "towards",
        "between",
        "throughout",
    ]
)
# Dateline punctuation after an all-capitals place name: "TORONTO —", "BEIRUT (AP)".
_DATELINE_MARKS = frozenset({"(", "\u2014", "\u2013", "-", "--", ",", ":"})
_DETERMINERS = frozenset({"the"})
_EMBEDDING_LABELS = frozenset({"ORG", "LAW", "EVENT", "MONEY"})
_EMBEDDED_CITY = 100_000
# ... or this large, in a country the text names ("the Slidell PD" in a text about the US).
_EMBEDDED_NAMED_CITY = 20_000
# A city far from the region of interest is relabelled only if it is this large: every
# surname is a village somewhere.
_LARGE_CITY = 1_000_000
_CONTEXT_CITY = 50_000
# A town the text introduces as a location ("in X", "X, Y") in a country the text names.
_CUED_TOWN = 5_000
# ... or anywhere, if this large ("from Dewsbury" in a text that names no country).
_CUED_ANY_TOWN = 20_000
# An all-capitals dateline names a town of this size, or a division, region or country.
_DATELINE_TOWN = 10_000


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
    # A demonym used as a modifier ("Russian troops", "the Nigerian Army"), not a noun naming
    # people ("Russians", "a Nigerian"): an adjectival toponym in GeoWebNews's scheme.
    modifier: bool = False
    # The continent or world region an adjective names ("African", "European").
    demonym_region: str | None = None
    # A cue in the text introduces it as a place ("in Portroe", "the village of Nagrig"):
    # a single word no gazetteer knows is then kept, unresolved.
    cued: bool = False
    # It opens a dateline in capitals ("KIEV, Ukraine (AP) -"): a town's name, not initials.
    dateline: bool = False
    # A compass adjective in lower case comes before it ("central Washington", "eastern
    # Ukraine"): the name is an area, a country or division more than a town.
    part_of: bool = False
    # A natural feature's word in lower case follows it ("the Dnipro river", "the Bekaa
    # valley"): the name is the feature's, which may be no town's of the same name.
    natural_word: str | None = None


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


def _named_countries(
    doc: Doc, gazetteer: Gazetteer, context: GeoContext, datelines: Sequence[Span] = ()
) -> frozenset[str]:
    """Countries the text names by name (a GPE entity) or demonym, and the context's; and
    the country of a dateline's town that dwarfs its namesakes abroad ("KENOSHA —")."""
    named = set(context.countries)
    for span in datelines:
        named.update(_dominant_city_country(gazetteer.lookup(span.text), _DATELINE_TOWN))
    for ent in doc.ents:
        if ent.label_ == "NORP":
            code = gazetteer.demonym_country(ent.text)
            if code is not None:
                named.add(code)
        elif ent.label_ == "GPE":
            places = _places_or_abbreviation(_strip_determiner(ent).text, gazetteer)
            named.update(p.country for p in places if p.kind == "country")
            if any(p.kind == "country" for p in places):
                continue
            # A division names its country when that is its only reading ("Gloucestershire").
            divisions = {p.country for p in places if p.kind in {"admin1", "admin2"}}
            if len(divisions) == 1:
                named.update(divisions)
            elif not divisions:
                # So does a city that dwarfs its namesakes ("Blackpool", "Toronto").
                named.update(_dominant_city_country(places))
    for token in doc:
        # The abbreviation first: one set lookup rules out almost every token.
        if (
            token.text in STATE_ABBREVIATIONS
            and token.ent_type_ != "GPE"
            and _abbreviated_qualifier(doc, token.i)
        ):
            named.update(p.country for p in _places_or_abbreviation(token.text, gazetteer))
    return frozenset(named)


# A city names its country when it has this many inhabitants and ten times as many as any
# namesake elsewhere.
_DOMINANT_CITY = 100_000
_DOMINANCE = 10


def _places_or_abbreviation(text: str, gazetteer: Gazetteer) -> list[Place]:
    """The places a name names, or the division a news-style abbreviation names ("B.C.",
    "Calif.": a text that writes them is about Canada, the US)."""
    if text in STATE_ABBREVIATIONS:
        country, name = STATE_ABBREVIATIONS[text]
        return [p for p in gazetteer.lookup(name) if p.kind == "admin1" and p.country == country]
    return gazetteer.lookup(text)


def _dominant_city_country(places: list[Place], size: int = _DOMINANT_CITY) -> set[str]:
    cities = sorted(
        (p for p in places if p.kind == "city"), key=lambda p: p.population, reverse=True
    )
    if not cities or cities[0].population < size:
        return set()
    top = cities[0]
    rivals = [p.population for p in cities[1:] if p.country != top.country]
    if rivals and rivals[0] * _DOMINANCE > top.population:
        return set()
    return {top.country}


def _postal_in_context(span: Span, gazetteer: Gazetteer, named: frozenset[str]) -> bool:
    """Whether a one-word span is a postal abbreviation of a state or province the text
    vouches for: it qualifies a place ("Horry County, SC"), or its country is named and it is
    not an institution after "the" ("the SC", India's Supreme Court)."""
    if len(span) != 1:
        return False
    places = gazetteer.lookup_postal(span.text)
    if not places:
        return False
    doc = span.doc
    k = span.start
    if k >= 2 and doc[k - 1].text == "," and doc[k - 2].text[:1].isupper():
        return True
    after_the = k >= 1 and doc[k - 1].lower_ in _DETERMINERS
    return not after_the and any(p.country in named for p in places)


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
    # "Azerbaijan said" is a government speaking (a GPE); "Goris said" is a person, the one
    # who speaks, not a town where those who speak are ("officials in Ponce and Mayaguez said").
    speaks = following is not None and following.lemma_ in _SPEECH
    return only_towns and speaks and span.root.dep_ not in {"pobj", "conj"}


# Lower-case words that may stand between a preposition and a place's name and say only
# where it lies beside another: "in nearby Pullman", "to neighbouring Kassanda", "in
# downtown Jackson".
_NEARNESS_WORDS = frozenset({"nearby", "neighbouring", "neighboring", "adjacent", "downtown"})


def _introduced_by(span: Span, words: frozenset[str]) -> bool:
    """Whether one of ``words`` stands before ``span``, a determiner or a word of nearness
    perhaps between them ("in the X", "from X", "in nearby X", "in the neighbouring X")."""
    k = span.start - 1
    if k >= 0 and span.doc[k].lower_ in _NEARNESS_WORDS:
        k -= 1
    if k >= 0 and span.doc[k].lower_ in _DETERMINERS:
        k -= 1
    return k >= 0 and span.doc[k].lower_ in words


def _locative(span: Span) -> bool:
    """Whether a preposition of place introduces ``span`` ("in the X", "from X")."""
    return _introduced_by(span, _LOCATIVE)


def _locative_list(span: Span) -> bool:
    """Whether ``span`` continues a list of capitalised names that a preposition of place
    introduces: the preposition governs every name of the list ("to Akure and Irrua", "in
    Hebden Bridge and Mytholmroyd", "of Dublin and neighboring Hilliard" does not)."""
    doc = span.doc
    k = span.start - 1
    if k >= 0 and doc[k].lower_ in _NEARNESS_WORDS:
        k -= 1
    if k < 1 or doc[k].lower_ not in _LIST_WORDS:
        return False
    stop = max(-1, span.start - _LIST_RUN - 1)
    while (
        k > stop
        and doc[k].lower_ not in _LOCATIVE
        and (
            doc[k].lower_ in _LIST_WORDS
            or doc[k].lower_ in _NEARNESS_WORDS
            or (doc[k].text[:1].isupper() and doc[k].ent_type_ != "PERSON")
        )
    ):
        k -= 1
    first = k + 1
    return (
        first < span.start and doc[first].text[:1].isupper() and _locative(doc[first : span.start])
    )


# Common nouns for a kind of place, which "of" joins to its name: "the village of Nagrig",
# "the northern state of Roraima", "Cairo's suburb of Madinaty".
PLACE_NOUNS = frozenset(
    {
        "city", "town", "village", "hamlet", "suburb", "township", "borough", "neighbourhood",
        "neighborhood", "district", "province", "state", "region", "county", "island",
        "islands", "municipality", "capital", "port", "enclave", "republic", "kingdom",
        "emirate", "governorate", "prefecture", "commune", "parish", "settlement", "valley",
    }
)  # fmt: skip


# The same in the plural, before a list: "the districts of Kenema, Kailahun and Bo".
PLURAL_PLACE_NOUNS = frozenset(
    {noun + "s" for noun in PLACE_NOUNS if not noun.endswith(("y", "s"))}
    | {"cities", "counties", "municipalities", "communities", "parishes", "islands"}
)
_LIST_SPAN = 12  # tokens a list of names may take between "of" and its last name


def _place_noun_of(span: Span) -> bool:
    """Whether "<kind of place> of" introduces ``span`` ("the town of Toomevara"), or a list
    that ``span`` belongs to ("the villages of Ardcroney and Toomevara", "villages ...,
    including Khiam and Bint Jbeil")."""
    k = span.start
    doc = span.doc
    if k >= 2 and doc[k - 1].lower_ == "of" and doc[k - 2].lower_ in PLACE_NOUNS:
        return True
    j = k - 1
    while j >= max(0, k - _LIST_SPAN) and (
        doc[j].lower_ in _LIST_WORDS or doc[j].text[:1].isupper() or doc[j].text == "-"
    ):
        j -= 1
    if j >= 1 and doc[j].lower_ == "of" and doc[j - 1].lower_ in PLURAL_PLACE_NOUNS:
        return True
    # "villages in southern Lebanon on Tuesday, including Khiam and Bint Jbeil"
    return j >= 1 and doc[j].lower_ == "including" and _plural_place_noun_before(doc[j])


_INCLUDING_SPAN = 10  # tokens between the plural place noun and "including"


def _plural_place_noun_before(token: Token) -> bool:
    """Whether a plural place noun ("villages", "towns") comes shortly before ``token`` in
    its sentence."""
    doc = token.doc
    for k in range(token.i - 1, max(-1, token.i - _INCLUDING_SPAN - 1), -1):
        if doc[k].lower_ in PLURAL_PLACE_NOUNS:
            return True
        if doc[k].is_sent_start or doc[k].text in {".", ";", ":"}:
            return False
    return False


_LISTED_KINDS = frozenset({"city", "admin1", "admin2"})


def _listed_towns(span: Span, gazetteer: Gazetteer) -> list[Span]:
    """The names of a list the model tagged as one entity when every one is a town or
    division the gazetteer knows under its own name ("Sowerby Bridge and Elland"); else none."""
    members = _list_members(span)
    if len(members) < 2 or not all(
        any(
            p.kind in _LISTED_KINDS and name_key(p.name) == name_key(m.text)
            for p in gazetteer.lookup(m.text)
        )
        for m in members
    ):
        return []
    return members


# Lower-case prepositions that may join two places the model took for one name: "the
# Democratic Republic of the Congo at Rubavu", "Lusaka in Zambia".
_JOINING_PREPOSITIONS = frozenset({"at", "in"})


def _split_at_preposition(ent: Span, gazetteer: Gazetteer) -> list[Span]:
    """A place entity no gazetteer knows, "X at Y" or "X in Y", whose X it knows and whose Y
    is a capitalised name: X and Y, two places; else nothing."""
    doc = ent.doc
    if len(ent) < 3 or gazetteer.knows(_strip_determiner(ent).text):
        return []
    for k in range(ent.start + 1, ent.end - 1):
        if doc[k].text in _JOINING_PREPOSITIONS and doc[k + 1].text[:1].isupper():
            head = doc[ent.start : k]
            if gazetteer.knows(_strip_determiner(head).text):
                return [
                    Span(doc, ent.start, k, label=ent.label_),
                    Span(doc, k + 1, ent.end, label="GPE"),
                ]
            return []
    return []


def _list_members(span: Span) -> list[Span]:
    """The names of a list the model tagged as one entity ("Castilla and Veintiséis de
    Octubre" after "the districts of"): the runs between commas and "and"/"or" that begin
    with a capital."""
    members: list[Span] = []
    start = span.start
    for k in range(span.start, span.end + 1):
        if k == span.end or span.doc[k].lower_ in _LIST_WORDS:
            if k > start and span.doc[start].text[:1].isupper():
                members.append(span.doc[start:k])
            start = k + 1
    return members


# Last words of the names of buildings, streets and sites: "Barclays Center", "Windsor
# Castle", "Royal Street".
FACILITY_HEADS = frozenset(
    {
        "hospital", "center", "centre", "theatre", "theater", "hall", "library", "cathedral",
        "church", "chapel", "mosque", "temple", "synagogue", "castle", "palace", "stadium",
        "arena", "racecourse", "airport", "station", "bridge", "lagoon", "park", "square",
        "street", "road", "avenue", "lane", "boulevard", "inn", "hotel", "museum", "gallery",
        "cottage", "farm", "market", "mall", "prison", "jail", "courthouse", "embassy",
        "harbour", "harbor", "beach", "lake", "river", "valley", "mountains", "mountain",
        "island", "islands", "bay", "creek", "canyon", "forest", "desert", "peninsula",
        "falls", "area", "wetlands", "drive", "highway", "parkway",
    }
)  # fmt: skip
# Last words of the names of streets and roads, which "on", "along" or "off" introduce ("a
# crash on Van Dyke Avenue", "off Route 9 Highway") as "at" introduces a building.
STREET_HEADS = frozenset(
    {"street", "road", "avenue", "lane", "boulevard", "drive", "highway", "parkway"}
)
_ON_STREET = frozenset({"on", "along", "off"})


def _facility_at(span: Span) -> bool:
    """A name of several words in title case ending with a building's or site's head word,
    that a preposition of place introduces ("at the Princes Theatre", "at Windsor Castle",
    "on Van Dyke Avenue"), or with a natural feature's ("Glenrock Lagoon", "the Ruhuna
    River"), anywhere."""
    if not _facility_name(span):
        return False
    head = span[-1].lower_
    on_street = head in STREET_HEADS and _introduced_by(span, _ON_STREET)
    return _locative(span) or head in NATURAL_HEADS or on_street


# Last words of the names of natural features: such a name is a place wherever it stands.
NATURAL_HEADS = frozenset(
    {
        "lagoon", "lake", "river", "beach", "valley", "mountains", "mountain", "island",
        "islands", "bay", "creek", "canyon", "forest", "desert", "peninsula", "falls",
        "area", "wetlands",
    }
)  # fmt: skip


# Lower-case words after a name that make it a natural feature's ("the Teesta river", "the
# Fergana valley"); of them, the water's ("river", "lake") are never a town's: the gazetteer
# has no rivers or lakes, so such a name is a division named after the water or unresolved.
NATURAL_WORDS_AFTER = frozenset(
    {"river", "lake", "valley", "mountains", "hills", "glacier", "delta", "creek", "basin"}
)
WATER_WORDS = frozenset({"river", "lake", "creek", "delta", "basin"})


def _natural_word_after(span: Span) -> str | None:
    """The natural feature's word in lower case right after ``span`` ("the Dnipro river")."""
    doc = span.doc
    if span.end >= len(doc) or not doc[span.end].is_lower:
        return None
    word = doc[span.end].lower_
    return word if word in NATURAL_WORDS_AFTER else None


def _named_natural_feature(span: Span) -> bool:
    """A name in title case between "the" and a natural feature's word ("the Teesta river",
    which the model calls a person): a river, lake or valley whatever the model says."""
    doc = span.doc
    return (
        span.start > 0
        and doc[span.start - 1].lower_ == "the"
        and len(span) <= 3
        and all(token.text[:1].isupper() for token in span if token.is_alpha)
        and _natural_word_after(span) is not None
    )


# First words of the names of natural features, British style ("the River Calder", "Loch
# Lomond", "Mount Kenya"): followed by a name in title case, the whole is a place.
NATURAL_FIRST_WORDS = frozenset({"river", "lake", "loch", "mount"})


def _natural_feature_first(span: Span) -> bool:
    """A run of proper nouns that begins with a natural feature's word and goes on with a
    name: "River Calder" (which the model leaves untagged or calls an organisation), not
    "River" alone, nor a building named after one ("Mount Sinai Hospital")."""
    return (
        2 <= len(span) <= 3
        and span[-1].lower_ not in FACILITY_HEADS
        and span[0].lower_ in NATURAL_FIRST_WORDS
        and span[0].text[:1].isupper()
        and all(token.text[:1].isupper() for token in span[1:] if token.is_alpha)
    )


def _facility_name(span: Span) -> bool:
    """A name of several words in title case ending with a building's or site's head word."""
    if len(span) < 2 or span[-1].lower_ not in FACILITY_HEADS:
        return False
    return all(token.text[:1].isupper() or not token.is_alpha for token in span)


def _lookup_division_word(span: Span, gazetteer: Gazetteer) -> list[Place]:
    """The places ``span`` names; failing that, for "X State", "X Province" (an admin word
    after a name), the divisions X names ("Borno State" is Borno)."""
    places = gazetteer.lookup(span.text)
    if places or len(span) < 2 or span[-1].lower_ not in ADMIN_WORDS:
        return places
    return [p for p in gazetteer.lookup(span[:-1].text) if p.kind in {"admin1", "admin2"}]


def _named_by_place_noun(span: Span, label: str = "") -> bool:
    """A name in title case that "<kind of place> of" introduces, with no possessive or noun
    after it ("the village of Nagrig"; not "the state of Emergency Services' budget"); an
    organisation's name of several words is left alone ("the state of Emergency Services")."""
    doc = span.doc
    if not _place_noun_of(span) or not all(t.is_title and t.is_alpha for t in span):
        return False
    if label == "ORG" and len(span) > 1:
        return False
    return span.end >= len(doc) or doc[span.end].pos_ not in {"NOUN", "PROPN", "PART"}


def _qualifiers(span: Span, gazetteer: Gazetteer) -> list[Place]:
    """The countries and divisions named after ``span`` and a comma ("X, Ohio")."""
    doc = span.doc
    if span.end + 1 >= len(doc) or doc[span.end].text != ",":
        return []
    k = span.end + 1
    end = k
    while end < len(doc) and end - k < 3 and doc[end].text[:1].isupper():
        end += 1
    for stop in range(end, k, -1):
        outer = [p for p in _places_or_postal(doc[k:stop].text, gazetteer) if p.kind in OUTER_KINDS]
        if outer:
            return outer
    return []


def _cued_towns(
    span: Span,
    places: list[Place],
    gazetteer: Gazetteer,
    named: frozenset[str],
    place_ends: dict[int, Span],
    anchors: Sequence[Anchor] = (),
) -> list[Place]:
    """Towns a cue in the text vouches for: introduced by a preposition of place, in a country
    the text names; qualified by their division or country ("Klamath Falls, Oregon"); listed
    after a place of the same country ("Gloucester and Cheltenham"); or, at any size, cued
    and lying beside a place the model tagged (``_neighbour_towns``)."""
    if span.text.isupper():  # "from PAN": initials, not a town
        return []
    return _vouched_towns(span, places, gazetteer, named, place_ends) or _neighbour_towns(
        span, places, anchors
    )


def _vouched_towns(
    span: Span,
    places: list[Place],
    gazetteer: Gazetteer,
    named: frozenset[str],
    place_ends: dict[int, Span],
) -> list[Place]:
    if _admin_word_after(span) or _listed_before_admin_word(span):
        # "in Kasese district", "Iloilo province": the word says the name is a division
        # (named after its seat, or a town the gazetteer knows).
        # A district named after a small seat counts in a country the text names
        # ("Chongwe, Kafue and Chibombo districts" in a report on Zambia).
        divisions = [p for p in places if p.kind in {"admin1", "admin2"}]
        return divisions or [
            p
            for p in places
            if p.kind == "city" and (p.population >= _CUED_TOWN or p.country in named)
        ]
    qualifiers = _qualifiers(span, gazetteer)
    if qualifiers:
        # "Rockingham, Northamptonshire": a town of any size inside the division named; a
        # place no gazetteer knows ("Knockhill, Fife", a circuit), or whose namesakes all lie
        # elsewhere (a village below GeoNames' 500 people), is somewhere inside it.
        inside = [p for p in places if p.kind == "city" and any(contains(q, p) for q in qualifiers)]
        return inside or (qualifiers if _ends_clause(span) else [])
    containers = _containers_after(span, gazetteer)
    if containers:
        # "Wagga Wagga and Gundagai in southern NSW", "Nainital in Uttarakhand": a town of
        # any size inside the division or country named after "in".
        return [p for p in places if p.kind == "city" and any(contains(q, p) for q in containers)]
    if _age_then_of(span) or _residents_of(span):
        # "John Smith, 34, of Marion": where a person named with his age lives.
        return [p for p in places if p.kind == "city" and p.population >= _HOME_TOWN]
    if _person_then_of(span) or _person_comma_of(span):
        # "Supervisor Mary Kolar of Sun Prairie": where a person named in full is from.
        return [
            p
            for p in places
            if p.kind == "city"
            and p.population >= _HOME_TOWN
            and (p.country in named or p.population >= _CUED_ANY_TOWN)
        ]
    towns = [p for p in places if p.kind == "city" and p.population >= _CUED_TOWN]
    if _locative(span):
        # "to Middlestown", "at Wana": a small town of a country the text names, right after
        # the preposition ("in the West" is no town of that name).
        bare = (
            span.doc[span.start - 1].lower_ not in _DETERMINERS
            and span.text.lower() not in _INSTITUTIONS
        )
        return [
            p
            for p in places
            if p.kind == "city"
            and (
                (p.country in named and p.population >= (_HOME_TOWN if bare else _CUED_TOWN))
                or p.population >= _CUED_ANY_TOWN
            )
        ]
    if _resident_noun_after(span):
        # "a Racine woman", "two Glen Ellyn teenagers": where people live; under the town's
        # own name ("a South Side man" is of Chicago's, not of Southside, Arkansas).
        return [
            p
            for p in places
            if p.kind == "city"
            and name_key(p.name) == name_key(span.text)
            and p.population >= _HOME_TOWN
            and (p.country in named or p.population >= _CUED_TOWN)
        ]
    if _public_body_after(span):
        # "Austin police said", "Lexington officials": the town's police or officials.
        return [
            p for p in towns if name_key(p.name) == name_key(span.text)
            and (p.country in named or p.population >= _CUED_ANY_TOWN)
        ]  # fmt: skip
    listed = _listed_after(span, place_ends) or _listed_before(span)
    if listed is not None:
        countries = {p.country for p in gazetteer.lookup(listed.text)}
        return [p for p in towns if p.country in countries]
    if _locative_list(span):
        # "to Akure and Irrua": the preposition before the list vouches for each name.
        return [p for p in towns if p.country in named or p.population >= _CUED_ANY_TOWN]
    return []


@dataclass(frozen=True, slots=True)
class Anchor:
    """A point of a place name the model tagged (one of its town or county readings)."""

    key: str
    lat: float
    lon: float


# A cued name whose town lies this close to a reading of another place the text tags is that
# town, at any size: the smallest area that explains both ("a grass fire near Clunes" beside
# Ballarat, "Hexham, Corbridge and Newcastle", "30 miles north of Metropolis" beside Vienna,
# Illinois).
_NEIGHBOUR_KM = 40.0
_ANCHOR_KINDS = frozenset({"city", "admin2"})
# At most this many readings of one tagged name serve as anchors ("Springfield" has dozens).
_ANCHOR_READINGS = 40


def _anchors(doc: Doc, gazetteer: Gazetteer, datelines: Sequence[Span]) -> list[Anchor]:
    """The town and county readings of the place names the model tagged and of datelines."""
    found: list[Anchor] = []
    seen: set[str] = set()
    for span in [*doc.ents, *datelines]:
        if span.label_ not in {"GPE", "LOC"}:
            continue
        text = _strip_determiner(span).text
        key = name_key(text)
        if key in seen:
            continue
        seen.add(key)
        readings = [p for p in _places_or_abbreviation(text, gazetteer) if p.kind in _ANCHOR_KINDS]
        if len(readings) <= _ANCHOR_READINGS:
            found.extend(Anchor(key, p.lat, p.lon) for p in readings)
    return found


_COMPASS_WORDS = frozenset({"north", "south", "east", "west", "northeast", "northwest",
                            "southeast", "southwest"})  # fmt: skip


def _place_cue(span: Span) -> bool:
    """A cue that ``span`` names a place: a preposition of place before it ("near Clunes"),
    a compass word and "of" ("south of Wagga Wagga"), or a list with a place."""
    doc = span.doc
    k = span.start
    if (
        _locative(span)
        or _locative_list(span)
        or (k >= 2 and doc[k - 1].lower_ == "of" and doc[k - 2].lower_ in _COMPASS_WORDS)
    ):
        return True
    return _in_place_list(span)


def _in_place_list(span: Span) -> bool:
    """Whether ``span`` stands in a list of capitalised names ("Hexham, Corbridge and
    Newcastle") one of which the model tagged as a place, and none as a person."""
    doc = span.doc
    listed, place = False, False
    for step, edge in ((-1, span.start - 1), (1, span.end)):
        k = edge
        while 0 <= k < len(doc) and (doc[k].lower_ in _LIST_WORDS or doc[k].text[:1].isupper()):
            if doc[k].lower_ in _LIST_WORDS:
                listed = listed or k == edge
            elif doc[k].ent_type_ == "PERSON":
                return False  # "Helen, Clarence, Irene, Marie and Randy Kunz": people
            place = place or doc[k].ent_type_ in {"GPE", "LOC"}
            k += step
    return listed and place


def _neighbour_towns(span: Span, places: list[Place], anchors: Sequence[Anchor]) -> list[Place]:
    """The towns of a cued name that lie within ``_NEIGHBOUR_KM`` of another tagged place."""
    if not anchors or not _place_cue(span):
        return []
    key = name_key(span.text)
    return [
        p
        for p in places
        if p.kind == "city"
        and any(
            a.key != key and distance_km(a.lat, a.lon, p.lat, p.lon) <= _NEIGHBOUR_KM
            for a in anchors
        )
    ]


# Nouns for people after the name of the town they live in: "a Racine woman", "a Glen Ellyn
# teenager", "two Hammond men" (US local news names people so).
_RESIDENT_NOUNS = frozenset(
    {
        "man", "men", "woman", "women", "boy", "boys", "girl", "girls", "teen", "teens",
        "teenager", "teenagers", "resident", "residents", "couple", "family", "native",
        "student", "students", "driver", "motorist", "mother", "father", "youth",
    }
)  # fmt: skip
_RESIDENT_DETERMINERS = frozenset({"a", "an", "two", "three", "four", "several", "many"})


# Lower-case nouns for a town's public bodies after its name: "Austin police said".
_PUBLIC_BODIES = frozenset({"police", "officials", "authorities", "firefighters", "deputies"})


def _public_body_after(span: Span) -> bool:
    """Whether a lower-case noun for a town's public body follows ``span``, which a verb of
    speech or a clause end does not precede ("Austin police said", not "said Austin")."""
    doc = span.doc
    return (
        span.end < len(doc)
        and doc[span.end].text in _PUBLIC_BODIES
        and span[-1].text[:1].isupper()
        and (span.start == 0 or doc[span.start - 1].lemma_ not in _SPEECH)
    )


def _resident_noun_after(span: Span) -> bool:
    """Whether ``span`` stands between "a" (or a number) and a noun for people."""
    doc = span.doc
    return (
        span.start >= 1
        and span.end < len(doc)
        and doc[span.start - 1].lower_ in _RESIDENT_DETERMINERS
        and doc[span.end].lower_ in _RESIDENT_NOUNS
    )


def _listed_before(span: Span) -> Span | None:
    """The place entity of the model that ``span`` comes before in a list ("Mattoon and
    Charleston schools", "Brookfield and New Berlin officials"), if any."""
    doc = span.doc
    k = span.end
    if k + 1 >= len(doc) or doc[k].lower_ not in {"and", "or", "&"}:
        return None
    following = doc[k + 1]
    if following.ent_iob_ != "B" or following.ent_type_ != "GPE":
        return None
    end = k + 2
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[k + 1 : end]


_LIST_WORDS = frozenset({"and", "or", "&", ","})
_CLAUSE_ENDS = frozenset({".", ",", ";", ")", "(", ":"})


def _ends_clause(span: Span) -> bool:
    """Whether the qualifier after "span," closes the phrase ("Knockhill, Fife."), as it does
    in an address, not in "Smith, Texas Republican"."""
    doc = span.doc
    k = span.end + 1
    while k < len(doc) and doc[k].text[:1].isupper() and k - span.end <= 3:
        k += 1
    return k >= len(doc) or doc[k].text in _CLAUSE_ENDS or "\n" in doc[k - 1].whitespace_


# A town named as where a person lives ("Jane Doe, 34, of Marion") counts from this size: US
# local news names small towns so.
_HOME_TOWN = 1_000
# Names of a state's institutions that are also small towns' ("in Congress": Congress,
# Arizona): after a preposition they name the institution.
_INSTITUTIONS = frozenset(
    {"congress", "parliament", "senate", "assembly", "cabinet", "court", "capitol", "government"}
)


def _age_then_of(span: Span) -> bool:
    """Whether ``span`` follows a person's age between commas and "of", as news names where
    someone lives ("John Smith, 34, of Marion, was charged")."""
    doc = span.doc
    k = span.start
    return (
        k >= 4
        and doc[k - 1].lower_ == "of"
        and doc[k - 2].text == ","
        and doc[k - 3].like_num
        and doc[k - 4].text == ","
    )


# Nouns for a person whom news places by the town they live in: "the driver, of Waxahachie,".
_PERSON_NOUNS = _RESIDENT_NOUNS | {
    "victim", "victims", "suspect", "suspects", "passenger", "pedestrian", "owner", "child",
    "son", "daughter", "husband", "wife", "brother", "sister",
}  # fmt: skip


def _person_comma_of(span: Span) -> bool:
    """Whether ``span`` stands between ", of" after a person (a personal name, or a noun for
    one) and a comma or stop: where the person lives ("The driver, of Waxahachie, was")."""
    doc = span.doc
    k = span.start
    return (
        k >= 3
        and span.end < len(doc)
        and doc[span.end].text in {",", ".", ";"}
        and doc[k - 1].lower_ == "of"
        and doc[k - 2].text == ","
        and (doc[k - 3].ent_type_ == "PERSON" or doc[k - 3].lower_ in _PERSON_NOUNS)
    )


# Nouns for the people of a town before "of": "residents of Attawapiskat", "the mayor of Bude".
_PEOPLE_OF = frozenset(
    {
        "residents", "people", "villagers", "townspeople", "inhabitants", "voters", "mayor",
    }
)  # fmt: skip


def _residents_of(span: Span) -> bool:
    """Whether ``span`` follows a noun for a town's people and "of" ("Residents of X")."""
    doc = span.doc
    k = span.start
    return k >= 2 and doc[k - 1].lower_ == "of" and doc[k - 2].lower_ in _PEOPLE_OF


# Words that may stand between "in" and the division or country that contains the places
# before it: "in southern NSW", "in the eastern Free State", "in north Queensland".
_CONTAINER_LEAD = COMPASS_WORDS | {"the"}


def _containers_after(span: Span, gazetteer: Gazetteer) -> list[Place]:
    """The divisions and countries named after ``span`` (and the names listed with it) by
    "in", perhaps with "the" and a compass word: "Nainital and Haldwani in Uttarakhand"."""
    doc = span.doc
    k = span.end
    # Skip the rest of a list of names: ", Y", "and Y".
    while k + 1 < len(doc) and doc[k].lower_ in _LIST_WORDS and doc[k + 1].text[:1].isupper():
        k += 1
        while k < len(doc) and (doc[k].text[:1].isupper() or doc[k].text == "-"):
            k += 1
    if k >= len(doc) or doc[k].lower_ != "in":
        return []
    k += 1
    while k < len(doc) and doc[k].lower_ in _CONTAINER_LEAD:
        k += 1
    end = k
    while end < len(doc) and end - k < 3 and doc[end].text[:1].isupper():
        end += 1
    for stop in range(end, k, -1):
        text = doc[k:stop].text
        if stop < len(doc) and doc[stop].text == "." and text + "." in STATE_ABBREVIATIONS:
            text += "."
        outer = [p for p in _places_or_abbreviation(text, gazetteer) if p.kind in OUTER_KINDS]
        outer = outer or [p for p in gazetteer.lookup_postal(text) if len(text) > 1]
        if outer:
            return outer
    return []


def _person_then_of(span: Span) -> bool:
    """Whether ``span`` follows a personal name of two words or more and "of" ("Mary Kolar
    of Sun Prairie")."""
    doc = span.doc
    k = span.start
    if k < 3 or doc[k - 1].lower_ != "of" or doc[k - 2].ent_type_ != "PERSON":
        return False
    return doc[k - 3].ent_type_ == "PERSON" and doc[k - 2].ent_iob_ == "I"


def _admin_word_after(span: Span) -> bool:
    """Whether a lower-case administrative word follows ``span`` ("Kasese district", "in
    Equateur province"), the way news names a division after its seat."""
    doc = span.doc
    if span.end >= len(doc) or not span[-1].text[:1].isupper():
        return False
    word = doc[span.end]
    return word.is_lower and (word.text in ADMIN_WORDS or word.text in PLURAL_ADMIN_WORDS)


def _plural_division_after(span: Span) -> bool:
    """Whether ``span`` is a list of names ("X and Y") that a plural noun for divisions ends
    ("Barishal and Chattogram divisions": Bangladesh's and Pakistan's first level is the
    division)."""
    doc = span.doc
    return (
        span.end < len(doc)
        and (doc[span.end].text in PLURAL_ADMIN_WORDS or doc[span.end].text == "divisions")
        and any(token.lower_ in _LIST_WORDS for token in span)
        and span[-1].text[:1].isupper()
    )


_LIST_RUN = 8  # tokens a list of names may take before its plural administrative word


def _listed_before_admin_word(span: Span) -> bool:
    """Whether ``span`` opens or continues a list of names that a plural administrative word
    ends ("with Magaria and Mirriah districts", "Ondo, Edo and Bauchi states"): each name of
    the list is a division, as "Kasese district" is."""
    doc = span.doc
    j, joined = span.end, False
    while j < min(len(doc), span.end + _LIST_RUN):
        token = doc[j]
        if token.lower_ in _LIST_WORDS:
            joined = True
        elif not token.is_title:
            break
        j += 1
    return (
        joined
        and j < len(doc)
        and doc[j].is_lower
        and doc[j].text in PLURAL_ADMIN_WORDS
        and span[-1].text[:1].isupper()
    )


def _listed_after(span: Span, place_ends: dict[int, Span]) -> Span | None:
    """The place entity ``span`` follows in a list ("Hilversum and Almelo"), if any."""
    k = span.start - 1
    if k >= 1 and span.doc[k].lower_ in _NEARNESS_WORDS:
        k -= 1  # "Dublin and neighboring Hilliard"
    if k < 1 or span.doc[k].lower_ not in _LIST_WORDS:
        return None
    return place_ends.get(k)


_SPACED_DASHES = frozenset({"-", "--", "\u2013", "\u2014"})
_HEADLINE_KINDS = frozenset({"country", "admin1"})


def _headline_country(ent: Span, gazetteer: Gazetteer) -> Span | None:
    """The country or first-order division after a spaced dash inside an entity, up to the
    end of the entity or a colon ("Cholera - Malawi", "Dengue - Bangladesh: Hospitals"),
    where the words before the dash name no place: the headline of an outbreak report."""
    doc = ent.doc
    for k in range(ent.start + 1, ent.end - 1):
        spaced = bool(doc[k - 1].whitespace_) and bool(doc[k].whitespace_)
        if doc[k].text not in _SPACED_DASHES or not spaced:
            continue
        end = k + 1
        while end < ent.end and doc[end].text not in _CLAUSE_ENDS:
            end += 1
        head, tail = doc[ent.start : k], doc[k + 1 : end]
        if not len(tail) or gazetteer.knows(head.text):
            return None
        if any(p.kind in _HEADLINE_KINDS for p in gazetteer.lookup(tail.text)):
            return Span(doc, tail.start, tail.end, label="GPE")
        return None
    return None


def _place_label(places: list[Place]) -> str:
    if all(place.kind in {"region", "water", "continent"} for place in places):
        return "LOC"
    return "GPE"


def _misread_city(
    ent: Span, gazetteer: Gazetteer, context: GeoContext, named: frozenset[str]
) -> bool:
    """A one-word NORP that is no people's name but a town strong enough to overrule the
    model ("took Aleppo and Hama": the model's NORP for Aleppo, a city of two million)."""
    if ent.label_ != "NORP" or len(ent) != 1 or not ent.text.istitle():
        return False
    doc = ent.doc
    if ent.end < len(doc) and doc[ent.end].pos_ in {"NOUN", "PROPN"}:
        return False  # "on the Orange line": a modifier, as a people's name is
    if gazetteer.demonym_country(ent.text) or gazetteer.demonym_region(ent.text):
        return False
    towns = [p for p in gazetteer.lookup(ent.text) if p.kind == "city"]
    return bool(_strong_places(towns, context, named))


def _misread_country(ent: Span, gazetteer: Gazetteer) -> bool:
    """A NORP that is a country's own name, no people's ("Kyrgyzstan and Tajikistan", the
    second of which the model calls a nationality)."""
    if ent.label_ != "NORP" or gazetteer.demonym_country(ent.text):
        return False
    key = name_key(ent.text)
    return any(p.kind == "country" and name_key(p.name) == key for p in gazetteer.lookup(ent.text))


def correct_place_entities(
    doc: Doc, gazetteer: Gazetteer, context: GeoContext | None = None
) -> Doc:
    """Relabel PERSON/ORG spans that are places, and tag untagged place names; in place.

    Returns the same ``Doc`` so that it can serve as a pipeline component.
    """
    context = context or DEFAULT_CONTEXT
    person_words = _person_words(doc)
    datelines = _dateline_places(doc, gazetteer)
    named = _named_countries(doc, gazetteer, context, datelines)
    anchors = _anchors(doc, gazetteer, datelines)
    entities: list[Span] = []
    covered: set[int] = set()
    in_dateline = {i for span in datelines for i in range(span.start, span.end)}
    # Place entities by the token after them: "Gloucester and Cheltenham" lists two places.
    place_ends = {span.end: span for span in datelines}
    for ent in doc.ents:
        if in_dateline.intersection(range(ent.start, ent.end)):
            continue
        covered.update(range(ent.start, ent.end))
        if ent.label_ in PLACE_LABELS:
            place_ends[ent.end] = ent
        if ent.label_ in _RELABELLED and _postal_in_context(ent, gazetteer, named):
            # "Horry County, SC": the model calls the state's abbreviation an ORG.
            relabelled = Span(doc, ent.start, ent.end, label="GPE")
            entities.append(relabelled)
            place_ends[relabelled.end] = relabelled
            continue
        misread_division = (
            (
                ent.label_ == "NORP"
                # "Kasese district"; "a Racine woman" (the model's NORP for a town's people);
                # "in Kasese, western Uganda" (a cue for a town, and no people's name).
                and (
                    _admin_word_after(ent)
                    or _resident_noun_after(ent)
                    or (
                        ent.text[:1].isupper()
                        and (
                            _locative(ent)
                            or _locative_list(ent)
                            or _area_of(_strip_determiner(ent))
                        )
                    )
                )
                and gazetteer.demonym_country(ent.text) is None
                and gazetteer.demonym_region(ent.text) is None
            )
            or _misread_city(ent, gazetteer, context, named)
            or _misread_country(ent, gazetteer)
        )
        headline = _headline_country(ent, gazetteer) if ent.label_ in _RELABELLED else None
        if headline is not None:
            # "Cholera - Malawi", "Measles - Democratic Republic of the Congo: Since": an
            # outbreak report's headline, which the model takes for one name.
            entities.append(headline)
            place_ends[headline.end] = headline
            continue
        abbreviation = _split_abbreviation(doc, ent.start)
        if len(ent) == 1 and abbreviation is not None:
            # "GUELPH, Ont. —": the tokenizer cut the province's stop off, the model a PERSON.
            entities.append(abbreviation)
            place_ends[abbreviation.end] = abbreviation
            covered.add(abbreviation.end - 1)
            continue
        if (ent.label_ in _RELABELLED or misread_division) and not (
            ent.label_ in _RELABELLED_IF_NOT_CAPITALS and ent.text.isupper()
        ):
            span = _with_leading_word(_strip_determiner(ent), gazetteer, covered)
            places = _lookup_division_word(span, gazetteer)
            strong = _strong_places(places, context, named) or _cued_towns(
                span, places, gazetteer, named, place_ends, anchors
            )
            if strong and not _looks_like_person(span, strong, person_words):
                relabelled = Span(doc, span.start, span.end, label=_place_label(strong))
                entities.append(relabelled)
                place_ends[relabelled.end] = relabelled
                continue
            if _facility_at(span):
                # "at Northwestern Memorial Hospital": a building where something happened.
                relabelled = Span(doc, span.start, span.end, label="FAC")
                entities.append(relabelled)
                continue
            if _natural_feature_first(span) or _named_natural_feature(span):
                # "the River Calder", which the model calls an organisation; "the Teesta
                # river", which it calls a person.
                entities.append(Span(doc, span.start, span.end, label="LOC"))
                continue
            # "the districts of Castilla and Veintiséis de Octubre", or "Barishal and
            # Chattogram divisions": a list the model tagged as one name, which a plural
            # place or administrative word introduces or ends.
            members = _list_members(span) if _place_noun_of(span) else []
            if not members and _plural_division_after(span):
                members = [m for m in _list_members(span) if gazetteer.knows(m.text)]
            if not members and (_locative(span) or _locative_list(span)):
                # "in Sowerby Bridge and Elland", one ORG: towns a preposition introduces.
                members = _listed_towns(span, gazetteer)
            if len(members) > 1:
                # "the districts of Castilla and Veintiséis de Octubre", one ORG: each name.
                for member in members:
                    entities.append(Span(doc, member.start, member.end, label="GPE"))
                    place_ends[member.end] = entities[-1]
                continue
            if _named_by_place_noun(span, ent.label_) or _area_of(span) or _cued_division(span):
                # "Cairo's suburb of Madinaty": the model's PERSON is the suburb's name; so is
                # "Zangon Kataf" in "the Zangon Kataf area of Kaduna State".
                relabelled = Span(doc, span.start, span.end, label="GPE")
                entities.append(relabelled)
                place_ends[relabelled.end] = relabelled
                continue
        parts = _split_at_preposition(ent, gazetteer) if ent.label_ in {"GPE", "LOC"} else []
        if parts:
            # "the Democratic Republic of the Congo at Rubavu", one GPE: two places.
            entities.extend(parts)
            place_ends[parts[0].end] = parts[0]
            place_ends[parts[1].end] = parts[1]
            continue
        entities.append(ent)
    covered.update(in_dateline)
    entities.extend(datelines)
    entities.extend(
        _untagged_places(doc, gazetteer, context, covered, person_words, named, place_ends, anchors)
    )
    entities = _same_name_places(doc, entities, gazetteer, person_words)
    entities = _joined_names(doc, entities, gazetteer)
    entities = [_extend_to_region(span, gazetteer, covered) for span in entities]
    entities = [_extend_to_country(span, gazetteer, covered) for span in entities]
    entities = [_extend_through_particles(span, gazetteer, covered) for span in entities]
    doc.ents = sorted(entities, key=lambda span: span.start)
    return doc


# Labels a repeated place name may carry where the model misread it, besides no label.
_MISREAD_AS = frozenset({"PERSON", "ORG", "NORP", "PRODUCT", "WORK_OF_ART", "FAC"})


def _same_name_places(
    doc: Doc, entities: list[Span], gazetteer: Gazetteer, person_words: set[str]
) -> list[Span]:
    """One sense per text: a name the text uses as a place (a GPE or LOC the gazetteer knows)
    is a place wherever else it stands alone, untagged or misread as a person or an
    organisation ("Samos" tagged GPE thrice and PERSON twice). Not after a title, nor when it
    is part of a full personal name the text gives."""
    names: dict[tuple[str, ...], str] = {}
    for span in entities:
        if span.label_ in {"GPE", "LOC"}:
            place = _strip_determiner(span)
            if _propagates(place, gazetteer):
                names.setdefault(tuple(token.text for token in place), span.label_)
        elif span.label_ == "FAC" and _facility_name(_strip_determiner(span)):
            # "at MetroHealth Medical Center" ... "MetroHealth Medical Center, the county's"
            names.setdefault(tuple(token.text for token in _strip_determiner(span)), "FAC")
    if not names:
        return entities
    by_start = {span.start: span for span in entities}
    label_at: dict[int, str] = {}
    for span in entities:
        for i in range(span.start, span.end):
            label_at[i] = span.label_
    longest = max(len(name) for name in names)
    firsts = {name[0] for name in names}
    words = [token.text for token in doc]
    replaced: dict[int, Span] = {}
    i = 0
    while i < len(words):
        if words[i] not in firsts:
            i += 1
            continue
        for size in range(min(longest, len(words) - i), 0, -1):
            label = names.get(tuple(words[i : i + size]))
            if label is None:
                continue
            span = doc[i : i + size]
            entity = by_start.get(i)
            exact = entity is not None and entity.end == i + size
            free = all(k not in label_at for k in range(i, i + size))
            misread = exact and entity is not None and entity.label_ in _MISREAD_AS
            # "the Centre", "the MoD": a single word after "the" is more often an institution.
            after_the = size == 1 and i > 0 and doc[i - 1].lower_ in _DETERMINERS
            if (free or misread) and not after_the and not _named_person(span, person_words):
                replaced[i] = Span(doc, i, i + size, label=label)
                i += size - 1
            break
        i += 1
    if not replaced:
        return entities
    kept = [span for span in entities if span.start not in replaced]
    return kept + list(replaced.values())


def _propagates(place: Span, gazetteer: Gazetteer) -> bool:
    """Whether a place name is safe to read as a place wherever it recurs: words in title case
    (not initials: "TNA", "MoD"), naming a division, region or country, or a town of 5,000 or
    more (not a surname that is also a hamlet: "by Haydn")."""
    if not all(token.is_title for token in place if token.is_alpha):
        return False
    return any(p.kind != "city" or p.population >= _CUED_TOWN for p in gazetteer.lookup(place.text))


def _named_person(span: Span, person_words: set[str]) -> bool:
    previous = span.doc[span.start - 1] if span.start > 0 else None
    if previous is not None and previous.lower_.rstrip(".") in _TITLES:
        return True
    return len(span) == 1 and span[0].lower_ in person_words


# Words a country's or division's name may have between the two entities the model split
# it into: "the Democratic Republic of the" + "Congo", "Bosnia" and "Herzegovina".
_JOINING_WORDS = frozenset({"of", "the", "and", "&", "-"})
_JOINED_KINDS = frozenset({"country", "admin1", "region"})


def _joined_names(doc: Doc, entities: list[Span], gazetteer: Gazetteer) -> list[Span]:
    """Two entities the model split, at most two joining words apart, that together name a
    country, first-order division or region ("the Democratic Republic of the" and "Congo",
    "Trinidad" and "Tobago") are one place."""
    ordered = sorted(entities, key=lambda span: span.start)
    result: list[Span] = []
    for span in ordered:
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.label_ in PLACE_LABELS
            and span.label_ in PLACE_LABELS | _RELABELLED
            and span.start - previous.end <= 2
            and all(doc[k].lower_ in _JOINING_WORDS for k in range(previous.end, span.start))
        ):
            joined = _strip_determiner(doc[previous.start : span.end])
            places = [p for p in gazetteer.lookup(joined.text) if p.kind in _JOINED_KINDS]
            if places:
                result[-1] = Span(doc, joined.start, joined.end, label=_place_label(places))
                continue
        if (
            previous is not None
            and previous.label_ in PLACE_LABELS | _MISREAD_AS
            and span.label_ in PLACE_LABELS | _MISREAD_AS
            and PLACE_LABELS & {previous.label_, span.label_}
            and span.start == previous.end
            and previous[-1].is_title
            and span[0].is_title
        ):
            # "Merthyr" + "Tydfil": a town's name the model cut in two, with no word between.
            joined = _strip_determiner(doc[previous.start : span.end])
            places = [
                p
                for p in gazetteer.lookup(joined.text)
                if p.kind != "city" or p.population >= _CUED_TOWN
            ]
            if places:
                result[-1] = Span(doc, joined.start, joined.end, label=_place_label(places))
                continue
        result.append(span)
    return result


def _extend_to_region(span: Span, gazetteer: Gazetteer, covered: set[int]) -> Span:
    """ "Lachin" followed by "corridor" is the Lachin corridor, if the gazetteer knows it;
    "Emilia" followed by "-Romagna" (the tokenizer splits hyphenated names) is the region
    Emilia-Romagna."""
    doc = span.doc
    if span.label_ not in PLACE_LABELS or span.end >= len(doc) or span.end in covered:
        return span
    if (
        span.end + 1 < len(doc)
        and doc[span.end].text == "-"
        and not span[-1].whitespace_
        and not doc[span.end].whitespace_
        and doc[span.end + 1].is_title
        and span.end + 1 not in covered
    ):
        joined = doc[span.start : span.end + 2]
        if gazetteer.knows(joined.text):
            return Span(doc, joined.start, joined.end, label=span.label_)
    if not doc[span.end].is_alpha:
        return span
    longer = doc[span.start : span.end + 1]
    regions = [p for p in gazetteer.lookup(longer.text) if p.kind in {"region", "water"}]
    return Span(doc, longer.start, longer.end, label="LOC") if regions else span


# Words the model may leave out before a country's last word: "Democratic Republic of the".
_COUNTRY_LEAD = 5


def _extend_to_country(span: Span, gazetteer: Gazetteer, covered: set[int]) -> Span:
    """A place entity that untagged capitalised words and "of the" before it lengthen into a
    country's or division's name: the model's "Congo" in "Ebola disease - Democratic Republic
    of the Congo" is the Democratic Republic, not the Republic of the Congo."""
    doc = span.doc
    if span.label_ != "GPE":
        return span
    best = span
    start = span.start
    while start > 0 and span.start - start < _COUNTRY_LEAD:
        token = doc[start - 1]
        if start - 1 in covered or not (token.is_title or token.lower_ in {"of", "the"}):
            break
        start -= 1
        if not token.is_title:
            continue
        longer = doc[start : span.end]
        if any(p.kind in {"country", "admin1"} for p in gazetteer.lookup(longer.text)):
            best = Span(doc, start, span.end, label="GPE")
    return best


def _name_like(token: Token) -> bool:
    """A capitalised proper noun; or, first in its sentence, a capitalised word the tagger took
    for a common noun ("Lachin is quiet."); or a capitalised word the tagger took for a noun
    or an adjective that opens a list a plural administrative word ends ("Taroudant and
    Chichaoua provinces": an unfamiliar name first in a list is often tagged ADJ)."""
    if not token.is_title or len(token) < 3:
        return False
    if token.pos_ == "PROPN" or (bool(token.is_sent_start) and token.pos_ == "NOUN"):
        return True
    return token.pos_ in {"NOUN", "ADJ"} and _listed_before_admin_word(
        token.doc[token.i : token.i + 1]
    )


def _leads_known_name(doc: Doc, i: int, covered: set[int], gazetteer: Gazetteer) -> bool:
    """Whether the capitalised word at ``i``, which the tagger took for an adjective or a
    common noun, opens with the proper nouns after it a place's own name in the gazetteer
    ("Much Wenlock", "Long Eaton": the tagger reads "Much" and "Long" as adjectives)."""
    token = doc[i]
    if not token.is_title or len(token) < 3 or token.pos_ not in {"ADJ", "NOUN", "ADV", "PROPN"}:
        return False
    j = i + 1
    while j < len(doc) and j not in covered and doc[j].pos_ == "PROPN" and doc[j].is_title:
        j += 1
    if j == i + 1:
        return False
    key = name_key(doc[i:j].text)
    return any(name_key(p.name) == key for p in gazetteer.lookup(doc[i:j].text))


def _with_leading_word(span: Span, gazetteer: Gazetteer, covered: set[int]) -> Span:
    """``span`` with the capitalised adjective or noun before it, outside any entity, when
    the two make a place's own name ("Much" + the model's PERSON "Wenlock")."""
    k = span.start - 1
    if k < 0 or k in covered or not _leads_known_name(span.doc, k, set(), gazetteer):
        return span
    whole = span.doc[k : span.end]
    key = name_key(whole.text)
    if any(name_key(p.name) == key for p in gazetteer.lookup(whole.text)):
        return whole
    return span


def _dateline_places(doc: Doc, gazetteer: Gazetteer) -> list[Span]:
    """All-capitals place names that open a dateline: "TORONTO —", "MEXICO CITY (AP)".

    The run of capitals must begin a line or a sentence and be followed by dateline
    punctuation; it counts when it names a country, division or region, or a town of 10,000.
    The small model leaves most of them untagged or calls them ORG.
    """
    found: list[Span] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        line_start = i == 0 or "\n" in doc[i - 1].text_with_ws
        starts = line_start or token.is_sent_start
        if not (starts and token.is_upper and token.is_alpha and len(token) > 1):
            i += 1
            continue
        j = i + 1
        while j < len(doc) and (
            (doc[j].is_upper and _capitals_word(doc[j])) or _joins_capitals(doc, j)
        ):
            j += 1
        # The mark stands apart ("TORONTO —"), not inside a word ("TIP-INS"); a single word
        # of three letters is more often initials than a town.
        # A comma or colon ends a dateline only at the start of a line ("SOUTH WAZIRISTAN, April
        # 5"): in running text a word in capitals before a comma is more often initials.
        apart = (j < len(doc) and doc[j].text in {",", ":"} and line_start) or (
            doc[j - 1].whitespace_ and j < len(doc) and doc[j].text not in {",", ":"}
        )
        long_enough = j - i > 1 or len(token) > 3
        # "OKLAHOMA CITY" alone on its line, the story on the next, is a dateline too; so is
        # a text's first run of capitals before a capitalised word, where the line break was
        # lost in extraction ("OKLAHOMA CITY The Latest on ...").
        alone = line_start and j < len(doc) and doc[j].is_space and "\n" in doc[j].text
        alone = alone or (i == 0 and j < len(doc) and doc[j].is_title)
        marked = j < len(doc) and doc[j].text in _DATELINE_MARKS and apart
        if (marked or alone) and long_enough:
            span = doc[i:j]
            places = [
                p
                for p in gazetteer.lookup(span.text)
                if p.kind != "city" or p.population >= _DATELINE_TOWN
            ]
            if places:
                found.append(Span(doc, i, j, label=_place_label(places)))
            elif line_start and doc[j].text == "," and _dateline_qualifier(doc, j + 1, gazetteer):
                # "CAMP MURRAY, Wash. -", "HORRY COUNTY, SC (WMBF)": a place the gazetteer
                # lacks, in the state or country the dateline names after it.
                found.append(Span(doc, i, j, label="GPE"))
        i = j
    return found


def _capitals_word(token: Token) -> bool:
    """A word of a dateline in capitals: "TORONTO", or an abbreviation ("ST." in "ST. LOUIS")."""
    return token.is_alpha or (token.text.endswith(".") and token.text[:-1].isalpha())


def _joins_capitals(doc: Doc, j: int) -> bool:
    """A hyphen inside a name in capitals ("PORT-AU-PRINCE"), with no space around it, or
    the stop of an abbreviation in one ("ST. LOUIS", "FT. WORTH")."""
    hyphen = doc[j].text == "-" and not doc[j].whitespace_
    stop = doc[j].text == "." and len(doc[j - 1]) <= 3
    return (
        (hyphen or stop)
        and not doc[j - 1].whitespace_
        and j + 1 < len(doc)
        and doc[j + 1].is_upper
        and doc[j + 1].is_alpha
    )


def _opens_dateline(span: Span) -> bool:
    """Whether ``span``, in capitals, begins a line or sentence and dateline punctuation
    follows it ("KIEV, Ukraine (AP) -", "ROME (Reuters) -")."""
    doc = span.doc
    if not span.text.isupper() or span.end >= len(doc) or doc[span.end].text not in _DATELINE_MARKS:
        return False
    k = span.start
    return k == 0 or "\n" in doc[k - 1].text_with_ws or bool(span[0].is_sent_start)


def _dateline_qualifier(doc: Doc, k: int, gazetteer: Gazetteer) -> bool:
    """Whether the words from ``k`` name a country or first-order division, as a dateline
    writes it ("Ukraine", "SC", "Wash.", "N.B."), followed by dateline punctuation."""
    for end in range(min(len(doc), k + 3), k, -1):
        words = doc[k:end]
        if end < len(doc) and doc[end].text not in _DATELINE_MARKS and not doc[end].is_punct:
            continue
        text = words.text
        if text in STATE_ABBREVIATIONS or any(
            p.kind in {"country", "admin1"} for p in _places_or_postal(text, gazetteer)
        ):
            return True
    return False


def _untagged_places(
    doc: Doc,
    gazetteer: Gazetteer,
    context: GeoContext,
    covered: set[int],
    person_words: set[str],
    named: frozenset[str],
    place_ends: dict[int, Span],
    anchors: Sequence[Anchor] = (),
) -> list[Span]:
    """Runs of proper nouns outside any entity that name a strong gazetteer place."""
    found: list[Span] = []
    text = doc.text  # once: Doc.text joins every token each time it is read
    i = 0
    while i < len(doc):
        if i in covered:
            i += 1
            continue
        token = doc[i]
        if _country_initials(token, gazetteer):
            # "US", "UAE" outside any entity: initials that name a country and nothing else
            # a text would mean by them.
            found.append(Span(doc, i, i + 1, label="GPE"))
            i += 1
            continue
        if _abbreviated_qualifier(doc, i):
            # "Nelson, B.C. Instead of ...": the state's abbreviation, untagged at a
            # sentence's end, qualifies the town before it.
            found.append(Span(doc, i, i + 1, label="GPE"))
            i += 1
            continue
        if token.is_upper and _postal_container(doc, i, gazetteer, place_ends):
            # "Wagga Wagga and Gundagai in southern NSW": the state the towns are in.
            found.append(Span(doc, i, i + 1, label="GPE"))
            i += 1
            continue
        # "Guelph, Ont.": a comma just before (tested on the text: cheaper than a token).
        after_comma = text[max(0, token.idx - 2) : token.idx].rstrip().endswith(",")
        abbreviation = _split_abbreviation(doc, i) if after_comma else None
        if abbreviation is not None and abbreviation.end - 1 not in covered:
            found.append(abbreviation)
            i = abbreviation.end
            continue
        if not (_name_like(token) or _leads_known_name(doc, i, covered, gazetteer)):
            i += 1
            continue
        j = i + 1
        while j < len(doc) and j not in covered and (doc[j].pos_ == "PROPN" or doc[j].text == "-"):
            j += 1
        j = _through_particles(doc, i, j, covered, gazetteer)
        span = doc[i:j]
        inner = _country_in_run(span, gazetteer)
        if inner is not None:
            # "SME Mauritius Limited", "the Ukraine Trade Mission": a country inside a run
            # of proper nouns that names nothing as a whole.
            found.append(inner)
            i = j
            continue
        places = _lookup_division_word(span, gazetteer)
        strong = _strong_places(places, context)
        # Untagged names get the stricter test: only the region of interest and non-towns,
        # or a town a cue vouches for ("in Colchester" in a text that names Britain).
        strong = [
            p for p in strong if p.kind != "city" or p.country in context.focus_countries
        ] or _cued_towns(span, places, gazetteer, named, place_ends, anchors)
        if strong and not _looks_like_person(span, strong, person_words):
            found.append(Span(doc, i, j, label=_place_label(strong)))
            place_ends[j] = found[-1]
        elif _named_by_place_noun(span) or _area_of(span) or _cued_division(span):
            found.append(Span(doc, i, j, label="GPE"))
            place_ends[j] = found[-1]
        elif _facility_at(span):
            found.append(Span(doc, i, j, label="FAC"))
        elif _natural_feature_first(span):
            found.append(Span(doc, i, j, label="LOC"))
        i = j
    return found


# Lower-case words inside Romance place names: "Rio Grande do Sul", "Mato Grosso do Sul",
# "Santa Cruz de la Sierra", "Vina del Mar".
_NAME_PARTICLES = frozenset({"do", "da", "dos", "das", "de", "del", "la", "los", "las"})


def _through_particles(doc: Doc, i: int, j: int, covered: set[int], gazetteer: Gazetteer) -> int:
    """The end of the run of proper nouns ``doc[i:j]`` carried on through lower-case particles
    and the names after them, where the longer name is one the gazetteer knows ("Rio Grande
    do Sul", the Brazilian state, not the town of Rio Grande); else ``j``."""
    k = j
    while k < len(doc) and k not in covered and doc[k].lower_ in _NAME_PARTICLES:
        k += 1
    if k == j or k >= len(doc) or k in covered or not doc[k].is_title:
        return j
    end = k + 1
    while end < len(doc) and end not in covered and doc[end].pos_ == "PROPN":
        end += 1
    return end if gazetteer.knows(doc[i:end].text) else j


def _extend_through_particles(span: Span, gazetteer: Gazetteer, covered: set[int]) -> Span:
    """A place entity the model ended before a particle ("Rio Grande" of "Rio Grande do
    Sul"), carried on to the longer name the gazetteer knows."""
    if span.label_ not in PLACE_LABELS:
        return span
    end = _through_particles(span.doc, span.start, span.end, covered, gazetteer)
    return span if end == span.end else Span(span.doc, span.start, end, label=span.label_)


def _abbreviated_qualifier(doc: Doc, i: int) -> bool:
    """A news-style abbreviation of a state or province after "<Name>," ("Salem, Ore.")."""
    return (
        doc[i].text in STATE_ABBREVIATIONS
        and i >= 2
        and doc[i - 1].text == ","
        and doc[i - 2].text[:1].isupper()
    )


def _postal_container(doc: Doc, i: int, gazetteer: Gazetteer, place_ends: dict[int, Span]) -> bool:
    """Whether the token at ``i`` is a postal abbreviation ("NSW", "WA") after "in" (perhaps
    "in the", "in southern") and a place entity that may lie in the state it names."""
    postal = gazetteer.lookup_postal(doc[i].text)
    if not postal:
        return False
    k = i - 1
    while k >= 0 and doc[k].lower_ in _CONTAINER_LEAD:
        k -= 1
    if k < 1 or doc[k].lower_ != "in" or k not in place_ends:
        return False
    inner = gazetteer.lookup(_strip_determiner(place_ends[k]).text)
    return any(contains(outer, place) for outer in postal for place in inner)


def _split_abbreviation(doc: Doc, i: int) -> Span | None:
    """A state's or province's abbreviation after "<Name>," whose stop the tokenizer cut off
    ("Guelph, Ont.", "Regina, Sask."): the two tokens as one place."""
    if not (
        i >= 2
        and doc[i - 1].text == ","
        and i + 1 < len(doc)
        and doc[i + 1].text == "."
        and not doc[i].whitespace_
        and doc[i].text + "." in STATE_ABBREVIATIONS
        and doc[i - 2].text[:1].isupper()
    ):
        return None
    return Span(doc, i, i + 2, label="GPE")


# Lower-case nouns for an area of a larger place, between the area's name and "of" and the
# place: "the Guji zone of Oromia", "the Zangon Kataf area of Kaduna State", "the Bevois ward
# of Southampton".
AREA_NOUNS = ADMIN_WORDS | {
    "zone", "area", "ward", "division", "subdistrict", "sub-district", "subcounty",
    "sub-county", "constituency", "neighbourhood", "neighborhood", "suburb", "township",
    "borough", "locality", "tehsil", "taluk", "upazila", "commune",
}  # fmt: skip


def _area_of(span: Span) -> bool:
    """Whether ``span``, in title case after "the", is followed by a noun for an area and
    "of" and a capitalised name: "the Guji zone of Oromia region"."""
    doc = span.doc
    k = span.end
    return (
        span.start >= 1
        and doc[span.start - 1].lower_ == "the"
        and all(t.is_title or not t.is_alpha for t in span)
        and k + 2 < len(doc)
        and doc[k].lower_ in AREA_NOUNS
        and doc[k].is_lower
        and doc[k + 1].lower_ == "of"
        and doc[k + 2].text[:1].isupper()
    )


# Administrative words that, after a name a preposition of place introduces, make the name a
# division's even where the gazetteer lacks it ("in Al Haouz province"). Not "state" or
# "county", which also qualify a people or a body ("in Ohio state politics").
_DIVISION_CUES = frozenset(
    {"province", "district", "region", "governorate", "prefecture", "oblast"}
)


def _cued_division(span: Span) -> bool:
    """Whether ``span``, names in title case, is introduced by a preposition of place and
    followed by a lower-case administrative word that ends the phrase: "in Al Haouz province,
    where", "from Kie-Ntem province". Not "in Beni district court" (a noun after the word)."""
    doc = span.doc
    k = span.end
    if k >= len(doc) or doc[k].text not in _DIVISION_CUES:
        return False
    if k + 1 < len(doc) and doc[k + 1].pos_ in {"NOUN", "PROPN"}:
        return False
    words = [t for t in span if t.is_alpha]
    return bool(words) and all(t.is_title for t in words) and _locative(span)


def _country_initials(token: Token, gazetteer: Gazetteer) -> bool:
    if not (token.is_upper and token.is_alpha and 2 <= len(token) <= 4):
        return False
    places = gazetteer.lookup(token.text)
    return any(p.kind == "country" for p in places) and all(
        p.kind == "country" or p.population < _CUED_TOWN for p in places
    )


def _country_in_run(span: Span, gazetteer: Gazetteer) -> Span | None:
    """A country named by part of a run of proper nouns that names no place as a whole."""
    if len(span) < 2 or gazetteer.knows(span.text):
        return None
    for size in range(len(span) - 1, 0, -1):
        for start in range(span.start, span.end - size + 1):
            part = span.doc[start : start + size]
            if not part[0].is_title or not part[-1].is_alpha:
                continue
            if any(p.kind == "country" for p in gazetteer.lookup(part.text)):
                return Span(span.doc, part.start, part.end, label="GPE")
    return None


def _embedded_place(
    ent: Span, gazetteer: Gazetteer, named: frozenset[str] = frozenset()
) -> Span | None:
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
        if not _word(head[-1]) or not head[0].text[:1].isupper():
            continue
        if len(head) == 1 and head[0].lower_ in _GENERIC_WORDS:
            continue  # "Central Bank": Central is a region of Uganda, not this bank's place
        if gazetteer.demonym_country(head.text) is not None and not any(
            place.kind == "country" for place in gazetteer.lookup(head.text)
        ):
            continue  # "the Kazakh foreign ministry": a people's name, not the district Kazakh
        places = [
            place
            for place in _places_or_postal(head.text, gazetteer)
            if place.kind != "city"
            or place.population >= _EMBEDDED_CITY
            or (place.population >= _EMBEDDED_NAMED_CITY and place.country in named)
        ]
        if places:
            return head
    return _trailing_place(span, gazetteer, start=span.start + 1)


# Head words of organisations' names: a PERSON entity ending with one is an organisation the
# model misread ("Abuja Chamber", "Miami Herald", "Bolton Wanderers").
_ORGANISATION_HEADS = frozenset(
    {
        "chamber", "council", "university", "college", "school", "hospital", "police",
        "herald", "times", "post", "tribune", "gazette", "press", "journal", "news",
        "club", "fc", "united", "city", "town", "county", "rovers", "wanderers", "albion",
        "athletic", "rangers", "academy", "airport", "association", "authority", "bank",
        "board", "company", "corporation", "group", "institute", "ministry", "office",
        "party", "port", "service", "society", "union",
    }
)  # fmt: skip


def _organisation_called_person(ent: Span) -> bool:
    return ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].lower_ in _ORGANISATION_HEADS


def _currency_country(ent: Span, gazetteer: Gazetteer) -> Span | None:
    """The country of a sum's currency: "US" in "11 billion US dollars", "Hong Kong" in "5
    million Hong Kong dollars"; the run of capitalised words just before the currency word."""
    if ent.label_ != "MONEY" or len(ent) < 2 or not ent[-1].is_lower:
        return None
    end = ent.end - 1
    for start in range(max(ent.start, end - 3), end):
        run = ent.doc[start:end]
        if all(_word(token) and token.text[:1].isupper() for token in run) and any(
            p.kind == "country" for p in gazetteer.lookup(run.text)
        ):
            return run
    return None


def _trailing_place(span: Span, gazetteer: Gazetteer, *, start: int) -> Span | None:
    """The longest run of words ending ``span`` (from ``start`` on) that names a country or a
    first-order division, ignoring a company suffix ("HSBC Bank Malta plc")."""
    end = span.end
    while end > start and span.doc[end - 1].lower_ in _COMPANY_SUFFIXES:
        end -= 1
    for first in range(start, end):
        tail = span.doc[first:end]
        if not tail[0].text[:1].isupper() or not _word(tail[-1]):
            continue
        if any(p.kind in {"country", "admin1"} for p in _places_or_postal(tail.text, gazetteer)):
            return tail
    return None


def _places_or_postal(text: str, gazetteer: Gazetteer) -> list[Place]:
    """The places a name names, or the divisions a postal abbreviation names ("FrontCounter
    BC", "Horry County, SC")."""
    return gazetteer.lookup(text) + gazetteer.lookup_postal(text)


def _word(token: Token) -> bool:
    """A word, or an abbreviation written with stops ("U.S.", "U.K.")."""
    return token.is_alpha or (
        len(token) > 2 and token.text.endswith(".") and token.text.replace(".", "").isalpha()
    )


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
_COMPANY_SUFFIXES = frozenset(
    {
        "plc",
        "ltd",
        "inc",
        "llc",
        "ag",
        "sa",
        "co",
        "corp",
        "limited",
        "nv",
        "bv",
        "gmbh",
        "spa",
        "pty",
    }
)


_MODIFIER_DEPS = frozenset({"amod", "compound", "nmod", "conj", "appos", "npadvmod"})
_PLURAL_TAGS = frozenset({"NNS", "NNPS"})
# Entity labels under which the small model puts single-word demonyms it misreads.
_DEMONYM_MISLABELS = frozenset({"PERSON", "GPE", "ORG"})


def _is_modifier(token: Token) -> bool:
    """Whether a demonym is used as a modifier ("Russian troops"), not as a noun for people."""
    if token.tag_ in _PLURAL_TAGS or token.dep_ not in _MODIFIER_DEPS:
        return False
    # In "German, Irish and other immigrants" the conjunct modifies what its head modifies.
    return token.dep_ != "conj" or token.head.dep_ in _MODIFIER_DEPS


def _demonym(span: Span, gazetteer: Gazetteer) -> Toponym | None:
    """``span`` as a demonym, with its country and whether it is used as a modifier."""
    span = _strip_determiner(span)
    code = gazetteer.demonym_country(span.text)
    region = None if code is not None else gazetteer.demonym_region(span.text)
    if code is None and region is None:
        return None
    return Toponym(
        span.start_char,
        span.end_char,
        span.text,
        "NORP",
        demonym_country=code,
        demonym_region=None if region is None else region.name,
        modifier=_is_modifier(span[-1]),
    )


def _loose_demonyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Demonyms the model tagged as nothing, or as a one-word person, place or organisation:
    "Turkish" in "the Syrian-Turkish border", "Slovak architect"."""
    found = []
    for token in doc:
        if not token.text[:1].isupper() or not token.is_alpha:
            continue
        if token.ent_type_ and not (
            token.ent_type_ in _DEMONYM_MISLABELS and token.ent_iob_ == "B" and _single(token)
        ):
            continue
        if token.pos_ != "ADJ" and not (token.ent_type_ and _is_modifier(token)):
            continue
        toponym = _demonym(doc[token.i : token.i + 1], gazetteer)
        if toponym is not None and gazetteer.lookup(token.text) == []:
            found.append(toponym)
    return found


def _single(token: Token) -> bool:
    doc = token.doc
    return token.i + 1 >= len(doc) or doc[token.i + 1].ent_iob_ != "I"


def _leading_demonym(ent: Span, gazetteer: Gazetteer) -> Toponym | None:
    """The demonym an organisation's name begins with: "Nigerian" in "the Nigerian Army"."""
    span = _strip_determiner(ent)
    if len(span) < 2:
        return None
    found = _demonym(span[:1], gazetteer)
    if found is None:
        return None
    return Toponym(
        found.start, found.end, found.text, "NORP", demonym_country=found.demonym_country,
        demonym_region=found.demonym_region, modifier=True,
    )  # fmt: skip


def _surnames(doc: Doc) -> dict[str, set[str]]:
    """The last words of the full personal names of the text, with the words before them."""
    names: dict[str, set[str]] = {}
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1 and ent[-1].is_alpha:
            names.setdefault(ent[-1].lower_, set()).add(ent[:-1].text.lower())
    return names


# Words of the names of events, laws and societies, which the small model often calls FAC or
# GPE ("the Easter Vigil", "the Dublin International Piano Competition", "the ... Act",
# "Operation Lafiya Dole"): a name no gazetteer knows with one of them is no place.
_EVENT_WORDS = frozenset(
    {
        "vigil", "mass", "day", "days", "week", "competition", "festival", "show", "act",
        "operation", "championship", "championships", "cup", "conference", "summit",
        "tournament", "concert", "league", "society", "awards", "prize", "olympics",
        "election", "elections", "protocol", "treaty", "accord", "agreement",
    }
)  # fmt: skip


def _listed_with_person(span: Span) -> bool:
    """Whether a list joins ``span`` to a person's name ("Susil Premajayantha, Dayasiri
    Jayasekara, Dilan Perera"): a name no gazetteer knows there is another person's."""
    doc = span.doc
    before, after = span.start - 1, span.end
    if before >= 1 and doc[before].lower_ in _LIST_WORDS and doc[before - 1].ent_type_ == "PERSON":
        return True
    if after + 1 < len(doc) and doc[after].lower_ in _LIST_WORDS:
        following = (
            doc[after + 2]
            if doc[after + 1].lower_ == "and" and after + 2 < len(doc)
            else doc[after + 1]
        )
        return following.ent_type_ == "PERSON"
    return False


def _unknown_place_name(span: Span, label: str, surnames: dict[str, set[str]]) -> bool:
    """Whether a place entity no gazetteer knows reads as a name of a place (a street, a
    building) rather than a misread common noun or person: it begins with a capital ("red
    states", "bay colt" do not), has more than one word if the model calls it a building
    ("Mamo", "Roller"), has no word of an event's or a law's name ("Easter Vigil"), and does
    not end with the surname of another person the text names in full ("Helen Kunz" beside
    "Randy Kunz"; "Trump Tower" beside "Donald Trump" stays)."""
    if not span[0].text[:1].isupper():
        return False
    if len(span) == 1:
        return label != "FAC"
    if any(token.lower_ in _EVENT_WORDS for token in span) or _listed_with_person(span):
        return False
    others = surnames.get(span[-1].lower_, set()) - {span[:-1].text.lower()}
    return not others


# A single word whose only readings are villages this small is more often a name the model
# misread ("the next Salah", "Harvey, Irma and Maria"), unless a cue vouches for it.
_VILLAGE = 1_000


def _mixed_case_initials(span: Span) -> bool:
    """Initials written in mixed case ("MoD", "DfE", "DoJ"): an institution, whatever the
    gazetteer reads into them ("MoD" is a key of Maud, Oklahoma)."""
    text = span.text
    return (
        len(span) == 1
        and 2 < len(text) <= 4
        and text.isalpha()
        and any(c.islower() for c in text)
        and any(c.isupper() for c in text[1:])
    )


def _obscure_village(span: Span, gazetteer: Gazetteer, context: GeoContext) -> bool:
    """A one-word place entity whose only readings are villages of under 1,000 people outside
    the region of interest, with no preposition of place, "the village of" or qualifier ("X,
    Ohio") to vouch for it."""
    if len(span) != 1 or span.text.isupper() or span.text in STATE_ABBREVIATIONS:
        return False
    places = gazetteer.lookup(span.text)
    if not places or any(
        p.kind != "city" or p.population >= _VILLAGE or p.country in context.focus_countries
        for p in places
    ):
        return False
    return not (
        _locative(span)
        or _locative_list(span)
        or _place_noun_of(span)
        or _qualifiers(span, gazetteer)
    )


def find_toponyms(
    doc: Doc, gazetteer: Gazetteer, context: GeoContext | None = None
) -> list[Toponym]:
    """Place entities of ``doc`` (GPE, LOC, FAC) and, as context, its demonyms."""
    context = context or DEFAULT_CONTEXT
    toponyms: list[Toponym] = []
    surnames = _surnames(doc)
    named = _named_countries(doc, gazetteer, context)
    for ent in doc.ents:
        if ent.label_ == "NORP":
            demonym = _demonym(ent, gazetteer)
            if demonym is not None:
                toponyms.append(demonym)
            continue
        if ent.label_ in _EMBEDDING_LABELS or _organisation_called_person(ent):
            embedded = _embedded_place(ent, gazetteer, named) or _currency_country(ent, gazetteer)
            if embedded is not None:
                last = embedded[-1].lower_
                toponyms.append(
                    Toponym(
                        embedded.start_char,
                        embedded.end_char,
                        embedded.text,
                        "ORG",
                        # "Kent County Council": the county, whichever country's it is.
                        admin_word=last if len(embedded) > 1 and last in ADMIN_WORDS else None,
                    )
                )
            else:
                leading = _leading_demonym(ent, gazetteer)
                if leading is not None:
                    toponyms.append(leading)
            continue
        if ent.label_ not in PLACE_LABELS:
            continue
        for part, label in _qualified_parts(ent, gazetteer):
            span = _strip_determiner(part)
            if _names_a_disease(span):
                continue  # "Lassa fever", "Ebola virus": a disease named after a place
            if len(span) > 1 and span[-1].is_lower and span[-1].lower_ in _LOCATIVE:
                span = span[:-1]  # "the Town of Hempstead near": the model took the preposition
            if len(span) > 1 and span[-1].lower_ in _TOWN_WORDS and not gazetteer.knows(span.text):
                span = span[:-1]  # "Riyadh city", "Norwich City" (a club): the town
            named_town = _municipality_named(span, gazetteer)
            if named_town is not span:
                span, label = named_town, "GPE"  # a town, whatever the model made of it
            if len(span) > 1 and not gazetteer.knows(span.text):
                # "Building Ireland", "Greater Manchester": the known place the name ends with.
                span = _trailing_place(span, gazetteer, start=span.start + 1) or span
            if (
                not gazetteer.knows(span.text)
                and not _postal_in_context(span, gazetteer, named)
                and not _unknown_place_name(span, label, surnames)
            ):
                continue
            if _obscure_village(span, gazetteer, context) or _mixed_case_initials(span):
                continue
            if len(span) == 1 and span[0].is_lower:
                continue  # "the metro" (a FAC): a common noun, whatever town it spells
            if (
                len(span) == 1
                and span[0].text.endswith(".")
                and span[0].lower_[:-1] in _TITLES
                and not _abbreviated_qualifier(doc, span.start)
            ):
                # "Sen. Ben Sasse": an abbreviated title, not Southend-on-Sea ("SEN"); but
                # "JACKSON, Miss. —" is Mississippi, the state after its town.
                continue
            admin_word = None
            if span[-1].lower_ in ADMIN_WORDS and len(span) > 1:
                admin_word = span[-1].lower_
            elif span.end < len(doc) and doc[span.end].lower_ in ADMIN_WORDS:
                admin_word = doc[span.end].lower_
            near = any(
                doc[k].lower_ in _NEAR_WORDS for k in range(max(0, span.start - 2), span.start)
            )
            toponyms.append(
                Toponym(
                    span.start_char,
                    span.end_char,
                    span.text,
                    label,
                    admin_word=admin_word,
                    near=near,
                    cued=label != "FAC"
                    and (
                        _place_noun_of(span)
                        or _area_of(span)
                        or (_locative(span) and _listed_before_known(span, gazetteer))
                        or _admin_word_after(span)
                        or _listed_before_admin_word(span)
                        or _natural_word_after(span) is not None
                    ),
                    dateline=_opens_dateline(span),
                    part_of=span.start > 0 and doc[span.start - 1].lower_ in COMPASS_ADJECTIVES,
                    natural_word=_natural_word_after(span),
                )
            )
    toponyms.extend(_named_divisions(doc, gazetteer, toponyms))
    toponyms = _listed_divisions(sorted(toponyms, key=lambda t: t.start), doc.text)
    taken = {(t.start, t.end) for t in toponyms}
    toponyms.extend(t for t in _loose_demonyms(doc, gazetteer) if (t.start, t.end) not in taken)
    return sorted(toponyms, key=lambda t: t.start)


# Capitalised words for a municipality before "of" and its name: "the Town of Hempstead",
# "the City of Sunderland", "the Borough of Ridgewood".
_MUNICIPALITIES = frozenset({"Town", "City", "Village", "Borough", "Township", "Municipality"})


def _municipality_named(span: Span, gazetteer: Gazetteer) -> Span:
    """The name in "Town of X", "City of X" where the gazetteer knows X and not the whole (a
    municipality, named as its town); else ``span``."""
    if (
        len(span) > 2
        and span[0].text in _MUNICIPALITIES
        and span[1].lower_ == "of"
        and not gazetteer.knows(span.text)
        and gazetteer.knows(span[2:].text)
    ):
        return span[2:]
    return span


def _listed_before_known(span: Span, gazetteer: Gazetteer) -> bool:
    """Whether "and" or "or" joins ``span`` to a place entity the gazetteer knows ("the
    camps in Ukhia and Teknaf"): a name listed with a known place after a preposition of
    place is a place the gazetteer lacks, not a misread word."""
    doc = span.doc
    k = span.end
    if k + 1 >= len(doc) or doc[k].lower_ not in {"and", "or", "&"}:
        return False
    following = next((ent for ent in doc.ents if ent.start == k + 1), None)
    return (
        following is not None
        and following.label_ in PLACE_LABELS
        and gazetteer.knows(_strip_determiner(following).text)
    )


# Administrative words in the plural, after the last of a list of divisions: "in Thatta and
# Badin districts", "Edo, Ondo and Kogi states".
PLURAL_ADMIN_WORDS: Mapping[str, str] = {
    "districts": "district",
    "provinces": "province",
    "states": "state",
    "counties": "county",
    "regions": "region",
    "governorates": "governorate",
    "prefectures": "prefecture",
    "municipalities": "municipality",
    "departments": "department",
    "oblasts": "oblast",
}
_LISTING = frozenset({",", "and", "or", ", and", ", or", "&"})


def _listed_divisions(toponyms: list[Toponym], text: str) -> list[Toponym]:
    """Every name of a list that a plural administrative word closes is such a division
    ("Giza and Qena governorates": both governorates)."""
    result = list(toponyms)
    for i in range(len(result) - 1, -1, -1):
        after = text[result[i].end :].split(maxsplit=1)
        word = PLURAL_ADMIN_WORDS.get(after[0].lower().rstrip(".,;:)")) if after else None
        if word is None or result[i].label == "NORP":
            continue
        result[i] = replace(result[i], admin_word=word)
        k = i - 1
        while k >= 0 and text[result[k].end : result[k + 1].start].strip() in _LISTING:
            if result[k].label != "NORP" and result[k].admin_word is None:
                result[k] = replace(result[k], admin_word=word)
            k -= 1
    return result


# Words after a town's name that say what it is ("Riyadh city") or make it a club's name
# ("Norwich City"), where the whole is no place the gazetteer knows.
_TOWN_WORDS = frozenset({"city", "town"})
# Words after a place's name that make it a disease's ("Lassa fever", "Ebola virus disease",
# "West Nile virus"): outbreak reports name many, and they say nothing of where cases are.
_DISEASE_WORDS = frozenset(
    {"fever", "virus", "disease", "flu", "influenza", "encephalitis", "syndrome", "strain"}
)


# Lower-case adjectives that may stand between the place and the disease word: "Middle East
# respiratory syndrome", "Crimean-Congo haemorrhagic fever".
_DISEASE_GAP = 2


def _names_a_disease(span: Span) -> bool:
    doc = span.doc
    for k in range(span.end, min(len(doc), span.end + _DISEASE_GAP + 1)):
        if doc[k].lower_ in _DISEASE_WORDS or doc[k].lower_.endswith("virus"):
            return True  # "Sudan ebolavirus", "Reston virus": a species named after a place
        if not (doc[k].is_alpha and doc[k].is_lower and doc[k].pos_ == "ADJ"):
            return False  # "Venezuela reported yellow fever cases": the country
    return False


def _qualified_parts(ent: Span, gazetteer: Gazetteer) -> list[tuple[Span, str]]:
    """A place entity "X, Y" whose Y names a country or division ("Thruxton, Hampshire",
    "Springfield, Ill.") as two toponyms: X, qualified by Y, and Y itself."""
    commas = [token.i for token in ent if token.text == ","]
    if len(commas) == 1 and ent.start < commas[0] < ent.end - 1:
        head, tail = ent.doc[ent.start : commas[0]], ent.doc[commas[0] + 1 : ent.end]
        if tail.text in STATE_ABBREVIATIONS or any(
            p.kind in OUTER_KINDS for p in _places_or_postal(tail.text, gazetteer)
        ):
            return [(head, ent.label_), (tail, "GPE")]
    return [(ent, ent.label_)]


# The words that end a second-order division's full name ("Orange County", "Jefferson
# Parish"), which the gazetteer indexes under that name.
_DIVISION_TITLES = frozenset({"County", "Parish"})


def _named_divisions(doc: Doc, gazetteer: Gazetteer, toponyms: list[Toponym]) -> list[Toponym]:
    """Divisions named in full, with a capital "County" or "Parish", that no toponym covers:
    the name is unambiguous wherever the model put it ("a survey of 706 Orange County
    residents", a PERCENT; "Cuyahoga County Executive", a WORK_OF_ART; an organisation's
    name that does not start with it)."""
    found: list[Toponym] = []
    for token in doc:
        if token.text not in _DIVISION_TITLES or token.i == 0:
            continue
        if any(t.start < token.idx + len(token) and token.idx < t.end for t in toponyms):
            continue
        for size in (3, 2, 1):
            start = token.i - size
            if start < 0 or not all(
                _word(t) and t.text[:1].isupper() for t in doc[start : token.i]
            ):
                continue
            span = doc[start : token.i + 1]
            if any(p.kind == "admin2" for p in gazetteer.lookup(span.text)):
                admin_word = token.lower_ if token.lower_ in ADMIN_WORDS else None
                found.append(
                    Toponym(span.start_char, span.end_char, span.text, "GPE", admin_word=admin_word)
                )
                break
    return found
