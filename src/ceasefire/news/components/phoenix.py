"""news.actors.v2: the actors of v1, plus the Phoenix dictionaries and agent + country.

What changes from ``news.actors.v1``:

* **Phoenix people and organisations.** Names of the Phoenix actor dictionaries (shipped in
  ``data/eventdata``: ~27,000 people with dated roles, international organisations, armed
  non-state groups) that v1's dictionary does not know are matched too, longest first, when
  they start with a capital (a bare entity of the model, with no code, gives way to them); a
  person is coded by the role held on the article's date
  (``PhoenixActor.code_on``). Our own dictionary (and a user's YAML file) wins where both
  name the same words; a Phoenix name must cover the whole name the model found, and a state
  the phrase states itself ("King Abdullah of Jordan") beats the list's.
* **Agents.** The agent words of ``Phoenix.agents.txt`` ("gendarmerie", "guerrillas",
  "riot police" …) are sector nouns, after ours.
* **Agent + nearest country.** A phrase with a sector and no state of its own ("the army",
  "rebels said") takes the state of a phrase of the same sector in its sentence ("Georgian
  soldiers … their commanders"), else the state nearest to it — a state named by its name
  or demonym ("in Georgia", "Georgian"), never a town (where something happened says nothing
  of who did it), nor a state that is itself the subject or object of a verb (an actor in its
  own right).
* **Pronouns** resolve to the last named actor of the same kind: "he/she" a person (named,
  or by office: "the minister"), "it/they" a state, organisation or group ("the rebels …
  they"); in the pronoun's sentence the nearest one before it, in an earlier sentence its
  subject first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ceasefire.news.actordict import ActorDictionary
from ceasefire.news.components.actors import ActorResolver, ActorsComponent
from ceasefire.news.components.syntax import PRONOUNS_GROUP, PRONOUNS_PERSON, np_tokens
from ceasefire.news.eventdata import SECTORS, EventIndex, PhoenixActor, event_index
from ceasefire.news.model import ActorMention, ActorRef
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.actors.v2"
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_GROUP_KINDS = frozenset({"state", "organisation", "metonym", "capital"})
# Nouns that name one person by office: "the minister … She said".
_PERSON_TITLES = frozenset(
    {"president", "minister", "premier", "chancellor", "king", "queen", "prince", "emir",
     "sultan", "ambassador", "envoy", "governor", "mayor", "spokesman", "spokeswoman",
     "spokesperson", "secretary", "commander", "general", "leader", "chief", "head",
     "official", "diplomat", "negotiator", "prosecutor", "judge"}
)  # fmt: skip
_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "dative", "attr"})
# A state by name or demonym: a town where something happened says nothing of who did it.
_STATE_KINDS = frozenset({"state", "demonym"})


@register(NAME, requires=["doc"], assigns=["actors"])
def make_actors_v2(resources: PipelineResources) -> PhoenixActorsComponent:
    """Actors of v1 plus the Phoenix people, organisations and agents."""
    return PhoenixActorsComponent(resources.nlp, resources.actors, event_index())


def with_agents(dictionary: ActorDictionary, index: EventIndex) -> ActorDictionary:
    """The dictionary with Phoenix's agent words as sector nouns (ours win)."""
    sectors = {w: s for w, s in index.agents.items() if s in SECTORS}
    sectors.update(dictionary.sectors)
    return ActorDictionary(
        entries=dictionary.entries,
        sectors=sectors,
        generic=dictionary.generic,
        sources=[*dictionary.sources, "phoenix:agents"],
    )


class PhoenixActorsComponent(ActorsComponent):
    def __init__(self, nlp: Language, dictionary: ActorDictionary, index: EventIndex) -> None:
        super().__init__(nlp, with_agents(dictionary, index))
        self.index = index

    def __call__(self, news: NewsDoc) -> NewsDoc:
        doc = news.doc
        if doc is None:
            return news
        agencies = self._agency_tokens(doc)
        atomic = self._atomic(news, doc)
        self._add_phoenix(doc, atomic, agencies, news.reference_date)
        resolver = CountryAgentResolver(doc, self.dictionary, news.reference_date, atomic, agencies)
        news.scratch["resolver"] = resolver
        news.actors = resolver.noun_phrase_mentions()
        return news

    def _add_phoenix(
        self, doc: Doc, taken: dict[int, ActorMention], excluded: set[int], day: date | None
    ) -> None:
        longest = self.index.max_name_words
        i = 0
        while i < len(doc):
            token = doc[i]
            if _blocked(i, taken, excluded) or not token.text[:1].isupper() or token.is_punct:
                i += 1
                continue
            found = None
            for size in range(min(longest, len(doc) - i), 0, -1):
                if any(_blocked(j, taken, excluded) for j in range(i, i + size)):
                    continue
                span = doc[i : i + size]
                if span[-1].is_punct or _splits_entity(span, taken):
                    continue
                actors = self.index.actors_named(span.text.lower()) or (
                    # Phoenix writes "Jean-Bertrand", "Ter-Petrosyan" with a space.
                    self.index.actors_named(_unhyphenated(span))
                    if any(t.text == "-" for t in span)
                    else []
                )
                if actors:
                    found = (span, actors)
                    break
            if found is None:
                i += 1
                continue
            span, actors = found
            actor = _pick(actors, day)
            code, sector = actor.code_on(day)
            if not code and not sector:
                i += len(span)
                continue
            ref = ActorRef(
                text=span.text, code=code or None, sector=sector, start=span.start_char,
                end=span.end_char, id=f"phoenix:{actor.name}", name=actor.name.title(),
            )  # fmt: skip
            mention = ActorMention(
                ref=ref, token_start=span.start, token_end=span.end,
                kind="person" if actor.person else "organisation", head=span.root.i,
            )  # fmt: skip
            for j in range(span.start, span.end):
                taken[j] = mention
            i = span.end


def _unhyphenated(span: Span) -> str:
    """A name's words joined by spaces, its hyphens read as spaces ("Kim Dae-jung")."""
    return " ".join(t.lower_ for t in span if t.text != "-")


def _blocked(index: int, taken: dict[int, ActorMention], excluded: set[int]) -> bool:
    """Whether a token is already someone: an agency, or a mention that is more than a bare
    entity of the model (an entity with no code and no dictionary entry gives way)."""
    if index in excluded:
        return True
    mention = taken.get(index)
    if mention is None:
        return False
    bare = mention.ref.code is None and mention.ref.id is None
    return not (bare and mention.kind in {"person", "organisation", "group"})


def _splits_entity(span: Span, taken: dict[int, ActorMention]) -> bool:
    """Whether the span is only part of a name the model found ("Hassan" of "Mohammed
    Hassan"): a Phoenix name must cover the whole entity it replaces."""
    for index in range(span.start, span.end):
        mention = taken.get(index)
        if mention is not None and (
            mention.token_start < span.start or mention.token_end > span.end
        ):
            # A full name (two words or more) that ends the person's name leaves out only
            # given names: "Ali Akbar Hashemi Rafsanjani" is "Akbar Hashemi Rafsanjani".
            surname_end = (
                len(span) >= 2
                and mention.kind == "person"
                and mention.token_end == span.end
                and mention.ref.code is None
                and mention.ref.id is None
            )
            if not surname_end:
                return True
    return False


def _pick(actors: list[PhoenixActor], day: date | None) -> PhoenixActor:
    """Of entries sharing a name, one with a role on ``day``, else the first."""
    if day is not None:
        for actor in actors:
            if any(r.dated and r.held_on(day) for r in actor.roles):
                return actor
    return actors[0]


@dataclass
class CountryAgentResolver(ActorResolver):
    """v1's resolver; an agent without a state takes the nearest state of its sentence."""

    def resolve(self, head: Token) -> ActorRef | None:
        ref = super().resolve(head)
        if ref is not None and ref.id is not None and ref.id.startswith("phoenix:"):
            return self._stated_state(head, ref)
        if ref is None or ref.code is not None or ref.sector is None:
            return ref
        if head.pos_ not in {"NOUN"} or head.i in self.mention_at:
            return ref  # a named person or organisation keeps what its name says
        code = self._nearest_state(head, ref.sector)
        if code is None:
            return ref
        return replace(ref, code=code)

    def antecedent(self, pronoun: Token, *, before: int | None = None) -> ActorRef | None:
        """The last named actor of the pronoun's kind: a person for "he/she", a state,
        organisation or group ("the rebels") for "they/it".

        In the pronoun's own sentence the nearest earlier one; in an earlier sentence its
        subject first ("Lavrov met Bayramov. He said …" is Lavrov), else its last one.
        """
        lower = pronoun.lower_
        person = lower in PRONOUNS_PERSON
        group = lower in PRONOUNS_GROUP and lower not in {"we", "our", "us"}
        if pronoun.pos_ != "PRON" or not (person or group):
            return super().antecedent(pronoun, before=before)
        limit = pronoun.i if before is None else before
        plural = lower in {"they", "them", "their"}
        sentences = [s for s in self.doc.sents if s.start <= limit]
        for sent in reversed(sentences):
            found = self._candidates(sent, limit, person=person, plural=plural)
            if not found:
                continue
            if sent.start <= limit < sent.end:
                return found[-1][1]  # the pronoun's own sentence: the nearest before it
            subjects_first = [ref for token, ref in found if token.dep_ in _SUBJECT_DEPS]
            return subjects_first[0] if subjects_first else found[-1][1]
        return None

    def _candidates(
        self, sent: Span, limit: int, *, person: bool, plural: bool
    ) -> list[tuple[Token, ActorRef]]:
        out: list[tuple[Token, ActorRef]] = []
        seen: set[int] = set()
        for token in sent:
            if token.i >= limit:
                break
            if token.dep_ in {"compound", "amod", "poss"} or token.pos_ not in {"NOUN", "PROPN"}:
                continue
            mention = self.mention_at.get(token.i)
            if mention is not None and id(mention) in seen:
                continue
            if mention is not None:
                seen.add(id(mention))
                if person and mention.kind != "person":
                    continue
                if not person and mention.kind not in _GROUP_KINDS:
                    continue
                out.append((token, mention.ref))
                continue
            ref = self.resolve(token)
            if ref is None or ref.sector is None:
                continue
            if (person and token.lower_ in _PERSON_TITLES) or (
                not person
                and token.lower_ not in _PERSON_TITLES
                and (plural == (token.tag_ in {"NNS", "NNPS"}) or ref.code)
            ):
                out.append((token, ref))
        return out

    def _stated_state(self, head: Token, ref: ActorRef) -> ActorRef:
        """A Phoenix name is a guess from a list; a state the phrase states ("King Abdullah of
        Jordan", "the Jordanian king Abdullah") beats it."""
        mention = self.mention_at.get(head.i)
        if mention is None:
            return ref
        stated = self._code_from_parts(head, np_tokens(head), skip=mention)
        if stated is None or stated == ref.code:
            return ref
        return replace(ref, code=stated)

    def _nearest_state(self, head: Token, sector: str | None = None) -> str | None:
        """The state of the nearest "Georgian …" / "… of Georgia" in the sentence; one that
        marks a phrase of the same sector comes first ("Georgian soldiers … their commanders":
        the officers are Israeli)."""
        sent = head.sent
        best: tuple[int, int, str] | None = None
        for token in sent:
            mention = self.mention_at.get(token.i)
            if mention is None or mention.kind not in _STATE_KINDS or not mention.ref.code:
                continue
            root = self.doc[mention.head]
            if root.dep_ in _ARGUMENT_DEPS and root.head.pos_ in {"VERB", "AUX"}:
                continue  # an actor of its own, not the agent's state
            marked = root.head if root.dep_ in {"amod", "compound", "poss", "nmod"} else None
            same = (
                sector is not None
                and marked is not None
                and marked.i != head.i
                and self._sector(marked, np_tokens(marked)) == sector
            )
            key = (0 if same else 1, abs(token.i - head.i), mention.ref.code)
            if best is None or key[:2] < best[:2]:
                best = key
        return best[2] if best else None


__all__ = ["NAME", "CountryAgentResolver", "PhoenixActorsComponent", "with_agents"]
