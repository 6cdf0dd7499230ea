"""Quotes of the suffixing languages (``news.quotes.az.v1``, ``news.quotes.hy.v1``).

Azerbaijani and Armenian agencies attribute words in three ways, which this finds without a
parser, from the language's :class:`~ceasefire.news.lang.suffixed.Grammar` and the speech
and quote verbs of its lexicon:

* a quotation followed by a dash and its verb: «…», – deyə X bildirib / «…», – X deyib;
  «…», – ասել է X-ը (the speaker before or after the verb, in the same sentence);
* a sentence ending in a colon (or, in Armenian, a full stop) before a quotation:
  "X deyib: «…»", "X-ը հայտարարել է. «…»";
* an indirect quote, the clause after a speech verb and its complementizer: "X bildirib ki,
  …", "X-ը նշել է, որ …".

The speaker is the person the actor dictionary finds in the attribution, else its last run of
capitalised words ("Anar Eyvazov", "Արամ Թորոսյանը"); a pronoun ("o", "նա") or a title alone
("Nazir", "Նախարարը", "Sözçü") is the last speaker of the article, else the last person it
named.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from ceasefire.news.lang.common import block_quote
from ceasefire.news.lang.tr import Sentence, Token
from ceasefire.news.model import ActorRef, Quote
from ceasefire.news.pipeline import NewsDoc

if TYPE_CHECKING:
    from ceasefire.news.lang.suffixed import Coder
    from ceasefire.news.lang.tr import Actor

_QUOTED = re.compile(r"[«“\"]([^«»“”\"\n]+)[»”\"]")
_DASHES = frozenset({"–", "—", "-", "―"})
_ENDS = frozenset({".", "!", "?", "։", "…"})
_LEADS = (":", ".", "․", "։")  # what stands before a quotation its previous sentence introduces


class QuoteFinder:
    """The quotes of one article in a suffixing language."""

    def __init__(
        self,
        coder: Coder,
        news: NewsDoc,
        sentences: list[Sentence],
        actors: list[list[Actor]],
    ) -> None:
        self.coder = coder
        self.news = news
        self.text = news.article.text
        self.sentences = sentences
        self.actors = actors
        self.component = f"news.quotes.{coder.grammar.language}.v1"
        self.previous: ActorRef | None = None  # the last speaker found

    def find(self) -> list[Quote]:
        spans = [
            (m.start(1), m.end(1), m)
            for m in _QUOTED.finditer(self.text)
            if len(m.group(1).split()) >= 3  # a scare quote or a name is no quotation
        ]
        found: list[Quote] = []
        for number, sentence in enumerate(self.sentences):
            for start, end, match in spans:
                if sentence.start <= match.start() < sentence.end:
                    quote = self._direct(number, start, end, match)
                    if quote is not None:
                        found.append(quote)
            if any(s <= sentence.start and sentence.end <= e + 1 for s, e, _ in spans):
                continue  # a sentence inside a quotation
            quote = self._indirect(number, sentence, [(s, e) for s, e, _ in spans])
            if quote is not None:
                found.append(quote)
        return sorted(found, key=lambda q: q.start)

    # -- the three forms --------------------------------------------------------------------

    def _direct(self, number: int, start: int, end: int, match: re.Match[str]) -> Quote | None:
        tail = self._tail(number, match.end())
        if tail and tail[0].base in _DASHES:
            cue = self._verb_in(tail)
            if cue is not None:
                speaker, how = self._speaker(tail, number)
                return self._quote(start, end, "direct", speaker, cue, how)
        before = self.text[: match.start()].rstrip()
        if before.endswith(_LEADS) and number > 0:
            lead = self.sentences[number - 1].tokens
            if match.start() in range(self.sentences[number].start, self.sentences[number].end):
                lead = [t for t in self.sentences[number].tokens if t.end <= match.start()] or lead
            cue = self._verb_in(lead)
            if cue is not None:
                speaker, how = self._speaker(lead, number)
                return self._quote(start, end, "direct", speaker, cue, how)
        return None

    def _indirect(
        self, number: int, sentence: Sentence, quoted: list[tuple[int, int]]
    ) -> Quote | None:
        """ "X bildirib ki, …", "X-ը նշել է, որ …": the clause after the complementizer."""
        grammar = self.coder.grammar
        tokens = sentence.tokens
        skip = grammar.auxiliaries | {","}
        for token in tokens:
            if token.base not in grammar.complementizers or token.index < 1:
                continue
            verb_end = token.index - 1
            while verb_end > 0 and tokens[verb_end].base in skip:
                verb_end -= 1
            verb = self._verb_ending(tokens, verb_end)
            if verb is None:
                continue
            clause = [
                t
                for t in tokens[token.index + 1 :]
                if t.base not in _ENDS and not any(s <= t.start < e for s, e in quoted)
            ]
            while clause and clause[0].base == ",":
                clause = clause[1:]
            if len(clause) < 2:
                return None
            cue = " ".join(t.text for t in tokens[verb : token.index + 1])
            speaker, how = self._speaker(tokens[:verb], number)
            first, last = clause[0], clause[-1]
            return self._quote(first.start, last.end, "indirect", speaker, cue, how)
        return None

    # -- attribution ------------------------------------------------------------------------

    def _tail(self, number: int, offset: int) -> list[Token]:
        """The tokens after ``offset`` to the end of its sentence (the next one's when the
        quotation ends its own)."""
        for sentence in self.sentences[number:]:
            after = [t for t in sentence.tokens if t.start >= offset]
            after = [t for t in after if t.base not in {"»", "”", '"', ","}]
            if after:
                return after
        return []

    def _verb_in(self, tokens: list[Token]) -> str | None:
        """The words of the first quote verb among ``tokens``, None when there is none."""
        for token in tokens:
            sentence = self._sentence_of(token).tokens
            hit = self.coder.phrase_at(sentence, token.index, self.coder.quote_verbs)
            if hit is not None:
                return " ".join(t.text for t in sentence[token.index : hit[1] + 1])
        return None

    def _verb_ending(self, tokens: list[Token], index: int) -> int | None:
        """The first index of a quote verb whose last word is ``tokens[index]``."""
        for first in range(max(0, index - 3), index + 1):
            hit = self.coder.phrase_at(tokens, first, self.coder.quote_verbs)
            if hit is not None and hit[1] == index:
                return first
        return None

    def _sentence_of(self, token: Token) -> Sentence:
        return next(s for s in self.sentences if s.start <= token.start < s.end)

    def _speaker(self, tokens: list[Token], number: int) -> tuple[ActorRef | None, str]:
        """The speaker named among ``tokens`` (the attribution)."""
        grammar = self.coder.grammar
        if not tokens:
            return self.previous, "last speaker"
        sentence = self._sentence_of(tokens[0])
        ours = {t.start for t in tokens}
        index = self.sentences.index(sentence)
        here = [
            a
            for a in (self.actors[index] if index < len(self.actors) else [])
            if sentence.tokens[a.first].start in ours
        ]
        people = [a for a in here if a.kind == "person"]
        if people:
            return self._said(people[-1].ref), "speech verb"
        if any(t.base in grammar.pronouns for t in tokens):
            return self.previous or self._last_person(tokens[0].start), "pronoun"
        named = [a for a in here if a.case == "nom" and a.kind in ("sector", "organisation")]
        run = self._last_run(tokens, sentence)
        if run is not None:
            return self._said(run), "speech verb"
        if named:
            return self._said(named[-1].ref), "speech verb"
        return self.previous or self._last_person(tokens[0].start), "title"

    def _said(self, ref: ActorRef) -> ActorRef:
        self.previous = ref
        return ref

    def _last_run(self, tokens: list[Token], sentence: Sentence) -> ActorRef | None:
        """The last run of capitalised words, unless it is the sentence's first word alone
        and a title ("Nazir", "Նախարարը")."""
        runs = [r for r in _runs(tokens) if not self._is_place(r)]
        if not runs:
            return None
        run = runs[-1]
        if len(run) == 1 and run[0].index == 0 and self.coder.sector_at(sentence.tokens, 0):
            return None  # "Nazir deyib", "Sözçü əlavə edib ki": the last speaker
        start, end = run[0].start, run[-1].end
        return ActorRef(text=self.text[start:end], code=None, sector=None, start=start, end=end)

    def _is_place(self, run: list[Token]) -> bool:
        return all(any(p.start <= t.start < p.end for p in self.news.places) for t in run)

    def _last_person(self, offset: int) -> ActorRef | None:
        """The last person the article named before ``offset`` (by the actor dictionary,
        else a run of two or more capitalised words)."""
        best: ActorRef | None = None
        for number, sentence in enumerate(self.sentences):
            if sentence.start >= offset:
                break
            for actor in self.actors[number] if number < len(self.actors) else []:
                if actor.kind == "person":
                    best = actor.ref
            tokens = [t for t in sentence.tokens if t.end <= offset]
            for run in _runs(tokens):
                if len(run) > 1 and run[0].index > 0 and not self._is_place(run):
                    start, end = run[0].start, run[-1].end
                    if best is None or best.start < start:
                        best = ActorRef(
                            text=self.text[start:end], code=None, sector=None, start=start, end=end
                        )
        return best

    def _quote(
        self,
        start: int,
        end: int,
        kind: Literal["direct", "indirect"],
        speaker: ActorRef | None,
        cue: str,
        how: str,
    ) -> Quote:
        return block_quote(
            self.news, self.text[start:end], (start, end), kind, speaker, cue, how, self.component
        )


def _runs(tokens: list[Token]) -> list[list[Token]]:
    runs: list[list[Token]] = []
    for token in tokens:
        if token.capitalised and token.base.isalpha():
            if runs and runs[-1][-1].index == token.index - 1:
                runs[-1].append(token)
            else:
                runs.append([token])
    return runs
