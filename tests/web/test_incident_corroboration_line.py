"""The incident page's corroboration line and grouping decisions read as sentences in the
reader's language: "Bağımsız kaynak: 1 — 1 izleme görevlisi", not "…: 1: 1 …", and
a decision with no score shows a dash before its threshold, not a bare "/ eşik 3.0"."""

from __future__ import annotations

import html
import re

from ceasefire.db.context import ServiceContext
from ceasefire.fusion import service as fusion
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.reports import shelling_body
from tests.web.conftest import Browser


def _text(page: str, section: str) -> str:
    found = re.search(rf'<section id="{section}">.*?</section>', page, re.S)
    assert found is not None, page[-2000:]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def test_a_fused_incidents_sources_and_decisions_read_in_turkish(
    ctx: ServiceContext, cast: Cast, browsers: dict[str, Browser]
) -> None:
    turkey = cast.viewer(ctx, "tur")
    report = reports.submit_report(ctx, turkey, shelling_body()).report
    fusion.drain(ctx)
    fused = reports.get_report(ctx, turkey, report.id).incident_id
    assert fused is not None
    page = browsers["tur"].client.get(f"/incidents/{fused}?lang=tr").text
    sources = _text(page, "corroboration")
    assert "Bağımsız kaynak: 1 — 1 izleme görevlisi (" in sources, sources
    assert ": 1: " not in sources
    assert re.search(r"yeni olay .* — / eşik \d", sources), sources
