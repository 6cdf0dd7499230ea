"""The seventeenth audit: aggregate counts as an oracle of records a reader may not read
(docs/security.md, "The seventeenth audit"; both databases).

Each test reads an aggregate, has a monitor add records beside the day's incidents (same
places and categories) and reads it again: after internal incidents, as the public, France's
observer and each party's liaison; after shared incidents concerning Azerbaijan alone, as
the public and Armenia's liaison. Whatever it is -- a map cell's count, the paging of a list,
the dashboard's counters, an edition's counts by area and category, the length of a list --
it must not change. The monitors, who read the new records, must see them counted, so the
test would notice an aggregate that is simply never updated.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from ceasefire.access import Classification
from ceasefire.alerts import service as alerts
from ceasefire.db.context import ServiceContext
from ceasefire.incidents import service as incidents
from ceasefire.reports import service as reports
from tests.factories.members import Cast
from tests.factories.publish import SCENARIO, make_day, report_body
from tests.factories.reports import incident_of, shelling_body

READERS: tuple[str | None, ...] = (None, "arm")
"""The public and Armenia's liaison: neither reads an internal incident nor a shared one
that concerns Azerbaijan alone."""

NOT_MONITORS: tuple[str | None, ...] = (None, "fra", "arm", "aze")
"""Every reader but the monitors: none reads an internal incident."""

INTERNAL = (Classification.INTERNAL, ["ARM", "AZE"])
SHARED_WITH_AZE = (Classification.SHARED, ["AZE"])

WINDOW = {"days": "0", "until": "2020-11-27"}


def _hide_more(
    ctx: ServiceContext, cast: Cast, *kinds: tuple[Classification, list[str]]
) -> list[str]:
    """Turkey's monitor makes, beside each of the day's incidents (same place, same
    category, minutes later), an incident of each of ``kinds`` (classification, concerns):
    by default an internal one and a shared one that concerns Azerbaijan alone."""
    turkey = cast.viewer(ctx, "tur")
    made = []
    for spec in SCENARIO:
        for minutes, (classification, concerns) in enumerate(kinds or (INTERNAL, SHARED_WITH_AZE)):
            at = spec["at"] + timedelta(minutes=10 + minutes)
            body = report_body({**spec, "at": at, "classification": classification})
            # The alleged perpetrator is a party the report concerns.
            body = {**body, "concerns": concerns, "alleged_perpetrator": concerns[-1]}
            report = reports.submit_report(ctx, turkey, body).report
            made.append(
                incidents.create_incident(
                    ctx,
                    turkey,
                    report_ids=[report.id],
                    title=f"Hidden twin of {spec['name']}",
                    summary="Not for the public nor Armenia.",
                    classification=classification,
                ).id
            )
    return made


def _unchanged_for_readers(
    client: TestClient,
    ctx: ServiceContext,
    cast: Cast,
    read: Callable[[dict[str, str]], Any],
) -> None:
    """``read`` gives every reader but the monitors the same after the internal twins are
    added, the public and Armenia's liaison the same after the shared ones of Azerbaijan
    too, and a monitor something else each time."""
    for kind, readers in ((INTERNAL, NOT_MONITORS), (SHARED_WITH_AZE, READERS)):
        before = {m: read(cast.signed_in(client, m)) for m in (*readers, "rus")}
        _hide_more(ctx, cast, kind)
        after = {m: read(cast.signed_in(client, m)) for m in (*readers, "rus")}
        for member in readers:
            assert after[member] == before[member], (kind, member)
        assert after["rus"] != before["rus"]


def _map(client: TestClient, query: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    response = client.get("/map/data.json", params={**WINDOW, **query}, headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_map_cells_and_points_count_only_readable_incidents(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The map's cells (low zoom, from the table of counts per cell) and its points (high
    zoom), their ``total`` and each cell's ``count`` and centre."""
    make_day(ctx, cast)

    def read(headers: dict[str, str]) -> str:
        layers = [_map(client, {"zoom": str(z)}, headers) for z in (3, 6, 8, 10, 13)]
        # A box cutting through the cells (its edge cells are counted one by one), and one
        # category (the table of counts per cell answers it too).
        for zoom in ("6", "8"):
            layers.append(_map(client, {"zoom": zoom, "bbox": "46.6,39.7,47.0,40.2"}, headers))
            layers.append(_map(client, {"zoom": zoom, "category": "shelling"}, headers))
        return json.dumps(layers, sort_keys=True)

    _unchanged_for_readers(client, ctx, cast, read)


def test_map_table_counts_only_readable_incidents(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The map's accessible twin (``/map/table``), cells and points as tables."""
    make_day(ctx, cast)

    def read(headers: dict[str, str]) -> list[str]:
        queries = [{**WINDOW, "zoom": str(zoom)} for zoom in (3, 8, 13)]
        return _pages(client, "/map/table", queries, headers, _without_tokens)

    _unchanged_for_readers(client, ctx, cast, read)


def _pages(
    client: TestClient,
    path: str,
    queries: list[dict[str, str]],
    headers: dict[str, str],
    shown: Callable[[str], str],
) -> list[str]:
    """The page at ``path`` for each query, as ``shown`` keeps it."""
    pages = []
    for query in queries:
        page = client.get(path, params=query, headers=headers)
        assert page.status_code == 200, page.text
        pages.append(shown(page.text))
    return pages


def _without_tokens(html: str) -> str:
    """A page without its per-request values (the CSRF token, the CSP nonce)."""
    return re.sub(r'(nonce|value|content)="[A-Za-z0-9_\-=+/]{16,}"', r'\1=""', html)


def _paging(path: str, client: TestClient, headers: dict[str, str]) -> list[Any]:
    """Every page of a list at 2 a page: the pages' sizes, cursors and paging headers."""
    seen: list[Any] = []
    params: dict[str, str] = {"limit": "2"}
    for _ in range(20):
        response = client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        paging = {k: v for k, v in response.headers.items() if k.lower().startswith(("x-", "etag"))}
        seen.append((len(body["items"]), [i["id"] for i in body["items"]], paging))
        if not body["next_cursor"]:
            break
        params = {"limit": "2", "cursor": body["next_cursor"]}
    return seen


def test_list_paging_counts_only_readable_records(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """``GET /api/v1/incidents`` and ``/reports`` page by page: how many a page holds,
    whether a next page is announced, and any paging header (a total, an ETag)."""
    make_day(ctx, cast)

    def read(headers: dict[str, str]) -> list[Any]:
        return [_paging(p, client, headers) for p in ("/api/v1/incidents", "/api/v1/reports")]

    _unchanged_for_readers(client, ctx, cast, read)


def test_editions_count_only_incidents_their_reader_reads(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The daily report's and the weekly summary's counts by area and category (and the
    change from the period before), public edition (whoever asks) and each member's
    internal edition (read as that member)."""
    make_day(ctx, cast)

    def read(headers: dict[str, str]) -> list[str]:
        if not headers:
            headers = cast.bearer("usa")  # the public edition is the public's, asked by anyone
            editions = ["public"]
        else:
            editions = ["public", "internal"]
        texts = []
        for edition in editions:
            for path, day in (("daily", "2020-11-26"), ("summary", "2020-11-29")):
                made = client.post(
                    f"/api/v1/publications/{path}",
                    params={"date": day, "edition": edition, "format": "html"},
                    headers=headers,
                )
                assert made.status_code in (200, 201), made.text
                texts.append(_counts_of(made.content.decode()))
        return texts

    _unchanged_for_readers(client, ctx, cast, read)


def _counts_of(html: str) -> str:
    """An edition's figures: the text of its tables, without ids, times and hashes."""
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", "\n".join(tables))
    return re.sub(r"\s+", " ", text)


def test_dashboard_counts_only_readable_records(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """The dashboard's counters (incidents by status, the timeline), now and ``as_of``."""
    make_day(ctx, cast)

    def read(headers: dict[str, str]) -> list[str]:
        return _pages(client, "/", [{}, {"as_of": "2030-01-01"}], headers, _counters_of)

    _unchanged_for_readers(client, ctx, cast, read)


def _counters_of(html: str) -> str:
    """A page's text without its per-request values and the ledger's head (every member
    reads the ledger's headers, by design: access.md)."""
    sections = re.findall(r"<section.*?</section>", _without_tokens(html), flags=re.S)
    html = "".join(s for s in sections if "<h2>Ledger</h2>" not in s)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def _newest(client: TestClient, path: str, headers: dict[str, str]) -> list[list[str]]:
    """The ids ``path`` lists as its newest 1, 2, 3 and 5."""
    lists = []
    for limit in (1, 2, 3, 5):
        response = client.get(path, params={"limit": str(limit)}, headers=headers)
        assert response.status_code == 200, response.text
        lists.append([p["id"] for p in response.json()])
    return lists


def test_publications_list_counts_no_edition_the_reader_may_not_read(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """``GET /api/v1/publications?limit=N``: the list read 4·N editions and kept those the
    reader may read, so 4·N newer editions of the monitors (spot reports of internal
    incidents) or withdrawn from the reader (public spot reports of incidents made internal
    since) emptied the public's and Armenia's list, and varying N counted them. The list
    holds the reader's newest N now, whatever lies between."""
    make_day(ctx, cast)
    for member, edition in (("usa", "public"), ("arm", "internal")):
        made = client.post(
            "/api/v1/publications/daily",
            params={"date": "2020-11-26", "edition": edition},
            headers=cast.bearer(member),
        )
        assert made.status_code in (200, 201), made.text

    def read(headers: dict[str, str]) -> list[list[str]]:
        return _newest(client, "/api/v1/publications", headers)

    before = {m: read(cast.signed_in(client, m)) for m in READERS}
    hidden = _hide_more(ctx, cast)
    for incident_id in hidden:
        made = client.post(
            f"/api/v1/publications/spot/{incident_id}",
            params={"edition": "internal", "format": "html"},
            headers=cast.bearer("tur"),
        )
        assert made.status_code in (200, 201), made.text
    # Public spot reports of public incidents, withdrawn from every reader but the monitors
    # once Turkey makes the incidents internal.
    turkey = cast.viewer(ctx, "tur")
    for _ in range(5):
        body = shelling_body(classification="public")
        incident_id = incident_of(ctx, turkey, body, classification=Classification.PUBLIC)[1]
        made = client.post(
            f"/api/v1/publications/spot/{incident_id}",
            params={"edition": "public", "format": "html"},
            headers=cast.bearer("tur"),
        )
        assert made.status_code in (200, 201), made.text
        incidents.classify(ctx, turkey, incident_id, Classification.INTERNAL)
    for reader in READERS:
        assert read(cast.signed_in(client, reader)) == before[reader], reader
    assert before[None][0]  # the public edition
    assert before["arm"][0]  # and Armenia's own
    assert len(read(cast.signed_in(client, "tur"))[3]) == 5


def test_alerts_list_counts_no_alert_withheld_from_the_reader(
    client: TestClient, ctx: ServiceContext, cast: Cast
) -> None:
    """``GET /api/v1/alerts?limit=N`` as Armenia's liaison: alerts about shared incidents
    that the monitors later made internal are withheld from it; the list read 4·N alerts
    and kept the readable ones, so four such newer alerts emptied its ``limit=1`` list (how
    many incidents were made internal, counted by varying N). It holds its newest N now."""
    turkey = cast.viewer(ctx, "tur")

    def casualty_incident() -> str:
        body = shelling_body(casualties={"injured_military": 3}, classification="shared")
        return incident_of(ctx, turkey, body, classification=Classification.SHARED)[1]

    casualty_incident()
    alerts.scan(ctx)

    def read(headers: dict[str, str]) -> list[list[str]]:
        return _newest(client, "/api/v1/alerts", headers)

    before = read(cast.bearer("arm"))
    assert before[0]
    later = [casualty_incident() for _ in range(5)]
    alerts.scan(ctx)
    for incident_id in later:
        incidents.classify(ctx, turkey, incident_id, Classification.INTERNAL)
    assert read(cast.bearer("arm")) == before
    assert len(read(cast.bearer("tur"))[3]) == 5
