"""news.parse.v1: run the spaCy model over the article's blocks.

Each block (title, caption, body paragraph) is parsed on its own so no sentence crosses a
block, then the parses are joined into one Doc whose text is exactly ``Article.text``.
"""

from __future__ import annotations

from spacy.tokens import Doc
from threadpoolctl import ThreadpoolController

from ceasefire.news.article import BLOCK_SEPARATOR
from ceasefire.news.pipeline import NewsDoc, PipelineResources, register

NAME = "news.parse.v1"


@register(NAME, requires=["article"], assigns=["doc"])
def make_parser(resources: PipelineResources) -> ParseComponent:
    """Tokenise, tag, parse and name entities with the pinned spaCy model."""
    return ParseComponent(resources)


class ParseComponent:
    def __init__(self, resources: PipelineResources) -> None:
        self.nlp = resources.nlp
        # Found once (numpy's OpenBLAS is loaded with the model): ``threadpool_limits`` looks
        # for the libraries on every call, 1.5 ms, a quarter of a one-sentence parse.
        self._blas = ThreadpoolController()

    def __call__(self, news: NewsDoc) -> NewsDoc:
        return next(iter(self.pipe([news])))

    def pipe(self, batch: list[NewsDoc]) -> list[NewsDoc]:
        """Parse the blocks of several articles in one ``nlp.pipe`` stream."""
        texts: list[str] = []
        counts: list[int] = []
        for news in batch:
            blocks = news.article.blocks
            texts.extend(
                block.text + (BLOCK_SEPARATOR if index < len(blocks) - 1 else "")
                for index, block in enumerate(blocks)
            )
            counts.append(len(blocks))
        # The model's small matrix products (``load_model``: numpy's OpenBLAS) cost twice the
        # CPU on two OpenBLAS threads as on one, the second only waiting (as natasha's).
        with self._blas.limit(limits=1, user_api="blas"):
            parsed = iter(self.nlp.pipe(texts))
            for news, count in zip(batch, counts, strict=True):
                docs = [next(parsed) for _ in range(count)]
                news.doc = Doc.from_docs(docs) if len(docs) > 1 else docs[0]
        return batch
