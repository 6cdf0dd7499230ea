"""news.events.v1: PLOVER events from the dependency parse and a general trigger lexicon.

For each sentence:

1. Triggers: verbs (and predicative adjectives, event nouns) found in the lexicon; an entry
   naming the verb's object ("impose" + "curfew") beats a bare verb entry.
2. Arguments: the source is the clause's subject (the "by" phrase in the passive), the target
   its object or prepositional object; pronouns are resolved to the speaker or an earlier
   actor; actors are coded by :class:`~ceasefire.news.components.actors.ActorResolver`.
3. Framing: a verb that takes a complement ("agreed to", "threatened to", "refused to") makes
   one event of the two; a speech verb is no event, but what it reports is — "X said Y must"
   is a DEMAND of X on Y, a violent event reported by another party is ``claimed`` (the
   accuser kept apart from the accused), what a party denies is ``denied``, a future or
   "due to" event is ``planned``; a future cooperative act by a named party is a promise
   (AGREE), a future hostile one a THREATEN.
4. Time, place, casualty figures and weapons of the sentence are attached.

The primary event of a sentence is the one highest in its parse tree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from ceasefire.news.components.actors import ActorResolver, alpha3
from ceasefire.news.components.lexicon import (
    COOPERATIVE,
    MATERIAL_HOSTILE,
    NAMED_OBJECT,
    VIOLENT,
    Lexicon,
    TriggerEntry,
    lexicon,
)
from ceasefire.news.components.quotes import sentence_ref
from ceasefire.news.components.syntax import (
    LOCATIVE_PREPS,
    agents,
    clause_head,
    conjuncts,
    depth,
    is_pronoun,
    iter_children_bfs,
    modal_words,
    np_tokens,
    particle,
    subjects,
)
from ceasefire.news.model import ActorRef, Event, Modality, PlaceMention
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.events.v1"
FUTURE = frozenset({"will", "would", "shall", "'ll", "wo", "going", "due", "plan", "intend"})
OBLIGATION = frozenset({"must", "should", "ought", "need", "needs"})
POSSIBLE = frozenset({"could", "might", "may"})
HEAVY = frozenset({"artillery", "rockets", "missiles", "drones", "aircraft", "armour"})
_POSSESSIVES = frozenset({"its", "their", "his", "her", "our"})
LOCAL_TYPES = frozenset({"PROTEST", "COERCE", "ASSAULT", "FIGHT", "THREATEN", "MOBILIZE"})
ANAPHORIC_PLACES = frozenset(
    {"enclave", "region", "territory", "area", "district", "province", "zone", "there",
     "republic", "country", "town", "city", "village", "corridor"}
)  # fmt: skip
ARMED = frozenset({"MIL", "REB", "COP", "UAF"})
CIVILIAN = frozenset({"CVL", "REF", "EDU", "LAB", "AGR", "BUS", "MED", "REL", "HLH"})
PROTESTERS = frozenset({"CVL", "LAB", "EDU", "AGR", "REF", "OPP"})
OBJECT_PREPS = ("with", "to", "against", "on", "at", "into", "from", "toward", "towards",
                "upon", "for", "of", "between")  # fmt: skip


@register(NAME, requires=["doc", "actors", "times"], assigns=["events"])
def make_events(resources: PipelineResources) -> EventsComponent:
    """Find PLOVER events with their actors, date, place and modality."""
    return EventsComponent(lexicon())


@dataclass
class Candidate:
    """A trigger found in a sentence, before framing."""

    token: Token
    event: str
    mode: str | None
    context: str | None
    specificity: int
    words: list[Token]
    absorbed: bool = False
    modality: Modality = "occurred"
    claimed_by: list[ActorRef] = field(default_factory=list)
    source: list[ActorRef] = field(default_factory=list)
    target: list[ActorRef] = field(default_factory=list)
    confidence_delta: float = 0.0
    negated: bool = False
    own_subject: bool = False
    reported: bool = False
    # A verbal noun standing for its verb ("resumed intelligence sharing"): its actors are
    # the governing verb's, not its own modifiers'.
    nominal: bool = False


class EventsComponent:
    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self._quoted: list[tuple[int, int, ActorRef]] = []
        self._places: list[PlaceMention] = []
        self._current: Span | None = None

    def __call__(self, news: NewsDoc) -> NewsDoc:
        doc = news.doc
        resolver = news.scratch.get("resolver")
        if doc is None or not isinstance(resolver, ActorResolver):
            return news
        focus = _focus_place(news)
        self._quoted = [(q.start, q.end, q.speaker) for q in news.quotes if q.speaker is not None]
        self._places = list(news.places)
        events: list[Event] = []
        for sent in doc.sents:
            events.extend(self._sentence(news, doc, sent, resolver, focus))
        news.events = events
        return news

    # --- one sentence ------------------------------------------------------------------

    def _sentence(
        self,
        news: NewsDoc,
        doc: Doc,
        sent: Span,
        resolver: ActorResolver,
        focus: PlaceMention | None,
    ) -> list[Event]:
        self._current = sent
        candidates = [c for c in (self._trigger(t) for t in sent) if c is not None]
        by_token = {c.token.i: c for c in candidates}
        speech: list[Token] = [
            t for t in sent if t.lemma_ in self.lex.speech_verbs and t.pos_ in {"VERB", "AUX"}
            and t.i not in by_token
        ]  # fmt: skip
        for candidate in candidates:
            self._arguments(candidate, resolver)
        self._frame_content_takers(candidates, by_token)
        self._frame_speech(sent, speech, candidates, by_token, resolver)
        self._frame_accusations(candidates, by_token, resolver)
        _merge_conjoined_violence(candidates, by_token)
        out: list[Event] = []
        kept = [c for c in candidates if not c.absorbed and self._keep(c)]
        if not kept:
            return out
        top = min(depth(c.token) for c in kept)
        primary_done = False
        sentence = sentence_ref(news, sent)
        for candidate in sorted(kept, key=lambda c: (depth(c.token), c.token.i)):
            self._infer_missing_codes(candidate, sent, resolver)
            self._violence_type(candidate, news, sent)
            event = self._event(news, doc, sent, candidate, resolver, focus, sentence)
            if not primary_done and depth(candidate.token) == top:
                event.primary = True
                primary_done = True
            out.append(event)
        return sorted(out, key=lambda e: e.trigger_span[0])

    # --- triggers ----------------------------------------------------------------------

    def _trigger(self, token: Token) -> Candidate | None:
        lemma = token.lemma_.lower()
        if token.pos_ == "VERB" or (token.pos_ == "AUX" and lemma not in {"be", "have", "do"}):
            if token.dep_ == "amod" and token.tag_ == "VBN":
                return None  # "so-called", "Russia-brokered": modifiers, not events
            return self._verb_trigger(token, lemma)
        if token.pos_ == "ADJ" and lemma in self.lex.adjectives and token.dep_ in {
            "acomp", "ROOT", "conj", "amod", "xcomp", "oprd",
        }:  # fmt: skip
            if token.dep_ == "amod":
                return None
            entry = self.lex.adjectives[lemma]
            if not any(c.dep_ in {"xcomp", "prep"} for c in token.children):
                return None
            return Candidate(token, entry.event, entry.mode, entry.context, 1, [token])
        if token.pos_ in {"NOUN", "PROPN"} and lemma in self.lex.nouns:
            return self._noun_trigger(token, lemma)
        return None

    def _verb_trigger(self, token: Token, lemma: str) -> Candidate | None:
        entries = next(
            (self.lex.verbs[key] for key in _lemma_keys(token, lemma) if key in self.lex.verbs),
            None,
        )
        if not entries:
            return None
        part = particle(token)
        preps = {c.lower_ for c in token.children if c.dep_ == "prep"}
        objects, object_tokens = self._object_words(token)
        has_object = (
            any(c.dep_ in {"dobj", "dative", "nsubjpass", "attr"} for c in token.children)
            or _is_passive(token)
            or any(
                c.dep_ in {"ccomp", "xcomp"} and any(g.dep_ == "nsubj" for g in c.children)
                for c in token.children
            )
        )
        best: TriggerEntry | None = None
        best_key: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
        best_words: list[Token] = [token]
        direct = self._direct_words(token)
        for entry in entries:
            hits: frozenset[str] = frozenset()
            if entry.particle and entry.particle != part and entry.particle not in preps:
                continue
            if entry.objects is not None:
                if entry.objects:
                    hits = entry.objects & (objects | preps)
                    if not hits:
                        continue
                    words = [
                        token,
                        *[t for t in object_tokens if t.lower_ in hits or t.lemma_.lower() in hits],
                    ]
                elif not has_object:
                    continue
                else:
                    words = [token]
            else:
                words = [token]
            # An entry naming the verb's particle ("back down") wins over the bare verb
            # ("back"): a phrasal verb is a verb of its own.
            key = (
                entry.specificity(),
                int(entry.particle is not None),
                len(hits & direct),
                len(hits),
                -entry.order,
            )
            if best is None or key > best_key:
                best, best_key, best_words = entry, key, words
        if best is None:
            return None
        if part:
            best_words = [*best_words, *[c for c in token.children if c.dep_ == "prt"]]
        return Candidate(
            token, best.event, best.mode, best.context, best.specificity(),
            sorted(set(best_words), key=lambda t: t.i),
        )  # fmt: skip

    def _object_words(self, verb: Token) -> tuple[set[str], list[Token]]:
        return _object_words(verb)

    def _direct_words(self, verb: Token) -> frozenset[str]:
        """Words of the verb's own object, which rank an entry matched on them above one
        matched deeper in its phrases (v1 ranks all object words alike)."""
        return frozenset()

    def _noun_trigger(self, token: Token, lemma: str) -> Candidate | None:
        entry = self.lex.nouns[lemma]
        head = token.head
        if token.dep_ in {"nsubj", "nsubjpass"} and head.pos_ == "VERB":
            happen = entry.verbs or frozenset({"take place", "begin", "continue", "resume", "end"})
            if head.lemma_ in happen or f"{head.lemma_} {particle(head) or ''}".strip() in happen:
                if head.lemma_ in self.lex.verbs:
                    return None  # the verb itself is a trigger ("bombing killed")
                return Candidate(token, entry.event, entry.mode, None, 1, [token, head])
        return None

    # --- arguments ---------------------------------------------------------------------

    def _arguments(self, candidate: Candidate, resolver: ActorResolver) -> None:
        token = candidate.token
        verb = token if token.pos_ != "NOUN" else token.head
        if token.pos_ == "ADJ":
            verb = token.head if token.dep_ == "acomp" else token
        subject_heads, passive = subjects(verb)
        candidate.own_subject = any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children)
        noun = token.pos_ == "NOUN" and not candidate.nominal
        if noun:
            subject_heads, passive = [], False
            candidate.own_subject = True
        by = agents(verb)
        if passive:
            candidate.source = self._actors(by, resolver)
            object_heads = list(subject_heads)
            if not by and candidate.event in {"AID", "MOBILIZE", "RETREAT", "FIGHT"}:
                # "Russian peacekeepers have been deployed": the forces are the actors.
                armed = [a for a in self._actors(subject_heads, resolver) if a.sector in ARMED]
                if armed:
                    candidate.source, object_heads = armed, []
        else:
            candidate.source = self._actors(subject_heads, resolver)
            object_heads = []
            if not subject_heads and verb.dep_ == "ROOT":
                # A misparsed subject ("After the vote on the plan, the cabinet agreed"):
                # the actor named right before the verb.
                candidate.source = self._preceding_actors(verb, resolver)
        if noun:
            candidate.source = self._actors_in_subtree(list(token.children), resolver)
        candidate.target = self._targets(verb, object_heads, candidate, resolver)
        if (
            candidate.event in {"CONSULT", "COOPERATE"}
            and not candidate.target
            and len(candidate.source) > 1
            and self._dyad(subject_heads)
        ):
            # "A and B discussed": a dyad, A → B, as event data sets code it.
            candidate.source, candidate.target = candidate.source[:1], candidate.source[1:]
        candidate.negated = any(c.dep_ == "neg" for c in verb.children) or any(
            c.dep_ == "neg" for c in token.children
        )

    def _dyad(self, subject_heads: list[Token]) -> bool:
        """Whether joint sources of a meeting are coded as a dyad, A → B."""
        return True

    def _preceding_actors(self, verb: Token, resolver: ActorResolver) -> list[ActorRef]:
        window = list(
            verb.doc[
                max(self._current.start if self._current is not None else 0, verb.i - 8) : verb.i
            ]
        )
        for token in reversed(window):
            if token.pos_ in {"NOUN", "PROPN"} and token.dep_ not in {"compound", "amod", "poss"}:
                ref = resolver.resolve(token)
                if ref is not None and ref.code:
                    first = token
                    while first.dep_ == "conj" and first.head.i < first.i:
                        first = first.head
                    return self._actors(conjuncts(first), resolver)
        return []

    def _actors(self, heads: list[Token], resolver: ActorResolver) -> list[ActorRef]:
        found: list[ActorRef] = []
        for head in heads:
            if head.pos_ in {"VERB", "AUX"}:
                # A clausal subject ("The agency working in the camps said"): its subject.
                inner_heads = [c for c in head.children if c.dep_ in {"nsubj", "nsubjpass"}]
                found.extend(self._actors(inner_heads, resolver))
                continue
            found.extend(self._modifier_conjuncts(head, resolver))
            found.extend(self._of_conjuncts(head, resolver))
            ref = self._actor(head, resolver)
            if ref is None:
                # "Heads of the coalition", "Members of the bloc", "Hundreds of
                # farmers": look inside.
                inner = self._actors_in_subtree([head], resolver, max_depth=3)
                inner = inner or self._actors_in_subtree([head], resolver, max_depth=2, coded=False)
                found.extend(inner[:1])
            else:
                found.append(ref)
        return _dedupe(found)

    def _modifier_conjuncts(self, head: Token, resolver: ActorResolver) -> list[ActorRef]:
        """The other states of "Serbian and Croatian police", "Greek and Bulgarian ministers"."""
        extra: list[ActorRef] = []
        for modifier in head.children:
            if modifier.dep_ not in {"amod", "compound", "nmod"}:
                continue
            for other in conjuncts(modifier)[1:]:
                mention = resolver.mention_at.get(other.i)
                if mention is None or not mention.ref.code:
                    continue
                base = resolver.resolve(head)
                sector = base.sector if base else None
                end = other.idx + len(other.text)
                extra.append(ActorRef(other.text, mention.ref.code, sector, other.idx, end))
        return extra

    def _of_conjuncts(self, head: Token, resolver: ActorResolver) -> list[ActorRef]:
        """The states of "the presidents of Rwanda and Congo", "the foreign ministers of
        Egypt and Jordan": a plural head names one of its kind for each state of its "of"
        phrase, as "Rwandan and Congolese presidents" would."""
        if head.tag_ not in {"NNS", "NNPS"}:
            return []
        extra: list[ActorRef] = []
        for prep in head.children:
            if prep.dep_ != "prep" or prep.lower_ != "of":
                continue
            for pobj in (c for c in prep.children if c.dep_ == "pobj"):
                others = conjuncts(pobj)
                if len(others) < 2:
                    continue
                for other in others:
                    mention = resolver.mention_at.get(other.i)
                    if mention is None or not mention.ref.code:
                        continue
                    end = other.idx + len(other.text)
                    extra.append(ActorRef(other.text, mention.ref.code, None, other.idx, end))
        return extra

    def _actor(self, head: Token, resolver: ActorResolver) -> ActorRef | None:
        if resolver.is_credit(head):
            return None
        if is_pronoun(head):
            antecedent = self._pronoun(head, resolver)
            if antecedent is None:
                return None
            return replace(
                antecedent, text=head.text, start=head.idx, end=head.idx + len(head.text)
            )
        return resolver.resolve(head)

    def _pronoun(self, pronoun: Token, resolver: ActorResolver) -> ActorRef | None:
        if pronoun.lower_ in {"we", "our", "us", "i", "my", "me"}:
            # Inside a quote "we" is the speaker's side.
            for start, end, speaker in self._quoted:
                if start <= pronoun.idx < end:
                    return speaker
            return None
        # A pronoun subject of what a speaker reports is, first of all, the speaker.
        for ancestor in pronoun.ancestors:
            if (
                ancestor.lemma_ in self.lex.speech_verbs
                or ancestor.lemma_ in self.lex.content_takers
            ):
                for child in ancestor.children:
                    if (
                        child.dep_ in {"nsubj", "nsubjpass"}
                        and child.i != pronoun.i
                        and child.i < pronoun.i
                    ):
                        if is_pronoun(child):
                            return resolver.antecedent(child)
                        return resolver.resolve(child)
        return resolver.antecedent(pronoun)

    def _actors_in_subtree(
        self, roots: list[Token], resolver: ActorResolver, max_depth: int = 4, coded: bool = True
    ) -> list[ActorRef]:
        found: list[ActorRef] = []
        for root in roots:
            queue = [(root, 0)]
            while queue:
                token, level = queue.pop(0)
                if level > max_depth:
                    continue
                if token.pos_ in {"NOUN", "PROPN"} and token.i != root.i:
                    ref = resolver.resolve(token)
                    mention = resolver.mention_at.get(token.i)
                    if mention is not None and mention.kind == "place":
                        ref = None  # "the Kalbajar district": a place, not an actor
                    if ref is not None and (ref.code or (not coded and ref.sector)):
                        found.append(ref)
                        continue
                for child in token.children:
                    # Through "of", possessives, appositions: "the deputy head of Georgia's
                    # militia ally"; not through modifiers: "a Russia-brokered cease-fire".
                    if child.dep_ not in {
                        "prep",
                        "pobj",
                        "poss",
                        "appos",
                        "compound",
                        "conj",
                        "nmod",
                    }:
                        continue
                    queue.append((child, level + 1))
        return _dedupe(found)

    def _targets(
        self,
        verb: Token,
        object_heads: list[Token],
        candidate: Candidate,
        resolver: ActorResolver,
    ) -> list[ActorRef]:
        heads: list[tuple[str, Token]] = [("dobj", h) for h in object_heads]
        children = list(verb.children)  # read once: each pass would build the tokens again
        for child in children:
            if child.dep_ in {"dobj", "dative", "attr", "oprd"}:
                heads.extend(("dobj", t) for t in conjuncts(child))
        for prep in OBJECT_PREPS:
            for child in children:
                # A phrase before the verb sets the scene ("After the vote on the plan"),
                # it does not name whom the act is aimed at.
                if child.dep_ == "prep" and child.lower_ == prep and child.i > verb.i:
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            heads.extend((prep, t) for t in conjuncts(pobj))
        # "demanded that the militia withdraw", "said Kyiv must allow": the reported subject.
        for child in children:
            if child.dep_ in {"ccomp", "xcomp"}:
                for grandchild in child.children:
                    if grandchild.dep_ in {"nsubj", "nsubjpass"}:
                        heads.extend(("ccomp", t) for t in conjuncts(grandchild))
        found: list[ActorRef] = []
        places: list[ActorRef] = []
        for relation, head in heads:
            if relation in LOCATIVE_PREPS and relation not in {
                "on",
                "at",
                "into",
                "from",
                "toward",
                "towards",
                "over",
            }:
                continue
            ref = self._actor(head, resolver)
            if ref is None and relation in {"dobj", "with", "to", "against", "of"}:
                inner = self._actors_in_subtree([head], resolver, max_depth=3)
                ref = inner[0] if inner else None
            if ref is None and relation in {"dobj", "against", "at", "on"}:
                ref = resolver.resolve_loose(head)  # "shelled Armenian villages"
            if ref is not None:
                mention = resolver.mention_at.get(head.i)
                (places if mention is not None and mention.kind == "place" else found).append(ref)
        if not found and not places and candidate.event in LOCAL_TYPES:
            for child in verb.children:
                if child.dep_ == "prep" and child.lower_ == "in" and child.i > verb.i:
                    for pobj in child.children:
                        ref = self._actor(pobj, resolver) if pobj.dep_ == "pobj" else None
                        if ref is not None and ref.code:
                            places.append(ref)
        # A place is a target only when nothing else is ("imposed a curfew in Osh").
        found = found or places
        # Xcomp chains ("agreed to open its ports to NATO ships") and purposes
        # ("went on strike to protest against Poland's new law").
        if not found:
            for child in verb.children:
                # An infinitive's "to", not a preposition ("days after it expelled them
                # to Russia" is no purpose).
                if child.dep_ == "xcomp" or (
                    child.dep_ == "advcl"
                    and any(c.lower_ == "to" and c.dep_ == "aux" for c in child.children)
                ):
                    found = self._targets(child, [], candidate, resolver)
                    if found:
                        break
        sources = {(s.code, s.text) for s in candidate.source}
        source_codes = {s.code for s in candidate.source if s.code}
        return _dedupe(
            [
                t
                for t in found
                if (t.code, t.text) not in sources
                # "moved its tanks to the frontier": the source's own forces are no target.
                and not (t.code in source_codes and t.text.split()[0].lower() in _POSSESSIVES)
            ]
        )

    # --- framing -----------------------------------------------------------------------

    def _frame_content_takers(
        self, candidates: list[Candidate], by_token: dict[int, Candidate]
    ) -> None:
        """ "agreed to hold joint drills": one AGREE event; the inner verb is its content."""
        for candidate in candidates:
            lemma = candidate.token.lemma_.lower()
            if lemma not in self.lex.content_takers:
                continue
            for inner in _complements(candidate.token):
                for token in inner.subtree:
                    other = by_token.get(token.i)
                    if other is None or other is candidate or other.absorbed:
                        continue
                    if token.i != inner.i and token.head.i != inner.i:
                        continue
                    other.absorbed = True
                    if not candidate.target:
                        candidate.target = other.target
                    if (
                        token.i == inner.i
                        and candidate.event == "AGREE"
                        and other.event in MATERIAL_HOSTILE
                    ):
                        candidate.event, candidate.mode = "THREATEN", other.mode
                    candidate.words.extend(other.words)
                    if candidate.mode is None:
                        candidate.mode = other.mode

    def _frame_speech(
        self,
        sent: Span,
        speech: list[Token],
        candidates: list[Candidate],
        by_token: dict[int, Candidate],
        resolver: ActorResolver,
    ) -> None:
        for verb in speech:
            speaker_heads, _ = subjects(verb)
            speakers = self._actors(speaker_heads, resolver)
            complements = [
                c
                for c in verb.children
                if c.dep_ in {"ccomp", "xcomp", "advcl"} and c.pos_ in {"VERB", "AUX", "ADJ"}
            ]
            for complement in complements:
                clause = [complement, *[c for c in complement.children if c.dep_ == "conj"]]
                inner = [by_token[t.i] for t in clause if t.i in by_token]
                words = modal_words(complement)
                if words & OBLIGATION and not inverted_condition(complement):
                    self._demand(verb, complement, speakers, inner, candidates, resolver, words)
                    continue
                for candidate in inner:
                    self._modality_under_speech(verb, candidate, speakers)

    def _demand(
        self,
        verb: Token,
        complement: Token,
        speakers: list[ActorRef],
        inner: list[Candidate],
        candidates: list[Candidate],
        resolver: ActorResolver,
        words: set[str],
    ) -> None:
        """ "X said Y must Z": a DEMAND of X on Y."""
        subject_heads, _ = subjects(complement)
        targets = self._actors(subject_heads, resolver)
        for candidate in inner:
            candidate.absorbed = True
        modal = [c for c in complement.children if c.lower_ in OBLIGATION]
        demand = Candidate(
            token=verb, event="DEMAND", mode=None, context=inner[0].context if inner else None,
            specificity=NAMED_OBJECT, words=[verb, *modal, complement], source=list(speakers),
            target=targets or (inner[0].target if inner else []), confidence_delta=-0.05,
        )  # fmt: skip
        candidates.append(demand)

    def _modality_under_speech(
        self, verb: Token, candidate: Candidate, speakers: list[ActorRef]
    ) -> None:
        lemma = verb.lemma_.lower()
        if lemma in self.lex.denial_verbs:
            candidate.modality = "denied"
            candidate.claimed_by = list(speakers)
            return
        source_codes = {s.code for s in candidate.source if s.code}
        speaker_codes = {s.code for s in speakers if s.code}
        # One party saying another did violence is a claim; an unnamed source ("officials
        # said") only reports it.
        if (
            candidate.event in VIOLENT
            and speaker_codes
            and lemma in self.lex.accusation_verbs
            and (source_codes - speaker_codes or lemma in {"accuse", "allege", "claim", "blame"})
        ):
            candidate.modality = "claimed"
            candidate.claimed_by = list(speakers)

    def _frame_accusations(
        self, candidates: list[Candidate], by_token: dict[int, Candidate], resolver: ActorResolver
    ) -> None:
        """ "A accused B of shelling C": the shelling is claimed by A against B."""
        for candidate in list(candidates):
            lemma = candidate.token.lemma_.lower()
            if lemma not in {"accuse", "blame", "charge", "deny", "allege", "claim"}:
                continue
            for child in candidate.token.subtree:
                other = by_token.get(child.i)
                if other is None or other is candidate:
                    continue
                if lemma in {"deny"}:
                    other.modality = "denied"
                    other.reported = True
                    other.claimed_by = list(candidate.source)
                    if not other.source:
                        other.source = list(candidate.source)
                    continue
                other.modality = "claimed"
                other.claimed_by = list(candidate.source)
                other.reported = True
                if not other.own_subject and candidate.target:
                    other.source = list(candidate.target)

    def _keep(self, candidate: Candidate) -> bool:
        token = candidate.token
        # Embedded events without a subject of their own ("efforts to maintain a ceasefire",
        # "criticized ... for not resolving the conflict") are what the sentence is about,
        # not something that happened.
        if candidate.reported or (token.dep_ == "pcomp" and token.head.head.pos_ == "ADJ"):
            # "accused Armenia of shelling Tartar": the accusation's content is an event
            # (claimed); "are responsible for breaking the truce": the predicate is one.
            pass
        elif not candidate.own_subject and token.dep_ in {"acl", "relcl", "pcomp", "pobj", "amod"}:
            return False
        if token.dep_ == "relcl" and candidate.event not in VIOLENT and _relative_subject(token):
            return False  # "a unit that carried out raids": background, not the news
        if candidate.negated:
            if candidate.event in COOPERATIVE:
                candidate.event, candidate.mode = "REJECT", None
                return True
            return candidate.event in {"REJECT", "DEMAND", "DISAPPROVE"}
        words = modal_words(token)
        if words & FUTURE or token.lemma_ in {"plan", "intend"}:
            candidate.modality = (
                "planned" if candidate.modality == "occurred" else candidate.modality
            )
            active = not any(c.dep_ in {"auxpass", "nsubjpass"} for c in token.children)
            if active and candidate.source and any(s.code for s in candidate.source):
                if self._current is not None and _conditional(self._current):
                    # "will withdraw its force unless ...": an ultimatum.
                    candidate.event = "THREATEN"
                    candidate.confidence_delta -= 0.05
                elif candidate.event in COOPERATIVE - {"AGREE", "INVESTIGATE"}:
                    # A party's stated intent to cooperate is a promise (CAMEO 03 → AGREE).
                    candidate.event, candidate.mode = "AGREE", candidate.mode
                    candidate.confidence_delta -= 0.05
                elif candidate.event in MATERIAL_HOSTILE - {"MOBILIZE"} and words & {
                    "will",
                    "would",
                    "'ll",
                }:
                    candidate.event = "THREATEN"
                    candidate.confidence_delta -= 0.05
        elif words & POSSIBLE:
            candidate.modality = (
                "planned" if candidate.modality == "occurred" else candidate.modality
            )
        if token.dep_ in {"xcomp"} and not candidate.source and not candidate.own_subject:
            return candidate.specificity >= NAMED_OBJECT
        if (
            candidate.event == "DISAPPROVE"
            and token.lemma_ == "protest"
            and any(s.sector in PROTESTERS for s in candidate.source)
        ):
            candidate.event, candidate.mode = "PROTEST", "demo-spon"
        return True

    # --- completing an event -----------------------------------------------------------

    def _infer_missing_codes(
        self, candidate: Candidate, sent: Span, resolver: ActorResolver
    ) -> None:
        """A titled person without nationality takes the sentence's only state.

        Never for violence: who fired is attributed from what the text says, not guessed
        from where it happened.
        """
        if candidate.event in VIOLENT:
            return
        codes = [
            code for place in self._places_in(sent) if (code := alpha3(place.country)) is not None
        ]
        for token in sent:
            mention = resolver.mention_at.get(token.i)
            if (
                mention is not None
                and mention.kind in {"state", "demonym", "capital"}
                and mention.ref.code
            ):
                codes.append(mention.ref.code)
        distinct = set(codes)
        if len(distinct) != 1:
            return
        only = distinct.pop()
        candidate.source = [
            replace(s, code=only) if s.code is None and s.sector is not None else s
            for s in candidate.source
        ]

    def _places_in(self, sent: Span) -> list[PlaceMention]:
        return [p for p in self._places if sent.start_char <= p.start < sent.end_char]

    def _violence_type(self, candidate: Candidate, news: NewsDoc, sent: Span) -> None:
        weapons = [w for w in news.weapons if sent.start_char <= w.start < sent.end_char]
        classes = {w.weapon_class for w in weapons}
        if candidate.event == "ASSAULT" and candidate.mode == "violence":
            source_sectors = {s.sector for s in candidate.source}
            target_sectors = {t.sector for t in candidate.target}
            if classes & HEAVY:
                # Shelling, air and drone strikes, rockets: conventional force (ACLED's
                # "explosions/remote violence"), whoever is hit.
                candidate.event, candidate.mode = "FIGHT", "heavy-weapons"
            elif source_sectors & {"MIL"} and target_sectors & {"MIL", "REB"}:
                candidate.event, candidate.mode = (
                    "FIGHT",
                    "heavy-weapons" if classes & HEAVY else "firearms",
                )
            else:
                candidate.mode = _weapon_mode(classes)
        elif candidate.event == "FIGHT" and classes and candidate.mode in {None, "heavy-weapons"}:
            candidate.mode = (
                "heavy-weapons" if classes & HEAVY else _weapon_mode(classes) or candidate.mode
            )

    def _event(
        self,
        news: NewsDoc,
        doc: Doc,
        sent: Span,
        candidate: Candidate,
        resolver: ActorResolver,
        focus: PlaceMention | None,
        sentence: object,
    ) -> Event:
        token = candidate.token
        words = sorted(set(candidate.words), key=lambda t: t.i)
        day, precision, day_text = self._date(news, sent, token)
        location = self._location(news, doc, sent, candidate, focus, resolver)
        in_sentence = [c for c in news.casualties if sent.start_char <= c.start < sent.end_char]
        weapons = [w for w in news.weapons if sent.start_char <= w.start < sent.end_char]
        block = news.article.block_at(sent.start_char)
        confidence = 0.5 + 0.1 * (candidate.specificity - 1)
        if any(s.code for s in candidate.source):
            confidence += 0.15
        if candidate.target:
            confidence += 0.05
        if block is not None and block.kind == "title":
            confidence -= 0.15
        confidence = max(0.05, min(0.95, confidence + candidate.confidence_delta))
        return Event(
            event=candidate.event,
            mode=candidate.mode,
            context=candidate.context or _context(candidate),
            modality=candidate.modality,
            source=candidate.source,
            target=candidate.target,
            date=day,
            date_precision=precision,
            date_text=day_text,
            location=location,
            sentence=sentence,  # type: ignore[arg-type]
            trigger=[w.text for w in words],
            trigger_span=(token.idx, token.idx + len(token.text)),
            confidence=confidence,
            claimed_by=candidate.claimed_by,
            casualties=in_sentence if candidate.event in VIOLENT else [],
            weapons=weapons if candidate.event in VIOLENT | {"MOBILIZE", "THREATEN"} else [],
            negated=candidate.negated,
        )

    def _date(
        self, news: NewsDoc, sent: Span, trigger: Token
    ) -> tuple[date | None, str | None, str | None]:
        times = [t for t in news.times if sent.start_char <= t.start < sent.end_char]
        if not times:
            return None, None, None
        doc = sent.doc
        scored: list[tuple[int, int]] = []
        ancestors = {a.i for a in trigger.ancestors}
        for index, mention in enumerate(times):
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            if root.i == trigger.i or (
                trigger in root.ancestors and _no_clause_between(root, trigger)
            ):
                scored.append((0, index))
                continue
            holder = next((a for a in root.ancestors if a.pos_ in {"VERB", "AUX"}), None)
            if holder is not None and holder.i in ancestors:
                scored.append((1, index))
        if not scored:
            return None, None, None
        best = times[min(scored)[1]]
        return best.date, best.precision, best.text

    def _location(
        self,
        news: NewsDoc,
        doc: Doc,
        sent: Span,
        candidate: Candidate,
        focus: PlaceMention | None,
        resolver: ActorResolver,
    ) -> dict[str, object] | None:
        places = [p for p in news.places if sent.start_char <= p.start < sent.end_char]
        actor_spans = [(a.start, a.end) for a in (*candidate.source, *candidate.target)]

        def is_actor(place: PlaceMention) -> bool:
            return any(s <= place.start < e for s, e in actor_spans)

        place_at: dict[int, PlaceMention] = {}
        for place in places:
            span = doc.char_span(place.start, place.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    place_at[token.i] = place
        trigger = candidate.token
        root = trigger if trigger.pos_ != "NOUN" else trigger.head
        # Breadth-first through the trigger's phrases: the nearest "in/near/at X".
        for token in iter_children_bfs(root):
            if token.dep_ != "pobj" or token.head.lower_ not in LOCATIVE_PREPS:
                continue
            if (
                token.head.lower_ in {"from", "over", "on", "into", "towards", "toward"}
                and candidate.event not in VIOLENT
            ):
                continue
            stated = place_at.get(token.i) or next(
                (place_at[t.i] for t in np_tokens(token) if t.i in place_at), None
            )
            if stated is not None and not is_actor(stated):
                return stated.location("stated")
            if token.lemma_.lower() in ANAPHORIC_PLACES and focus is not None:
                return focus.location("article focus")
        # The thing handed over, captured, shelled: a place as subject or object. A town
        # shelled is where the violence happened even where it also names the state hit.
        things = [c for c in root.children if c.dep_ in {"nsubjpass", "dobj", "nsubj"}]
        if _is_passive(root):
            things.extend(subjects(root)[0])
        for token in things:
            parts = list(np_tokens(token))
            for prep in token.children:  # "the town of Tartar"
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    parts.extend(t for p in prep.children if p.dep_ == "pobj" for t in np_tokens(p))
            for part in parts:
                thing = place_at.get(part.i)
                if (
                    thing is not None
                    and (candidate.event in VIOLENT or not is_actor(thing))
                    and thing.precision not in {6, 7}
                ):
                    return thing.location("stated")
        if (
            any(t.lower_ == "there" and t.dep_ == "advmod" for t in root.children)
            and focus is not None
        ):
            return focus.location("article focus")
        return None


def _object_words(verb: Token, skip: frozenset[str] = frozenset()) -> tuple[set[str], list[Token]]:
    """Lemmas and words of the verb's objects and their compounds, for lexicon matching
    (``skip``: prepositions whose phrases are left out)."""
    tokens: list[Token] = []
    for child in verb.children:
        if child.dep_ in {"dobj", "nsubjpass", "attr", "dative", "oprd"}:
            tokens.extend(_with_compounds(child))
        elif child.dep_ == "prep" and child.lower_ not in skip:
            tokens.append(child)
            for pobj in child.children:
                if pobj.dep_ in {"pobj", "pcomp"}:
                    tokens.extend(_with_compounds(pobj))
        elif child.dep_ in {"xcomp", "advmod"}:
            tokens.append(child)
            tokens.extend(c for c in child.children if c.dep_ in {"dobj", "prt"})
    if verb.dep_ == "relcl" and verb.head.pos_ == "NOUN":
        tokens.extend(_with_compounds(verb.head))
    intransitive = not any(c.dep_ in {"dobj", "dative", "ccomp", "xcomp"} for c in verb.children)
    if _is_passive(verb) or intransitive:
        # "The Kalbajar district is due to be handed over", "NATO peacekeeping troops
        # arrived", "humanitarian access improved": the subject is what is moved or changed.
        for head in subjects(verb)[0]:
            tokens.extend(_with_compounds(head))
            tokens.extend(t for t in head.subtree if t.pos_ in {"NOUN", "ADJ"})
    words = {t.lower_ for t in tokens} | {t.lemma_.lower() for t in tokens}
    # The tokenizer splits hyphenated words ("sit-in", "cease-fire"): the whole word too.
    words |= {
        f"{t.nbor(-2).lower_}-{t.lower_}"
        for t in tokens
        if t.i >= 2 and t.nbor(-1).text == "-" and not t.nbor(-1).whitespace_
    }
    return words, tokens


def _lemma_keys(token: Token, lemma: str) -> list[str]:
    """The lemma, then the word's own stem: the small model lemmatises "staged" as "stag"."""
    lower = token.lower_
    keys = [lemma, lower]
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", ""),
                         ("ed", "e"), ("d", ""), ("es", ""), ("s", "")):  # fmt: skip
        if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
            stem = lower[: -len(suffix)] + repl
            keys.append(stem)
            if len(stem) > 3 and stem[-1] == stem[-2]:
                keys.append(stem[:-1])  # "shipped" → "shipp" → "ship"
    return keys


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children)


def _with_compounds(token: Token) -> list[Token]:
    out = [token]
    for child in token.children:
        if child.dep_ in {"compound", "amod"} or (child.dep_ == "punct" and child.text == "-"):
            out.append(child)
        if child.dep_ == "prep" and child.lower_ == "of":
            out.extend(p for p in child.children if p.dep_ == "pobj")
    return out


def _complements(token: Token) -> list[Token]:
    out = [c for c in token.children if c.dep_ in {"xcomp", "ccomp"}]
    for child in token.children:
        if child.dep_ == "prep":
            out.extend(p for p in child.children if p.dep_ in {"pcomp", "pobj"})
        if child.dep_ == "dobj":
            out.extend(c for c in child.children if c.dep_ in {"acl", "relcl"})
    return out


def inverted_condition(clause: Token) -> bool:
    """ "should Chad keep sheltering rebels", "had the talks failed": a clause that opens
    with its auxiliary before its subject is a condition (English inversion for "if"), not
    an obligation."""
    own = [c for c in clause.children if c.dep_ not in {"ccomp", "advcl", "punct", "cc", "conj"}]
    first = min(own, key=lambda t: t.i, default=None)
    return (
        first is not None
        and first.dep_ == "aux"
        and first.lower_ in {"should", "had"}
        and any(c.dep_ in {"nsubj", "nsubjpass"} and c.i > first.i for c in clause.children)
    )


def _conditional(sent: Span) -> bool:
    return any(t.lower_ == "unless" for t in sent)


def _merge_conjoined_violence(candidates: list[Candidate], by_token: dict[int, Candidate]) -> None:
    """One attack "killed two and wounded five": one event, not two."""
    for candidate in candidates:
        token = candidate.token
        # "... shelled Tartar, killing two civilians": the participle is the same attack.
        head = by_token.get(token.head.i) if token.dep_ in {"conj", "advcl"} else None
        if (
            head is not None
            and not candidate.own_subject
            and candidate.event in VIOLENT
            and head.event in VIOLENT
        ):
            candidate.absorbed = True
            head.words.extend(candidate.words)


def _relative_subject(verb: Token) -> bool:
    return any(
        c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in {"that", "which", "who", "whom"}
        for c in verb.children
    )


def _no_clause_between(token: Token, ancestor: Token) -> bool:
    current = token
    while current.i != ancestor.i and current.head.i != current.i:
        if current.dep_ in {"ccomp", "relcl", "advcl", "acl", "xcomp"}:
            return False
        current = current.head
    return True


def _weapon_mode(classes: set[str]) -> str | None:
    if classes & {"explosives", "mines", "cluster_munitions"}:
        return "explosives"
    if "small_arms" in classes:
        return "firearms"
    if "bladed" in classes:
        return "primitive"
    return None


def _context(candidate: Candidate) -> str | None:
    sectors = {a.sector for a in (*candidate.source, *candidate.target)}
    if candidate.event in VIOLENT | {"MOBILIZE"} or sectors & {"MIL", "REB"}:
        return "military"
    if sectors & {"REF"}:
        return "refugee"
    if sectors & {"JUD"}:
        return "legal"
    if candidate.event in {"CONSULT", "AGREE", "SUPPORT", "REJECT", "DEMAND", "DISAPPROVE"}:
        return (
            "diplomatic"
            if sectors & {"GOV"}
            or any(a.code == "IGO" for a in (*candidate.source, *candidate.target))
            else None
        )
    return None


def _focus_place(news: NewsDoc) -> PlaceMention | None:
    """The place an article is about: its most mentioned place below country level."""
    counts: Counter[str] = Counter()
    first: dict[str, PlaceMention] = {}
    for place in news.places:
        if place.precision in {6, "country"} or (
            place.feature_class == "A" and place.precision is None
        ):
            continue
        block = news.article.block_at(place.start)
        weight = 2 if block is not None and block.kind == "title" else 1
        counts[place.name] += weight
        first.setdefault(place.name, place)
    if not counts:
        return None
    name, _ = counts.most_common(1)[0]
    return first[name]


def _dedupe(refs: list[ActorRef]) -> list[ActorRef]:
    seen: set[tuple[int, int]] = set()
    out: list[ActorRef] = []
    for ref in refs:
        key = (ref.start, ref.end)
        if key in seen:
            continue
        seen.add(key)
        out.append(ref)
    return out


__all__ = ["EventsComponent", "clause_head"]
