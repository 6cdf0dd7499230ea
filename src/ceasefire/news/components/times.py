"""news.times.v1: time expressions, resolved against the article's date.

The tense of the verb an expression modifies decides the direction: "on Wednesday" under a
past-tense verb is the Wednesday before the article's date, under "will" the one after.
"""

from __future__ import annotations

from spacy.tokens import Token

from ceasefire.news.components.syntax import tense_of
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register
from ceasefire.news.timeexpr import Tense, TimeMention, time_mentions_by_tense

NAME = "news.times.v1"


@register(NAME, requires=["doc"], assigns=["times"])
def make_times(resources: PipelineResources) -> TimesComponent:
    """Resolve dates ("on Wednesday", "Nov. 10", "last week") against the article date."""
    return TimesComponent()


class TimesComponent:
    def __call__(self, news: NewsDoc) -> NewsDoc:
        doc = news.doc
        reference = news.reference_date
        if doc is None:
            return news
        if reference is None:
            news.notes.append(f"{NAME}: the article has no date; relative dates left unresolved")
            return news
        found: list[TimeMention] = []
        for sent in doc.sents:
            text = sent.text
            tenses: tuple[Tense, ...] = ("past", "present", "future")
            by_tense = time_mentions_by_tense(text, reference, tenses)
            for index, mention in enumerate(by_tense["past"]):
                start = sent.start_char + mention.start
                span = doc.char_span(start, start + len(mention.text), alignment_mode="expand")
                verb = _governing_verb(span.root) if span is not None else None
                tense: Tense = tense_of(verb) if verb is not None else "past"
                chosen = by_tense[tense][index] if index < len(by_tense[tense]) else mention
                found.append(
                    TimeMention(
                        text=chosen.text,
                        start=start,
                        end=start + len(chosen.text),
                        date=chosen.date,
                        precision=chosen.precision,
                    )
                )
        news.times = found
        return news


def _governing_verb(token: Token) -> Token | None:
    current = token
    for _ in range(8):
        if current.pos_ in {"VERB", "AUX"}:
            return current
        if current.head.i == current.i:
            return None
        current = current.head
    return None
