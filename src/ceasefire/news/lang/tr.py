"""The Turkish pipeline: suffix-aware matching of stems, without a parser.

No Turkish parser that runs without torch is installed here, so the components work on
tokens and Turkish morphology instead of a tree:

* ``news.tokens.tr.v1``: sentences and tokens; a proper name's case is the suffix after its
  apostrophe ("Azerbaycan'a" is dative), a common noun's its last suffix;
* ``news.places.tr.v1``: capitalised names (suffix removed) through the gazetteer, whose
  Latin alternate names hold the Turkish forms (Gence, Berde, Erivan, Moskova);
* ``news.actors.tr.v1``: the actor dictionary (``lang/data/actors.yaml``, stems), and sector
  nouns qualified by the state or demonym before them ("Ermeni güçleri", "Azerbaycan
  Savunma Bakanlığı", "Gürcistan vatandaşları": a state's citizens are its civilians); a
  title and its holder are one actor in the case of the name (:func:`join_titles`);
* ``news.times.tr.v1``: dates ("18 Ekim", "1 Aralık'ta") with dateparser;
* ``news.events.tr.v1``: the trigger lexicon of ``lang/data/tr.yaml``: a stem matches a word
  when the rest of the word is a chain of known suffixes (saldır → saldırdı, saldırısında,
  saldırıyı); Turkish is verb-final, so the sentence's last trigger that is not a speech verb
  is its primary event. The source is the nominative actor (the genitive one of a reported,
  nominalised clause: "Ermenistan'ın ... düzenlediği saldırı"), the target the dative,
  accusative, ablative or "ile" actor; "X tarafından" is a passive's agent, an agentless
  passive has no source; an active participle ("saldıran birlikler") takes the noun after
  it as subject and keeps the actors of its clause from the main verb.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from ceasefire.news.lang.common import (
    ALPHA3_TO_2,
    COOPERATIVE,
    ActorEntry,
    actor_entries,
    actor_ref,
    block_quote,
    events_component,
    known_town,
    load_data,
    of_sentence,
    resolve_places,
    scratch_list,
    sentences_component,
    times_component,
    token_run_event,
)
from ceasefire.news.model import ActorMention, ActorRef, Event, Modality, PlaceMention, Quote
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

LANGUAGE = "tr"
PIPELINE: tuple[str, ...] = (
    "news.tokens.tr.v1",
    "news.places.tr.v1",
    "news.actors.tr.v1",
    "news.times.tr.v1",
    "news.quotes.tr.v1",
    "news.events.tr.v1",
)
_SENTENCES = "tr.sentences"
_ACTORS = "tr.actors"
Case = Literal["nom", "gen", "dat", "acc", "loc", "abl", "com"]

# Turkish suffixes with their vowel-harmony and buffer-consonant variants: derivation
# (passive, causative, reciprocal, negation, nominalisation), tense and mood (ability
# -(y)Abil-, condition -sA, necessity -mAlI, negative aorist -mAz, the copula's past and
# reported forms -(y)DI, -(y)mIş, converb -(y)Ip), person, possessive, plural and case. A
# stem matches a word when the rest is a chain of these.
_MORPHEME_TEXT = """
ıl il ul ül l ın in un ün n ış iş uş üş ş t dır dir dur dür tır tir tur tür
ma me mı mi mu mü dı di du dü tı ti tu tü mış miş muş müş
yor ıyor iyor uyor üyor acak ecek yacak yecek acağ eceğ yacağ yeceğ
ar er ır ir ur ür r arak erek yarak yerek ınca ince unca ünce yınca yince
an en yan yen dık dik duk dük tık tik tuk tük dığ diğ duğ düğ tığ tiğ tuğ tüğ
mak mek ması mesi k m nız niz lar ler sı si su sü ı i u ü yı yi yu yü
a e ya ye da de ta te dan den tan ten nın nin nun nün la le yla yle ki
sın sin ken ca ce lık lik luk lük lığ liğ luğ lüğ ım im um üm yım yim
ız iz uz üz mız miz muz müz nı ni nu nü na ne nda nde ndan nden
abil ebil yabil yebil sa se ysa yse ydı ydi ydu ydü ymış ymiş ymuş ymüş
malı meli maz mez ıp ip up üp yıp yip yup yüp
"""
_MORPHEMES = frozenset(_MORPHEME_TEXT.split())
_LONGEST_MORPHEME = max(map(len, _MORPHEMES))
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[^\w\s]", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÇĞİÖŞÜ\"“'])")
_CASES: list[tuple[Case, re.Pattern[str]]] = [
    ("abl", re.compile(r"(n?d|n?t)(an|en)$")),
    ("loc", re.compile(r"(n?d|n?t)(a|e)$")),
    ("gen", re.compile(r"n?(ın|in|un|ün)$")),
    ("com", re.compile(r"y?(la|le)$")),
    ("dat", re.compile(r"(y|n)?(a|e)$")),
    ("acc", re.compile(r"(y|n)?(ı|i|u|ü)$")),
]
_NOUN_CASES: list[tuple[Case, re.Pattern[str]]] = [
    ("com", re.compile(r"y(la|le)$")),
    ("abl", re.compile(r"n(dan|den)$")),
    ("loc", re.compile(r"n(da|de)$")),
    ("gen", re.compile(r"(nın|nin|nun|nün)$")),
    ("dat", re.compile(r"(na|ne)$")),
    ("acc", re.compile(r"(nı|ni|nu|nü)$")),
]


def lower(text: str) -> str:
    """Turkish lower case: I is ı and İ is i."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def stem_variants(stem: str) -> tuple[str, ...]:
    """A stem and its form before a vowel (et → ed, git → gid; k → ğ)."""
    variants = [stem]
    mutation = {"t": "d", "k": "ğ", "p": "b", "ç": "c"}
    if stem and stem[-1] in mutation:
        variants.append(stem[:-1] + mutation[stem[-1]])
    return tuple(variants)


def is_suffix_chain(
    rest: str, morphemes: frozenset[str] = _MORPHEMES, longest: int = _LONGEST_MORPHEME
) -> bool:
    """Whether ``rest`` is a chain of known suffixes (the empty chain included); other
    suffixing languages (news/lang/suffixed.py) pass their own ``morphemes``.

    The morphemes overlap (``la`` + ``r`` is ``l`` + ``ar``), so a regular expression
    ``(?:ı|ıl|…)*`` tries every split of a word that is no chain, which takes exponential
    time in its length ("lalala…x" of 45 letters took 9 s): an article's one long word
    held the pipeline. This marks which prefixes are chains, left to right: linear in
    the word's length.
    """
    reachable = [True] + [False] * len(rest)
    for end in range(1, len(rest) + 1):
        reachable[end] = any(
            reachable[start] and rest[start:end] in morphemes
            for start in range(max(0, end - longest), end)
        )
    return reachable[-1]


def matches_stem(word: str, stem: str) -> bool:
    """Whether ``word`` (lower case, apostrophe removed) is ``stem`` plus known suffixes."""
    for variant in stem_variants(stem):
        if word.startswith(variant) and is_suffix_chain(word[len(variant) :]):
            return True
    return False


@dataclass
class Token:
    """A word: its text, offsets, lower-case base (before an apostrophe) and suffix."""

    index: int
    text: str
    start: int
    end: int
    base: str
    suffix: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def word(self) -> str:
        return self.base + self.suffix


@dataclass
class Sentence:
    start: int
    end: int
    tokens: list[Token]


def tokenize(
    text: str,
    offset: int = 0,
    *,
    words: re.Pattern[str] = _WORD,
    ends: re.Pattern[str] = _SENTENCE_END,
    lowering: Callable[[str], str] = lower,
    joiner: str = "['’]",
) -> list[Sentence]:
    """Sentences of ``text`` with their tokens; offsets shifted by ``offset``. Other
    languages (news/lang/suffixed.py) pass their own ``words``, sentence ``ends``, lower case
    and the marks (``joiner``) before a name's suffix."""
    sentences: list[Sentence] = []
    position = 0
    for part in [*ends.split(text)]:
        start = text.find(part, position)
        position = start + len(part)
        tokens: list[Token] = []
        for match in words.finditer(part):
            raw = match.group(0)
            parts = re.split(joiner, raw, maxsplit=1)
            base, suffix = parts[0], (parts[1] if len(parts) > 1 else "")
            tokens.append(
                Token(
                    index=len(tokens),
                    text=raw,
                    start=offset + start + match.start(),
                    end=offset + start + match.end(),
                    base=lowering(base),
                    suffix=lowering(suffix),
                )
            )
        if tokens:
            sentences.append(Sentence(start=offset + start, end=offset + position, tokens=tokens))
    return sentences


def _sentences(news: NewsDoc) -> list[Sentence]:
    return scratch_list(news, _SENTENCES)


@register("news.tokens.tr.v1", requires=["article"], assigns=["tr_tokens"])
def make_tokens(resources: PipelineResources) -> Any:
    """Sentences and tokens of each block; a name's case suffix split at its apostrophe."""
    return sentences_component(_SENTENCES, tokenize)


# -- actors ---------------------------------------------------------------------------------


@dataclass
class Actor:
    """An actor of a sentence: its tokens ``first..last``, kind and case (the suffixing
    languages of news/lang/suffixed.py use it too, with their own cases: "agent", "aside")."""

    ref: ActorRef
    first: int
    last: int
    kind: str
    case: str

    @classmethod
    def spanning(
        cls,
        text: str,
        tokens: list[Token],
        first: int,
        last: int,
        entry: ActorEntry,
        *,
        sector: str | None,
        kind: str,
        case: str,
    ) -> Actor:
        """The actor of dictionary ``entry`` that ``tokens[first..last]`` of the article's
        ``text`` name."""
        start, end = tokens[first].start, tokens[last].end
        return cls(
            ref=actor_ref(text[start:end], start, end, entry, sector=sector),
            first=first,
            last=last,
            kind=kind,
            case=case,
        )


def _first_name(token: Token) -> bool:
    """A capitalised word without a suffix, or a hyphen ("Jean-Yves"): part of a name
    before its last word."""
    return token.base == "-" or (token.capitalised and token.base.isalpha() and not token.suffix)


def join_titles(
    tokens: list[Token],
    actors: list[Actor],
    name_case: Callable[[Token], str | None] = lambda token: None,
    first_name: Callable[[Token], bool] = _first_name,
) -> list[Actor]:
    """A title and its holder are one noun phrase, in the case of its last word: "Rusya
    Savunma Bakanı Sergey Şoygu'nun arabuluculuğuyla" is one genitive actor (the mediator),
    not a nominative title before a genitive name. The title (a state with its office,
    nominative: its suffix is the compound's possessive) and the holder's first names are
    taken into the holder; a holder outside the dictionary ends at the first capitalised word
    whose case ``name_case`` reads ("Muhammed Abdurrahman'ın"), after a first name. Turkish,
    Azerbaijani and Armenian share this; a language whose names carry their suffixes without
    an apostrophe tells its first names by ``first_name`` ("Moskvada" is none)."""
    out: list[Actor] = []
    for actor in actors:
        title = out[-1] if out else None
        between = tokens[title.last + 1 : actor.first] if title is not None else []
        if (
            title is not None
            and title.kind == "sector"
            and title.case == "nom"
            and actor.kind == "person"
            # "Azərbaycan Prezidenti Putinin təklifini": another state's man is no holder.
            and (title.ref.code is None or actor.ref.code in (None, title.ref.code))
            and len(between) <= 3
            and all(first_name(t) for t in between)
        ):
            sector = actor.ref.sector or title.ref.sector
            out[-1] = replace(actor, first=title.first, ref=replace(actor.ref, sector=sector))
            continue
        out.append(actor)
    for number, actor in enumerate(out):
        if actor.kind != "sector" or actor.case != "nom":
            continue
        following = next((a.first for a in out[number + 1 :]), len(tokens))
        names = tokens[actor.last + 1 : min(actor.last + 5, following)]
        for position, token in enumerate(names):
            case = name_case(token) if position > 0 and token.capitalised else None
            if case is not None:
                out[number] = replace(actor, last=token.index, case=case)
                break
            if not first_name(token):
                break
    return out


def _entry_at(tokens: list[Token], index: int) -> tuple[ActorEntry, int] | None:
    """The dictionary actor starting at ``tokens[index]`` and its length in tokens."""
    entries = actor_entries(LANGUAGE)
    for size in (3, 2, 1):
        window = tokens[index : index + size]
        if len(window) < size:
            continue
        head = tuple(t.base for t in window)
        if head in entries:
            return entries[head], size
        # An unsuffixed demonym or noun form: "azerbaycanlı", "ermeni", "rus"; a short one
        # only in the plural ("Ruslara", "Türkleri": a people as a noun).
        *rest, last = head
        for key, entry in entries.items():
            if (
                len(key) == size
                and tuple(rest) == key[:-1]
                and (len(key[-1]) > 4 or last[len(key[-1]) :].startswith(("lar", "ler")))
                and not window[-1].suffix
                and matches_stem(last, key[-1])
            ):
                return entry, size
    return None


_PLURAL = re.compile(r"^(l[ae]r)")


def people_case(word: str, entry: ActorEntry) -> Case | None:
    """The case of a demonym used as a noun, read from the ending after its stem and plural
    (names of peoples take no apostrophe): "Ermenilere" dative, "Gürcüleri" accusative,
    "Ruslarla" comitative, "Azerbaycanlıların" genitive; None for the bare form."""
    stems = sorted(
        (
            key[0]
            for key, other in actor_entries(LANGUAGE).items()
            if len(key) == 1 and other == entry and word.startswith(key[0])
        ),
        key=len,
        reverse=True,
    )
    if not stems:
        return None
    ending = word[len(stems[0]) :]
    plural = _PLURAL.match(ending)
    ending = ending[plural.end() :] if plural else ending
    if not ending:
        return "nom" if plural else None
    if not plural and len(ending) < 2:
        return None  # "Ermeni" + i/a: a possessive compound's ending, no case
    for case, pattern in _CASES:
        if pattern.fullmatch(ending):
            return case
    return None


def case_of(token: Token, noun: bool = False) -> Case:
    """The grammatical case of a word: after its apostrophe for names, else its ending."""
    if token.suffix:
        for case, pattern in _CASES:
            if pattern.fullmatch(token.suffix) or pattern.search(token.suffix):
                return case
        return "nom"
    if noun:
        for case, pattern in _NOUN_CASES:
            if pattern.search(token.base):
                return case
    return "nom"


def _sentence_actors(text: str, sentence: Sentence, sectors: dict[str, str]) -> list[Actor]:
    tokens = sentence.tokens
    found: list[Actor] = []
    index = 0
    sector_words = sorted(
        ((tuple(k.split()), v) for k, v in sectors.items()), key=lambda x: -len(x[0])
    )
    while index < len(tokens):
        hit = _entry_at(tokens, index)
        if hit is not None:
            entry, size = hit
            last = tokens[index + size - 1]
            case = case_of(last)
            people = people_case(last.base, entry) if entry.kind == "state" else None
            case = people or case
            if entry.kind == "metonym" and case in ("loc", "abl", "dat"):
                index += size  # "Bakü'de" is a place
                continue
            # A state or demonym before a sector noun qualifies it: "Ermeni güçleri".
            sector_hit = _sector_at(tokens, index + size, sector_words)
            end_index = index + size - 1
            sector = entry.sector
            kind = entry.kind
            if (
                sector_hit is None
                and entry.kind in ("state", "organisation")
                and not last.suffix
                and people is None
            ):
                # "Azerbaycan mevzilerine": the noun the state qualifies carries the case,
                # past a model designation ("Türk F-16 savaş uçağının").
                start = index + size
                start += _designation(tokens, start)
                for following in tokens[start : start + 3]:
                    if following.capitalised or not following.base.isalpha():
                        break
                    case = case_of(following, noun=True)
                    if case != "nom":
                        break
            if sector_hit is not None and entry.kind in ("state", "metonym"):
                sector, length, stem = sector_hit
                end_index = index + size - 1 + length
                kind = "sector"
                # "Rus barış gücü askerleri": the last sector noun carries the case.
                more = _sector_at(tokens, end_index + 1, sector_words)
                if more is not None:
                    end_index += more[1]
                    stem = more[2]
                case = _compound_case(tokens[end_index].word, stem)
            found.append(
                Actor.spanning(
                    text, tokens, index, end_index, entry, sector=sector, kind=kind, case=case
                )
            )
            index = end_index + 1
            continue
        index += 1
    return join_titles(tokens, found, _holder_case)


def _designation(tokens: list[Token], index: int) -> int:
    """The number of tokens of a model designation at ``index`` ("F-16", "Su-25", "Mi-24":
    capital letters, a hyphen, digits), else 0."""
    window = tokens[index : index + 3]
    if (
        len(window) == 3
        and window[0].capitalised
        and len(window[0].base) <= 3
        and window[1].text == "-"
        and window[2].text.isdigit()
        and window[1].start == window[0].end
        and window[2].start == window[1].end
    ):
        return 3
    return 0


def _holder_case(token: Token) -> str | None:
    """The case of a name after a title, read after its apostrophe: genitive, accusative or
    comitative ("Abdurrahman'ın", "Abdurrahman'ı", "Abdurrahman'la"); a place's cases
    ("Moskova'da", "Tiflis'e") end no holder's name."""
    case = case_of(token) if token.suffix else None
    return case if case in ("gen", "acc", "com") else None


def _sector_at(
    tokens: list[Token], index: int, sector_words: list[tuple[tuple[str, ...], str]]
) -> tuple[str, int, str] | None:
    """The sector noun at ``tokens[index]``: its sector, length in words and last stem."""
    for words, sector in sector_words:
        window = tokens[index : index + len(words)]
        if len(window) == len(words) and all(
            matches_stem(t.word, w) for t, w in zip(window, words, strict=True)
        ):
            return sector, len(words), words[-1]
    return None


_COMPOUND = re.compile(r"(lar|ler)?(s?[ıiuü])?(.*)")


def _compound_case(word: str, stem: str) -> Case:
    """The case of a sector noun after its state ("Gürcistan Başbakanı" is nominative: the
    -ı is the compound's possessive; "Başbakanı'nı", "ordusuna", "güçlerinin" carry a case
    after it)."""
    for variant in stem_variants(stem):
        if word.startswith(variant):
            match = _COMPOUND.fullmatch(word[len(variant) :])
            rest = match.group(3) if match else ""
            rest = rest.removesuffix("ki")  # "ordusundaki"
            for case, pattern in _CASES:
                if rest and pattern.fullmatch(rest):
                    return case
            return "nom"
    return case_of(Token(0, word, 0, 0, word, ""), noun=True)


@register("news.actors.tr.v1", requires=["tr_tokens"], assigns=["actors"])
def make_actors(resources: PipelineResources) -> Any:
    """States, capitals, office holders and organisations by stem; qualified sector nouns."""
    sectors: dict[str, str] = load_data("tr.yaml").get("sectors", {})

    def actors(news: NewsDoc) -> NewsDoc:
        per_sentence = [_sentence_actors(news.article.text, s, sectors) for s in _sentences(news)]
        return with_actors(news, _ACTORS, per_sentence)

    return actors


def with_actors(news: NewsDoc, key: str, per_sentence: list[list[Actor]]) -> NewsDoc:
    """``news`` with the actors found in each sentence: kept in its scratch under ``key``
    (for the event and quote components) and given as its actor mentions."""
    news.scratch[key] = per_sentence
    news.actors = [
        ActorMention(ref=a.ref, token_start=a.first, token_end=a.last + 1, kind=a.kind, head=a.last)
        for found in per_sentence
        for a in found
    ]
    return news


# -- places ---------------------------------------------------------------------------------


@register("news.places.tr.v1", requires=["tr_tokens"], assigns=["places"])
def make_places(resources: PipelineResources) -> Any:
    """Capitalised Turkish names (suffix removed) through the gazetteer's Latin names."""
    focus = resources.geo_focus
    words = load_data("tr.yaml")
    aliases: dict[str, str] = words.get("places", {})
    admin_nouns = tuple(words.get("admin_nouns", []))

    def places(news: NewsDoc) -> NewsDoc:
        news.places = find_places(
            news, _sentences(news), aliases, admin_nouns, focus, metonyms_act=True
        )
        return news

    return places


def find_places(
    news: NewsDoc,
    sentences: list[Sentence],
    aliases: dict[str, str],
    admin_nouns: tuple[str, ...],
    focus: tuple[str, ...],
    *,
    metonyms_act: bool = False,
) -> list[PlaceMention]:
    """Places named by capitalised words, longest name first; countries counted as evidence.
    With ``metonyms_act`` (Turkish case endings), a capital that acts stands for its state
    and is no place (see `_acting_capital`)."""
    from ceasefire.news.geo import Gazetteer

    gazetteer = Gazetteer.load()
    entries = actor_entries(LANGUAGE)
    text = news.article.text
    countries: dict[str, int] = {}
    found: list[tuple[int, int, list[Any], bool]] = []
    for sentence in sentences:
        tokens = sentence.tokens
        index = 0
        while index < len(tokens):
            if not tokens[index].capitalised:
                index += 1
                continue
            hit: tuple[int, list[Any]] | None = None
            for size in (3, 2, 1):
                window = tokens[index : index + size]
                if len(window) < size:
                    continue
                if size > 1 and not all(t.capitalised or _alias_word(t, aliases) for t in window):
                    continue
                name = " ".join(t.base for t in window)
                alias = next((aliases[k] for k in aliases if _alias_match(window, k)), None)
                entry = entries.get(tuple(t.base for t in window))
                if entry is not None and entry.kind == "state":
                    code = ALPHA3_TO_2.get(entry.code)
                    if code:
                        countries[code] = countries.get(code, 0) + 1
                    hit = (size, [])
                    break
                if entry is not None and entry.kind != "metonym":
                    hit = (size, [])
                    break
                if metonyms_act and entry is not None and _acting_capital(tokens, index + size - 1):
                    hit = (size, [])
                    break
                if alias:
                    candidates = list(gazetteer.lookup(alias))
                elif size == 1 and (len(name) < 4 or _before_person(tokens, index, entries)):
                    # "Os" (Portuguese "the") is no Osh; "Vladimir Putin" no Vladimir.
                    candidates = []
                else:
                    candidates = list(gazetteer.lookup(name) or gazetteer.lookup_native(name))
                if not alias:
                    candidates = [c for c in candidates if _strong(c, focus)]
                if candidates:
                    hit = (size, candidates)
                    break
            if hit is None:
                index += 1
                continue
            size, candidates = hit
            if candidates:
                following = tokens[index + size] if index + size < len(tokens) else None
                admin = following is not None and any(
                    matches_stem(following.word, noun) for noun in admin_nouns[:3]
                )
                last = tokens[index + size - 1]
                end = last.start + len(re.split("['’]", last.text, maxsplit=1)[0])
                found.append((tokens[index].start, end, candidates, admin))
            index += size
    return resolve_places(text, found, countries=countries, focus=focus)


_BARE_ACCUSATIVE = frozenset({"ı", "i", "u", "ü", "yı", "yi", "yu", "yü"})


def _acting_capital(tokens: list[Token], index: int) -> bool:
    """Whether a capital's name is an actor, not a place: in the nominative or genitive
    ("Erivan, … reddetti", "Tahran'ın karşılık vereceği"), or the accusative object of an act
    ("Bakü ve Erivan'ı … davet etti"), not of a visit ("Bakü'yü ziyaret etti", where the
    visit is). The locative, ablative and dative ("Erivan'da", "Bakü'ye") are places."""
    token = tokens[index]
    case = case_of(token)
    if case in ("nom", "gen"):
        return not token.suffix or case == "gen"
    if case != "acc" or lower(token.suffix or "") not in _BARE_ACCUSATIVE:
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    meetings = _lexicon()[1]["meetings"]
    return following is None or not any(matches_stem(following.word, m) for m in meetings)


def _before_person(
    tokens: list[Token], index: int, entries: dict[tuple[str, ...], ActorEntry]
) -> bool:
    """Whether a capitalised word is the first name of a person of the dictionary (a name
    with a suffix after its apostrophe, "Moskova'da Aliyev", is none)."""
    if tokens[index].suffix:
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if following is None or not following.capitalised:
        return False
    entry = entries.get((following.base,))
    return entry is not None and entry.kind == "person"


def _alias_word(token: Token, aliases: dict[str, str]) -> bool:
    return any(
        token.base in key.split() or any(matches_stem(token.word, w) for w in key.split())
        for key in aliases
    )


def _alias_match(window: list[Token], key: str) -> bool:
    words = key.split()
    return len(words) == len(window) and all(
        t.base == w or matches_stem(t.word, w) for t, w in zip(window, words, strict=True)
    )


def _strong(place: Any, focus: tuple[str, ...]) -> bool:
    """A reading good enough for a capitalised word: not an obscure village elsewhere."""
    if place.kind != "city":
        return bool(place.kind != "continent")
    return known_town(place, focus)


@register("news.times.tr.v1", requires=["article"], assigns=["times"])
def make_times(resources: PipelineResources) -> Any:
    """Turkish dates ("18 Ekim", "1 Aralık'ta", "dün") resolved with dateparser."""
    return times_component(LANGUAGE)


# -- events ---------------------------------------------------------------------------------


@dataclass
class _Trigger:
    first: int
    last: int
    event: str
    kind: str  # "event", "speech", "accuse", "deny", "observe", "move"


@cache
def _lexicon() -> tuple[list[tuple[tuple[str, ...], str, str]], dict[str, Any]]:
    data = load_data("tr.yaml")
    entries: list[tuple[tuple[str, ...], str, str]] = []
    for phrase, event in data["verbs"].items():
        entries.append((tuple(lower(phrase).split()), str(event), "event"))
    for phrase in data["speech"]:
        entries.append((tuple(lower(phrase).split()), "", "speech"))
    for phrase in data["accuse"]:
        entries.append((tuple(lower(phrase).split()), "DISAPPROVE", "accuse"))
    for phrase in data["observe"]:
        entries.append((tuple(lower(phrase).split()), "FIGHT", "observe"))
    for phrase in data["deny"]:
        entries.append((tuple(lower(phrase).split()), "REJECT", "deny"))
    for phrase in data["movement"]:
        entries.append((tuple(lower(phrase).split()), "MOVE", "move"))
    for phrase in data["permit"]:
        entries.append((tuple(lower(phrase).split()), "COERCE", "permit"))
    entries.sort(key=lambda item: -sum(len(w) for w in item[0]))
    return entries, data


_FOUR_WAY = {"a": "ı", "ı": "ı", "e": "i", "i": "i", "o": "u", "u": "u", "ö": "ü", "ü": "ü"}
_VOWELS = frozenset("aıoueiöü")
# Case endings of a light-verb compound's noun ("çağrıda bulun", "ateşe tut", "hedefi al")
# and the ending they take after the possessive's n ("çağrısında", "ateşine").
_COMPOUND_CASES = (
    ("da", "nda"),
    ("de", "nde"),
    ("ta", "nda"),
    ("te", "nde"),
    ("ya", "na"),
    ("ye", "ne"),
    ("a", "na"),
    ("e", "ne"),
    ("yı", "nı"),
    ("yi", "ni"),
    ("yu", "nu"),
    ("yü", "nü"),
    ("ı", "nı"),
    ("i", "ni"),
    ("u", "nu"),
    ("ü", "nü"),
)


@cache
def possessed_form(word: str) -> str | None:
    """The form a light-verb compound's noun takes as the head of a noun compound, with the
    third-person possessive before its case: "çağrıda" → "çağrısında" ("ateşkes çağrısında
    bulundu"), "talepte" → "talebinde", "ateşe" → "ateşine"; None for a word with no case
    ending."""
    for ending, after in _COMPOUND_CASES:
        stem = word[: -len(ending)]
        if not word.endswith(ending) or len(stem) < 2:
            continue
        if ending[0] == "y" and stem[-1] not in _VOWELS:
            continue
        if ending[0] not in "yt" and stem[-1] in _VOWELS and len(ending) == 1:
            continue  # a vowel after a vowel-final stem needs its buffer (y)
        vowels = [c for c in stem if c in _VOWELS]
        if not vowels:
            return None
        possessive = _FOUR_WAY[vowels[-1]]
        if stem[-1] in _VOWELS:
            return f"{stem}s{possessive}{after}"
        return f"{stem_variants(stem)[-1]}{possessive}{after}"
    return None


def find_triggers(sentence: Sentence) -> list[_Trigger]:
    """Lexicon entries in the sentence, longest first, never overlapping; the noun of a
    multi-word entry may carry the possessive of a noun compound ("ateşkes çağrısında
    bulundu" is "çağrıda bulun"); a postposition that looks like a verb form ("uyarınca":
    in accordance with) is none."""
    entries, data = _lexicon()
    postpositions = frozenset(data["postpositions"])
    taken: set[int] = {t.index for t in sentence.tokens if t.word in postpositions}
    found: list[_Trigger] = []
    tokens = sentence.tokens
    for words, event, kind in entries:
        size = len(words)
        for index in range(len(tokens) - size + 1):
            window = tokens[index : index + size]
            if any(t.index in taken for t in window):
                continue
            # Every word of an entry may carry suffixes ("hedef almaya", "ihlal ederek").
            if all(
                t.word == w
                or matches_stem(t.word, w)
                or (n < size - 1 and t.word == possessed_form(w))
                for n, (t, w) in enumerate(zip(window, words, strict=True))
            ) or (size == 2 and _relativised(window, words)):
                found.append(_Trigger(index, index + size - 1, event, kind))
                taken.update(range(index, index + size))
            elif (
                size == 2
                and (end := _across_names(tokens, index, words)) is not None
                and not any(i in taken for i in range(index, end + 1))
            ):
                found.append(_Trigger(index, end, event, kind))
                taken.update(range(index, end + 1))
    return sorted(found, key=lambda t: t.first)


def _across_names(tokens: list[Token], index: int, words: tuple[str, ...]) -> int | None:
    """The verb of a noun + verb entry with one or two names in an oblique case between the
    object and its verb ("askerlerini Gürcistan'dan çekti", "yardımı Ermenistan'a
    gönderdi"): Turkish puts such arguments before the verb. None if there is none."""
    if not matches_stem(tokens[index].word, words[0]):
        return None
    for gap in (1, 2):
        end = index + 1 + gap
        between = tokens[index + 1 : end]
        if end >= len(tokens) or not all(
            t.capitalised and t.suffix and case_of(t) in ("dat", "abl", "loc") for t in between
        ):
            return None
        if matches_stem(tokens[end].word, words[1]):
            return end
    return None


# The object participle -DIK with its possessive ("açtığı", "düzenledikleri"): a relative
# clause on the verb's object, which follows it ("Azerbaycan askerlerinin açtığı ateş").
_OBJECT_PARTICIPLE = re.compile(r"[dt][ıiuü](ğ[ıiuü]|kler[i]|kları)$")


def _relative_subjects(actors: list[Actor], tokens: list[Token], trigger: _Trigger) -> list[Actor]:
    """Genitive actors that are the subject of a relative clause on a noun before the
    trigger ("Macron ve Michel'in katıldığı görüşmede … uzlaştı"): that clause's, not
    the trigger's. The noun right after the participle keeps them ("Ermenistan'ın …
    düzenlediği saldırı" is Armenia's attack)."""
    return [
        a
        for a in actors
        if a.case == "gen"
        and any(
            _OBJECT_PARTICIPLE.search(tokens[k].word)
            for k in range(a.last + 1, min(a.last + 4, trigger.first - 1))
        )
    ]


# A nominalised object clause: -mAsInI ("bırakmasını"), -DIğInI ("saldırdığını").
# An act noun in the possessive accusative ("saldırılarını", "saldırısını").
_ACT_OBJECT = re.compile(r"(l[ae]r[ıi]n[ıi]|s[ıiuü]n[ıiuü])$")
_NOMINAL_OBJECT = re.compile(r"(m[ae]s[ıi]n[ıi]|[dt][ıiuü]ğ[ıiuü]n[ıiuü])$")


def _commented(
    actors: list[Actor], tokens: list[Token], trigger: _Trigger, acts: list[_Trigger]
) -> list[Actor]:
    """The genitive subject of the nominalised clause, or the genitive owner of the act noun
    ("Azerbaycan'ın Ermenistan'a yönelik saldırılarını"), a comment verb takes as its object."""
    act_ends = {t.last for t in acts if t is not trigger}
    ends = [
        k
        for k in range(trigger.first - 1, -1, -1)
        if tokens[k].base == tokens[k].word
        and (
            _NOMINAL_OBJECT.search(tokens[k].word)
            or (k in act_ends and _ACT_OBJECT.search(tokens[k].word))
        )
    ]
    if not ends or ends[0] < trigger.first - 3:
        return []
    start = max((k for k in range(ends[0]) if tokens[k].base == ","), default=-1)
    return [a for a in actors if a.case == "gen" and start < a.first and a.last < ends[0]]


def _topic_actors(
    actors: list[Actor], tokens: list[Token], trigger: _Trigger, topics: list[str]
) -> list[Actor]:
    """Actors inside the topic of an act, the clause before "konusunda" / "hakkında" right
    before the trigger ("bir AB misyonu konuşlandırılması konusunda uzlaştı"): what was
    agreed on, not a party; a partner with "ile" stays."""
    before = [
        k for k in range(max(0, trigger.first - 2), trigger.first) if tokens[k].word in topics
    ]
    if not before:
        return []
    end = before[0]
    start = max(
        (k for k in range(end) if tokens[k].base == ","),
        default=-1,
    )
    return [a for a in actors if start < a.first and a.last < end and a.case != "com"]


def _relativised(window: list[Token], words: tuple[str, ...]) -> bool:
    """A noun + verb entry ("ateş aç") in a relative clause on its noun: "açtığı ateş"."""
    verb, noun = window
    if not (noun.word == words[0] or matches_stem(noun.word, words[0])):
        return False
    return any(
        verb.word.startswith(variant)
        and bool(_OBJECT_PARTICIPLE.search(verb.word[len(variant) :]))
        and is_suffix_chain(verb.word[len(variant) :])
        for variant in stem_variants(words[1])
    )


@register("news.events.tr.v1", requires=["tr_tokens", "actors", "times"], assigns=["events"])
def make_events(resources: PipelineResources) -> Any:
    """PLOVER events from the suffix-aware Turkish lexicon; the last trigger is primary."""
    return events_component(
        _SENTENCES,
        _ACTORS,
        lambda news, sentence, found: _sentence_events(news, sentence, found or []),
    )


def _sentence_events(news: NewsDoc, sentence: Sentence, actors: list[Actor]) -> list[Event]:
    _, data = _lexicon()
    protesters = [tuple(lower(p).split()) for p in data["protesters"]]
    releases = {tuple(lower(p).split()) for p in data["releases"]}
    persons = [lower(p) for p in data["persons"]]
    possessed = {tuple(lower(p).split()) for p in data["possessed"]}
    receive = {tuple(lower(p).split()) for p in data["receive"]}
    invite = {tuple(lower(p).split()) for p in data["invite"]}
    triggers = find_triggers(sentence)
    tokens = sentence.tokens
    actors = _without_mediators(_shared_case(actors, tokens), tokens, data["asides"])
    actors = _with_origins(actors, tokens, data["origins"])
    # A speech verb inside an actor's name is none ("Savunma Bakanlığı", savun- = to argue).
    reporting = [
        t
        for t in triggers
        if t.kind in ("speech", "accuse") and not any(a.first <= t.first <= a.last for a in actors)
    ]
    acts = [
        t
        for t in triggers
        if t.kind == "event" or (t.kind == "move" and not _DERIVED_NOUN.match(_rest(t, tokens)))
    ]
    # Not observing a ceasefire ("ateşkese uymadı") is a violation; observing it, no event.
    acts += [t for t in triggers if t.kind == "observe" and _NEGATED.match(_rest(t, tokens))]
    # Not letting something pass ("geçmesine izin vermedi") restricts it; letting it, no event.
    acts += [t for t in triggers if t.kind == "permit" and _NEGATED.match(_rest(t, tokens))]
    acts.sort(key=lambda t: t.first)
    acts, admitted = _acknowledged(acts, tokens, data["acknowledge"])
    denial = next((t for t in triggers if t.kind == "deny"), None)
    if denial is not None and not any(t.last < denial.first for t in acts):
        acts = sorted([*acts, denial], key=lambda t: t.first)  # nothing denied: a REJECT
        denial = None
    accusation = next((t for t in reporting if t.kind == "accuse"), None)
    if not acts and accusation is not None:
        acts = [accusation]
    events: list[Event] = []
    relatives = _relative_clauses(acts, actors, tokens)
    # The doer of an act named as background ("Azerbaycan'ın saldırıları üzerine") is no
    # party to the sentence's other acts.
    background_doers = [
        id(a)
        for t in acts
        if _background(tokens, t.last + 1, data["backgrounds"])
        for a in actors
        if a.case == "gen" and a.last == t.first - 1
    ]
    # ... and so is everyone inside its noun phrase ("İsrail'in İran'a yönelik saldırısı
    # sonrası"), and the oblique actors of a passive or reflexive participle's clause
    # ("Rusya'nın saldırısından etkilenen köylere": who affected the villages, no party).
    for t in acts:
        phrase = _owned_phrase(t, actors, tokens, acts)
        if phrase is not None and _background(tokens, t.last + 1, data["backgrounds"]):
            background_doers += [id(a) for a in phrase[0] + phrase[1]]
    background_doers += [
        id(a) for a in _participle_clause_actors(actors, tokens, acts, data["origins"])
    ]
    everyone = actors
    for trigger in acts:
        # The actors of a relative clause before the trigger are the participle's, not its.
        inner = [id(a) for t, (_, clause) in relatives.items() if t < trigger.first for a in clause]
        actors = [a for a in everyone if id(a) not in inner]
        reported = any(r.first > trigger.last for r in reporting)
        before = [a for a in actors if a.last < trigger.first]
        nominative = [a for a in actors if a.case == "nom" and a.first < trigger.first]
        genitive = [a for a in before if a.case == "gen"]
        agents = [a for a in actors if _agent(a, tokens)]
        subject = False  # whether the source is the verb's nominative subject
        owned = trigger.first in admitted  # an act its subject admits or denies is its own
        modality: Modality = "occurred"
        claimed_by: list[ActorRef] = []
        if accusation is not None and trigger is not accusation and accusation.first > trigger.last:
            accused = [a for a in actors if a.case == "acc"]
            source = accused or genitive
            claimed_by = [a.ref for a in nominative if a not in source]
            modality = "claimed"
        elif agents:
            source = agents  # "Rus topçusu tarafından": by whom
        elif reported and genitive:
            source = genitive
        else:
            source = _coordinated(nominative, tokens)
            subject = bool(source)
            source = source or genitive
        if denial is not None and trigger.last < denial.first:
            modality = "denied"  # "X'in … bombaladığını yalanladı": the act, denied
            source = genitive or source
            if not source or (_passive(trigger, tokens, _rest(trigger, tokens)) and not agents):
                # "Ermenistan, Gence'nin … vurulduğu iddialarını yalanladı": a passive act with
                # no agent denied is the denier's own, as in Russian.
                source = _coordinated([a for a in nominative if a.first < denial.first], tokens)
                owned = True
        owner = [a for a in genitive if a.last == trigger.first - 1]
        if owner and _lexicon_phrase(trigger, tokens) in possessed:
            # "Azerbaycan'ın yanında ol-": the genitive owns the trigger's noun, the target.
            source = [a for a in source if a not in owner] or [
                a for a in nominative if a not in owner
            ]
        clause_subjects = _relative_subjects(actors, tokens, trigger) + _topic_actors(
            actors, tokens, trigger, data["topics"]
        )
        foreground = not _background(tokens, trigger.last + 1, data["backgrounds"])
        targets = [
            a
            for a in actors
            if a not in source
            and not (foreground and id(a) in background_doers)
            and a not in agents
            and a not in clause_subjects
            and a.ref.code not in {s.ref.code for s in source}
            and (
                a.case in ("dat", "acc", "abl", "com", "gen")
                or (a.case == "nom" and _before_ile(a, tokens))
            )
            and not (modality == "claimed" and a.ref.code in {c.code for c in claimed_by})
        ]
        if subject:
            # "Fransa, Rus diplomatları sınır dışı etti": after its subject, a plural noun in
            # -lArI right before the verb is its accusative object with an adjective, no
            # compound (which would read "Rus diplomatlarını").
            targets += [
                a
                for a in actors
                if a.case == "nom"
                and a not in source
                and a not in targets
                and a.ref.code not in {s.ref.code for s in source}
                and a.last + 1 == trigger.first
                and _PLURAL_OBJECT.search(
                    tokens[a.last].word if a.kind == "sector" else tokens[trigger.first].word
                )
            ]
        phrase = _owned_phrase(trigger, actors, tokens, acts)
        if phrase is not None and trigger is not acts[-1]:
            # A verbal or event noun carries its subject in the genitive ("Rusya'nın
            # Ukrayna'ya saldırmasını kınadı"): the act inside the object is the genitive's,
            # aimed at the oblique actors of its own phrase, not the main verb's subject.
            owner, within = phrase
            source, subject = owner, False
            targets = [
                a
                for a in within
                if a.case in ("dat", "acc", "abl", "com")
                and a.ref.code not in {s.ref.code for s in owner}
            ]
        rest = _rest(trigger, tokens)
        event = trigger.event
        if event in ("SUPPORT", "DISAPPROVE"):
            # "ABD, Azerbaycan'ın … tutukluları serbest bırakmasını memnuniyetle karşıladı": a
            # comment on an act is aimed at whoever did it, the genitive subject of the
            # nominalised object, not at those the act concerned.
            targets = _commented(actors, tokens, trigger, acts) or targets
        if event == "MOVE":
            event = (
                "MOBILIZE" if source and all(a.ref.sector == "MIL" for a in source) else "CONSULT"
            )
            if event == "CONSULT" and not targets:
                targets = _host(news, tokens[: trigger.first])  # "Bakü'ye ulaştı": a visit
        if _lexicon_phrase(trigger, tokens) in receive and any(
            a.case == "acc" and trigger.first - 3 <= a.last < trigger.first for a in targets
        ):
            event = "CONSULT"  # "Washington'da … bakanlarını kabul etti": received them
        if any(_phrase_at(tokens, p) for p in protesters) and event in (
            "FIGHT",
            "COERCE",
            "ASSAULT",
            "MOBILIZE",
            "MOVE",
        ):
            event = "PROTEST"
        if trigger.first in relatives:
            # "Gürcü köylerine ateş açan Rus askerleri": the participle's subject is the noun
            # after it, its objects the oblique actors of its clause.
            source, members = relatives[trigger.first]
            targets = [a for a in members if a.ref.code not in {s.ref.code for s in source}]
        elif _passive(trigger, tokens, rest) and event != "MOBILIZE" and not (owned and source):
            # A passive's nominative is what the act befell; without an agent, no source.
            if agents:
                # A nominative before a reported clause is its reporter ("Ermeni yönetimi,
                # Hankendi'nin … tarafından bombalandığını açıkladı"), not what it befell.
                targets = targets or (
                    [] if reported else [a for a in nominative if a not in agents][:1]
                )
            elif reported and subject:
                source = []  # "Bakanlık, sivillerin hedef alındığını bildirdi": the speaker
            elif not targets:
                targets, source = source, []
            elif subject:
                source = []
        if (
            event == "RETREAT"
            and _lexicon_phrase(trigger, tokens) in releases
            and _persons_before(trigger, tokens, source, persons)
        ):
            event = "CONCEDE"  # soldiers or prisoners handed over are released
        if _NEGATED.match(rest) and event in COOPERATIVE:
            event = "REJECT"
        following = tokens[trigger.last + 1] if trigger.last + 1 < len(tokens) else None
        if _lexicon_phrase(trigger, tokens) in invite and _meeting_before(
            tokens, trigger, data["meetings"]
        ):
            event = "CONSULT"  # "görüşmeye / Moskova'ya davet etti": an invitation to meet
        if following is not None and _attends(following, data["attend"]):
            # "görüşmeye katılmadı": declining a meeting; "katıldı": the meeting itself.
            event = "REJECT" if _NEGATED.match(_after_stem(following, data["attend"])) else event
        if event == "FIGHT" and not subject and _own_casualties(tokens, actors, persons, data):
            # "Ermenistan, Azerbaycan'ın saldırılarında 49 askerinin öldüğünü açıkladı"
            codes = {a.ref.code for a in source}
            targets = targets or [
                a for a in _coordinated(nominative, tokens) if a.ref.code not in codes
            ]
        if following is not None and following.word in data["conditions"]:
            # "Aliyev, Ermenistan … çekilmediği sürece operasyonların süreceğini vurguladı": a
            # threat to whoever the condition names, by the speaker.
            commas = [t.index + 1 for t in tokens[: trigger.first] if t.base == ","]
            opening = max(commas, default=0)
            source = nominative[:1] if nominative and nominative[0].last < opening else source
            targets = [a for a in actors if opening <= a.first < trigger.first and a not in source]
            event = "THREATEN"
        if reported and _obliged(tokens, trigger, rest):
            # "Çavuşoğlu, Ermenistan'ın … çekilmesi gerektiğini vurguladı": what the speaker
            # says another must do is a demand on it (PLOVER DEMAND), by the speaker.
            speaker = [a for a in _coordinated(nominative, tokens) if a not in source]
            if speaker and {a.ref.code for a in speaker} != {a.ref.code for a in source}:
                event, targets, source = "DEMAND", source or targets, speaker
        if event in _HOSTILE and (
            _FUTURE.search(rest) or any(_conditional(t) for t in tokens[: trigger.first])
        ):
            # A hostile act promised ("saldırıları sürdürecek") or on a condition
            # ("çekilmezse … vuracağız") is a threat (PLOVER THREATEN).
            event = "THREATEN"
        if not source and not agents and event in ("MOBILIZE", "COERCE"):
            # "Azerbaycan'da seferberlik ilan edildi": a measure decreed with no agent is the
            # state's where it is decreed.
            source = [a for a in before if a.case == "loc" and a.kind == "state"][:1]
        if modality == "occurred" and _FUTURE.search(rest):
            modality = "planned"
        events.append(
            token_run_event(
                news,
                sentence.start,
                sentence.end,
                tokens[trigger.first : trigger.last + 1],
                event=event,
                modality=modality,
                source=[a.ref for a in source],
                target=[a.ref for a in targets],
                component="news.events.tr.v1",
                claimed_by=claimed_by,
            )
        )
    if events:
        # Verb-final: the main clause's verb comes last; an act named only as background
        # ("anlaşmanın ardından", "anlaşma taslağı") is not the sentence's event.
        main = [
            i
            for i, trigger in enumerate(acts)
            if not _background(tokens, trigger.last + 1, data["backgrounds"])
        ]
        if any(e.event == "MOBILIZE" for e in events):
            # A curfew or martial law beside a mobilisation is its legal form, not the event.
            emergency = {tuple(lower(p).split()) for p in data["emergency"]}
            main = [
                i
                for i in main
                if not (
                    events[i].event == "COERCE" and _lexicon_phrase(acts[i], tokens) in emergency
                )
            ] or main
        events[main[-1] if main else -1].primary = True
    return events


# A reported clause (-DIğInI, -DIklArInI, -(y)AcAğInI) or a verbal noun in the accusative
# (-mAyI) before a verb of acknowledging.
_REPORTED_CLAUSE = re.compile(
    r"([dt][ıiuü]ğ[ıiuü]n[ıiuü]|[dt][ıiuü]kl[ae]r[ıi]n[ıi]|[ae]c[ae]ğ[ıi]n[ıi])$"
)
_VERBAL_NOUN_ACC = re.compile(r"m[ae]y[ıi]$")


def _acknowledged(
    acts: list[_Trigger], tokens: list[Token], acknowledge: list[str]
) -> tuple[list[_Trigger], set[int]]:
    """Acts without the verbs that only acknowledge the act right before them, and the acts
    so admitted: "… helikopterin düşürüldüğünü kabul etti" is the downing, admitted by the
    subject; "teslim olmayı kabul etti" (agreed to surrender) is the surrender, as is any
    yielding (CONCEDE, RETREAT) so accepted."""
    phrases = {tuple(lower(p).split()) for p in acknowledge}
    kept: list[_Trigger] = []
    admitted: set[int] = set()  # the first token of each act admitted
    for trigger in acts:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and previous.last == trigger.first - 1
            and _lexicon_phrase(trigger, tokens) in phrases
        ):
            word = tokens[previous.last].word
            if _REPORTED_CLAUSE.search(word):
                admitted.add(previous.first)
                continue
            if _VERBAL_NOUN_ACC.search(word) and previous.event in ("CONCEDE", "RETREAT"):
                continue
        kept.append(trigger)
    return kept, admitted


# A noun derived from a verb of movement (-Im, -Iş: "ulaşım" transport, "giriş" entrance) or
# its bare verbal noun ("ilerleme" progress): no movement.
_HOSTILE = frozenset({"FIGHT", "ASSAULT", "COERCE", "SANCTION"})
_FUTURE = re.compile(r"(acak|ecek|acağ|eceğ)")
# A verb in the conditional: aorist, negative aorist, past or evidential + -sA ("düşerse",
# "çekilmezse", "saldırdıysa"), with its person endings.
_CONDITIONAL = re.compile(r"([rz]|d[ıiuü]y|m[ıiuü]şs?)s[ae](k|n[ıi]z|l[ae]r|m)?$")


_NECESSITY = re.compile(r"m[ae]l[ıi]")


def _obliged(tokens: list[Token], trigger: _Trigger, rest: str) -> bool:
    """Whether the act is one that must be done: -mAlI on its verb ("çekilmelidir") or
    "gerek-" after it ("çekilmesi gerektiğini", "gerekiyor")."""
    following = tokens[trigger.last + 1] if trigger.last + 1 < len(tokens) else None
    return bool(_NECESSITY.match(rest)) or (
        following is not None and matches_stem(following.word, "gerek")
    )


def _conditional(token: Token) -> bool:
    """Whether a lower-case word is a finite verb in the conditional (not a name, and long
    enough not to be a noun like "borsa")."""
    return not token.capitalised and len(token.word) >= 6 and bool(_CONDITIONAL.search(token.word))


_DERIVED_NOUN = re.compile(r"^([ıiuü][mş]|m[ae]($|l[ae]r|d[ae]|n[ıi]n))")


def _attends(token: Token, stems: list[str]) -> bool:
    return any(matches_stem(token.word, stem) for stem in stems)


def _after_stem(token: Token, stems: list[str]) -> str:
    """The suffixes of ``token`` after the first of ``stems`` it starts with."""
    for stem in stems:
        if token.word.startswith(stem):
            return token.word[len(stem) :]
    return ""


def _meeting_before(tokens: list[Token], trigger: _Trigger, meetings: list[str]) -> bool:
    """Whether a dative meeting noun or capital comes right before an invitation verb."""
    if trigger.first == 0:
        return False
    previous = tokens[trigger.first - 1]
    if previous.suffix:
        hit = _entry_at(tokens, trigger.first - 1)
        return hit is not None and hit[0].kind == "metonym" and case_of(previous) == "dat"
    # A common noun's dative is -(y)A: "görüşmeye", "zirveye", "toplantıya".
    return previous.word.endswith(("a", "e")) and any(
        matches_stem(previous.word, m) for m in meetings
    )


# A person noun in the genitive, with or without its possessive ("askerinin" its soldiers',
# "askerin"), the subject of a nominalised clause: people whose owner is not named.
_POSSESSED_PERSON = re.compile(r"^(l[ae]r)?[ıiuü]n")


def _own_casualties(
    tokens: list[Token], actors: list[Actor], persons: list[str], data: dict[str, Any]
) -> bool:
    """Whether people with no owner named ("49 askerinin öldüğünü", "4 askerin
    yaralandığını": the speaker's own) are killed or wounded in the sentence."""
    harmed = [tuple(lower(h).split()) for h in data["harmed"]]
    owned = {a.last for a in actors if a.case == "gen"}
    for k, token in enumerate(tokens):
        person = next((p for p in persons if token.word.startswith(p)), None)
        if person is None or k - 1 in owned:
            continue
        if not _POSSESSED_PERSON.match(token.word[len(person) :]):
            continue
        if any(_phrase_at(tokens[k + 1 : k + 4], h) for h in harmed):
            return True
    return False


# A genitive noun: after a possessive ("konvoyunun") or a plural ("kamyonların").
_OWNED_GENITIVE = re.compile(r"(n[ıiuü]n|l[ae]r[ıi]n)$")


def _with_origins(actors: list[Actor], tokens: list[Token], origins: list[str]) -> list[Actor]:
    """An ablative actor before a passive participle of coming or being sent ("Türkiye'den
    gönderilen ekipler") owns the noun after it: read as that noun's nominative."""
    stems = [tuple(lower(o).split()) for o in origins]
    out = []
    for actor in actors:
        after = tokens[actor.last + 1 : actor.last + 3]
        if actor.case == "abl" and any(
            len(after) >= len(stem)
            and all(matches_stem(t.word, w) for t, w in zip(after, stem, strict=False))
            and _PARTICIPLE_REST.fullmatch(after[len(stem) - 1].word[len(stem[-1]) :])
            for stem in stems
        ):
            # Its case is the owned noun's: "… gönderilen yardım konvoyunun geçmesine" makes
            # it the genitive subject of the clause, as the convoy is.
            following = tokens[actor.last + 2 : actor.last + 6]
            genitive = any(
                _OWNED_GENITIVE.search(t.word)
                for t in itertools.takewhile(lambda t: t.base != ",", following)
            )
            actor = replace(actor, case="gen" if genitive else "nom")
        out.append(actor)
    return out


# The suffix of an active participle (-(y)An): "saldıran birlikler", "ateş açan askerler".
_PARTICIPLE_REST = re.compile(r"y?[ae]n")


def _relative_clauses(
    acts: list[_Trigger], actors: list[Actor], tokens: list[Token]
) -> dict[int, tuple[list[Actor], list[Actor]]]:
    """The relative clauses of active participles, by the participle's first token: the noun
    after the participle (its subject: "saldıran Ermeni birlikleri") and the oblique actors
    of the clause before it, from the last comma or trigger ("Gürcü köylerine ateş açan")."""
    out: dict[int, tuple[list[Actor], list[Actor]]] = {}
    for trigger in acts:
        if not _PARTICIPLE_REST.fullmatch(_rest(trigger, tokens)):
            continue
        opening = max(
            [t.index + 1 for t in tokens[: trigger.first] if t.base == ","]
            + [t.last + 1 for t in acts if t.last < trigger.first]
            + [0]
        )
        members = [
            a for a in actors if opening <= a.first and a.last < trigger.first and a.case != "nom"
        ]
        after = [a for a in actors if a.first > trigger.last]
        head = _coordinated(after, tokens) if after and after[0].first == trigger.last + 1 else []
        out[trigger.first] = (head, members)
    return out


# A noun trigger with the third-person possessive (before any case): "saldırısı",
# "saldırılarını", "saldırmasını", "düzenlediği".
_POSSESSED_ACT = re.compile(
    r"(s[ıiuü]|l[ae]r[ıi]|m[ae]s[ıi]|[dt][ıiuü]ğ[ıiuü]|[dt][ıiuü]kl[ae]r[ıi])(n|$)"
)


def _owned_phrase(
    trigger: _Trigger, actors: list[Actor], tokens: list[Token], acts: list[_Trigger]
) -> tuple[list[Actor], list[Actor]] | None:
    """The genitive subject of a possessed verbal or event noun and the actors between them,
    one noun phrase ("İran'ın İsrail'e yönelik saldırıları": Iran's, at Israel), when no
    comma, other act or nominative actor stands inside it; else None."""
    if not _POSSESSED_ACT.search(_rest(trigger, tokens)):
        return None
    owners = [a for a in actors if a.case == "gen" and a.last < trigger.first]
    if not owners:
        return None
    owner = owners[-1]
    inner = [a for a in actors if owner.last < a.first and a.last < trigger.first]
    between = tokens[owner.last + 1 : trigger.first]
    if (
        any(t.base == "," for t in between)
        or any(owner.last < t.first < trigger.first for t in acts)
        or any(a.case == "nom" for a in inner)
    ):
        return None
    return [owner], inner


# A plural noun in the accusative: "diplomatları", "askerleri".
_PLURAL_OBJECT = re.compile(r"l[ae]r[ıi]$")


# A passive or reflexive participle (-(I)lAn, -(I)nAn) that is no trigger: "etkilenen",
# "düzenlenen", "yaralanan".
_PASSIVE_PARTICIPLE = re.compile(r"[ıiuüae][ln][ae]n$")


def _participle_clause_actors(
    actors: list[Actor], tokens: list[Token], acts: list[_Trigger], origins: list[str]
) -> list[Actor]:
    """The oblique actors of the clause of a passive or reflexive participle outside the
    lexicon, from the last comma before it: they belong to the noun the participle
    qualifies ("Rusya'nın saldırısından etkilenen köylere"), not to the main verb. A
    participle of coming or being sent (`origins`) names its noun's owner and is kept."""
    out: list[Actor] = []
    for token in tokens:
        if (
            token.capitalised
            or token.suffix
            or len(token.base) < 7
            or not _PASSIVE_PARTICIPLE.search(token.base)
            or any(t.first <= token.index <= t.last for t in acts)
            or any(_ends_phrase(tokens, token.index, lower(o).split()) for o in origins)
        ):
            continue
        opening = max([t.index + 1 for t in tokens[: token.index] if t.base == ","] + [0])
        out += [
            a for a in actors if opening <= a.first and a.last < token.index and a.case != "nom"
        ]
    return out


def _ends_phrase(tokens: list[Token], index: int, words: list[str]) -> bool:
    """Whether the words of a lexicon phrase end at ``tokens[index]``, its last one with
    suffixes ("sevk edilen")."""
    first = index - len(words) + 1
    if first < 0 or not matches_stem(tokens[index].base, words[-1]):
        return False
    return all(t.base == w for t, w in zip(tokens[first:index], words[:-1], strict=True))


# The agent suffix -cA after a compound's possessive: "Rus güçlerince" (by the Russian forces).
_AGENT_SUFFIX = re.compile(r"[ıiuü]nc[ae]$")


def _agent(actor: Actor, tokens: list[Token]) -> bool:
    """Whether "tarafından" (by) follows the actor, or the noun after it, or ends it (its
    "taraf" read as a sector noun), or the actor's noun takes the agent suffix -(s)IncA
    ("Rus güçlerince bombalandı"): a passive's agent."""
    if tokens[actor.last].base == "tarafından":
        return True
    if actor.kind == "sector" and _AGENT_SUFFIX.search(tokens[actor.last].word):
        return True
    for token in tokens[actor.last + 1 : actor.last + 3]:
        if token.base == "tarafından":
            return True
        if token.capitalised:
            return False  # another name's "tarafından"
    return False


# The case ending of a noun trigger after a vowel ("müzakerenin", "takasına"): no passive -n-.
_NOUN_CASE_ENDINGS = frozenset(
    ["nın", "nin", "nun", "nün", "na", "ne", "nı", "ni", "nu", "nü", "nda", "nde", "ndan", "nden"]
)


def _passive(trigger: _Trigger, tokens: list[Token], rest: str) -> bool:
    """Whether the trigger's verb is passive: -Il-, -n- after a vowel, -In- after l
    ("bombalandı", "vuruldu", "alındı")."""
    if re.match(r"^(ıl|il|ul|ül|n)", rest) and rest not in _NOUN_CASE_ENDINGS:
        return True
    return _lexicon_stem(trigger, tokens).endswith("l") and bool(re.match(r"^[ıiuü]n", rest))


# A negated verb (-mA- before a tense, person or participle: etmedi, etmeyecek, etmez,
# etmemiş, etmiyor), not the verbal noun in -mA (çekilme süresi, çekilmeye, çekilmesi).
# Negation -mA- before a tense, person or participle; "-mAdA" is the verbal noun's locative
# ("görüşmede", at the talks), "-mAdI" the negated past.
# -mAlI alone is necessity ("çekilmeli": must withdraw), -mAmAlI its negation.
_NEGATED = re.compile(r"^(m[ae](d[ıiuü]|z|y[ae][cğn]|m[ıi]ş|m[ae](k|s|y|l[ıi])|y[ıi]p)|m[ıiuü]yor)")


def _shared_case(actors: list[Actor], tokens: list[Token]) -> list[Actor]:
    """Coordinated names take the case of the last ("Aliyev ve Paşinyan'ı" are both
    accusative, "Rusya Devlet Başkanı Vladimir Putin ve Ermenistan Başbakanı Nikol
    Paşinyan'ın" both genitive): a run joined by commas, "ve" or hyphens ("Türk-Rus"), with
    first names between a title and its holder, that has a "ve" or a hyphen, its commas
    before its "ve". Names before "arasında" (between) are the two sides, nominative."""
    out = list(actors)
    index = len(out) - 1
    while index > 0:
        run = [index]
        joined = comma_last = False
        while run[0] > 0:
            previous, current = out[run[0] - 1], out[run[0]]
            between = tokens[previous.last + 1 : current.first]
            if not all(
                t.base in ("ve", ",", "-") or (t.capitalised and not t.suffix) for t in between
            ):
                break
            link = any(t.base in ("ve", "-") for t in between)
            if len(run) == 1:
                comma_last = not link and any(t.base == "," for t in between)
            elif link and comma_last:
                # A list's commas come before its "ve" ("A, B ve C"): in "A ve B, C'yi" the
                # comma closes the list A ve B, which is not C's.
                run, joined = [index], False
                break
            joined = joined or link
            run.insert(0, run[0] - 1)
        last = out[run[-1]]
        following = tokens[last.last + 1].base if last.last + 1 < len(tokens) else ""
        case: str = "nom" if following.startswith("arası") else last.case
        if joined and (case != "nom" or following.startswith("arası")):
            for i in run:
                if (out[i].case == "nom" or case == "nom") and not tokens[out[i].last].suffix:
                    out[i] = replace(out[i], case=case)
        index = run[0] - 1
    return out


def _without_mediators(actors: list[Actor], tokens: list[Token], asides: list[str]) -> list[Actor]:
    """Drop the genitive actors before a mediator noun ("Rusya'nın arabuluculuğuyla"):
    they are no party to the event."""
    stems = [lower(a) for a in asides]
    return [
        a
        for a in actors
        if not (
            a.case == "gen"
            and any(
                matches_stem(t.word, stem)
                for t in tokens[a.last + 1 : a.last + 3]
                for stem in stems
            )
        )
    ]


def _lexicon_phrase(trigger: _Trigger, tokens: list[Token]) -> tuple[str, ...]:
    """The lexicon entry a trigger matched."""
    entries, _ = _lexicon()
    window = tokens[trigger.first : trigger.last + 1]
    for words, _event, _kind in entries:
        if len(words) == len(window) and all(
            t.word == w or matches_stem(t.word, w) for t, w in zip(window, words, strict=True)
        ):
            return words
    return ()


def _persons_before(
    trigger: _Trigger, tokens: list[Token], source: list[Actor], persons: list[str]
) -> bool:
    """Whether a person noun stands between the source (or the sentence start) and a
    handover verb: the object of the verb precedes it."""
    start = max((a.last + 1 for a in source), default=0)
    return any(matches_stem(t.word, p) for t in tokens[start : trigger.first] for p in persons)


def _background(tokens: list[Token], index: int, words: list[str]) -> bool:
    if index >= len(tokens):
        return False
    word = tokens[index].word
    return any(word == w or matches_stem(word, w) for w in words)


def _host(news: NewsDoc, tokens: list[Token]) -> list[Actor]:
    """The state whose capital officials arrive in ("Bakü'ye ulaştı"): the host of a visit."""
    for index, token in enumerate(tokens):
        hit = _entry_at(tokens, index)
        if hit is not None and hit[0].kind == "metonym" and case_of(token) == "dat":
            ref = actor_ref(
                news.article.text[token.start : token.end], token.start, token.end, hit[0]
            )
            return [Actor(ref=ref, first=index, last=index, kind="metonym", case="dat")]
    return []


def _rest(trigger: _Trigger, tokens: list[Token]) -> str:
    """The suffixes of a trigger's last word."""
    word = tokens[trigger.last].word
    stem = _lexicon_stem(trigger, tokens)
    return word[len(stem) :] if word.startswith(stem) else ""


def _lexicon_stem(trigger: _Trigger, tokens: list[Token]) -> str:
    entries, _ = _lexicon()
    word = tokens[trigger.last].word
    for words, _event, _kind in entries:
        for variant in stem_variants(words[-1]):
            if word.startswith(variant) and is_suffix_chain(word[len(variant) :]):
                return variant
    return word


def _coordinated(nominative: list[Actor], tokens: list[Token]) -> list[Actor]:
    """Nominative actors, those joined by "ve" or "ile" at the start kept together."""
    if not nominative:
        return []
    first = nominative[0]
    out = [first]
    for actor in nominative[1:]:
        if _before_ile(actor, tokens):
            break
        between = [t.base for t in tokens[out[-1].last + 1 : actor.first]]
        after = tokens[actor.last + 1].base if actor.last + 1 < len(tokens) else ""
        if between == [","] and after not in (",", "ve", "ile"):
            # "Türkiye Dışişleri Bakanlığı, Fransa Senatosu'nun …": a comma closes the subject
            # unless a list goes on after the next actor ("Aliyev, Putin ve Paşinyan").
            break
        if between and all(w in ("ve", ",", "ile", "-") for w in between):
            out.append(actor)
        else:
            break
    return out


def _before_ile(actor: Actor, tokens: list[Token]) -> bool:
    """An actor "with" whom something is done: "X ile görüştü", "mevkidaşı Ceyhun Bayramov ile"."""
    if actor.first == 0:
        return False  # "Azerbaycan ile Ermenistan ...": coordination
    for token in tokens[actor.last + 1 : actor.last + 4]:
        if token.base == "ile":
            return True
        if not token.capitalised:
            return False
    return False


def _phrase_at(tokens: list[Token], phrase: tuple[str, ...]) -> bool:
    for index in range(len(tokens) - len(phrase) + 1):
        if all(matches_stem(t.word, w) for t, w in zip(tokens[index:], phrase, strict=False)):
            return True
    return False


# -- quotes ---------------------------------------------------------------------------------
#
# Turkish reported speech, from general grammar (no parser): a quotation followed by its verb
# ("…" dedi / "…" diye konuştu / "…" ifadelerini kullandı), or by a participle that names the
# speaker after it ("…" diyen Akar, …); a sentence ending in a colon before a quotation ("X
# şunları söyledi:"), whose speaker a quotation standing alone in the next paragraph takes;
# an indirect quote as the nominalised clause a speech verb ends with ("X, Y'nin … olduğunu
# söyledi": -DIğInI, -(y)AcAğInI, -mAsInI); and "X'e göre, …" (according to X).

_QUOTED = re.compile(r"[\"“]([^\"“”\n]+)[\"”]")
# Forms of "demek" (to say), listed: its stem "de" is also the particle and a case ending.
_DE_FORMS = frozenset(
    {"dedi", "dedim", "dedik", "dediler", "demiş", "demişti", "diyen", "diye", "diyerek",
     "denildi", "dendi", "denilen"}
)  # fmt: skip
# Participles that put the speaker after them: "… diyen Akar", "… diye konuşan Çavuşoğlu".
_PARTICIPLE = re.compile(r".*(y?an|y?en)$")
# A nominalised clause in the accusative: what an indirect quote reports.
_NOMINALISED = re.compile(
    r".*((d|t)(ı|i|u|ü)(ğ|k)(ları|leri)?(ı|i|u|ü)n(ı|i|u|ü)"
    r"|(y)?(a|e)c(a|e)(ğ|k)(ları|leri)?(ı|i)n(ı|i)"
    r"|m(a|e)(ları|leri)?s(ı|i)n(ı|i))$"
)
_LEADING_PARTICLES = frozenset({"ise", "de", "da", "ayrıca", "ancak", "öte", "yandan"})
QUOTES_NAME = "news.quotes.tr.v1"


@cache
def _quote_stems() -> tuple[tuple[str, ...], ...]:
    data = load_data("tr.yaml")
    phrases = [*data["speech"], *data.get("quote_verbs", [])]
    return tuple(tuple(lower(p).split()) for p in phrases)


def _speech_at(tokens: list[Token], index: int) -> int:
    """Number of words of a speech verb starting at ``index`` (0 when none)."""
    if index >= len(tokens):
        return 0
    if tokens[index].word in _DE_FORMS:
        return 1
    for words in _quote_stems():
        window = tokens[index : index + len(words)]
        if len(window) == len(words) and all(
            matches_stem(t.word, w) for t, w in zip(window, words, strict=True)
        ):
            return len(words)
    return 0


@register(QUOTES_NAME, requires=["tr_tokens", "actors"], assigns=["quotes"])
def make_quotes(resources: PipelineResources) -> Any:
    """Direct quotes with their verb, colon introductions, nominalised indirect quotes and
    "X'e göre"; speakers from the actor dictionary, else the capitalised words before them."""

    def quotes(news: NewsDoc) -> NewsDoc:
        news.quotes = _quotes_tr(news)
        return news

    return quotes


def _quotes_tr(news: NewsDoc) -> list[Quote]:
    text = news.article.text
    sentences = _sentences(news)
    actors: list[list[Actor]] = news.scratch.get(_ACTORS, [])
    found: list[Quote] = []
    colon_speaker: ActorRef | None = None
    previous_speaker: ActorRef | None = None
    for block in news.article.blocks:
        in_block = [
            (number, s) for number, s in enumerate(sentences) if block.start <= s.start < block.end
        ]
        direct: list[tuple[int, int]] = []
        block_speaker: ActorRef | None = None
        for match in _QUOTED.finditer(block.text):
            start, end = block.start + match.start(1), block.start + match.end(1)
            if len(match.group(1).split()) < 3:
                continue  # a scare quote or a name
            direct.append((start, end))
            speaker, cue, how = _direct_speaker(text, in_block, actors, start, end)
            if speaker is None and block.text.strip().startswith(match.group(0)):
                # A quotation standing alone: the last "X şunları söyledi:" speaker, else the
                # speaker of the previous paragraph.
                speaker = colon_speaker or previous_speaker
                how = (
                    "speaker of the last colon"
                    if colon_speaker
                    else "speaker of the previous paragraph"
                )
            block_speaker = speaker or block_speaker
            found.append(_quote(news, text[start:end], start, end, "direct", speaker, cue, how))
        for number, sentence in in_block:
            here = of_sentence(actors, number) or []
            indirect = _indirect(text, sentence, here, direct)
            if indirect is not None:
                found.append(_quote(news, *indirect))
                block_speaker = indirect[4] or block_speaker
        colon_speaker = None
        stripped = block.text.rstrip()
        if stripped.endswith(":") and in_block:
            number, sentence = in_block[-1]
            here = of_sentence(actors, number) or []
            colon_speaker = _speaker_before(text, sentence, here, len(sentence.tokens))
        previous_speaker = block_speaker or colon_speaker or previous_speaker
    return sorted(found, key=lambda q: q.start)


def _quote(
    news: NewsDoc,
    words: str,
    start: int,
    end: int,
    kind: Literal["direct", "indirect"],
    speaker: ActorRef | None,
    cue: str | None,
    how: str | None,
) -> Quote:
    return block_quote(news, words, (start, end), kind, speaker, cue, how, QUOTES_NAME)


def _direct_speaker(
    text: str,
    in_block: list[tuple[int, Sentence]],
    actors: list[list[Actor]],
    start: int,
    end: int,
) -> tuple[ActorRef | None, str | None, str | None]:
    """The speaker of a quotation ``[start, end)`` by the verb after it (or a colon before)."""
    for number, sentence in in_block:
        tokens = sentence.tokens
        after = [i for i, t in enumerate(tokens) if t.start > end and t.base not in {'"', "”"}]
        if not after or tokens[after[0]].start - end > 3:
            continue
        here = of_sentence(actors, number) or []
        first = after[0]
        size = _speech_at(tokens, first)
        # "… diye konuştu / ekledi / uyardı": the verb after "diye".
        verb_at = first + size if tokens[first].word == "diye" else first
        cue_size = _speech_at(tokens, verb_at) or size
        if not cue_size and not _phrase_at(tokens[first : first + 3], ("ifade", "kullan")):
            if not _phrase_at(tokens[first : first + 3], ("şekil", "konuş")):
                continue
            cue_size = 2
        cue = " ".join(t.text for t in tokens[first : verb_at + max(cue_size, 1)])
        last = tokens[min(verb_at + max(cue_size, 1) - 1, len(tokens) - 1)]
        if _PARTICIPLE.fullmatch(last.word) and last.word not in {"diye"}:
            # "… diyen Akar, …": the speaker follows the participle.
            following = [a for a in here if a.first > last.index and a.case == "nom"]
            if following:
                return following[0].ref, cue, "speech verb"
            name = _capitalised_run(text, tokens, last.index + 1)
            if name is not None:
                return name, cue, "speech verb"
        before = [t for t in tokens if t.end <= start]
        speaker = _speaker_before(text, sentence, here, len(before))
        return speaker, cue, "speech verb" if speaker else None
    return None, None, None


def _speaker_before(
    text: str, sentence: Sentence, here: list[Actor], limit: int
) -> ActorRef | None:
    """The nominative actor among the first ``limit`` tokens (the last one), else the
    capitalised words that open the sentence ("Muhalefet", "Sözcü Ayşe Demir")."""
    nominative = [a for a in here if a.last < limit and a.case == "nom"]
    if nominative:
        return nominative[-1].ref
    return _capitalised_run(text, sentence.tokens[:limit], 0)


def _capitalised_run(text: str, tokens: list[Token], index: int) -> ActorRef | None:
    run = []
    for token in tokens[index:]:
        if not token.capitalised or not token.base.isalpha():
            break
        run.append(token)
    if not run:
        return None
    start, end = run[0].start, run[-1].end
    return ActorRef(text=text[start:end], code=None, sector=None, start=start, end=end)


def _indirect(
    text: str, sentence: Sentence, here: list[Actor], direct: list[tuple[int, int]]
) -> tuple[str, int, int, Literal["indirect"], ActorRef | None, str, str] | None:
    """The indirect quote of a sentence: "X, <clause -DIğInI> söyledi." or "X'e göre, …"."""
    tokens = [t for t in sentence.tokens if not any(s <= t.start < e for s, e in direct)]
    words = [t for t in tokens if t.base.isalnum()]
    if len(words) < 4:
        return None
    according = next(
        (i for i, t in enumerate(tokens) if t.word == "göre" and 0 < i < len(tokens) - 2), None
    )
    if according is not None:
        comma = according + 1 if tokens[according + 1].base == "," else according
        clause = [t for t in tokens[comma + 1 :] if t.base.isalnum() or t.base in {"'", "’"}]
        source = [a for a in here if a.last < according]
        speaker = source[-1].ref if source else _capitalised_run(text, sentence.tokens, 0)
        if clause and speaker is not None:
            first, last = clause[0], clause[-1]
            return (text[first.start : last.end], first.start, last.end, "indirect",
                    speaker, "göre", "according to")  # fmt: skip
    # The verb ends the sentence; the word before it is a nominalised clause's last word.
    for size in (2, 1):
        verb_index = len(words) - size
        if verb_index < 1 or _speech_at(words, verb_index) != size:
            continue
        nominalised = words[verb_index - 1]
        if not _NOMINALISED.fullmatch(nominalised.word):
            return None
        end_token = nominalised.index
        commas = [t.index for t in sentence.tokens if t.base == "," and t.index < end_token]
        here_before = [a for a in here if a.last < end_token]
        opening = _capitalised_run(text, sentence.tokens, 0)
        if commas:
            start_index = commas[-1] + 1
        elif here_before:
            start_index = here_before[0].last + 1
        elif opening is not None:
            # "Muhalefet ise … savundu": the capitalised words that open the sentence speak.
            start_index = next(t.index for t in sentence.tokens if t.start >= opening.end)
        else:
            start_index = 0
        while start_index < end_token and sentence.tokens[start_index].base in _LEADING_PARTICLES:
            start_index += 1
        speaker = _speaker_before(text, sentence, here, start_index)
        if speaker is None and start_index > 0:
            speaker = _capitalised_run(text, sentence.tokens, 0)
        first, last = sentence.tokens[start_index], nominalised
        cue = " ".join(t.text for t in words[verb_index : verb_index + size])
        return (text[first.start : last.end], first.start, last.end, "indirect",
                speaker, cue, "speech verb")  # fmt: skip
    return None
