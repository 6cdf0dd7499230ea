"""news.actors.v1: who the article talks about, coded as PLOVER actors.

Names are matched against the actor dictionary (states, demonyms, capitals as metonyms,
people by the role they held on the article's date, organisations); other named entities
are kept with an unknown code. A noun phrase becomes an actor when it names one or when its
head is a sector noun: "Turkish police" → TUR/COP, "the Georgian army" → GEO/MIL, "King
Hassan of Morocco" → MAR/GOV. Wire agencies (Reuters, AP...) are credits, never actors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from ceasefire.news.actordict import ActorDictionary, ActorEntry
from ceasefire.news.components.syntax import (
    PRONOUNS_GROUP,
    PRONOUNS_PERSON,
    np_tokens,
    span_of,
)
from ceasefire.news.model import ActorMention, ActorRef
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register
from ceasefire.news.sources import agencies

NAME = "news.actors.v1"
_TITLE_SECTORS = {
    "president": "GOV", "minister": "GOV", "premier": "GOV", "king": "GOV", "queen": "GOV",
    "prince": "GOV", "chancellor": "GOV", "secretary": "GOV", "ambassador": "GOV",
    "envoy": "GOV", "governor": "GOV", "mayor": "GOV", "spokesman": "GOV",
    "spokeswoman": "GOV", "sheikh": "GOV", "emir": "GOV", "general": "MIL", "gen.": "MIL",
    "lt.": "MIL", "colonel": "MIL", "col.": "MIL", "commander": "MIL", "admiral": "MIL",
    "major": "MIL", "maj.": "MIL", "senator": "LEG", "judge": "JUD", "ayatollah": "REL",
    "bishop": "REL", "imam": "REL",
}  # fmt: skip
_NON_ACTOR_KINDS_AS_MODIFIER = {"demonym", "state", "capital"}
# "a state of emergency / siege / war", "a state of high alert": a condition, not a state.
_STATE_OF_CONDITIONS = frozenset(
    {"emergency", "siege", "war", "alert", "readiness", "crisis", "chaos", "shock", "mourning",
     "disaster", "tension", "unrest", "lawlessness", "anarchy", "confusion", "denial"}
)  # fmt: skip


def _not_an_actor(head: Token) -> bool:
    """Sector nouns in fixed expressions: "a state of emergency", "took it by force"."""
    lemma = head.lemma_.lower()
    if lemma == "state":
        return any(
            pobj.lemma_.lower() in _STATE_OF_CONDITIONS
            for prep in head.children
            if prep.dep_ == "prep" and prep.lower_ == "of"
            for pobj in prep.children
        )
    if lemma == "force" and head.tag_ == "NN" and head.head.lower_ in {"by", "with"}:
        return not any(c.dep_ in {"det", "amod", "compound", "poss"} for c in head.children)
    return False


@register(NAME, requires=["doc"], assigns=["actors"])
def make_actors(resources: PipelineResources) -> ActorsComponent:
    """Find actors with the actor dictionary, the model's entities and sector nouns."""
    return ActorsComponent(resources.nlp, resources.actors)


class ActorsComponent:
    def __init__(self, nlp: Language, dictionary: ActorDictionary) -> None:
        self.dictionary = dictionary
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.alias_entries = dictionary.aliases()
        self.alias_keys: dict[str, str] = {}
        for alias in self.alias_entries:
            key = f"A{len(self.alias_keys)}"
            self.alias_keys[key] = alias
            self.matcher.add(key, [nlp.make_doc(alias)])
        self.agency_matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.agency_matcher.add(
            "AGENCY", [nlp.make_doc(a) for agency in agencies() for a in agency.aliases]
        )

    def __call__(self, news: NewsDoc) -> NewsDoc:
        doc = news.doc
        if doc is None:
            return news
        resolver = ActorResolver(
            doc,
            self.dictionary,
            news.reference_date,
            self._atomic(news, doc),
            self._agency_tokens(doc),
        )
        news.scratch["resolver"] = resolver
        news.actors = resolver.noun_phrase_mentions()
        return news

    def _agency_tokens(self, doc: Doc) -> set[int]:
        tokens: set[int] = set()
        for _, start, end in self.agency_matcher(doc):
            tokens.update(range(start, end))
        return tokens

    def _atomic(self, news: NewsDoc, doc: Doc) -> dict[int, ActorMention]:
        day = news.reference_date
        agency_tokens = self._agency_tokens(doc)
        place_tokens: set[int] = set()
        place_country: dict[int, str | None] = {}
        for place in news.places:
            span = doc.char_span(place.start, place.end, alignment_mode="expand")
            if span is None:
                continue
            for token in span:
                place_tokens.add(token.i)
                place_country[token.i] = place.country
        candidates: list[tuple[int, int, ActorEntry]] = []
        for match_id, start, end in self.matcher(doc):
            alias = self.alias_keys[doc.vocab.strings[match_id]]
            if any(i in agency_tokens for i in range(start, end)):
                continue
            entry = self.dictionary.pick(self.alias_entries[alias], day)
            candidates.append((start, end, entry))
        # Longest match first; people and organisations before states on ties.
        rank = {
            "person": 0,
            "organisation": 1,
            "metonym": 2,
            "state": 3,
            "capital": 4,
            "demonym": 5,
        }
        candidates.sort(key=lambda c: (-(c[1] - c[0]), rank[c[2].kind], c[0]))
        taken: dict[int, ActorMention] = {}
        for start, end, entry in candidates:
            if any(i in taken for i in range(start, end)):
                continue
            span = doc[start:end]
            if entry.kind == "capital" and _is_plain_location(span):
                continue
            mention = _mention_for_entry(span, entry, day)
            for i in range(start, end):
                taken[i] = mention
        for ent in doc.ents:
            if any(t.i in taken or t.i in agency_tokens for t in ent):
                continue
            entity = _mention_for_entity(ent, place_tokens, place_country)
            if entity is None:
                continue
            for token in ent:
                taken[token.i] = entity
        return taken


def _is_plain_location(span: Span) -> bool:
    """A capital after "in/near/to" is a place, not its government ("talks in Moscow")."""
    head = span.root.head
    return span.root.dep_ == "pobj" and head.lower_ in {
        "in", "near", "to", "from", "at", "outside", "into", "around", "across", "toward",
        "towards",
    }  # fmt: skip


def _mention_for_entry(span: Span, entry: ActorEntry, day: date | None) -> ActorMention:
    code, sector, role = entry.code_on(day)
    ref = ActorRef(
        text=span.text,
        code=code,
        sector=sector,
        start=span.start_char,
        end=span.end_char,
        id=entry.id if entry.kind in {"person", "organisation"} else None,
        name=entry.name if entry.kind in {"person", "organisation"} else None,
        role=role,
    )
    return ActorMention(
        ref=ref, token_start=span.start, token_end=span.end, kind=entry.kind, head=span.root.i
    )


def _mention_for_entity(
    ent: Span, place_tokens: set[int], place_country: dict[int, str | None]
) -> ActorMention | None:
    label = ent.label_
    tokens = [t for t in ent if not (t.is_punct or t.pos_ == "DET")]
    if not tokens:
        return None
    span = span_of(tokens)
    # The geoparser has already relabelled the toponyms the model took for people
    # (news.places.v1 runs first), so the labels are trusted here.
    if label == "PERSON":
        kind = "person"
    elif label in {"ORG", "NORP"}:
        kind = "organisation" if label == "ORG" else "group"
    elif label in {"GPE", "LOC", "FAC"}:
        kind = "place"
    else:
        return None
    code = None
    if kind == "place":
        country = next((place_country[t.i] for t in span if t.i in place_country), None)
        code = alpha3(country)
        if code is None:
            return None
    ref = ActorRef(text=span.text, code=code, sector=None, start=span.start_char, end=span.end_char)
    return ActorMention(
        ref=ref, token_start=span.start, token_end=span.end, kind=kind, head=span.root.i
    )


_NGO_WORDS = frozenset(
    {"association", "committee", "foundation", "institute", "federation", "society", "watch",
     "organisation", "organization", "network", "coalition", "council", "centre", "center",
     "fund", "trust", "initiative"}
)  # fmt: skip


def _ngo_by_name(mention: ActorMention) -> str | None:
    """An organisation of no state, by its name ("Association of Mountain Guides") is an NGO."""
    words = {w.lower() for w in mention.ref.text.split()}
    return "NGO" if words & _NGO_WORDS else None


def alpha3(country: str | None) -> str | None:
    if not country:
        return None
    if len(country) == 3:
        return country.upper()
    import pycountry

    found = pycountry.countries.get(alpha_2=country.upper())
    return str(found.alpha_3) if found else None


@dataclass
class ActorResolver:
    """Turns noun phrases and pronouns into actors, for the events and quotes components."""

    doc: Doc
    dictionary: ActorDictionary
    day: date | None
    mention_at: dict[int, ActorMention]
    excluded: set[int]

    def is_credit(self, token: Token) -> bool:
        return token.i in self.excluded

    def resolve(self, head: Token) -> ActorRef | None:
        """The actor a noun phrase headed by ``head`` names, or None if it names none."""
        if head.i in self.excluded or _not_an_actor(head):
            return None
        tokens = np_tokens(head)
        mention = self.mention_at.get(head.i)
        sector = self._sector(head, tokens)
        generic = self._generic(tokens) if mention is None else None
        if generic is not None:
            span = span_of(tokens)
            return ActorRef(span.text, generic[0], generic[1], span.start_char, span.end_char)
        if mention is not None and mention.kind in {"person", "organisation", "metonym"}:
            ref = mention.ref
            if ref.code is None:
                code = self._code_from_parts(head, tokens, skip=mention)
                if code is None and mention.kind == "organisation":
                    code = _ngo_by_name(mention)
                title_sector = self._title_sector(tokens) or sector
                return _with(ref, tokens, code=code, sector=ref.sector or title_sector)
            return _with(ref, tokens)
        if mention is None and not self._actor_head(head, tokens):
            # "a Russia-brokered cease-fire" names Russia, but the phrase is no actor.
            return None
        code, source = self._code_in(head, tokens)
        if code is None:
            # "its forces", "their troops": the state the possessive refers to.
            for child in head.children:
                if child.dep_ == "poss" and child.pos_ == "PRON":
                    antecedent = self.antecedent(child)
                    if antecedent is not None and antecedent.code:
                        code = antecedent.code
        if mention is not None and mention.kind in {"state", "capital", "place"}:
            code = mention.ref.code
            if mention.kind == "capital" and not sector:
                sector = "GOV"
        if mention is not None and mention.kind == "demonym":
            # "Ethnic Armenians in Javakheti, Georgia": the state they live in, when it is named.
            code = self._residence(head) or mention.ref.code
            sector = sector or ("CVL" if head.tag_ in {"NNS", "NNPS"} else None)
        if mention is not None and mention.kind == "group" and code is None and sector is None:
            return None
        if code is None and sector is None:
            if head.ent_type_ == "PERSON" or (
                mention is not None and mention.kind == "organisation"
            ):
                return ActorRef(
                    text=span_of(tokens).text, code=None, sector=self._title_sector(tokens),
                    start=span_of(tokens).start_char, end=span_of(tokens).end_char,
                )  # fmt: skip
            return None
        if head.ent_type_ == "PERSON" and sector is None:
            sector = self._title_sector(tokens)
        used = tokens if source is None else sorted(set(tokens) | set(source), key=lambda t: t.i)
        span = span_of(used)
        named = mention if mention is not None else self._mention_in(used)
        return ActorRef(
            text=span.text,
            code=code,
            sector=sector,
            start=span.start_char,
            end=span.end_char,
            id=named.ref.id if named else None,
            name=named.ref.name if named else None,
            role=named.ref.role if named else None,
        )

    def resolve_loose(self, head: Token) -> ActorRef | None:
        """Like :meth:`resolve`, but a phrase merely marked by a state counts too.

        For speakers and targets: "a Turkish source" said it, "Armenian villages" were shelled.
        """
        ref = self.resolve(head)
        if ref is not None or head.i in self.excluded:
            return ref
        tokens = np_tokens(head)
        marks = [
            self.mention_at[t.i]
            for t in tokens
            if t.i in self.mention_at and self.mention_at[t.i].kind in {"state", "demonym"}
        ]
        if not marks or not marks[0].ref.code:
            return None  # "the Kalbajar district" is a place, not an actor
        span = span_of(tokens)
        return ActorRef(span.text, marks[0].ref.code, None, span.start_char, span.end_char)

    def _actor_head(self, head: Token, tokens: list[Token]) -> bool:
        """Whether a phrase without a name of its own can be an actor: a sector noun head."""
        if self._sector(head, tokens) is not None:
            return True
        return head.ent_type_ in {"PERSON", "ORG", "NORP"}

    def _residence(self, head: Token) -> str | None:
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in {"in", "of"}:
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        found = self._first_code(np_tokens(pobj))
                        if found:
                            return found
        return None

    def _generic(self, tokens: list[Token]) -> tuple[str, str | None] | None:
        words = [t.lower_ for t in tokens]
        # "human rights groups" is what "a human rights group" is: the head's lemma too.
        singular = [*words[:-1], tokens[-1].lemma_.lower()]
        for size in (3, 2, 1):
            if len(words) >= size:
                for form in (words, singular):
                    found = self.dictionary.generic.get(" ".join(form[-size:]))
                    if found:
                        return found
        return None

    def _mention_in(self, tokens: list[Token]) -> ActorMention | None:
        for token in tokens:
            mention = self.mention_at.get(token.i)
            if mention is not None and mention.kind in {"person", "organisation"}:
                return mention
        return None

    def _sector(self, head: Token, tokens: list[Token]) -> str | None:
        if head.text == "Union" and head.i > 0 and head.nbor(-1).pos_ in {"PROPN", "ADJ"}:
            # "the Soviet Union", "the African Union": states and their unions, not labour.
            return None
        words = [t.lower_ for t in tokens]
        # Longest multi-word sector first: "riot police", "armed forces", "foreign ministry".
        for size in (3, 2):
            if len(words) >= size:
                phrase = " ".join(words[-size:])
                found = self.dictionary.sector_of(phrase)
                if found:
                    return found
        return self.dictionary.sector_of(head.lower_) or self.dictionary.sector_of(head.lemma_)

    def _title_sector(self, tokens: list[Token]) -> str | None:
        for token in tokens:
            found = _TITLE_SECTORS.get(token.lower_)
            if found:
                return found
            if token.lower_ in {"minister", "ministry"}:
                return "GOV"
        return None

    def _code_in(self, head: Token, tokens: list[Token]) -> tuple[str | None, list[Token] | None]:
        """A state code in the phrase, its possessor, its "of/in/from" phrase or apposition."""
        for token in tokens:
            mention = self.mention_at.get(token.i)
            if mention is not None and mention.ref.code and token.i not in self.excluded:
                return mention.ref.code, None
        for child in head.children:
            if child.dep_ == "appos":
                found = self._first_code(list(child.subtree))
                if found:
                    return found, list(child.subtree)
        for child in head.children:
            if child.dep_ == "prep" and child.lower_ in {"of", "in", "from", "for"}:
                pobjs = [c for c in child.children if c.dep_ == "pobj"]
                for pobj in pobjs:
                    sub = np_tokens(pobj)
                    found = self._first_code(sub)
                    if found:
                        return found, [child, *sub]
        return None, None

    def _code_from_parts(self, head: Token, tokens: list[Token], skip: ActorMention) -> str | None:
        rest = [t for t in tokens if not (skip.token_start <= t.i < skip.token_end)]
        found = self._first_code(rest)
        if found:
            return found
        return self._code_in(head, [])[0]

    def _first_code(self, tokens: list[Token]) -> str | None:
        for token in tokens:
            mention = self.mention_at.get(token.i)
            if mention is not None and mention.ref.code and token.i not in self.excluded:
                return mention.ref.code
        return None

    def antecedent(self, pronoun: Token, *, before: int | None = None) -> ActorRef | None:
        """The actor a pronoun refers to: the nearest earlier compatible actor."""
        person = pronoun.pos_ == "PRON" and pronoun.lower_ in PRONOUNS_PERSON
        group = pronoun.pos_ == "PRON" and pronoun.lower_ in PRONOUNS_GROUP
        if not (person or group):
            return None
        limit = pronoun.i if before is None else before
        seen: set[int] = set()
        for index in range(limit - 1, -1, -1):
            mention = self.mention_at.get(index)
            if mention is None or id(mention) in seen:
                continue
            seen.add(id(mention))
            if person and mention.kind == "person":
                return mention.ref
            if group and mention.kind in {"state", "organisation", "metonym", "capital"}:
                return mention.ref
        return None

    def noun_phrase_mentions(self) -> list[ActorMention]:
        """Every actor named in the document, at the size of its noun phrase."""
        out: list[ActorMention] = []
        seen_heads: set[int] = set()
        seen_mentions: set[int] = set()
        for index in sorted(self.mention_at):
            mention = self.mention_at[index]
            if id(mention) in seen_mentions or mention.kind == "place":
                continue
            seen_mentions.add(id(mention))
            root = self.doc[mention.head]
            head = root
            while head.dep_ in {"compound", "amod", "nmod"} and head.head.pos_ in {"NOUN", "PROPN"}:
                head = head.head
            if head.i in seen_heads:
                continue
            # "Azeri territory" is no actor; "Azeri troops" is.
            if (
                head.i != root.i
                and mention.kind in _NON_ACTOR_KINDS_AS_MODIFIER
                and self._sector(head, np_tokens(head)) is None
                and head.i not in self.mention_at
            ):
                continue
            ref = self.resolve(head)
            if ref is None or (ref.code is None and ref.id is None):
                continue
            seen_heads.add(head.i)
            out.append(
                ActorMention(
                    ref=ref,
                    token_start=min(t.i for t in np_tokens(head)),
                    token_end=head.i + 1,
                    kind=mention.kind,
                    head=head.i,
                )
            )
        return out


def _with(
    ref: ActorRef,
    tokens: list[Token],
    *,
    code: str | None = None,
    sector: str | None = None,
) -> ActorRef:
    span = span_of(tokens)
    doc = span.doc
    named = doc.char_span(ref.start, ref.end, alignment_mode="expand")
    if named is not None:
        span = doc[min(span.start, named.start) : max(span.end, named.end)]
    return ActorRef(
        text=span.text,
        code=code if code is not None else ref.code,
        sector=sector if sector is not None else ref.sector,
        start=span.start_char,
        end=span.end_char,
        id=ref.id,
        name=ref.name,
        role=ref.role,
    )
