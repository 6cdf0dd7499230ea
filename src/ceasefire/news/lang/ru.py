"""The Russian pipeline: natasha's parse, then places, actors, dates, quotes and PLOVER events.

natasha (segmentation, morphology, syntax and named entities; its small navec/slovnet models
ship inside its wheels and run on numpy, no torch) parses each block of the article. The
components then work on lemmas and the dependency tree:

* ``news.parse.ru.v1``: sentences with tokens (lemma, part of speech, features, head) and
  the model's PER/LOC/ORG spans in their nominative form;
* ``news.places.ru.v1``: LOC spans and district adjectives ("Агдамский район") through the
  gazetteer's Cyrillic names (``Gazetteer.lookup_native``);
* ``news.actors.ru.v1``: states, capitals as metonyms, office holders and organisations of
  ``lang/data/actors.yaml`` by lemma, and sector nouns qualified by a country ("азербайджанская
  армия", "Минобороны Армении");
* ``news.times.ru.v1``: dates ("18 октября", "в среду") with dateparser;
* ``news.quotes.ru.v1``: «direct» quotes and "X заявил, что ..." with their speakers;
* ``news.events.ru.v1``: the trigger lexicon of ``lang/data/ru.yaml`` on lemmas (a verb's
  default type, refined by its object; event nouns after light verbs: "нанести удар"), with
  source, target, modality, date and place, and the sentence's primary event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from ceasefire.news.lang.common import (
    ALPHA3_TO_2,
    COOPERATIVE,
    ActorEntry,
    actor_entries,
    actor_ref,
    argument_confidence,
    events_component,
    known_town,
    load_data,
    nearest_location,
    of_sentence,
    resolve_places,
    scratch_list,
    sentence_event,
    sentence_ref,
    sentences_component,
    times_component,
)
from ceasefire.news.model import ActorMention, ActorRef, Event, Modality, Quote
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

LANGUAGE = "ru"
PIPELINE: tuple[str, ...] = (
    "news.parse.ru.v1",
    "news.places.ru.v1",
    "news.actors.ru.v1",
    "news.times.ru.v1",
    "news.quotes.ru.v1",
    "news.events.ru.v1",
)
_SENTENCES = "ru.sentences"
_ACTORS = "ru.actors"
# Prepositions after which a capital is a place, not its government ("в Баку", "по Баку").
_ACTOR_CASES = frozenset({"с", "от", "против", "между", "для", "к"})
_TARGET_CASES = frozenset({"с", "по", "против", "к", "от", "на", "у", "перед"})


@dataclass
class Token:
    """A natasha token with offsets into ``Article.text`` and its head's index (-1: root)."""

    index: int
    text: str
    start: int
    end: int
    lemma: str
    pos: str
    feats: dict[str, str]
    rel: str
    head: int
    children: list[int] = field(default_factory=list)
    # The nominative of a name the model tagged (natasha's span normal form): its lemmatizer
    # guesses unknown surnames wrong ("Пашинян" → "пашинянин").
    norm: str = ""


@dataclass
class Sentence:
    start: int
    end: int
    tokens: list[Token]
    spans: list[tuple[str, int, int, str]]  # type, start, end, nominative form

    def kids(self, token: Token, *rels: str) -> list[Token]:
        """The children of ``token``, of the given relations (all if none given)."""
        out = [self.tokens[i] for i in token.children]
        return [t for t in out if not rels or t.rel in rels or t.rel.split(":")[0] in rels]

    def case_of(self, token: Token) -> str | None:
        """The preposition of a noun ("с" in "с Эрдоганом"), if any."""
        for child in self.kids(token, "case"):
            return child.lemma
        return None

    def depth(self, token: Token) -> int:
        depth, seen = 0, token
        while seen.head >= 0 and depth < 50:
            seen = self.tokens[seen.head]
            depth += 1
        return depth


@dataclass
class _Actor:
    """An actor found in a sentence: the tokens it covers and its reference."""

    ref: ActorRef
    tokens: range
    kind: str
    entry: ActorEntry | None


@cache
def _models() -> tuple[Any, ...]:
    """natasha's segmenter, morphology, syntax and NER models and its lemma dictionary."""
    from natasha import (
        MorphVocab,
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        NewsSyntaxParser,
        Segmenter,
    )

    embedding = NewsEmbedding()
    return (
        Segmenter(),
        NewsMorphTagger(embedding),
        NewsSyntaxParser(embedding),
        NewsNERTagger(embedding),
        MorphVocab(),
    )


def parse_text(text: str, offset: int = 0) -> list[Sentence]:
    """natasha over ``text``; offsets shifted by ``offset``."""
    from natasha import Doc

    segmenter, morph, syntax, ner, vocab = _models()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_morph(morph)
    doc.parse_syntax(syntax)
    doc.tag_ner(ner)
    sentences: list[Sentence] = []
    for sent in doc.sents:
        ids = {token.id: number for number, token in enumerate(sent.tokens)}
        tokens: list[Token] = []
        for number, token in enumerate(sent.tokens):
            token.lemmatize(vocab)
            tokens.append(
                Token(
                    index=number,
                    text=token.text,
                    start=offset + token.start,
                    end=offset + token.stop,
                    lemma=(token.lemma or token.text).casefold().replace("ё", "е"),
                    pos=token.pos or "",
                    feats=dict(token.feats or {}),
                    rel=token.rel or "",
                    head=ids.get(token.head_id, -1),
                )
            )
        for token in tokens:
            if token.head >= 0:
                tokens[token.head].children.append(token.index)
        spans = []
        for span in sent.spans:
            span.normalize(vocab)
            spans.append((span.type, offset + span.start, offset + span.stop, span.normal or ""))
            inside = [t for t in tokens if offset + span.start <= t.start < offset + span.stop]
            words = (span.normal or "").split()
            if len(words) == len(inside):
                for token, word in zip(inside, words, strict=True):
                    token.norm = word.casefold().replace("ё", "е")
        sentences.append(
            Sentence(start=offset + sent.start, end=offset + sent.stop, tokens=tokens, spans=spans)
        )
    return sentences


def _sentences(news: NewsDoc) -> list[Sentence]:
    return scratch_list(news, _SENTENCES)


# -- components -----------------------------------------------------------------------------


@register("news.parse.ru.v1", requires=["article"], assigns=["ru_doc"])
def make_parse(resources: PipelineResources) -> Any:
    """natasha's segmentation, morphology, syntax and NER over each block of the article."""
    parse_blocks = sentences_component(_SENTENCES, parse_text)

    def parse(news: NewsDoc) -> NewsDoc:
        from threadpoolctl import threadpool_limits

        # natasha's models are many small numpy products: OpenBLAS's threads only wait on
        # each other there (72 ms for a 13×990 by 990×256 product on the 2-core machine,
        # 1 ms on one thread; bench/RESULTS.md).
        with threadpool_limits(limits=1, user_api="blas"):
            return parse_blocks(news)

    return parse


@register("news.places.ru.v1", requires=["ru_doc"], assigns=["places"])
def make_places(resources: PipelineResources) -> Any:
    """Russian toponyms through the gazetteer's Cyrillic names."""
    focus = resources.geo_focus
    words = load_data("ru.yaml")
    aliases: dict[str, str] = words.get("places", {})
    admin_nouns = frozenset(words.get("admin_nouns", []))

    def places(news: NewsDoc) -> NewsDoc:
        from ceasefire.news.geo import Gazetteer

        gazetteer = Gazetteer.load()
        text = news.article.text
        found: list[tuple[int, int, list[Any], bool]] = []
        countries: dict[str, int] = {}
        entries = actor_entries(LANGUAGE)
        for sentence in _sentences(news):
            taken: set[int] = set()
            for kind, start, end, normal in sentence.spans:
                key = normal.casefold().replace("ё", "е")
                entry = entries.get(tuple(key.split()))
                if entry is not None and entry.kind == "state":
                    code = ALPHA3_TO_2.get(entry.code)
                    if code:
                        countries[code] = countries.get(code, 0) + 1
                    continue  # a country is the actor component's
                inside = [t for t in sentence.tokens if start <= t.start < end]
                if entry is not None and kind != "LOC":
                    continue  # a person or organisation of the dictionary
                if (
                    entry is not None
                    and entry.kind == "metonym"
                    and inside
                    and sentence.case_of(inside[-1]) in (None, *_ACTOR_CASES)
                ):
                    continue  # "Баку и Ереван" acting: the actor component's
                candidates = _native_candidates(gazetteer, key, aliases)
                if not candidates and inside:
                    # natasha leaves some names inflected ("Гянджи"): try the lemmas.
                    lemmas = " ".join(t.lemma for t in inside)
                    candidates = _native_candidates(gazetteer, lemmas, aliases)
                if kind != "LOC":
                    # The model calls some towns persons ("Тертер"): only a town of the
                    # watched region or a city is read as a place then.
                    candidates = [c for c in candidates if _strong(c, focus)]
                if candidates:
                    found.append((start, end, candidates, False))
                    taken.update(t.index for t in sentence.tokens if start <= t.start < end)
            # "Агдамский район": the district by its adjective.
            for token in sentence.tokens:
                if token.index in taken or token.lemma not in admin_nouns:
                    continue
                for adjective in sentence.kids(token, "amod"):
                    candidates = _district_candidates(gazetteer, adjective.lemma, aliases, token)
                    if candidates:
                        found.append((adjective.start, token.end, candidates, True))
        news.places = resolve_places(text, found, countries=countries, focus=focus)
        return news

    return places


def _strong(place: Any, focus: tuple[str, ...]) -> bool:
    return place.kind != "city" or known_town(place, focus)


def _native_candidates(gazetteer: Any, key: str, aliases: dict[str, str]) -> list[Any]:
    if key in aliases:
        return list(gazetteer.lookup(aliases[key]))
    return list(gazetteer.lookup_native(key))


def _district_candidates(
    gazetteer: Any, adjective: str, aliases: dict[str, str], noun: Token
) -> list[Any]:
    """The place a district adjective names: "агдамский" → Агдам, "физулинский" → Физули."""
    phrase = f"{adjective} {noun.lemma}"
    if phrase in aliases:
        return list(gazetteer.lookup(aliases[phrase]))
    for suffix in ("ский", "цкий"):
        if adjective.endswith(suffix):
            stem = adjective[: -len(suffix)]
            for name in (stem, stem[:-1], stem + "а", stem + "ь", stem + "и"):
                places = gazetteer.lookup_native(name)
                if places:
                    return list(places)
    return []


@register("news.actors.ru.v1", requires=["ru_doc"], assigns=["actors"])
def make_actors(resources: PipelineResources) -> Any:
    """States, capitals, office holders, organisations and country-qualified sector nouns."""
    sectors: dict[str, str] = load_data("ru.yaml").get("sectors", {})

    def actors(news: NewsDoc) -> NewsDoc:
        found: list[dict[int, _Actor]] = []
        mentions: list[ActorMention] = []
        for sentence in _sentences(news):
            by_token = _sentence_actors(news.article.text, sentence, sectors)
            found.append(by_token)
            seen: set[int] = set()
            for actor in by_token.values():
                if id(actor) in seen:
                    continue
                seen.add(id(actor))
                mentions.append(
                    ActorMention(
                        ref=actor.ref,
                        token_start=actor.tokens.start,
                        token_end=actor.tokens.stop,
                        kind=actor.kind,
                        head=actor.tokens.stop - 1,
                    )
                )
        news.scratch[_ACTORS] = found
        news.actors = mentions
        return news

    return actors


def _sentence_actors(text: str, sentence: Sentence, sectors: dict[str, str]) -> dict[int, _Actor]:
    """Every token of the sentence that is (part of) an actor, to its actor."""
    entries = actor_entries(LANGUAGE)
    tokens = sentence.tokens
    by_token: dict[int, _Actor] = {}
    index = 0
    while index < len(tokens):
        for size in (3, 2, 1):
            window = tokens[index : index + size]
            entry = None
            if len(window) == size:
                for words in (
                    tuple(t.lemma for t in window),
                    tuple(t.norm or t.lemma for t in window),
                    tuple(t.text.casefold() for t in window),
                ):
                    entry = entries.get(words)
                    if entry is not None:
                        break
            if entry is None:
                continue
            last = tokens[index + size - 1]
            if entry.kind == "metonym" and sentence.case_of(last) not in (None, *_ACTOR_CASES):
                break  # "в Баку" is a place
            start, end = tokens[index].start, last.end
            actor = _Actor(
                ref=actor_ref(text[start:end], start, end, entry),
                tokens=range(index, index + size),
                kind=entry.kind,
                entry=entry,
            )
            for position in actor.tokens:
                by_token[position] = actor
            index += size - 1
            break
        index += 1
    # Sector nouns qualified by a country: "азербайджанская армия", "Минобороны Армении".
    for token in tokens:
        sector = sectors.get(token.lemma)
        if sector is None or token.index in by_token:
            continue
        country = _qualifier(sentence, token, by_token)
        first = min([token.index, *(c.index for c in sentence.kids(token, "amod"))])
        start, end = tokens[first].start, token.end
        actor = _Actor(
            ref=actor_ref(text[start:end], start, end, country, sector=sector),
            tokens=range(first, token.index + 1),
            kind="sector",
            entry=country,
        )
        by_token[token.index] = actor
    return by_token


def _qualifier(sentence: Sentence, token: Token, by_token: dict[int, _Actor]) -> ActorEntry | None:
    """The country that qualifies a sector noun (its adjective or genitive), if any."""
    frontier = [token]
    for _ in range(3):
        following: list[Token] = []
        for node in frontier:
            for child in sentence.kids(node, "amod", "nmod", "appos", "flat", "compound"):
                if child.rel.startswith("nmod") and sentence.case_of(child) is not None:
                    continue
                actor = by_token.get(child.index)
                if actor is not None and actor.entry is not None:
                    return actor.entry
                following.append(child)
        frontier = following
    return None


@register("news.times.ru.v1", requires=["article"], assigns=["times"])
def make_times(resources: PipelineResources) -> Any:
    """Russian dates ("18 октября", "в среду", "вчера") resolved with dateparser."""
    return times_component(LANGUAGE)


@register("news.quotes.ru.v1", requires=["ru_doc", "actors"], assigns=["quotes"])
def make_quotes(resources: PipelineResources) -> Any:
    """«Direct» quotes and "X заявил, что ..." with the speaker of the speech verb."""
    lexicon = load_data("ru.yaml")
    speech = frozenset(lexicon.get("speech", []))
    titles = frozenset(lexicon.get("sectors", {}))

    def quotes(news: NewsDoc) -> NewsDoc:
        news.quotes = _resolve_pronouns(news, list(_quotes(news, speech)), titles)
        return news

    return quotes


def _quotes(news: NewsDoc, speech: frozenset[str]) -> Iterator[Quote]:
    text = news.article.text
    actors = scratch_list(news, _ACTORS)
    sentences = _sentences(news)
    direct: list[tuple[int, int]] = []
    for opening, closing in (("«", "»"), ("“", "”"), ("„", "“")):
        position = 0
        while (start := text.find(opening, position)) >= 0:
            end = text.find(closing, start + 1)
            if end < 0:
                break
            if len(text[start + 1 : end].split()) >= 4:
                direct.append((start + 1, end))
            position = end + 1
    for start, end in direct:
        # The speech verb is after the quote ("», — заявил Путин") or before it.
        best: tuple[int, Sentence, Token, int] | None = None
        for number, sentence in enumerate(sentences):
            for token in sentence.tokens:
                if token.lemma in speech and not start <= token.start < end:
                    distance = token.start - end if token.start >= end else start - token.end
                    if 0 <= distance < 120 and (best is None or distance < best[0]):
                        best = (distance, sentence, token, number)
        speaker = _speaker(best[1], best[2], of_sentence(actors, best[3]) or {}) if best else None
        around = next((s for s in sentences if s.start <= start < s.end + 1), None)
        yield Quote(
            text=text[start:end],
            start=start,
            end=end,
            kind="direct",
            speaker=speaker,
            cue=best[2].text if best else None,
            sentence=sentence_ref(
                news.article,
                around.start if around else start,
                around.end if around else end,
            ),
            speaker_resolved_from="speech verb" if speaker else None,
            component="news.quotes.ru.v1",
        )
    for number, sentence in enumerate(sentences):
        if not _inside(sentence.start, direct):
            yield from _according_to(news, sentence, number)
        for token in sentence.tokens:
            if token.lemma not in speech:
                continue
            clause = [c for c in sentence.kids(token, "ccomp") if not _inside(c.start, direct)]
            if not clause:
                continue
            words = [t for t in _subtree(sentence, clause[0]) if t.pos != "PUNCT"]
            first = min(words, key=lambda t: t.start)
            last = max(words, key=lambda t: t.end)
            yield Quote(
                text=text[first.start : last.end],
                start=first.start,
                end=last.end,
                kind="indirect",
                speaker=_speaker(sentence, token, of_sentence(actors, number) or {}),
                cue=token.text,
                sentence=sentence_ref(news.article, sentence.start, sentence.end),
                speaker_resolved_from="speech verb",
                component="news.quotes.ru.v1",
            )


def _according_to(news: NewsDoc, sentence: Sentence, number: int) -> Iterator[Quote]:
    """ "По словам X, …" / "По её словам, …": the rest of the sentence is X's indirect quote."""
    text = news.article.text
    actors = of_sentence(scratch_list(news, _ACTORS), number) or {}
    for token in sentence.tokens:
        if token.lemma != "слово" or token.feats.get("Case") != "Dat":
            continue
        if sentence.case_of(token) != "по":
            continue
        commas = [t for t in sentence.tokens if t.text == "," and t.start >= token.end]
        words = [
            t for t in sentence.tokens if commas and t.start >= commas[0].end and t.pos != "PUNCT"
        ]
        if len(words) < 3:
            continue
        speaker: ActorRef | None = None
        for child in sentence.kids(token, "nmod", "det", "amod"):
            found = _actors_of(sentence, child, actors)
            if found:
                speaker = found[0].ref
            elif child.pos == "PROPN":
                speaker = ActorRef(
                    text=child.text, code=None, sector=None, start=child.start, end=child.end
                )
        first, last = words[0], words[-1]
        yield Quote(
            text=text[first.start : last.end],
            start=first.start,
            end=last.end,
            kind="indirect",
            speaker=speaker,
            cue=token.text,
            sentence=sentence_ref(news.article, sentence.start, sentence.end),
            speaker_resolved_from="according to" if speaker else None,
            component="news.quotes.ru.v1",
        )


_PRONOUNS = frozenset({"он", "она", "они", "его", "её", "ее", "их"})


def _resolve_pronouns(news: NewsDoc, quotes: list[Quote], titles: frozenset[str]) -> list[Quote]:
    """A quote whose speaker is a pronoun or a bare title ("Он также заявил", "По её словам",
    "Премьер добавил") takes the article's last named speaker before it."""
    text = news.article.text
    quotes.sort(key=lambda q: q.start)
    last: ActorRef | None = None
    for quote in quotes:
        if quote.speaker is not None:
            last = quote.speaker
            continue
        if last is None or quote.sentence is None:
            continue
        around = (
            text[quote.sentence.start : quote.start] + " " + text[quote.end : quote.sentence.end]
        )
        words = set(re.findall(r"\w+", around.lower()))
        if words & _PRONOUNS or any(w[:-1] in titles or w in titles for w in words):
            quote.speaker = last
            quote.speaker_resolved_from = "previous speaker"
    return quotes


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def _subtree(sentence: Sentence, token: Token) -> list[Token]:
    out, stack = [], [token]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(sentence.tokens[i] for i in node.children if sentence.tokens[i].lemma != "что")
    return out


def _speaker(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> ActorRef | None:
    for subject in sentence.kids(verb, "nsubj"):
        found = _actors_of(sentence, subject, actors)
        if found:
            return found[0].ref
        for kind, start, end, _normal in sentence.spans:
            if kind == "PER" and start <= subject.start < end:
                return ActorRef(text=subject.text, code=None, sector=None, start=start, end=end)
    return None


# -- events ---------------------------------------------------------------------------------


@dataclass
class _Trigger:
    token: Token
    event: str
    words: list[Token]
    verb: Token  # whose subject is the source (the light verb for "нанести удар")
    nominal: bool


@register("news.events.ru.v1", requires=["ru_doc", "actors", "times"], assigns=["events"])
def make_events(resources: PipelineResources) -> Any:
    """PLOVER events from the Russian trigger lexicon, with actors, modality, date and place."""
    lexicon = load_data("ru.yaml")

    return events_component(
        _SENTENCES,
        _ACTORS,
        lambda news, sentence, found: _sentence_events(news, sentence, found or {}, lexicon),
    )


def _triggers(sentence: Sentence, lexicon: dict[str, Any]) -> list[_Trigger]:
    verbs: dict[str, str] = lexicon["verbs"]
    nouns: dict[str, str] = lexicon["nouns"]
    objects: dict[str, dict[str, str]] = lexicon["objects"]
    light = frozenset(lexicon["light_verbs"])
    speech = frozenset(lexicon["speech"])
    movement = frozenset(lexicon["movement"])
    cessation = frozenset(lexicon["cessation"])
    observe = frozenset(lexicon["observe"])
    truce = frozenset(lexicon["truce"])
    permit = frozenset(lexicon["permit"])
    triggers: list[_Trigger] = []
    used: set[int] = set()
    for token in sentence.tokens:
        if token.pos not in ("VERB", "AUX") and token.feats.get("VerbForm") not in ("Part", "Conv"):
            continue
        if token.lemma in permit:
            if _negated(sentence, token):
                # "не пропустил конвой": passage refused, a restriction (COERCE).
                triggers.append(_Trigger(token, "COERCE", [token], token, False))
            continue
        lemma = _verb_lemma(token.lemma, verbs, objects)
        if token.lemma in observe and _negated(sentence, token):
            kept = [a for a in sentence.kids(token, "obj", "obl") if a.lemma in truce]
            if kept:
                # "не соблюдает режим прекращения огня": a violation.
                triggers.append(_Trigger(token, "FIGHT", [token, kept[0]], token, False))
                used.add(kept[0].index)
                continue
        arguments = sentence.kids(token, "obj", "obl", "nmod", "iobj", "nsubj")
        # The subject refines a verb without a direct object ("ракета попала", "пленные были
        # освобождены"), not the doer of a transitive one ("военные захватили …").
        transitive = any(a.rel == "obj" for a in arguments)
        refined = [
            (objects[lemma][key], a)
            for a in arguments
            if a.rel.split(":")[0] in ("obj", "obl")
            or (a.rel.split(":")[0] == "nsubj" and not (transitive and a.rel == "nsubj"))
            for key in _object_keys(sentence, a)
            if key in objects.get(lemma, {})
        ]
        if refined:
            event, argument = refined[0]
            triggers.append(_Trigger(token, event, [token, argument], token, False))
            used.add(argument.index)
            continue
        if token.lemma in light:
            nominal = [a for a in sentence.kids(token, "obj") if a.lemma in nouns]
            if nominal:
                triggers.append(
                    _Trigger(token, nouns[nominal[0].lemma], [token, nominal[0]], token, True)
                )
                used.add(nominal[0].index)
                continue
        if lemma in verbs and lemma not in speech:
            triggers.append(_Trigger(token, verbs[lemma], [token], token, False))
        elif token.lemma in movement:
            triggers.append(_Trigger(token, "MOVE", [token], token, False))
    operations = frozenset(lexicon["operations"])
    combat = frozenset(lexicon["combat"])
    labels = frozenset(lexicon["labels"])
    for token in sentence.tokens:
        if token.index in used or token.pos not in ("NOUN", "PROPN"):
            continue
        kind = nouns.get(token.lemma)
        if token.lemma in operations and any(
            a.lemma in combat for a in sentence.kids(token, "amod")
        ):
            kind = "FIGHT"  # "боевые действия", "антитеррористическая операция"
        if kind is None:
            continue
        head = sentence.tokens[token.head] if token.head >= 0 else token
        if head.lemma in cessation:
            continue  # "прекращение огня" is the ceasefire, not fire
        if head.lemma in labels and token.rel in ("xcomp", "obl"):
            continue  # "назвала грубым нарушением": a name for an act, not an act
        triggers.append(_Trigger(token, kind, [token], head, True))
    return triggers


def _verb_lemma(lemma: str, verbs: dict[str, str], objects: dict[str, Any]) -> str:
    """The lexicon's entry for a verb: its lemma; for a reflexive or passive in -ся/-сь that
    has no entry of its own the verb without it ("выводиться" → выводить); for an
    imperfective without an entry its perfective pair ("подписывать" → подписать,
    "осуждать" → осудить, "договариваться" → договориться)."""
    if lemma in verbs or lemma in objects:
        return lemma
    reflexive = lemma.endswith(("ся", "сь"))
    bases = [lemma[:-2], lemma] if reflexive else [lemma]
    for base in bases:
        for form in (base, *_perfectives(base)):
            for candidate in (form, form + "ся") if reflexive else (form,):
                if candidate in verbs or candidate in objects:
                    return candidate
    return lemma


# Consonants of an imperfective stem in -ать and of its perfective in -ить ("осуждать" /
# "осудить", "возвращать" / "возвратить", "приглашать" / "пригласить", "ослаблять" /
# "ослабить"), longest first.
_ALTERNATIONS = (
    ("жд", "д"),
    ("щ", "ст"),
    ("щ", "т"),
    ("ш", "с"),
    ("ч", "т"),
    ("вл", "в"),
    ("бл", "б"),
    ("мл", "м"),
    ("пл", "п"),
)


def _perfectives(lemma: str) -> list[str]:
    """The perfectives an imperfective infinitive may pair with, by the regular suffixes of
    Russian aspect: -ывать/-ивать (подписывать, обстреливать, договаривать), -ять (отклонять),
    -ать with a consonant alternation (нарушать, осуждать), -водить (вводить). Only forms
    the lexicon lists are used, so a wrong guess costs nothing."""
    out: list[str] = []
    if lemma.endswith("водить"):
        out.append(lemma[:-6] + "вести")  # вводить → ввести, отводить → отвести
    if lemma.endswith(("ывать", "ивать")):
        stem = lemma[:-5]
        stems = [stem]
        if "а" in stem:
            at = stem.rindex("а")
            stems.append(stem[:at] + "о" + stem[at + 1 :])  # договаривать → договорить
        out += [s + ending for s in stems for ending in ("ать", "ить", "ять")]
    elif lemma.endswith("ять"):
        out.append(lemma[:-3] + "ить")
        stem = lemma[:-3]
        out += [stem[: -len(a)] + b + "ить" for a, b in _ALTERNATIONS if stem.endswith(a)]
    elif lemma.endswith("ать"):
        stem = lemma[:-3]
        out.append(stem + "ить")
        out += [stem[: -len(a)] + b + "ить" for a, b in _ALTERNATIONS if stem.endswith(a)]
    return out


def _object_keys(sentence: Sentence, token: Token) -> list[str]:
    """An object's lemma with each of its adjectives first ("контрольно-пропускной пункт"),
    then alone."""
    return [*(f"{a.lemma} {token.lemma}" for a in sentence.kids(token, "amod")), token.lemma]


def _sentence_events(
    news: NewsDoc, sentence: Sentence, actors: dict[int, _Actor], lexicon: dict[str, Any]
) -> list[Event]:
    accuse = frozenset(lexicon["accuse"])
    deny = frozenset(lexicon["deny"])
    claims = frozenset(lexicon["claims"])
    verbs: dict[str, str] = lexicon["verbs"]
    # A rejection of a claim ("отверг обвинения в обстреле") is a denial, as "опровергнуть".
    denials = {
        t.index
        for t in sentence.tokens
        if t.pos == "VERB"
        and (
            t.lemma in deny
            or (
                verbs.get(_verb_lemma(t.lemma, verbs, {})) == "REJECT"
                and any(o.lemma in claims for o in sentence.kids(t, "obj"))
            )
        )
    }
    protesters = frozenset(lexicon["protesters"])
    sectors: dict[str, str] = lexicon["sectors"]
    handover = frozenset(lexicon["handover"])
    released = frozenset(lexicon["released"])
    harmed = frozenset(lexicon["harmed"])
    triggers = _triggers(sentence, lexicon)
    # A denial keeps the act it denies (PLOVER): "опровергло сообщения о том, что … обстреляли"
    # is the shelling, denied, not a REJECT.
    triggers = [
        t
        for t in triggers
        if not (
            t.token.index in denials
            and not t.nominal
            and any(o is not t and _governs(sentence, t.token, o.token) for o in triggers)
        )
    ]
    events: list[tuple[int, Event]] = []
    for trigger in triggers:
        token, verb = trigger.token, trigger.verb
        modality: Modality = "occurred"
        claimed_by: list[ActorRef] = []
        victims: list[_Actor] = []
        objective: list[_Actor] = []
        mutual = False
        event = trigger.event
        governor = _governor(sentence, trigger)
        denier = _denier(sentence, token, denials)
        if governor is not token and governor.lemma in accuse:
            # "обвинить X в обстреле", "… в попытке захватить": the act, by X, claimed by the
            # accuser.
            source = _argument(sentence, governor, ("obj",), actors)
            claimed_by = [a.ref for a in _argument(sentence, governor, ("nsubj",), actors)]
            modality = "claimed"
            if not source and _reciprocal(sentence, governor):
                # "Армения и Азербайджан обвинили друг друга в нарушении": each side is
                # accused by the other, so both are source and target.
                source = _argument(sentence, governor, ("nsubj",), actors)
                mutual = True
        elif governor is not token and governor.index in denials:
            source = _argument(sentence, governor, ("nsubj",), actors)
            modality = "denied"
        elif trigger.nominal and verb is not token and governor.lemma in harmed:
            # "были ранены при нападении армянской группы": the attack is the group's, the
            # wounded are what it befell.
            victims = _argument(sentence, governor, ("nsubj", "nsubj:pass"), actors)
            source = _genitive_agent(sentence, token, actors) or [
                a
                for k in sentence.kids(token, "nmod")
                if sentence.case_of(k) is None
                for a in _nested_actors(sentence, k, actors)
            ]
        elif trigger.nominal and verb is not token:
            # "обстрел Степанакерта азербайджанской артиллерией": the instrumental is the
            # act's own agent, before the subject of the verb it hangs on.
            source = (
                _instrumental_agent(sentence, token, actors)
                or _side_agent(sentence, trigger, actors)
                or _argument(sentence, governor, ("nsubj", "nsubj:pass"), actors)
            )
            if not source:
                source = _genitive_agent(sentence, token, actors)
            else:
                # "заявил о поддержке Азербайджана": with the agent named elsewhere, the
                # act's genitive is what it is done to.
                objective = _genitive_object(sentence, token, actors)
        else:
            source = (
                _argument(sentence, verb, ("nsubj",), actors)
                or _reporter(sentence, verb, actors, frozenset(lexicon["speech"]))
                or _participle_author(sentence, verb, actors)
                or _apposed_subject(sentence, verb, actors)
                or _side_agent(sentence, trigger, actors)
                or (
                    _instrumental_agent(sentence, verb, actors, "obl")
                    if verb.feats.get("Voice") == "Pass"
                    else []
                )
            )
        if denier is not None and modality == "occurred":
            modality = "denied"
            source = source or _argument(sentence, denier, ("nsubj",), actors)
        if (
            not trigger.nominal
            and token.lemma in handover
            and event == "RETREAT"
            and any(t.lemma in released for t in _clause(sentence, token))
        ):
            event = "CONCEDE"  # people handed back are released, not territory
        passive = [] if trigger.nominal else _argument(sentence, verb, ("nsubj:pass",), actors)
        if not trigger.nominal and not passive and not source and verb.feats.get("Voice") == "Pass":
            passive = _preceding_subject(sentence, verb, actors)
        subjects = sentence.kids(verb, "nsubj")
        # "группа активистов": the people a collective subject is made of count too.
        subject_lemmas = {t.lemma for t in subjects} | {
            k.lemma for t in subjects for k in sentence.kids(t, "nmod")
        }
        if event == "MOVE":
            movers = source + passive
            military = (bool(movers) and all(a.ref.sector == "MIL" for a in movers)) or any(
                sectors.get(lemma) == "MIL" for lemma in subject_lemmas if not movers
            )
            event = "MOBILIZE" if military else "CONSULT"
        if subject_lemmas & protesters:
            event = "PROTEST"
        targets = victims + _targets(sentence, trigger, actors)
        targets += [a for a in objective if a.ref.code not in {s.ref.code for s in source}]
        if not trigger.nominal and event in _INTENTIONS and not any(a.ref.code for a in targets):
            # "отказались вести переговоры с карабахскими властями": the party of the act
            # refused, agreed to or demanded is the target.
            targets = _complement_targets(sentence, token, actors) or targets
        if mutual:
            targets = list(source)
        if trigger.event == "MOVE" and event == "CONSULT" and not targets:
            targets = _host(news, sentence, verb)  # "прибыли в Баку": a visit to Azerbaijan
        if event == "AID" and not any(a.ref.code for a in targets):
            # "направила в Армению самолёт с помощью": the state aid is sent to
            targets = _destination(sentence, token, actors, "в", "Acc") or targets
        if event == "DEMAND" and not any(a.ref.code for a in targets):
            # "обратилась в ОДКБ с просьбой": the body an appeal is addressed to
            targets = (
                _destination(sentence, token, actors, "в", "Acc", ("state", "organisation"))
                or targets
            )
        if event == "SANCTION" and not any(a.ref.code for a in targets):
            # "отозвала посла из Израиля": the state an ambassador is recalled from
            targets = (
                _destination(sentence, token, actors, "из", "Gen", ("state", "metonym")) or targets
            )
        if event in ("CONCEDE", "COERCE", "SANCTION") and not any(a.ref.code for a in targets):
            # "освободил 15 армянских задержанных", "захватили шестерых армянских
            # военнослужащих", "выслала российских дипломатов": the state of the people
            # released, captured or expelled.
            targets = [
                a for w in trigger.words if w is not token for a in _actors_of(sentence, w, actors)
            ] or targets
        if event == "COERCE" and not any(a.ref.code for a in targets):
            # "не пропустил конвой из Армении": the state the blocked convoy comes from.
            targets = _origin(sentence, verb, actors) or targets
        if event == "RETREAT" and not any(a.ref.code for a in targets):
            # "покинули Агдамский район, который перешёл под контроль Азербайджана": the
            # state the land passes to.
            targets = (
                _controller(sentence, actors) or _receiver(sentence, actors, handover) or targets
            )
        if passive:
            agent = _argument(sentence, verb, ("obl:agent",), actors)
            # Forces moved ("миротворцы выводятся", "войска были переброшены") are their
            # own side's deployment or withdrawal, not its target.
            if event == "MOBILIZE" or (
                event == "RETREAT" and all(a.ref.sector == "MIL" for a in passive)
            ):
                source = source or passive
            else:
                targets = passive + targets
                source = source or agent
        if not source and not passive and event in ("MOBILIZE", "COERCE"):
            # "В Армении введено военное положение и объявлена мобилизация": a measure
            # decreed with no agent is the state's where it is decreed.
            source = _decreed_in(sentence, verb, actors)
        if not trigger.nominal and verb.lemma in accuse:
            event = "DISAPPROVE"
        if _negated(sentence, token) and event in COOPERATIVE:
            event = "REJECT"
        modal = _obligation(sentence, token, frozenset(lexicon["obligation"]))
        if modal is not None and not trigger.nominal:
            # "Грузия заявила, что Россия должна вывести войска": what the speaker says
            # another must do is a demand on it (PLOVER DEMAND), by the speaker.
            speaker = _speaker_of(sentence, modal, frozenset(lexicon["speech"]), actors)
            obliged = _argument(sentence, modal, ("nsubj", "iobj"), actors) or source
            if speaker and {a.ref.code for a in speaker} != {a.ref.code for a in obliged}:
                event, source, targets = "DEMAND", speaker, obliged
        if event in _HOSTILE and (_conditional(sentence, verb) or _future(sentence, verb)):
            # A hostile act promised for the future or on a condition ("продолжит
            # наступление, если …") is a threat (PLOVER THREATEN).
            event = "THREATEN"
        if modality == "occurred" and _future(sentence, verb):
            modality = "planned"
        source_refs = _unique([a.ref for a in source])
        codes = {r.code for r in source_refs}
        # A target of the source's own state is a repeat of it ("Армения … армянских"), unless
        # both name a sector and the sectors differ: the army demanding the premier's
        # resignation acts on its own state's government.
        sectors_of = {r.sector for r in source_refs}
        target_refs = [
            r
            for r in _unique([a.ref for a in targets])
            if mutual
            or r.code not in codes
            or r.code is None
            or (r.sector is not None and None not in sectors_of and r.sector not in sectors_of)
        ]
        if event in _DOMESTIC and len(codes - {None}) == 1 and not codes & _ORGANISATIONS:
            target_refs = [_domestic(r, codes) for r in target_refs]
        start = min(t.start for t in trigger.words)
        end = max(t.end for t in trigger.words)
        location = _location(news, sentence, token, source + targets)
        confidence = argument_confidence(source_refs, target_refs) + (
            0.1 if not trigger.nominal else 0
        )
        events.append(
            (
                # An event noun ranks below the verb it hangs on; a light verb with its
                # noun ("провёл разговор") is the verb itself.
                sentence.depth(token) + (1 if trigger.nominal and verb is not token else 0),
                sentence_event(
                    news,
                    sentence.start,
                    sentence.end,
                    event=event,
                    modality=modality,
                    source=source_refs,
                    target=target_refs,
                    location=location,
                    trigger=[t.text for t in sorted(trigger.words, key=lambda t: t.start)],
                    trigger_span=(start, end),
                    confidence=confidence,
                    component="news.events.ru.v1",
                    claimed_by=_unique(claimed_by),
                ),
            )
        )
    if events:
        emergency = frozenset(lexicon["emergency"])
        mobilised = any(e.event == "MOBILIZE" for _, e in events)

        def rank(i: int) -> tuple[bool, int, int]:
            # Martial law or a curfew beside a mobilisation is its legal form, not the event.
            depth, event = events[i]
            words = {w.lemma for w in triggers[i].words} | {
                a.lemma for w in triggers[i].words for a in sentence.kids(w, "obj", "nsubj:pass")
            }
            minor = mobilised and event.event == "COERCE" and bool(words & emergency)
            return (minor, depth, event.trigger_span[0])

        events[min(range(len(events)), key=rank)][1].primary = True
    return [event for _, event in events]


def _unique(refs: list[ActorRef]) -> list[ActorRef]:
    seen: set[tuple[int, int]] = set()
    out = []
    for ref in refs:
        if (ref.start, ref.end) not in seen:
            seen.add((ref.start, ref.end))
            out.append(ref)
    return out


def _actors_of(sentence: Sentence, token: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The actor a token stands for: itself, or the nearest actor in its noun phrase; and the
    actors of its conjuncts ("Азербайджан и Армения")."""
    found: list[_Actor] = []
    for node in _conjuncts(sentence, token):
        actor = actors.get(node.index)
        nested = [actor] if actor is not None else _nested_actors(sentence, node, actors)
        if actor is not None and actor.kind == "sector":
            # "Главы МИД Азербайджана и Армении": the heads of both ministries.
            inner = _nested_actors(sentence, node, actors)
            if len(inner) > 1:
                nested = [
                    _Actor(replace(a.ref, sector=actor.ref.sector), a.tokens, a.kind, a.entry)
                    if a.kind in ("state", "metonym")
                    else a
                    for a in inner
                ]
        found.extend(a for a in nested if a not in found)
    return found


def _conjuncts(sentence: Sentence, token: Token) -> list[Token]:
    """The token and its conjuncts, however deep ("Путин, Алиев и Пашинян")."""
    out, stack = [], [token]
    while stack:
        node = stack.pop(0)
        out.append(node)
        # A conjunct follows its head in Russian: one the parser hangs on a later word lies
        # inside the list it belongs to ("Президенты России, США и Франции": США).
        following = [k for k in sentence.kids(node, "conj") if k.index > node.index]
        if following:
            last = max(k.index for k in following)
            following += [
                t
                for t in sentence.tokens[node.index + 1 : last]
                if t.rel == "conj" and t.head > last and t not in following
            ]
        stack.extend(sorted(following, key=lambda t: t.index))
        # "Министр обороны Турции Хулуси Акар и Сергей Шойгу": the parser hangs the second
        # person on the first one's name in apposition to the title.
        stack.extend(c for a in sentence.kids(node, "appos") for c in sentence.kids(a, "conj"))
    return out


def _nested_actors(sentence: Sentence, token: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The nearest coded actors inside a noun phrase ("Главы МИД Азербайджана и Армении")."""
    frontier = [token]
    for _ in range(3):
        following: list[Token] = []
        for node in frontier:
            for child in sentence.kids(node, "nmod", "amod", "appos", "flat"):
                if sentence.case_of(child) is not None:
                    continue
                if (
                    child.rel in ("nmod", "appos")
                    and child.feats.get("Case") in ("Dat", "Ins")
                    and child.feats.get("Case") != node.feats.get("Case")
                ):
                    continue  # "передача района Азербайджану": a recipient, not an owner
                actor = actors.get(child.index)
                if actor is not None and actor.entry is not None:
                    return _actors_of(sentence, child, actors)
                following.append(child)
        frontier = following
    return []


def _argument(
    sentence: Sentence, verb: Token, rels: tuple[str, ...], actors: dict[int, _Actor]
) -> list[_Actor]:
    found: list[_Actor] = []
    for child in sentence.tokens:
        if child.head == verb.index and child.rel in rels:
            found.extend(_actors_of(sentence, child, actors))
    if not found and "nsubj" in rels and verb.rel in ("conj", "xcomp", "advcl") and verb.head >= 0:
        # "принёс извинения и выразил готовность": the conjunct shares the subject.
        return _argument(sentence, sentence.tokens[verb.head], rels, actors)
    return found


def _destination(
    sentence: Sentence,
    token: Token,
    actors: dict[int, _Actor],
    preposition: str,
    case: str,
    kinds: tuple[str, ...] = ("state",),
) -> list[_Actor]:
    """The state a preposition names on the nearest verb above the trigger: where aid is sent
    ("направила в Армению самолёт с помощью"), where an envoy is recalled from ("из
    Израиля"), the body an appeal goes to (``kinds`` with organisations); a town is a
    place, not a party."""
    node = token
    while node.pos != "VERB" and node.head >= 0:
        node = sentence.tokens[node.head]
    for child in sentence.kids(node, "obl"):
        actor = actors.get(child.index)
        if (
            actor is not None
            and actor.kind in kinds
            and sentence.case_of(child) == preposition
            and child.feats.get("Case") == case
        ):
            return [actor]
    return []


def _reporter(
    sentence: Sentence, verb: Token, actors: dict[int, _Actor], speech: frozenset[str]
) -> list[_Actor]:
    """The speaker as the subject of a reported clause that has none of its own ("Пашинян
    заявил, что подписал …"), when the verbs agree in number and gender; a plural without a
    subject is impersonal ("сообщил, что обстреляли" names no one)."""
    if verb.rel != "ccomp" or verb.head < 0 or any(sentence.kids(verb, "nsubj", "nsubj:pass")):
        return []
    head = sentence.tokens[verb.head]
    if head.lemma not in speech:
        return []
    subjects = sentence.kids(head, "nsubj")
    if len(subjects) != 1 or verb.feats.get("Number") != "Sing":
        return []
    # A feature one of the verbs lacks (a future has no gender, a past no person) does not
    # disagree: "Киев заявил, что нанесёт удары" is Kyiv's.
    agree = all(
        verb.feats.get(key) == head.feats.get(key)
        for key in ("Number", "Gender", "Person")
        if key in verb.feats and key in head.feats
    )
    return _actors_of(sentence, subjects[0], actors) if agree else []


def _apposed_subject(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The subject of a finite active verb that the parser hung in apposition on a noun before
    it ("При посредничестве министра обороны России Армения и Азербайджан договорились")."""
    if verb.feats.get("VerbForm") != "Fin" or verb.feats.get("Voice") == "Pass":
        return []
    if any(sentence.kids(verb, "nsubj", "nsubj:pass")):
        return []
    for token in sentence.tokens[: verb.index]:
        if (
            token.rel == "appos"
            and token.feats.get("Case") == "Nom"
            and token.index in actors
            and _governs(sentence, verb, token)
        ):
            return _actors_of(sentence, token, actors)
    return []


def _preceding_subject(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The nominative actor before a passive verb the parser left without a subject."""
    for token in reversed(sentence.tokens[: verb.index]):
        if token.pos in ("VERB",) and token.feats.get("VerbForm") == "Fin":
            break
        actor = actors.get(token.index)
        if actor is not None and token.feats.get("Case") == "Nom" and token.pos != "ADJ":
            return [actor]
    return []


# Acts whose verb takes an infinitive with the act's party ("отказались вести переговоры с
# X"): refusing, agreeing to, demanding and threatening.
_INTENTIONS = frozenset({"REJECT", "AGREE", "DEMAND", "THREATEN"})
# Acts that promised for the future or on a condition are threats (PLOVER THREATEN).
_HOSTILE = frozenset({"FIGHT", "ASSAULT", "COERCE", "SANCTION"})


# Kinds of act a state does to its own institutions as often as to another state's: a bare
# institution ("правительство", "оппозиция", "Генштаб") in them is the source's own.
_DOMESTIC = frozenset({"DEMAND", "REJECT", "DISAPPROVE", "PROTEST", "SUPPORT"})
# International and non-governmental organisations have no domestic institutions: "Гутерриш
# призвал стороны" calls on the parties, not on the UN's own.
_ORGANISATIONS = frozenset({"IGO", "NGO"})


def _domestic(ref: ActorRef, codes: set[str | None]) -> ActorRef:
    """A bare institution as a target of a political act is the source state's own ("Сенат
    Франции … призывающую правительство"; "отверг требования оппозиции")."""
    if ref.code is None and ref.sector is not None:
        return replace(ref, code=next(c for c in codes if c is not None))
    return ref


def _origin(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The state an object of ``verb`` comes from ("конвой из Армении")."""
    for obj in sentence.kids(verb, "obj"):
        for child in sentence.kids(obj, "nmod"):
            actor = actors.get(child.index)
            if actor is not None and actor.kind == "state" and sentence.case_of(child) == "из":
                return [actor]
    return []


def _decreed_in(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The state in "в X" (locative) on a passive verb, or on the passive it is joined to."""
    node = verb
    for _ in range(2):
        if node.feats.get("Voice") != "Pass":
            return []
        for child in sentence.kids(node, "obl"):
            actor = actors.get(child.index)
            if (
                actor is not None
                and actor.kind == "state"
                and sentence.case_of(child) == "в"
                and child.feats.get("Case") == "Loc"
            ):
                return [actor]
        if node.rel != "conj" or node.head < 0:
            return []
        node = sentence.tokens[node.head]
    return []


def _controller(sentence: Sentence, actors: dict[int, _Actor]) -> list[_Actor]:
    """The state in "под контроль X" (under X's control) anywhere in the sentence."""
    for token in sentence.tokens:
        if token.lemma == "контроль" and sentence.case_of(token) == "под":
            found = [
                a
                for k in sentence.kids(token, "nmod")
                if sentence.case_of(k) is None
                for a in _actors_of(sentence, k, actors)
            ]
            if found:
                return found
    return []


def _receiver(
    sentence: Sentence, actors: dict[int, _Actor], handover: frozenset[str]
) -> list[_Actor]:
    """The state in the dative of a handover verb anywhere in the sentence ("район, который
    был возвращён Азербайджану")."""
    for token in sentence.tokens:
        if token.lemma not in handover or token.pos != "VERB":
            continue
        for child in sentence.kids(token, "iobj", "obl"):
            actor = actors.get(child.index)
            if (
                actor is not None
                and actor.kind == "state"
                and sentence.case_of(child) is None
                and child.feats.get("Case") == "Dat"
            ):
                return [actor]
    return []


def _reciprocal(sentence: Sentence, verb: Token) -> bool:
    """Whether the verb's object is "друг друга" (each other)."""
    return any(
        child.lemma == "друг" and any(f.lemma == "друг" for f in sentence.kids(child, "fixed"))
        for child in sentence.kids(verb, "obj")
    )


def _participle_author(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The subject of an active participle without one: the noun it qualifies, or the author
    of that noun when it is a text the author adopted ("Сенат принял резолюцию, призывающую
    …")."""
    if verb.feats.get("VerbForm") != "Part" or verb.feats.get("Voice") != "Act":
        return []
    if verb.rel != "acl" or verb.head < 0:
        return []
    noun = sentence.tokens[verb.head]
    found = _actors_of(sentence, noun, actors)
    if found or noun.rel != "obj" or noun.head < 0:
        return found
    return _argument(sentence, sentence.tokens[noun.head], ("nsubj",), actors)


def _genitive_agent(sentence: Sentence, noun: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    for child in sentence.kids(noun, "nmod", "amod"):
        if (sentence.case_of(child) is None or _by_side(sentence, child)) and child.index in actors:
            return _actors_of(sentence, child, actors)
    return []


def _instrumental_agent(
    sentence: Sentence, noun: Token, actors: dict[int, _Actor], relation: str = "nmod"
) -> list[_Actor]:
    """The actor in the instrumental without a preposition on an event noun: its agent
    ("обстрел … азербайджанской артиллерией"); on a passive verb (``relation`` "obl") too
    ("сёла были обстреляны российской стороной")."""
    for child in sentence.kids(noun, relation):
        if sentence.case_of(child) is None and child.feats.get("Case") == "Ins":
            found = _actors_of(sentence, child, actors)
            if found:
                return found
    return []


def _genitive_object(sentence: Sentence, noun: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The actors in the genitive (no preposition) on an event noun ("поддержке
    Азербайджана")."""
    return [
        a
        for child in sentence.kids(noun, "nmod")
        if sentence.case_of(child) is None and child.feats.get("Case") == "Gen"
        for a in _actors_of(sentence, child, actors)
    ]


def _complement_targets(sentence: Sentence, verb: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The targets of the infinitive a verb takes, with its object's own ("вести переговоры
    с X")."""
    for inf in sentence.kids(verb, "xcomp"):
        if inf.feats.get("VerbForm") != "Inf":
            continue
        words = [inf, *sentence.kids(inf, "obj")]
        found = _targets(sentence, _Trigger(inf, "", words, inf, False), actors)
        if found:
            return found
    return []


def _obligation(sentence: Sentence, verb: Token, obligation: frozenset[str]) -> Token | None:
    """The word of obligation an infinitive depends on ("должна вывести", "необходимо
    отвести"), if any."""
    if verb.rel not in ("xcomp", "csubj") or verb.head < 0:
        return None
    head = sentence.tokens[verb.head]
    return head if head.lemma in obligation else None


def _speaker_of(
    sentence: Sentence, clause: Token, speech: frozenset[str], actors: dict[int, _Actor]
) -> list[_Actor]:
    """The subject of the speech verb a clause is reported by ("Грузия заявила, что …")."""
    if clause.rel != "ccomp" or clause.head < 0:
        return []
    head = sentence.tokens[clause.head]
    return _argument(sentence, head, ("nsubj",), actors) if head.lemma in speech else []


def _conditional(sentence: Sentence, verb: Token) -> bool:
    """Whether a clause of condition ("если …") hangs on the verb."""
    return any(
        m.lemma == "если" for k in sentence.kids(verb, "advcl") for m in sentence.kids(k, "mark")
    )


def _side_agent(sentence: Sentence, trigger: _Trigger, actors: dict[int, _Actor]) -> list[_Actor]:
    """The actor after "со стороны" on a trigger word ("огонь был открыт со стороны X")."""
    return [
        a
        for w in trigger.words
        for k in sentence.kids(w, "obl", "nmod")
        if _by_side(sentence, k)
        for a in _actors_of(sentence, k, actors)
    ]


def _by_side(sentence: Sentence, token: Token) -> bool:
    """Whether a noun stands after the compound preposition "со стороны" (on the part of X):
    the agent of an act ("обстрел со стороны Азербайджана"), not its target."""
    return any(
        f.lemma == "сторона"
        for c in sentence.kids(token, "case")
        for f in sentence.kids(c, "fixed")
    )


# The nouns of compound prepositions of address: "в адрес X", "в отношении X" (at X).
_ADDRESSED = frozenset({"адрес", "отношение"})


def _targets(sentence: Sentence, trigger: _Trigger, actors: dict[int, _Actor]) -> list[_Actor]:
    found: list[_Actor] = []
    heads = [*trigger.words]
    if trigger.verb not in heads:
        heads.append(trigger.verb)
    for head in heads:
        for child in sentence.kids(head, "obj", "iobj", "obl", "nmod"):
            if child.index in {t.index for t in trigger.words}:
                continue
            case = sentence.case_of(child)
            if _by_side(sentence, child):
                continue  # "со стороны X" is the agent
            if case == "в" and child.lemma in _ADDRESSED:
                # "критика в адрес Москвы", "санкции в отношении Ирана": the compound
                # preposition names whom the act is aimed at, its genitive.
                found.extend(
                    a for k in sentence.kids(child, "nmod") for a in _actors_of(sentence, k, actors)
                )
                continue
            if (
                child.rel.startswith(("obj", "iobj"))
                or case in _TARGET_CASES
                or (case is None and child.feats.get("Case") == "Dat")
            ):
                found.extend(_actors_of(sentence, child, actors) or _owner(sentence, child, actors))
            elif trigger.nominal and head is trigger.token and case is None:
                # "передача Кельбаджарского района Азербайджану": the parser hangs the
                # recipient of an event noun on its genitive object.
                found.extend(
                    a
                    for k in sentence.kids(child, "nmod", "appos")
                    if sentence.case_of(k) is None and k.feats.get("Case") == "Dat"
                    for a in _actors_of(sentence, k, actors)
                )
    return found


def _owner(sentence: Sentence, noun: Token, actors: dict[int, _Actor]) -> list[_Actor]:
    """The institution in the genitive that owns an object ("отверг требования оппозиции"),
    a bare sector noun that `_actors_of` leaves for want of a state."""
    if not noun.rel.startswith("obj"):
        return []
    return [
        actors[k.index]
        for k in sentence.kids(noun, "nmod")
        if sentence.case_of(k) is None and k.index in actors and actors[k.index].kind == "sector"
    ]


def _host(news: NewsDoc, sentence: Sentence, verb: Token) -> list[_Actor]:
    """The state whose capital officials arrive in ("прибыли в Баку"): the host of a visit."""
    entries = actor_entries(LANGUAGE)
    for child in sentence.kids(verb, "obl"):
        entry = entries.get((child.lemma,))
        if entry is not None and entry.kind == "metonym" and sentence.case_of(child) == "в":
            ref = actor_ref(
                news.article.text[child.start : child.end], child.start, child.end, entry
            )
            return [_Actor(ref, range(child.index, child.index + 1), "metonym", entry)]
    return []


def _governor(sentence: Sentence, trigger: _Trigger) -> Token:
    """The verb that governs a nominal trigger or an infinitive under a noun: "приступили к
    разминированию" → приступили, "обвинил … в попытке захватить" → обвинил."""
    token = trigger.token
    if trigger.nominal:
        node = trigger.verb
    elif token.feats.get("VerbForm") == "Inf" and token.head >= 0:
        node = sentence.tokens[token.head]
        if node.pos not in ("NOUN", "PROPN"):
            return trigger.verb
    else:
        return trigger.verb
    for _ in range(3):
        if node.pos in ("VERB", "AUX") or node.head < 0:
            break
        node = sentence.tokens[node.head]
    return node if node.pos in ("VERB", "AUX") else trigger.verb


def _governs(sentence: Sentence, head: Token, token: Token) -> bool:
    """Whether ``token`` lies in the subtree of ``head`` (and is not ``head``)."""
    node, steps = token, 0
    while node.head >= 0 and steps < 50:
        node = sentence.tokens[node.head]
        if node.index == head.index:
            return True
        steps += 1
    return False


def _denier(sentence: Sentence, token: Token, denials: set[int]) -> Token | None:
    """The denial verb above an act ("опровергло сообщения о том, что … обстреляли")."""
    node, steps = token, 0
    while node.head >= 0 and steps < 6:
        node = sentence.tokens[node.head]
        if node.index in denials:
            return node
        steps += 1
    return None


def _clause(sentence: Sentence, verb: Token) -> list[Token]:
    """The words after ``verb`` up to the next finite verb (the parser may attach the object of
    a handover anywhere in them)."""
    out: list[Token] = []
    for token in sentence.tokens[verb.index + 1 :]:
        if token.pos == "VERB" and token.feats.get("VerbForm") == "Fin":
            break
        out.append(token)
    return out


def _negated(sentence: Sentence, token: Token) -> bool:
    return any(child.lemma == "не" for child in sentence.kids(token))


def _future(sentence: Sentence, verb: Token) -> bool:
    if verb.feats.get("Tense") == "Fut":
        return True
    # The analytic future "будет поддерживать": natasha may tag "будет" as present.
    return any(
        child.lemma == "быть"
        and (child.feats.get("Tense") == "Fut" or child.text.lower().startswith("буд"))
        for child in sentence.kids(verb, "aux", "aux:pass")
    )


def _location(
    news: NewsDoc, sentence: Sentence, token: Token, arguments: list[_Actor]
) -> dict[str, Any] | None:
    taken = {(a.ref.start, a.ref.end) for a in arguments}
    return nearest_location(news.places, sentence.start, sentence.end, token.start, taken)
