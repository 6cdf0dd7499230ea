"""Event coding without a parser for suffixing languages: Azerbaijani and Armenian.

Both languages put case, number, tense and person in suffixes after the stem, so one
dictionary stem ("hücum", "հրետակոծ") stands for all its forms. A :class:`Grammar` gives a
language its suffixes (with the consonant changes of a stem before a vowel), the endings that
tell a noun's case, its postpositions, and its lexicon file under ``news/lang/data``; the
components built from it (``news.*.az.v1``, ``news.*.hy.v1``) work as the Turkish ones do
(news/lang/tr.py, whose tokens and suffix-chain check they use):

* a stem matches a word when the rest of the word is a chain of the grammar's suffixes
  (:func:`rest_after`); a name's case is read from that rest, or from a postposition after it
  ("Rusiya ilə", "Հայաստանի դեմ");
* places are capitalised words without their suffixes through the gazetteer (Latin names by
  their keys, Armenian ones by ``lookup_native``): the longest prefix of the word that is a
  place and leaves a suffix chain ("Bakıda" → Bakı, "Ստեփանակերտում" → Ստեփանակերտ);
* actors are the stems of ``actors.yaml`` under the language's key, and a state (or its
  adjective, or its genitive) before a sector noun qualifies it ("Ermənistan silahlı
  qüvvələri", "ադրբեջանական զինուժը");
* the primary event is the sentence's last trigger that is not a speech verb (the last one
  before a complement clause, "X-ը հերքել է, թե ...", when one stands there); its source the
  nominative actors before it (of the reported clause after a speech verb; after it when none
  is), its targets the actors in an oblique case; an accusation makes the act ``claimed``
  with the accused as its source; a passive without agent leaves the source empty; a future
  form is ``planned``; a mediator ("Rusiyanın vasitəçiliyi ilə", "Ռուսաստանի
  միջնորդությամբ") is neither;
* quotes (``news.quotes.*.v1``) are found by news/lang/suffixed_quotes.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, partial
from itertools import pairwise
from typing import Any

from ceasefire.news.lang import tr
from ceasefire.news.lang.common import (
    ALPHA3_TO_2,
    ActorEntry,
    actor_entries,
    load_data,
    resolve_places,
    scratch_list,
    token_run_event,
)
from ceasefire.news.lang.tr import Actor, Sentence, Token
from ceasefire.news.model import ActorRef, Event, Modality, PlaceMention
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register
from ceasefire.news.timeexpr import TimeMention

_COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
_MIN_PLACE_STEM = 3


@dataclass(frozen=True)
class Grammar:
    """What the components need to know of a suffixing language."""

    language: str
    data: str  # the lexicon file under news/lang/data
    morphemes: frozenset[str]
    # A stem's ending as it is written before a suffix (az "et" → "ed", hy "ություն" →
    # "ության"), and back.
    mutations: Mapping[str, str]
    # (case, pattern searched at the end of the suffix chain), the first that matches wins.
    cases: tuple[tuple[str, re.Pattern[str]], ...]
    # Cases of a noun after a qualifier ("Ermənistan qüvvələri"): its possessive is no case.
    noun_cases: tuple[tuple[str, re.Pattern[str]], ...]
    postpositions: Mapping[str, str]
    coordinators: frozenset[str]
    passive: re.Pattern[str]  # at the start of the rest after a verb stem
    future: re.Pattern[str]  # anywhere in that rest
    negation: re.Pattern[str] | None  # at the start of the rest (a suffixed negation)
    negators: frozenset[str]  # words before the verb that negate it
    accused_cases: frozenset[str]
    # Cases in which a capital is the place, not its government ("Bakıda", "Երևանում").
    place_cases: frozenset[str]
    # Prefixes of a verb and what they make of it: hy "կ-" (future), "չ-" (negation).
    verb_prefixes: Mapping[str, str]
    # Words that open a reported or complement clause ("ki", "որ", "թե"): an act before one
    # is the main clause's ("X təkzib edib ki, ...", "X-ը հերքել է, թե ..."), and the primary.
    complementizers: frozenset[str]
    # Auxiliaries that may stand between the words of a lexicon phrase ("կրակ են բացել").
    auxiliaries: frozenset[str]
    months: tuple[str, ...]  # month stems, January first
    relative_days: Mapping[str, int]  # "dünən": -1
    # The suffixes a name takes (number, possessive, case): what a place may lose.
    noun_morphemes: frozenset[str]
    # The end of a nominalised verb, whose subject is in the genitive ("Ermənistanın ...
    # pozduğunu"): None where the language has no such clause.
    nominalised: re.Pattern[str] | None
    lower: Callable[[str], str] = str.lower
    # Words that stand for the last speaker ("o", "նա") in a quote's attribution.
    pronouns: frozenset[str] = frozenset()
    # Verb classes whose stem changes before tense suffixes: a stem's ending, its form in the
    # aorist and perfect, and its form before the passive suffix (hy "-նել" verbs: հասցնել →
    # հասցրել, հասցվել; վերադարձնել → վերադարձրել, վերադարձվի).
    alternations: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # The infinitive ending (hy "-ել", "-ալ"): a lexicon entry written so is a verb and matches
    # only the forms whose suffixes start as a verb's do (``verb_rest``), never the bare stem
    # ("համաձայնել" is no "համաձայն", according to); an infinitive standing without an
    # auxiliary after another act is that act's complement ("համաձայնել են տեղակայել").
    infinitive: re.Pattern[str] | None = None
    # How a verb's suffixes start, "{v}" standing for the vowel of its infinitive ending.
    verb_rest: str = ""
    # How many words may stand between a verb put first (with its auxiliary) and the rest of
    # its phrase ("անցել է Ադրբեջանի վերահսկողության տակ"); 0 where the verb is always last.
    verb_first_gap: int = 0
    # A name without any suffix before a genitive qualifies the noun that heads them and takes
    # its case (hy "ԵԱՀԿ Մինսկի խմբի համանախագահների հետ": with the OSCE's co-chairs).
    bare_modifiers: bool = False
    longest: int = field(init=False)
    longest_noun: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "longest", max(map(len, self.morphemes)))
        object.__setattr__(self, "longest_noun", max(map(len, self.noun_morphemes)))

    def variants(self, stem: str) -> tuple[str, ...]:
        """A stem and its form before a vowel."""
        for plain, mutated in self.mutations.items():
            if stem.endswith(plain):
                return (stem, stem[: -len(plain)] + mutated)
        return (stem,)

    def rest_after(self, word: str, stem: str) -> str | None:
        """The suffixes of ``word`` after ``stem`` ("" for the stem alone), None when
        ``word`` is not the stem with a chain of known suffixes."""
        for variant in self.variants(stem):
            if word.startswith(variant):
                rest = word[len(variant) :]
                if tr.is_suffix_chain(rest, self.morphemes, self.longest):
                    return rest
        for ending, (aorist, passive) in self.alternations.items():
            if not stem.endswith(ending):
                continue
            base = stem[: -len(ending)]
            for variant, voice in ((base + aorist, None), (base + passive, self.passive)):
                rest = word[len(variant) :]
                if (
                    word.startswith(variant)
                    and (voice is None or voice.match(rest))
                    and tr.is_suffix_chain(rest, self.morphemes, self.longest)
                ):
                    return rest
        return None

    def matches(self, word: str, stem: str) -> bool:
        return word == stem or self.rest_after(word, stem) is not None

    def case_of(self, rest: str, *, noun: bool = False) -> str:
        for case, pattern in self.noun_cases if noun else self.cases:
            if pattern.search(rest):
                return case
        return "nom"

    def stems_of(self, word: str) -> list[tuple[str, str]]:
        """The (stem, suffixes) splits of a name, the whole word first, then shorter: only
        noun suffixes come off ("Komitəsinin" is no "Komi" + "təsinin")."""
        out = [(word, "")]
        for cut in range(len(word) - 1, _MIN_PLACE_STEM - 1, -1):
            rest = word[cut:]
            if tr.is_suffix_chain(rest, self.noun_morphemes, self.longest_noun):
                stem = word[:cut]
                out.append((stem, rest))
                for plain, mutated in self.mutations.items():
                    if stem.endswith(mutated):
                        out.append((stem[: -len(mutated)] + plain, rest))
        return out


_SENTENCE_END = re.compile(r"(?<=[.!?։:])\s+(?=[\"“«]?[^\W\d_])")
# A word, with a suffix after an apostrophe ("Bakı'da") or after a hyphen when short
# ("ՄԱԿ-ի", "ՊՆ-ն": Armenian writes an abbreviation's suffixes so).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]{1,3}(?![\w-]))?|\d+|[^\w\s]")


def tokenize(grammar: Grammar, text: str, offset: int = 0) -> list[Sentence]:
    """Sentences and tokens (a name's suffix after an apostrophe or a hyphen kept apart)."""
    return tr.tokenize(
        text, offset, words=_WORD, ends=_SENTENCE_END, lowering=grammar.lower, joiner="['’-]"
    )


@dataclass
class _Trigger:
    first: int
    last: int
    event: str
    kind: str  # "event", "speech", "accuse", "move"
    rest: str  # the suffixes of its last word
    prefix: str = ""  # what a verb prefix makes of it ("planned", "negated")


class Coder:
    """The components of one language, built from its :class:`Grammar`."""

    def __init__(self, grammar: Grammar) -> None:
        self.grammar = grammar
        self.data: dict[str, Any] = load_data(grammar.data)
        # Longer keys first: "türkiyə" before "türk", whose rest "iyə" would read as a dative.
        # Both are kept under their first letter (a stem's alternations change its end only):
        # a word is tried against the few entries that start as it does.
        self.entries: dict[tuple[int, str], list[tuple[tuple[str, ...], ActorEntry]]] = {}
        for key, entry in sorted(
            actor_entries(grammar.language).items(), key=lambda item: -len(" ".join(item[0]))
        ):
            self.entries.setdefault((len(key), key[0][:1]), []).append((key, entry))
        self.sectors: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for words, sector in sorted(
            ((tuple(grammar.lower(k).split()), str(v)) for k, v in self.data["sectors"].items()),
            key=lambda item: -len(item[0]),
        ):
            self.sectors.setdefault(words[0][:1], []).append((words, sector))
        lexicon: list[tuple[tuple[str, ...], str, str]] = []
        # Stems of entries written as an infinitive: they match a verb's forms only.
        self.verb_stems: dict[str, re.Pattern[str]] = {}
        self.verb_any = re.compile(grammar.verb_rest.format(v="."))  # a verb of any class
        for phrase, event in self.data["verbs"].items():
            words = tuple(grammar.lower(phrase).split())
            ending = grammar.infinitive.search(words[-1]) if grammar.infinitive else None
            if ending is not None and ending.start() > 0:
                words = (*words[:-1], words[-1][: ending.start()])
                vowel = ending.group(0)[:1]
                self.verb_stems[words[-1]] = re.compile(grammar.verb_rest.format(v=vowel))
            lexicon.append((words, str(event), "event"))
        for kind, event in (("speech", ""), ("accuse", "DISAPPROVE"), ("movement", "MOVE")):
            for phrase in self.data.get(kind, []):
                lexicon.append((tuple(grammar.lower(phrase).split()), event, kind))
        lexicon.sort(key=lambda item: -sum(len(w) for w in item[0]))
        self.lexicon = lexicon
        self.aliases = {grammar.lower(k): str(v) for k, v in self.data.get("places", {}).items()}
        self.function_words = grammar.auxiliaries | grammar.coordinators | grammar.complementizers
        # Nouns after a genitive actor that make it a mediator or the source of a report
        # ("Rusiyanın vasitəçiliyi ilə", "Ռուսաստանի միջնորդությամբ", "ՊՆ-ի խոսքով"): it
        # takes no part in the event.
        self.asides = self._phrases(self.data.get("asides", []))
        # Postpositions of topic after a genitive actor and its noun ("Ադրբեջանի ներխուժման
        # կապակցությամբ", "Ermənistanın hücumu barədə"): what is talked about, no target.
        self.topics = self._phrases(self.data.get("topics", []))
        releases = self.data.get("releases", {})
        # A handover of people ("əsirləri təhvil verib", "գերիներին հանձնել") is a release:
        # these verbs with a person noun (any case), or an object noun in an oblique case.
        self.release_verbs = self._phrases(releases.get("verbs", []))
        self.released = self._phrases(releases.get("persons", []))
        self.released_objects = self._phrases(releases.get("objects", []))
        self.quote_verbs = self._phrases(
            [*self.data.get("speech", []), *self.data.get("quote_verbs", [])]
        )

    def _phrases(self, phrases: list[str]) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(self.grammar.lower(p).split()) for p in phrases)

    def phrase_at(
        self, tokens: list[Token], index: int, phrases: tuple[tuple[str, ...], ...]
    ) -> tuple[str, int] | None:
        """The first of ``phrases`` at ``tokens[index]``: (its last word's suffixes, index)."""
        for words in phrases:
            hit = self._phrase_rest(tokens, index, words, verb=True)
            if hit is not None:
                return hit
        return None

    # -- words ------------------------------------------------------------------------------

    def _phrase_rest(
        self, tokens: list[Token], index: int, words: tuple[str, ...], *, verb: bool = False
    ) -> tuple[str, int] | None:
        """The suffixes of the last word and its index when ``words`` (stems) start at
        ``tokens[index]``; in a verb phrase an auxiliary may stand between two of them
        ("կրակ են բացել")."""
        rest, position = "", index - 1
        for word in words:
            position += 1
            if (
                verb
                and position > index
                and position + 1 < len(tokens)
                and tokens[position].base in self.grammar.auxiliaries
            ):
                position += 1
            if position >= len(tokens):
                return None
            token = tokens[position]
            if verb and word in self.verb_stems:
                found = self._verb_form(token.word, word)
            elif token.base == word:
                rest = token.suffix
                continue
            else:
                found = self.grammar.rest_after(token.word, word)
            if found is None:
                return None
            rest = found
        return rest, position

    def _verb_form(self, word: str, stem: str) -> str | None:
        """The suffixes of ``word`` when it is a verb form of ``stem`` (see ``verb_rest``)."""
        rest = self.grammar.rest_after(word, stem)
        return rest if rest and self.verb_stems[stem].match(rest) else None

    def _case_after(
        self, tokens: list[Token], first: int, last: int, rest: str, *, noun: bool = False
    ) -> str:
        """The case of the words ``first..last``: a postposition after them, else the
        ending; "X ilə Y" opening a sentence is a coordination, not a comitative."""
        following = tokens[last + 1] if last + 1 < len(tokens) else None
        if following is not None and following.base in self.grammar.postpositions:
            case = self.grammar.postpositions[following.base]
            return "nom" if case == "com" and first == 0 else case
        return self.grammar.case_of(rest, noun=noun)

    # -- actors -----------------------------------------------------------------------------

    def _entry_at(self, tokens: list[Token], index: int) -> tuple[ActorEntry, int, str] | None:
        token = tokens[index]
        if token.base in self.function_words and not (len(token.text) > 1 and token.text.isupper()):
            return None  # hy "եմ" (am) is no ԵՄ (EU), "ու" (and) no name; "ԵՄ" in capitals is
        first = tokens[index].base[:1]
        for size in (3, 2, 1):
            for key, entry in self.entries.get((size, first), ()):
                hit = self._phrase_rest(tokens, index, key)
                if hit is not None:
                    return entry, size, hit[0]
        return None

    def _head_case(self, tokens: list[Token], index: int, case: str) -> str:
        """The case of the noun that genitives from ``index`` on qualify ("Մինսկի խմբի
        համանախագահների հետ": comitative), ``case`` when no genitive stands there."""
        position = index
        while (
            position < len(tokens)
            and position < index + 4
            and tokens[position].base.isalpha()
            and self.grammar.case_of(tokens[position].base) == "gen"
        ):
            if (
                position + 1 < len(tokens)
                and tokens[position + 1].base in self.grammar.postpositions
            ):
                break  # the genitive is the head: "… Մինսկի խմբի հետ"
            position += 1
        if (
            position >= len(tokens)
            or not tokens[position].base.isalpha()
            or (position == index and self.grammar.case_of(tokens[index].base) != "gen")
        ):
            return case
        return self._case_after(tokens, position, position, tokens[position].base)

    def sector_at(self, tokens: list[Token], index: int) -> tuple[str, int, str] | None:
        if index >= len(tokens):
            return None
        for words, sector in self.sectors.get(tokens[index].base[:1], ()):
            hit = self._phrase_rest(tokens, index, words)
            if hit is not None:
                return sector, len(words), hit[0]
        return None

    def sentence_actors(self, text: str, sentence: Sentence) -> list[Actor]:
        tokens = sentence.tokens
        found: list[Actor] = []
        index = 0
        while index < len(tokens):
            hit = self._entry_at(tokens, index)
            if hit is None:
                index += 1
                continue
            entry, size, rest = hit
            last = index + size - 1
            case = self._case_after(tokens, index, last, rest)
            if case == "nom" and not rest and self.grammar.bare_modifiers:
                case = self._head_case(tokens, last + 1, case)
            if entry.kind == "metonym" and case in self.grammar.place_cases:
                index += size  # "Bakıda", "Երևանում": a place
                continue
            sector, kind = entry.sector, entry.kind
            sector_hit = self.sector_at(tokens, last + 1)
            if sector_hit is not None and entry.kind in ("state", "metonym"):
                # "Ermənistan silahlı qüvvələri", "Ադրբեջանի ԶՈՒ-ն": the noun carries the case.
                sector, length, noun_rest = sector_hit
                last += length
                kind = "sector"
                # "Azərbaycan Ordusunun bölmələri": a further sector noun is the head.
                more = self.sector_at(tokens, last + 1)
                if more is not None:
                    last += more[1]
                    noun_rest = more[2]
                case = self._case_after(tokens, index, last, noun_rest, noun=True)
            found.append(
                Actor.spanning(
                    text, tokens, index, last, entry, sector=sector, kind=kind, case=case
                )
            )
            index = last + 1
        found = self._shared_heads(
            tokens,
            tr.join_titles(
                tokens, found, name_case=partial(self._holder_case, tokens), first_name=self._name
            ),
        )
        for actor in found:
            if actor.case == "gen" and (
                self.phrase_at(tokens, actor.last + 1, self.asides)
                or self.phrase_at(tokens, actor.last + 2, self.topics)
            ):
                actor.case = "aside"
        return self._suspended_cases(tokens, found)

    def _name(self, token: Token) -> bool:
        """Whether a word between a title and its holder is a first name: capitalised, and
        no reading of it ends in a case of places ("Moskvada", "Երևանում"); a double first
        name is one word ("Jan-İv", "Ժան-Իվ": its second half is no suffix)."""
        head, hyphen, tail = token.text.partition("-")
        if hyphen and tail[:1].isupper() and not head.isupper():
            return True
        return tr._first_name(token) and not any(
            rest and self.grammar.case_of(rest) in self.grammar.place_cases
            for _stem, rest in self.grammar.stems_of(token.base)
        )

    def _holder_case(self, tokens: list[Token], token: Token) -> str | None:
        """The case of a title's holder outside the dictionaries: that of the postposition
        after his name ("Ֆրանսիայի արտգործնախարար Ժան-Իվ Լե Դրիանի հետ": with him)."""
        following = token.index + 1
        if following < len(tokens):
            return self.grammar.postpositions.get(tokens[following].base)
        return None

    def _suspended_cases(self, tokens: list[Token], found: list[Actor]) -> list[Actor]:
        """Coordinated names share the postposition after the last ("Putin və Nikol Paşinyan
        ilə": both comitative), a mediator's role ("Վրաստանի և ԱՄՆ-ի միջնորդությամբ") and a
        genitive ending ("Azərbaycan və Ermənistanın")."""
        postposed = {*self.grammar.postpositions.values(), "aside"}
        for actor, following in reversed(list(pairwise(found))):
            between = tokens[actor.last + 1 : following.first]
            while between and between[-1].capitalised:
                between = between[:-1]  # a first name before the next
            if (
                actor.case == "nom"
                and following.case == "gen"
                and between
                and all(t.base in self.grammar.coordinators for t in between)
            ):
                actor.case = "gen"  # "Azərbaycan və Ermənistanın": one genitive for both
            elif (
                (actor.case == "nom" or (actor.case == "gen" and following.case == "aside"))
                and following.case in postposed
                and between
                and all(t.base in self.grammar.coordinators or t.base == "," for t in between)
            ):
                actor.case = following.case
        return found

    def _shared_heads(self, tokens: list[Token], found: list[Actor]) -> list[Actor]:
        """ "Հայաստանի և Ադրբեջանի նախարարները", "Rusiya və Türkiyə müdafiə nazirləri": a
        state coordinated with a qualified sector noun shares its sector and case."""
        for actor, following in pairwise(found):
            between = [t.base for t in tokens[actor.last + 1 : following.first]]
            if (
                actor.kind == "state"
                and following.kind == "sector"
                and len(between) == 1
                and between[0] in self.grammar.coordinators
            ):
                actor.case = following.case
                actor.kind = "sector"
                actor.ref = replace(actor.ref, sector=following.ref.sector)
        return found

    # -- places -----------------------------------------------------------------------------

    def find_places(
        self, news: NewsDoc, sentences: list[Sentence], focus: tuple[str, ...]
    ) -> list[PlaceMention]:
        """Capitalised names without their suffixes through the gazetteer, longest first."""
        from ceasefire.news.geo import Gazetteer

        gazetteer = Gazetteer.load()
        countries: dict[str, int] = {}
        found: list[tuple[int, int, list[Any], bool]] = []
        for sentence in sentences:
            tokens = sentence.tokens
            actors = self.sentence_actors(news.article.text, sentence)
            index = 0
            while index < len(tokens):
                token = tokens[index]
                if not token.capitalised:
                    index += 1
                    continue
                actor = next((a for a in actors if a.first == index), None)
                if actor is not None and actor.kind != "metonym":
                    # A state, person or organisation (with the sector noun it qualifies:
                    # "Azərbaycan Ordusunun" is no Ordu) is no place; a state is evidence.
                    # A capital is both (as in Turkish): "Moskva vaxtı", "Bakı bildirib".
                    code = ALPHA3_TO_2.get(actor.ref.code or "")
                    if code and actor.kind in ("state", "sector"):
                        countries[code] = countries.get(code, 0) + 1
                    index = actor.last + 1
                    continue
                if any(
                    a.first == index + 1
                    and a.kind == "person"
                    and a.ref.start == tokens[index + 1].start  # not a title before a name
                    for a in actors
                ):
                    index += 1  # "Vladimir Putin" is no Vladimir
                    continue
                hit = self._place_at(gazetteer, tokens, index, focus)
                if hit is None:
                    index += 1
                    continue
                size, stem, candidates = hit
                start = tokens[index].start
                found.append((start, tokens[index + size - 1].start + stem, candidates, False))
                index += size
        return resolve_places(news.article.text, found, countries=countries, focus=focus)

    def _place_at(
        self, gazetteer: Any, tokens: list[Token], index: int, focus: tuple[str, ...]
    ) -> tuple[int, int, list[Any]] | None:
        """(words, length of the last word's stem, readings) of the place at ``index``."""
        for size in (3, 2, 1):
            window = tokens[index : index + size]
            if len(window) < size or not all(t.base.isalpha() for t in window):
                continue
            head = " ".join(t.base for t in window[:-1])
            last = window[-1]
            for stem, _rest in self.grammar.stems_of(last.base):
                name = f"{head} {stem}" if head else stem
                if name in self.aliases:
                    return size, len(stem), list(gazetteer.lookup(self.aliases[name]))
                if size > 1 and not all(t.capitalised for t in window):
                    continue
                if size == 1 and len(stem) < 4:
                    continue  # "Os", "Bu": a short word is seldom a place
                candidates = [
                    c
                    for c in (gazetteer.lookup(name) or gazetteer.lookup_native(name))
                    if tr._strong(c, focus)
                ]
                if candidates:
                    return size, len(stem), candidates
        return None

    # -- dates ------------------------------------------------------------------------------

    def find_dates(self, text: str, reference: date | None) -> list[TimeMention]:
        """ "25 noyabr 2020", "25 նոյեմբերի": the day, the month (its suffixes dropped) and
        the year if given (else the one nearest the article's date); "dünən", "երեկ"."""
        if reference is None:
            return []
        from ceasefire.news.lang.common import _nearest_year

        grammar = self.grammar
        months = "|".join(grammar.months)
        relative = "|".join(grammar.relative_days)
        pattern = re.compile(
            rf"(?P<day>\b\d{{1,2}})\s+(?P<month>{months})[^\W\d_]*(?:\s+(?P<year>\d{{4}}))?"
            rf"|(?P<month2>{months})[^\W\d_]*\s+(?P<day2>\d{{1,2}})\b(?!\s*[:.]\d)"
            rf"|(?P<rel>(?<![^\W\d_])(?:{relative})(?![^\W\d_]))",
            re.IGNORECASE,
        )
        found: list[TimeMention] = []
        for match in pattern.finditer(text):
            if match.group("rel"):
                day = date.fromordinal(
                    reference.toordinal() + grammar.relative_days[grammar.lower(match.group(0))]
                )
            else:
                month = next(
                    n
                    for n, stem in enumerate(grammar.months, start=1)
                    if grammar.lower(match["month"] or match["month2"]).startswith(stem)
                )
                number = int(match["day"] or match["day2"])
                try:
                    day = date(int(match.group("year") or reference.year), month, number)
                except ValueError:
                    continue
                if not match.group("year"):
                    day = _nearest_year(day, reference)
            found.append(
                TimeMention(
                    text=match.group(0),
                    start=match.start(),
                    end=match.end(),
                    date=day,
                    precision="day",
                )
            )
        return found

    # -- events -----------------------------------------------------------------------------

    def find_triggers(self, sentence: Sentence) -> list[_Trigger]:
        """Lexicon entries in the sentence, longest first, never overlapping."""
        taken: set[int] = set()
        found: list[_Trigger] = []
        tokens = sentence.tokens
        # Where each first letter stands (and after a verb prefix: "կհանձնվի").
        starts: dict[str, list[int]] = {}
        for token in tokens:
            if token.index > 0 and token.capitalised:
                continue  # a name ("Մարտունին" is no "մարտ", battle)
            letters = {token.base[:1]} | {
                token.base[len(p) : len(p) + 1]
                for p in self.grammar.verb_prefixes
                if token.base.startswith(p)
            }
            for letter in letters:
                starts.setdefault(letter, []).append(token.index)
        for words, event, kind in self.lexicon:
            for index in starts.get(words[0][:1], ()):
                hit, prefix = self._phrase_rest(tokens, index, words, verb=True), ""
                if hit is None and len(words) == 1:
                    rest, prefix = self._prefixed_rest(tokens[index], words[0])
                    hit = None if rest is None else (rest, index)
                if hit is None or any(i in taken for i in range(index, hit[1] + 1)):
                    continue
                found.append(_Trigger(index, hit[1], event, kind, hit[0], prefix))
                taken.update(range(index, hit[1] + 1))
            if len(words) > 1 and self.grammar.verb_first_gap:
                for index in starts.get(words[-1][:1], ()):
                    hit = self._verb_first(tokens, index, words)
                    if hit is not None and not any(i in taken for i in range(index, hit[1] + 1)):
                        found.append(_Trigger(index, hit[1], event, kind, hit[0]))
                        taken.update(range(index, hit[1] + 1))
        return sorted(found, key=lambda t: t.first)

    def _verb_first(
        self, tokens: list[Token], index: int, words: tuple[str, ...]
    ) -> tuple[str, int] | None:
        """(the verb's suffixes, the phrase's last index) when the verb of ``words`` stands
        first, in a verb's form, its auxiliary and up to ``verb_first_gap`` words before the
        rest ("անցել է Ադրբեջանի վերահսկողության տակ")."""
        verb = self._phrase_rest(tokens, index, words[-1:], verb=True)
        if verb is None or not verb[0] or not self.verb_any.match(verb[0]):
            return None
        after = index + 1
        if after < len(tokens) and tokens[after].base in self.grammar.auxiliaries:
            after += 1
        for gap in range(self.grammar.verb_first_gap + 1):
            if any(not t.base.isalpha() for t in tokens[after : after + gap]):
                break
            hit = self._phrase_rest(tokens, after + gap, words[:-1], verb=True)
            if hit is not None:
                return verb[0], hit[1]
        return None

    def _prefixed_rest(self, token: Token, stem: str) -> tuple[str | None, str]:
        """The suffixes of a verb with a prefix ("կհանձնվի": կ + հանձն + վի) and the prefix's
        meaning; (None, "") when the word is no prefixed form of ``stem``."""
        for prefix, meaning in self.grammar.verb_prefixes.items():
            if token.word.startswith(prefix):
                word = token.word[len(prefix) :]
                rest = (
                    self._verb_form(word, stem)
                    if stem in self.verb_stems
                    else self.grammar.rest_after(word, stem)
                )
                if rest is not None:
                    return rest, meaning
        return None, ""

    def sentence_events(
        self, news: NewsDoc, sentence: Sentence, actors: list[Actor]
    ) -> list[Event]:
        grammar = self.grammar
        tokens = sentence.tokens
        triggers = self.find_triggers(sentence)
        accusation = next((t for t in triggers if t.kind == "accuse"), None)
        speech = [t for t in triggers if t.kind == "speech"]
        acts = [t for t in triggers if t.kind in ("event", "movement")]
        if not acts and accusation is not None:
            acts = [accusation]
        events: list[Event] = []
        coded: list[_Trigger] = []  # the trigger of each event (a mover-less move has none)
        for trigger in acts:
            modality: Modality = "occurred"
            claimed_by: list[ActorRef] = []
            # A reported act ("X bəyan edib ki, Y ...", "X-ը հայտնում է, որ Y ..."): its
            # actors are those of the reported clause, after the speech verb.
            clause = max((t.last for t in speech if t.last < trigger.first), default=-1)
            nominative = [a for a in actors if a.case == "nom" and a.first > clause] or [
                a for a in actors if a.case == "nom"
            ]
            if accusation is not None and trigger is not accusation:
                source = [a for a in actors if a.case in grammar.accused_cases][:1]
                claimed_by = [a.ref for a in nominative if a not in source][:1]
                modality = "claimed"
            elif (
                grammar.nominalised is not None
                and grammar.nominalised.search(trigger.rest)
                and (genitive := [a for a in actors if a.case == "gen" and a.last < trigger.first])
            ):
                # The subject of a reported, nominalised clause, with the names coordinated
                # with it ("Azərbaycan və Ermənistanın ... razılaşdığını").
                source = self._coordinated_before(genitive, tokens)
            elif agents := [a for a in actors if a.case == "agent"]:
                source = agents  # "Ermənistan tərəfindən", "Ադրբեջանի կողմից": by whom
            else:
                source = (
                    self._coordinated([a for a in nominative if a.last < trigger.first], tokens)
                    or [a for a in nominative if a.first > trigger.last][:1]
                    or [a for a in actors if a.case == "gen" and a.last < trigger.first][:1]
                )
            codes = {a.ref.code for a in source} | {c.code for c in claimed_by}
            targets = [
                a
                for a in actors
                if a not in source
                and a.ref.code not in codes
                and a.case not in ("nom", "agent", "aside")
            ]
            event = trigger.event
            if self._releases(tokens, trigger):
                event = "CONCEDE"  # people handed over or freed: a release
            if event == "MOVE" and not source:
                continue  # "ուժի մեջ է մտել" (took effect): nobody moved
            if event == "MOVE":
                military = source and all(a.ref.sector == "MIL" for a in source)
                event = "MOBILIZE" if military else "CONSULT"
            if grammar.passive.match(trigger.rest) and event != "MOBILIZE" and not targets:
                targets, source = source, []
            negated = (
                trigger.prefix == "negated"
                or (grammar.negation is not None and bool(grammar.negation.match(trigger.rest)))
                or (trigger.first > 0 and tokens[trigger.first - 1].base in grammar.negators)
            )
            if negated and event in _COOPERATIVE:
                event = "REJECT"
            future = trigger.prefix == "planned" or grammar.future.search(trigger.rest)
            if modality == "occurred" and future:
                modality = "planned"
            coded.append(trigger)
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
                    component=f"news.events.{grammar.language}.v1",
                    claimed_by=claimed_by,
                )
            )
        if events:
            # Verb-final: the main clause's verb comes last, unless an act stands before a
            # complement clause ("X-ը հերքել է, թե ...", "X təkzib edib ki, ...").
            opening = next(
                (t.index for t in tokens if t.base in grammar.complementizers), len(tokens)
            )
            main = [
                e
                for number, (e, t) in enumerate(zip(events, coded, strict=True))
                if t.last < opening
                and not (number and self._complement(tokens, t, coded[number - 1]))
            ]
            (main or events)[-1].primary = True
        return events

    def _complement(self, tokens: list[Token], trigger: _Trigger, previous: _Trigger) -> bool:
        """Whether ``trigger`` is, or is the object of, an infinitive without an auxiliary:
        the complement of the act before it ("համաձայնել են ... տեղակայել", agreed to deploy;
        "համաձայնեցին բանակցություններ վարել", agreed to hold talks)."""
        infinitive = self.grammar.infinitive
        if infinitive is None:
            return False

        def auxiliary(position: int) -> bool:
            return (
                0 <= position < len(tokens)
                and tokens[position].base in self.grammar.auxiliaries
                and not tokens[position].capitalised
            )

        # An auxiliary just after the act before is that act's ("համաձայնել է ուղարկել").
        before = trigger.first - 1
        if auxiliary(before) and before - 1 != previous.last:
            return False
        if any(auxiliary(p) for p in range(trigger.first, trigger.last + 2)):
            return False
        if infinitive.fullmatch(trigger.rest):
            return True

        def bare_infinitive(position: int) -> bool:
            return (
                0 <= position < len(tokens)
                and position != previous.last
                and not tokens[position].capitalised
                and len(tokens[position].base) > 3
                and infinitive.search(tokens[position].base) is not None
                and not auxiliary(position - 1)
                and not auxiliary(position + 1)
            )

        # Its verb next to it: "բանակցություններ վարել", "դադարեցնել հրետակոծությունները".
        return bare_infinitive(trigger.last + 1) or bare_infinitive(trigger.first - 1)

    def _releases(self, tokens: list[Token], trigger: _Trigger) -> bool:
        """Whether ``trigger`` is a handover verb whose object is people."""
        if self.phrase_at(tokens, trigger.first, self.release_verbs) is None and not any(
            self._prefixed_rest(tokens[trigger.first], words[0])[0] is not None
            for words in self.release_verbs
            if len(words) == 1
        ):
            return False  # neither "վերադարձրել" nor "կվերադարձվեն"
        for token in tokens:
            if trigger.first <= token.index <= trigger.last:
                continue
            if self.phrase_at(tokens, token.index, self.released):
                return True
            hit = self.phrase_at(tokens, token.index, self.released_objects)
            if hit is not None and self.grammar.case_of(hit[0], noun=True) != "nom":
                return True
        return False

    def _coordinated_before(self, actors: list[Actor], tokens: list[Token]) -> list[Actor]:
        """The last of ``actors`` and those joined to it by coordinators or commas."""
        out = actors[-1:]
        for actor in reversed(actors[:-1]):
            words = [t.base for t in tokens[actor.last + 1 : out[0].first]]
            if not words or any(w not in self.grammar.coordinators and w != "," for w in words):
                break
            out.insert(0, actor)
        return out

    def _coordinated(self, nominative: list[Actor], tokens: list[Token]) -> list[Actor]:
        """The first nominative actors, those joined by "və", "և", "ու" or commas kept (a
        title and its holder are one actor: :func:`tr.join_titles`)."""
        if not nominative:
            return []
        out = [nominative[0]]
        for actor in nominative[1:]:
            between = tokens[out[-1].last + 1 : actor.first]
            while between and between[-1].capitalised:
                between = between[:-1]  # "Փաշինյանը, Իլհամ Ալիևը": a first name
            words = [t.base for t in between]
            if words and all(w in self.grammar.coordinators or w == "," for w in words):
                out.append(actor)  # "A, B və C"
            else:
                break
        return out


def register_language(grammar: Grammar) -> tuple[str, ...]:
    """Register ``news.{tokens,places,actors,times,events}.<language>.v1``; their names."""
    lang = grammar.language
    sentences_key, actors_key, tokens = f"{lang}.sentences", f"{lang}.actors", f"{lang}_tokens"
    names = tuple(f"news.{part}.{lang}.v1" for part in ("tokens", "places", "actors", "times"))
    quotes_name, events_name = f"news.quotes.{lang}.v1", f"news.events.{lang}.v1"

    @cache
    def coder() -> Coder:
        return Coder(grammar)

    def sentences_of(news: NewsDoc) -> list[Sentence]:
        return scratch_list(news, sentences_key)

    @register(names[0], requires=["article"], assigns=[tokens])
    def make_tokens(resources: PipelineResources) -> Any:
        """Sentences and tokens of each block."""

        def run(news: NewsDoc) -> NewsDoc:
            news.scratch[sentences_key] = [
                s for b in news.article.blocks for s in tokenize(grammar, b.text, b.start)
            ]
            return news

        return run

    @register(names[1], requires=[tokens], assigns=["places"])
    def make_places(resources: PipelineResources) -> Any:
        """Capitalised names without their suffixes through the gazetteer."""
        focus = resources.geo_focus

        def run(news: NewsDoc) -> NewsDoc:
            news.places = coder().find_places(news, sentences_of(news), focus)
            return news

        return run

    @register(names[2], requires=[tokens], assigns=["actors"])
    def make_actors(resources: PipelineResources) -> Any:
        """States, capitals, office holders and organisations by stem; qualified sectors."""

        def run(news: NewsDoc) -> NewsDoc:
            text = news.article.text
            per_sentence = [coder().sentence_actors(text, s) for s in sentences_of(news)]
            return tr.with_actors(news, actors_key, per_sentence)

        return run

    @register(names[3], requires=["article"], assigns=["times"])
    def make_times(resources: PipelineResources) -> Any:
        """Day-month dates and yesterday/today, against the article's date."""

        def run(news: NewsDoc) -> NewsDoc:
            news.times = coder().find_dates(news.article.text, news.reference_date)
            return news

        return run

    @register(quotes_name, requires=[tokens, "actors"], assigns=["quotes"])
    def make_quotes(resources: PipelineResources) -> Any:
        """Quotations with a dash and their verb, colon introductions and "ki"/"որ" clauses
        after a speech verb, with their speakers."""

        def run(news: NewsDoc) -> NewsDoc:
            from ceasefire.news.lang.suffixed_quotes import QuoteFinder

            actors: list[list[Actor]] = news.scratch.get(actors_key, [])
            news.quotes = QuoteFinder(coder(), news, sentences_of(news), actors).find()
            return news

        return run

    @register(events_name, requires=[tokens, "actors", "times"], assigns=["events"])
    def make_events(resources: PipelineResources) -> Any:
        """PLOVER events from the suffix-aware lexicon; the last trigger is primary."""

        def run(news: NewsDoc) -> NewsDoc:
            actors: list[list[Actor]] = news.scratch.get(actors_key, [])
            news.events = [
                event
                for number, sentence in enumerate(sentences_of(news))
                for event in coder().sentence_events(
                    news, sentence, actors[number] if number < len(actors) else []
                )
            ]
            return news

        return run

    return (*names, quotes_name, events_name)
