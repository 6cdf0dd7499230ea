"""news.quotes.v2: v1's quotes, with the attributions news writing spreads over paragraphs.

What changes from ``news.quotes.v1``:

* A quotation that runs over paragraphs (the paragraph ends without a closing mark and the
  next one opens with a new opening mark, the news convention) is **one** quote, from its
  first opening mark to its last closing mark.
* A quote standing alone in its paragraph, with no speech verb of its own, takes the
  speaker of the last "X said:" before it; failing that, the speaker of the previous
  paragraph's quote (``speaker_resolved_from`` says which). A quote after an attributed
  quote in the same paragraph goes on with its speaker.
* "according to X" attributes its sentence to X: the quotes of the sentence that have no
  speaker take X, and the sentence without the "according to" phrase is an indirect quote
  of X when no other quote covers it.
* A reported clause before its speech verb ("The convoy arrived on Thursday, the agency
  said") is an indirect quote too (v1 reads only the clause after the verb).
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from ceasefire.news.components.actors import ActorResolver
from ceasefire.news.components.quotes import (
    QuotesComponent,
    _sentence_at,
    _subject,
    sentence_ref,
    speech_verbs,
)
from ceasefire.news.model import ActorRef, Quote
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.quotes.v2"
_OPEN, _CLOSE = "“", "”"
_ALONE_SLACK = 40  # characters of a paragraph outside its quote that still leave it "alone"


@register(NAME, requires=["doc", "actors"], assigns=["quotes"])
def make_quotes_v2(resources: PipelineResources) -> QuotesV2Component:
    """Quotes of v1 plus multi-paragraph quotes, lone quotes and "according to"."""
    return QuotesV2Component()


class QuotesV2Component(QuotesComponent):
    def __call__(self, news: NewsDoc) -> NewsDoc:
        news = super().__call__(news)
        doc = news.doc
        resolver = news.scratch.get("resolver")
        if doc is None or not isinstance(resolver, ActorResolver):
            return news
        quotes = self._join_paragraphs(news, doc, list(news.quotes))
        self._lone_quotes(news, doc, resolver, quotes)
        quotes = self._according_to(news, doc, resolver, quotes)
        quotes = self._reported_before(news, doc, resolver, quotes)
        for quote in quotes:
            quote.component = NAME
        news.quotes = sorted(quotes, key=lambda q: q.start)
        return news

    # --- quotes over paragraphs ----------------------------------------------------------

    def _join_paragraphs(self, news: NewsDoc, doc: Doc, quotes: list[Quote]) -> list[Quote]:
        text = news.article.text
        blocks = news.article.blocks
        index = 0
        while index < len(blocks):
            block = blocks[index]
            opened = block.text.rfind(_OPEN)
            if opened < 0 or block.text.find(_CLOSE, opened) >= 0:
                index += 1
                continue
            # An opening mark left open: the quote goes on while the next paragraphs open
            # with a quotation mark, up to the first closing mark.
            end = None
            last = index
            for follow in range(index + 1, len(blocks)):
                following = blocks[follow].text.lstrip()
                if not following.startswith(_OPEN):
                    break
                last = follow
                close = following.find(_CLOSE, 1)
                if close >= 0:
                    end = blocks[follow].start + (len(blocks[follow].text) - len(following)) + close
                    break
            if end is None or last == index:
                index += 1
                continue
            start = block.start + opened + 1
            inside = [q for q in quotes if q.kind == "direct" and start <= q.start and q.end <= end]
            speaker = next((q.speaker for q in inside if q.speaker is not None), None)
            how = next((q.speaker_resolved_from for q in inside if q.speaker is not None), None)
            cue = next((q.cue for q in inside if q.speaker is not None), None)
            quotes = [q for q in quotes if q not in inside]
            quotes.append(
                Quote(
                    text=text[start:end], start=start, end=end, kind="direct", speaker=speaker,
                    cue=cue, sentence=_sentence_at(news, doc, start), speaker_resolved_from=how,
                )
            )  # fmt: skip
            index = last + 1
        return quotes

    # --- a quote alone in its paragraph ------------------------------------------------

    def _lone_quotes(
        self, news: NewsDoc, doc: Doc, resolver: ActorResolver, quotes: list[Quote]
    ) -> None:
        colon_speakers = self._colon_speakers(doc, resolver)
        for quote in sorted(quotes, key=lambda q: q.start):
            if quote.kind != "direct" or quote.speaker is not None:
                continue
            block = news.article.block_at(quote.start)
            if block is None:
                continue
            outside = len(block.text) - (min(quote.end, block.end) - quote.start)
            if outside > _ALONE_SLACK:
                # "“…,” said X, the mayor. “…”": a quote after an attributed one in the
                # same paragraph goes on with the same speaker.
                earlier = [
                    q for q in quotes
                    if q.kind == "direct" and q.speaker is not None and q.end <= quote.start
                    and news.article.block_at(q.start) is block
                ]  # fmt: skip
                if earlier:
                    quote.speaker = earlier[-1].speaker
                    quote.speaker_resolved_from = "earlier quote of the paragraph"
                continue
            before = [(at, ref) for at, ref in colon_speakers if at < quote.start]
            if before:
                quote.speaker = before[-1][1]
                quote.speaker_resolved_from = "last 'said:' before the paragraph"
                continue
            previous = [
                q for q in quotes
                if q.speaker is not None and q.start < block.start and q is not quote
            ]  # fmt: skip
            if previous:
                nearest = max(previous, key=lambda q: q.start)
                prev_block = news.article.block_at(nearest.start)
                index = news.article.blocks.index(block)
                if (
                    prev_block is not None
                    and index > 0
                    and news.article.blocks[index - 1] is prev_block
                ):
                    quote.speaker = nearest.speaker
                    quote.speaker_resolved_from = "speaker of the previous paragraph"

    def _colon_speakers(self, doc: Doc, resolver: ActorResolver) -> list[tuple[int, ActorRef]]:
        """Speakers of "X said:" / "X told reporters:", by offset of the colon."""
        verbs = speech_verbs()
        out: list[tuple[int, ActorRef]] = []
        for token in doc:
            if token.lemma_ not in verbs or token.pos_ not in {"VERB", "AUX"}:
                continue
            colon = _colon_after(token)
            if colon is None:
                continue
            subject = _subject(token)
            if subject is None or resolver.is_credit(subject):
                continue
            speaker, _ = self._speaker(subject, resolver, None, -1)
            if speaker is not None:
                out.append((colon.idx, speaker))
        return out

    # --- "according to X" ----------------------------------------------------------------

    def _according_to(
        self, news: NewsDoc, doc: Doc, resolver: ActorResolver, quotes: list[Quote]
    ) -> list[Quote]:
        text = news.article.text
        for token in doc:
            if token.lower_ != "according" or token.i + 1 >= len(doc):
                continue
            to = doc[token.i + 1]
            if to.lower_ != "to":
                continue
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            if pobj is None:
                continue
            speaker = resolver.resolve_loose(pobj)
            if speaker is None:
                tokens = list(pobj.subtree)
                speaker = ActorRef(
                    text=doc[tokens[0].i : tokens[-1].i + 1].text, code=None, sector=None,
                    start=tokens[0].idx, end=tokens[-1].idx + len(tokens[-1].text),
                )  # fmt: skip
            sent = token.sent
            in_sentence = [
                q for q in quotes if sent.start_char <= q.start < sent.end_char
            ]  # fmt: skip
            for quote in in_sentence:
                if quote.speaker is None:
                    quote.speaker = speaker
                    quote.cue = "according to"
                    quote.speaker_resolved_from = "according to"
            if in_sentence:
                continue
            phrase = list(pobj.subtree)
            phrase_start = token.idx
            phrase_end = phrase[-1].idx + len(phrase[-1].text)
            start, end = sent.start_char, sent.start_char + len(sent.text.rstrip())
            if phrase_start <= start + 1:
                start = phrase_end
            elif phrase_end >= end - 2:
                end = phrase_start
            start, end = _trim(text, start, end)
            if end - start < 12:
                continue
            quotes.append(
                Quote(
                    text=text[start:end], start=start, end=end, kind="indirect",
                    speaker=speaker, cue="according to", sentence=sentence_ref(news, sent),
                    speaker_resolved_from="according to",
                )
            )  # fmt: skip
        return quotes

    def _reported_before(
        self, news: NewsDoc, doc: Doc, resolver: ActorResolver, quotes: list[Quote]
    ) -> list[Quote]:
        """ "The convoy arrived on Thursday, the agency said": the clause before the verb."""
        text = news.article.text
        verbs = speech_verbs()
        for token in doc:
            if token.lemma_ not in verbs or token.pos_ not in {"VERB", "AUX"}:
                continue
            clause = next((c for c in token.children if c.dep_ == "ccomp" and c.i < token.i), None)
            # The subject nearest before the verb ("…, local officials said"): the parse
            # sometimes takes the reported clause's subject for the verb's too.
            before = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"}]
            before = [c for c in before if c.i < token.i]
            subject = before[-1] if before else _subject(token)
            if subject is None:
                continue
            if clause is not None and subject.i > clause.i:
                tokens = [t for t in clause.subtree if t.i < token.i]
            else:
                # The parse missed the clause ("Seven schools … reopened, the ministry
                # said" read as a noun phrase): the words before ", SUBJECT said" at the
                # end of a sentence are what was said.
                tokens = _before_final_attribution(token, subject)
            if not tokens:
                continue
            start, end = _trim(text, tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))
            if end - start < 12 or any(q.start < end and start < q.end for q in quotes):
                continue
            if resolver.is_credit(subject):
                continue
            speaker, how = self._speaker(subject, resolver, None, -1)
            quotes.append(
                Quote(
                    text=text[start:end], start=start, end=end, kind="indirect",
                    speaker=speaker, cue=token.text, sentence=sentence_ref(news, token.sent),
                    speaker_resolved_from=how,
                )
            )  # fmt: skip
        return quotes


def _before_final_attribution(verb: Token, subject: Token) -> list[Token]:
    """The words of a sentence before its closing ", the ministry said" (else none)."""
    sent = verb.sent
    first = min(t.i for t in subject.subtree)
    if verb.dep_ != "ROOT" or first < 2 or verb.i < first:
        return []
    comma = verb.doc[first - 1]
    after = [t for t in sent if t.i > verb.i and not t.is_punct]
    if comma.text != "," or len(after) > 3 or any(t.lemma_ == "that" for t in after):
        return []
    tokens = [t for t in sent if t.i < comma.i]
    if len(tokens) < 4 or not any(t.pos_ in {"VERB", "AUX"} for t in tokens):
        return []
    return tokens


def _colon_after(verb: Token) -> Token | None:
    """The colon that closes "X said:" / "X told journalists after the session:": the
    verb's sentence ends with it, with no other verb between."""
    for token in verb.doc[verb.i + 1 : verb.sent.end]:
        if token.text == ":":
            return token
        if token.pos_ in {"VERB", "AUX"} or (token.is_punct and token.text not in {",", "-"}):
            return None
    return None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:."):
        end -= 1
    return start, end


__all__ = ["NAME", "QuotesV2Component"]
