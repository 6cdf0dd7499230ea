"""Why corroboration counts reports as one source, worded once for the incident page and
``fusion show``: the named reasons with their name, the others by their labels."""

from __future__ import annotations

import pytest

from ceasefire import i18n
from ceasefire.i18n.labels import source_reason
from ceasefire.web.pages import environment


@pytest.mark.parametrize(
    ("reason", "lang", "said"),
    [
        ("same wire: Reuters", "ru", "то же агентство: Reuters"),
        ("same outlet: apa.az", "tr", "aynı yayın organı: apa.az"),
        ("same observer", "ru", "тот же наблюдатель"),
        ("names no observer: counted alone", "en", "names no observer: counted alone"),
        ("a reason no table knows", "tr", "a reason no table knows"),
    ],
)
def test_a_reason_reads_alike_on_the_page_and_in_the_cli(reason: str, lang: str, said: str) -> None:
    assert source_reason(reason, lambda msgid: i18n.gettext(lang, msgid)) == said
    assert environment(lang).filters["source_reason"](reason) == said
