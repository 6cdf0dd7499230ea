"""The same HTML renders to the same PDF bytes, also a second later: WeasyPrint's font
subsets (fontTools, where HarfBuzz-Subset is missing) carried the time of day."""

from __future__ import annotations

import os
import time

from ceasefire.publish.render import render_pdf

HTML = (
    "<html><body style=\"font-family: 'DejaVu Sans'\">"
    "<h1>Отчёт — İstanbul</h1><p>Incidents: 3; ş ğ ı ç</p></body></html>"
)


def test_a_pdf_rendered_a_second_later_is_the_same_bytes() -> None:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    first = render_pdf(HTML)
    time.sleep(1.1)  # across a second boundary: the font head's time stamp has seconds
    assert render_pdf(HTML) == first
    # The fixed time stamp is set for the render only.
    assert os.environ.get("SOURCE_DATE_EPOCH") == before
