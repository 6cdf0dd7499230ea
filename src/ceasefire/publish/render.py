"""A digest rendered: HTML from the Jinja2 templates, charts and the map drawn by matplotlib
(Agg, no metadata), PDF by WeasyPrint.

Determinism: the same digest gives the same bytes. The HTML holds no time of generation;
the images are PNGs written without metadata and with fixed fonts (DejaVu Sans, which
carries Cyrillic and Turkish letters); the PDF gets a fixed identifier and no creation
date, and its embedded font subsets a fixed time stamp. docs/publishing.md says what is hashed.
"""

from __future__ import annotations

import base64
import io
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from ceasefire import i18n
from ceasefire.i18n import labels as value_labels
from ceasefire.i18n.templates import template_environment
from ceasefire.publish.model import VIOLATION_CATEGORIES, Comparison

TEMPLATES = Path(__file__).parent / "templates"
GENERATOR = "ceasefire.publish.v1"
"""The version of the rendering: a stored report names the one that produced it."""
FONT = "DejaVu Sans"


@cache
def environment(lang: str) -> Environment:
    env = template_environment(TEMPLATES, lang)
    translations = i18n.translations(lang)
    env.filters["label"] = lambda value, kind: value_labels.label(kind, value, translations.gettext)
    env.filters["day"] = lambda value: i18n.format_day(value, lang, fmt="d MMMM y")
    return env


def local(value: datetime, time_zone: str, lang: str) -> str:
    """An instant as the agreement's local time, in the reader's language."""
    return i18n.format_instant(value, lang, tz=time_zone, fmt="d MMM y HH:mm")


def signed(change: int) -> str:
    return f"+{change}" if change > 0 else str(change)


# ------------------------------------------------------------------------------ images


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": FONT,
            "font.size": 8,
            "svg.hashsalt": "ceasefire",
            "path.simplify": True,
        }
    )
    return plt


def _png(figure: Any) -> str:
    """A figure as a data URI; PNG without metadata, so the same figure is the same bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    _pyplot().close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def category_chart(rows: Sequence[Comparison], lang: str, labels: Sequence[str]) -> str | None:
    """Incidents per category, this period beside the previous one."""
    if not rows:
        return None
    plt = _pyplot()
    translate = i18n.translations(lang).gettext
    shown = list(rows)[:12]
    figure, axes = plt.subplots(figsize=(6.4, 0.32 * len(shown) + 0.9))
    positions = range(len(shown))
    axes.barh(
        [p + 0.2 for p in positions],
        [r.current for r in shown],
        0.4,
        color="#1f4e79",
        label=labels[0],
    )
    axes.barh(
        [p - 0.2 for p in positions],
        [r.previous for r in shown],
        0.4,
        color="#9db7d5",
        label=labels[1],
    )
    axes.set_yticks(list(positions))
    axes.set_yticklabels([value_labels.label("category", r.name, translate) for r in shown])
    axes.invert_yaxis()
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def trend_chart(trend: Sequence[tuple[date, int, int]], labels: Sequence[str]) -> str | None:
    """Incidents and violations per day (weekly and monthly summaries)."""
    if not trend:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 2.2))
    days = [d.strftime("%d.%m") for d, _, _ in trend]
    axes.plot(days, [n for _, n, _ in trend], color="#1f4e79", marker="o", label=labels[0])
    axes.plot(days, [v for _, _, v in trend], color="#b03a2e", marker="s", label=labels[1])
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.tick_params(axis="x", labelrotation=60)
    axes.legend(loc="upper left", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def _rings(geometry: dict[str, Any]) -> Iterable[tuple[list[float], list[float], bool]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        for ring in coords[:1]:
            yield [c[0] for c in ring], [c[1] for c in ring], True
    elif kind == "MultiPolygon":
        for polygon in coords:
            ring = polygon[0]
            yield [c[0] for c in ring], [c[1] for c in ring], True
    elif kind == "LineString":
        yield [c[0] for c in coords], [c[1] for c in coords], False
    elif kind == "MultiLineString":
        for line in coords:
            yield [c[0] for c in line], [c[1] for c in line], False
    elif kind == "Point":
        yield [coords[0]], [coords[1]], False


def map_image(
    zones: Sequence[Any],
    items: Sequence[Any],
    posts: Sequence[dict[str, Any]],
    labels: Sequence[str],
) -> str | None:
    """The agreement's zones, the period's incidents (violations in red) and, on the
    internal edition only, the posts; a local equirectangular view, no tiles."""
    points = [i for i in items if i.lat is not None and i.lon is not None]
    if not zones and not points:
        return None
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.4, 4.6))
    for zone in zones:
        for xs, ys, closed in _rings(zone.geometry):
            if closed:
                axes.fill(xs, ys, color="#d9e2ec", alpha=0.6, linewidth=0)
                axes.plot(xs, ys, color="#52667a", linewidth=0.6)
            else:
                axes.plot(xs, ys, color="#52667a", linewidth=1.0, linestyle="--")
        first = next(iter(_rings(zone.geometry)), None)
        if first is not None:
            xs, ys, _ = first
            axes.annotate(
                zone.name,
                (sum(xs) / len(xs), sum(ys) / len(ys)),
                fontsize=6,
                color="#33475b",
                ha="center",
            )
    violations = [i for i in points if i.category in VIOLATION_CATEGORIES]
    others = [i for i in points if i.category not in VIOLATION_CATEGORIES]
    layers = [
        # (longitudes, latitudes, marker size, marker, colour, z-order)
        ([i.lon for i in violations], [i.lat for i in violations], 18, "o", "#b03a2e", 3),
        ([i.lon for i in others], [i.lat for i in others], 14, "o", "#e69f00", 3),
        ([p["lon"] for p in posts], [p["lat"] for p in posts], 22, "^", "#1f4e79", 4),
    ]
    for (xs, ys, size, marker, colour, order), label in zip(layers, labels, strict=True):
        if xs:
            axes.scatter(xs, ys, s=size, marker=marker, color=colour, zorder=order, label=label)
    lats = [i.lat for i in points] + [p["lat"] for p in posts]
    for zone in zones:
        for _, ys, _ in _rings(zone.geometry):
            lats += ys
    if lats:
        middle = (min(lats) + max(lats)) / 2
        import math

        axes.set_aspect(1 / max(math.cos(math.radians(middle)), 0.1))
    axes.tick_params(labelsize=6)
    if violations or others or posts:
        axes.legend(loc="lower left", frameon=True, fontsize=6)
    figure.tight_layout()
    return _png(figure)


# ------------------------------------------------------------------------------ documents


def render_html(digest: Any, lang: str) -> str:
    """The report as one self-contained HTML document (images inline)."""
    env = environment(lang)
    gettext = i18n.translations(lang).gettext
    series = (gettext("this period"), gettext("previous period"))
    images = {
        "categories": category_chart(digest.by_category, lang, series),
        "trend": trend_chart(digest.trend, (gettext("incidents"), gettext("violations"))),
        "map": map_image(
            digest.zones,
            digest.items,
            digest.posts,
            (gettext("violation"), gettext("other incident"), gettext("observation post")),
        ),
    }
    template = env.get_template("report.html")
    zone = digest.period.time_zone
    return template.render(
        d=digest,
        images=images,
        signed=signed,
        local=lambda value: local(value, zone, lang),
        cutoff=digest.period.end.astimezone(ZoneInfo(zone)),
    )


FONT_TIMESTAMP = "946684800"
"""The instant (2000-01-01, as SOURCE_DATE_EPOCH) written into embedded fonts' ``head``."""

_fixed_clock = threading.Lock()


@contextmanager
def _fonts_without_time() -> Iterator[None]:
    """Where WeasyPrint subsets fonts with fontTools (no HarfBuzz-Subset on the machine),
    fontTools stamps each subset's ``head.modified`` with the time of day, so two renders a
    second apart differed; it reads SOURCE_DATE_EPOCH (the reproducible-builds convention)
    instead when that is set. Set for the render only, under a lock, and put back."""
    with _fixed_clock:
        before = os.environ.get("SOURCE_DATE_EPOCH")
        os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP
        try:
            yield
        finally:
            if before is None:
                del os.environ["SOURCE_DATE_EPOCH"]
            else:
                os.environ["SOURCE_DATE_EPOCH"] = before


def render_pdf(html: str) -> bytes:
    """The HTML as PDF (WeasyPrint), with a fixed identifier, no creation date and fonts
    without a time stamp."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(TEMPLATES))
    with _fonts_without_time():
        pdf = document.write_pdf(
            pdf_identifier=b"ceasefire-publication",
            uncompressed_pdf=False,
            custom_metadata=False,
        )
    assert isinstance(pdf, bytes)
    return pdf
