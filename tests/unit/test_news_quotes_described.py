"""Speakers described by a possessive and a noun ("his counterpart", "her spokesman").

Such a phrase describes a person and names none: the speaker is the person the text names
for it (an apposition, or the nearest earlier person named with the same noun), else the
description itself. Sentences written for these tests.
"""

from __future__ import annotations

import pytest

from ceasefire.news.extract import NewsExtractor
from tests.factories.news import sentence


@pytest.mark.parametrize(
    ("text", "speaker", "how"),
    [
        (
            "Her spokesman, Tomas Varga, said the talks would resume in Vienna next week.",
            "Tomas Varga",
            "Her spokesman → apposition",
        ),
        (
            "“The dams will be repaired before the first snow falls,” said his deputy, Ines "
            "Albrecht.",
            "Ines Albrecht",
            "his deputy → apposition",
        ),
        (
            "Tomas Varga, the spokesman, travelled to Graz with the chancellor on Tuesday. Her "
            "spokesman said the dams would be repaired before winter.",
            "Tomas Varga",
            "Her spokesman → earlier spokesman",
        ),
        # No name for the description: it stays the speaker.
        ("Their leader said the strike would go on until wages were paid.", "Their leader", None),
        # "Her counterpart" is someone other than the minister "her" refers to.
        (
            "Minister Lena Novak met her counterpart in Riga on Friday. Her counterpart said the "
            "border crossing would reopen in spring.",
            "Her counterpart",
            None,
        ),
    ],
)
def test_a_described_speaker_is_the_person_the_text_names(
    extractor: NewsExtractor, text: str, speaker: str, how: str | None
) -> None:
    quotes = sentence(extractor, text).quotes
    assert len(quotes) == 1, quotes
    assert quotes[0].speaker is not None
    assert quotes[0].speaker.text == speaker
    assert quotes[0].speaker_resolved_from == how
