"""news.quotes.v1: direct and indirect quotes with their speakers.

Direct quotes are the words between quotation marks (of four words or more: shorter ones are
scare quotes inside a sentence); their speaker is the subject of the speech verb next to
them in the paragraph. Indirect quotes are the clause a speech verb reports ("Erdogan said
he and Putin had discussed..."). Pronoun speakers are resolved across sentences: "He said"
is the last person quoted, or else the last person named.
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc, Span, Token

from ceasefire.news.components.actors import ActorResolver
from ceasefire.news.components.syntax import is_pronoun, sentence_of, sentence_starts
from ceasefire.news.model import ActorRef, Quote, SentenceRef
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register
from ceasefire.news.sources import load_package_yaml

NAME = "news.quotes.v1"
# A quote holds no opening mark of its kind: a paragraph of openers that never close is
# then read once (each attempt stops at the next opener), not once per opener (quadratic:
# 20,000 of them took 3.6 s, an article's 5 MiB would take days). A mark opened inside a
# quote of the same kind starts the quote anew.
_QUOTED = re.compile(r"“([^“”]{3,}?)”|\"([^\"]{3,}?)\"|«([^«»]{3,}?)»|‘([^‘’]{12,}?)’(?!\w)")
_MIN_DIRECT_WORDS = 4


@cache
def speech_verbs() -> frozenset[str]:
    return frozenset(load_package_yaml("triggers.yaml")["speech_verbs"])


@register(NAME, requires=["doc", "actors"], assigns=["quotes"])
def make_quotes(resources: PipelineResources) -> QuotesComponent:
    """Find quotes and attribute them to speakers."""
    return QuotesComponent()


def sentence_ref(news: NewsDoc, sent: Span) -> SentenceRef:
    text = sent.text.rstrip()
    block = news.article.block_at(sent.start_char)
    return SentenceRef(
        text=text,
        start=sent.start_char,
        end=sent.start_char + len(text),
        section=block.kind if block else None,
    )


def _direct(
    news: NewsDoc,
    doc: Doc,
    span: tuple[int, int],
    speaker: ActorRef | None = None,
    cue: str | None = None,
    how: str | None = None,
) -> Quote:
    """The direct quote in quotation marks at ``span``, with its speaker if one was found."""
    return Quote(
        text=news.article.text[span[0] : span[1]],
        start=span[0],
        end=span[1],
        kind="direct",
        speaker=speaker,
        cue=cue,
        sentence=_sentence_at(news, doc, span[0]),
        speaker_resolved_from=how,
    )


def _sentence_at(news: NewsDoc, doc: Doc, offset: int) -> SentenceRef:
    token = next(t for t in doc if t.idx + len(t.text) > offset)
    if "sentence_starts" not in news.scratch:
        news.scratch["sentence_starts"] = sentence_starts(doc)
    starts = news.scratch["sentence_starts"]
    return sentence_ref(news, sentence_of(token, starts))


class QuotesComponent:
    def __call__(self, news: NewsDoc) -> NewsDoc:
        doc = news.doc
        resolver = news.scratch.get("resolver")
        if doc is None or not isinstance(resolver, ActorResolver):
            return news
        text = news.article.text  # Doc.text rebuilds the string on every access
        quotes: list[Quote] = []
        direct_spans: list[tuple[int, int]] = []
        last_speaker: ActorRef | None = None
        last_speaker_at = -1
        verbs = speech_verbs()
        for block in news.article.blocks:
            for match in _QUOTED.finditer(block.text):
                group = next(i for i in range(1, 5) if match.group(i) is not None)
                start = block.start + match.start(group)
                end = block.start + match.end(group)
                words = len(match.group(group).split())
                if words < _MIN_DIRECT_WORDS:
                    continue
                direct_spans.append((start, end))
        # Walk sentences in order so pronouns find the speakers before them.
        pending: list[tuple[int, int]] = sorted(direct_spans)
        for sent in doc.sents:
            for token in sent:
                if token.lemma_ not in verbs or token.pos_ not in {"VERB", "AUX"}:
                    continue
                if _inside(token.idx, direct_spans):
                    continue
                subject = _subject(token)
                if subject is None or resolver.is_credit(subject):
                    continue
                speaker, how = self._speaker(subject, resolver, last_speaker, last_speaker_at)
                # Direct quotes this verb introduces: in the same paragraph, adjacent.
                attached = [
                    span for span in pending if _same_block(news, span[0], token.idx)
                    and _adjacent(text, span, token)
                ]  # fmt: skip
                for span in attached:
                    pending.remove(span)
                    quotes.append(_direct(news, doc, span, speaker, token.text, how))
                complement = _complement(token)
                if complement is not None:
                    first, last = complement[0], complement[-1]
                    c_start, c_end = first.idx, last.idx + len(last.text)
                    c_end = _close_quote(text, c_start, c_end)
                    if not _mostly_inside(c_start, c_end, direct_spans):
                        quotes.append(
                            Quote(
                                text=text[c_start:c_end],
                                start=c_start,
                                end=c_end,
                                kind="indirect",
                                speaker=speaker,
                                cue=token.text,
                                sentence=sentence_ref(news, sent),
                                speaker_resolved_from=how,
                            )
                        )
                if (speaker is not None and speaker.sector != "MED" and attached) or (
                    speaker is not None and complement is not None
                ):
                    last_speaker = speaker
                    last_speaker_at = token.i
        # Quoted words inside a reported clause belong to it ("taken “to a different level”").
        indirect = [(q.start, q.end) for q in quotes if q.kind == "indirect"]
        pending = [s for s in pending if not any(a <= s[0] and s[1] <= b for a, b in indirect)]
        for span in pending:
            quotes.append(_direct(news, doc, span))
        news.quotes = sorted(quotes, key=lambda q: q.start)
        return news

    def _speaker(
        self,
        subject: Token,
        resolver: ActorResolver,
        last_speaker: ActorRef | None,
        last_speaker_at: int,
    ) -> tuple[ActorRef | None, str | None]:
        if is_pronoun(subject):
            if subject.lower_ in {"he", "she"} and last_speaker is not None and last_speaker.id:
                return last_speaker, f"{subject.text} → previous speaker"
            antecedent = resolver.antecedent(subject)
            if antecedent is not None:
                return antecedent, f"{subject.text} → nearest mention"
            return None, None
        described = _described_person(subject, resolver)
        if described is not None:
            return described
        ref = resolver.resolve_loose(subject)
        if ref is None:
            tokens = [t for t in subject.subtree if t.dep_ not in {"relcl", "punct"}]
            start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            ref = ActorRef(
                text=subject.doc[tokens[0].i : tokens[-1].i + 1].text,
                code=None,
                sector=None,
                start=start,
                end=end,
            )
        return ref, None


def _described_person(subject: Token, resolver: ActorResolver) -> tuple[ActorRef, str] | None:
    """The person a speaker described by a possessive and a noun is, when the text names one.

    "His counterpart", "her spokesman", "their leader" describe a person and name none: an
    apposition names him ("His counterpart, Ana Lima, said"), or else the nearest person
    named earlier with the same noun ("spokesman Tom Berg", "Tom Berg, the spokesman").
    None when the phrase is no such description or no name is found (the description
    then stays the speaker).
    """
    if subject.pos_ != "NOUN" or not any(
        c.dep_ == "poss" and c.pos_ == "PRON" for c in subject.children
    ):
        return None
    for child in subject.children:
        if child.dep_ == "appos" and _is_person(child, resolver):
            ref = resolver.resolve_loose(child)
            if ref is not None:
                return ref, f"{_phrase(subject)} → apposition"
    noun = subject.lemma_.lower()
    first = min(t.i for t in subject.subtree)
    for token in reversed(subject.doc[:first]):
        if token.pos_ != "NOUN" or token.lemma_.lower() != noun:
            continue
        linked = [c for c in token.children if c.dep_ in {"appos", "compound"}]
        if token.dep_ in {"appos", "compound"}:
            linked.append(token.head)
        for person in linked:
            if _is_person(person, resolver):
                ref = resolver.resolve_loose(person)
                if ref is not None:
                    how = f"{_phrase(subject)} → earlier {token.text}"
                    return ref, how
    return None


def _is_person(token: Token, resolver: ActorResolver) -> bool:
    mention = resolver.mention_at.get(token.i)
    if mention is not None:
        return mention.kind == "person"
    return token.ent_type_ == "PERSON"


def _phrase(subject: Token) -> str:
    tokens = [t for t in subject.subtree if t.i <= subject.i]
    return subject.doc[tokens[0].i : subject.i + 1].text


def _subject(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            return child
    # "..., said Erdogan" is parsed with the speaker as an object or attribute at times.
    for child in verb.children:
        if child.dep_ in {"dobj", "attr"} and child.i > verb.i and child.pos_ == "PROPN":
            return child
    return None


def _complement(verb: Token) -> list[Token] | None:
    for child in verb.children:
        if child.dep_ == "ccomp" and child.i > verb.i:
            tokens = list(child.subtree)
            while tokens and (
                tokens[0].lower_ == "that"
                or (tokens[0].is_punct and tokens[0].text not in {"“", '"'})
            ):
                tokens = tokens[1:]
            while tokens and tokens[-1].is_punct and tokens[-1].text not in {"”", '"'}:
                tokens = tokens[:-1]
            if len(tokens) >= 3:
                return tokens
    return None


def _close_quote(text: str, start: int, end: int) -> int:
    """Extend a reported clause over the closing quotation mark it opened (“... whatsoever.”)."""
    inside = text[start:end]
    if inside.count("“") <= inside.count("”"):
        return end
    tail = text[end : end + 3]
    close = tail.find("”")
    return end + close + 1 if close >= 0 and not tail[:close].strip(".,!?") else end


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= offset < end for start, end in spans)


def _mostly_inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    covered = sum(max(0, min(end, e) - max(start, s)) for s, e in spans)
    return covered > 0.6 * (end - start)


def _same_block(news: NewsDoc, a: int, b: int) -> bool:
    block_a = news.article.block_at(a)
    return block_a is not None and block_a is news.article.block_at(b)


def _adjacent(text: str, span: tuple[int, int], verb: Token) -> bool:
    """The speech verb sits right after the quote ("...,” Erdogan said") or just before it."""
    if verb.idx >= span[1]:
        gap = text[span[1] : verb.idx]
        return len(gap) < 60 and "." not in gap.strip(" ,.”\"'’")
    gap = text[verb.idx + len(verb.text) : span[0]]
    return len(gap) < 40
