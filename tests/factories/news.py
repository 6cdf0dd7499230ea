"""News test inputs: the seed article, its expected result, one sentence through the pipeline.

The ``extractor`` fixture (one spaCy model per process) is in tests/conftest.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ceasefire.news.extract import NewsExtractor
    from ceasefire.news.pipeline import NewsDoc

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA = REPO_ROOT / "tests" / "data"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SEED = DATA / "asharq-al-awsat-2020-11-26-nagorno-karabakh.txt"
SEED_EXPECTED = DATA / "asharq-al-awsat-2020-11-26-nagorno-karabakh.expected.json"


def sentence(extractor: NewsExtractor, text: str, day: date | None = date(2020, 11, 26)) -> NewsDoc:
    """Run the pipeline over one sentence dated ``day`` (a Thursday by default)."""
    return extractor.extract_sentence(text, day=day)


# A claimed shelling with casualties: one event of violence among talk.
SHELLING = """Shelling reported near Tartar

Thursday, 26 November, 2020 - 10:00

Azerbaijan's defence ministry said on Wednesday that Armenian forces had shelled the town of \
Tartar with artillery, killing two civilians and wounding five.

Armenia's defence ministry denied that its forces had opened fire.

Russian and Turkish officers of the joint monitoring centre said they would look into the \
incident.
"""
