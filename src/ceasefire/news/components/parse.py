"""news.parse.v1: run the spaCy model over the article's blocks.

Each block (title, caption, body paragraph) is parsed on its own so no sentence crosses a
block, then the parses are joined into one Doc whose text is exactly ``Article.text``.
"""

from __future__ import annotations

from spacy.tokens import Doc

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

    def __call__(self, news: NewsDoc) -> NewsDoc:
        blocks = news.article.blocks
        texts = [
            block.text + (BLOCK_SEPARATOR if index < len(blocks) - 1 else "")
            for index, block in enumerate(blocks)
        ]
        docs = list(self.nlp.pipe(texts))
        news.doc = Doc.from_docs(docs) if len(docs) > 1 else docs[0]
        return news
