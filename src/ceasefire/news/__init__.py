"""News: articles parsed and analysed offline into structured events, then ingested."""

from ceasefire.areas import Area

AREA = Area.conventional(__name__, checker=False)
