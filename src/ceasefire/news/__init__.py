"""News: articles parsed and analysed offline into structured events, then ingested."""

from ceasefire.areas import Area

AREA = Area(
    name="news",
    tables="ceasefire.news.tables",
    router="ceasefire.news.api:router",
    commands="ceasefire.news.commands:register",
)
