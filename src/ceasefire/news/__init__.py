"""News: articles parsed and analysed offline into structured events, then ingested."""

from dataclasses import replace

from ceasefire.areas import Area

AREA = replace(Area.conventional(__name__, checker=False), ledger_tags=f"{__name__}.events:NewsTag")
