"""The list and map pages with 100k incidents: server time and browser load.

    .venv/bin/python bench/web.py [--incidents 100000] [--repeat 5] [--database-url URL]

Seeds the demo centre, then **bulk-inserts** ``--incidents`` incident rows straight into the
``incidents`` table (SQLAlchemy Core, batches of 5,000): spread around the 2020 statement's
zones, a third each public / shared / internal, five statuses, a year of dates. This path is
honest about what it skips: no reports behind the incidents and **no ledger entries** (so
``ceasefire ledger verify`` would flag them), and the map's counts per cell are recounted
after it (``ceasefire incident recount-map``: the insert bypasses the writes that keep them).
It exists because filing 100k incidents through ``create_incident`` takes far longer than
the measurement. The reads measured are the
real ones: ``ceasefire serve`` answering through the services and the access rule.

Measures, as a monitor (session cookie) and as the public:
- server time (request to last byte, on 127.0.0.1) of ``/map`` (the page),
  ``/map/data.json`` at zoom 7 over the whole region (grid cells), at zoom 12 over a town
  (points), ``/map/table``, and the incident list ``/api/v1/incidents?limit=50`` (and
  ``/incidents`` when the web list page exists);
- browser load of ``/map`` in headless Chromium (Playwright): navigation start to the map's
  data drawn (``#map[data-loaded]``), **cold** (a fresh browser profile each time: nothing
  cached, what a first visitor waits for) and **warm** (the same profile again), and of
  ``/map/table`` to ``load``; ``--waterfall`` prints the first cold visit's requests (start,
  first byte, end in ms from navigation start; bytes over the wire and body size).
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.intake import env_for, free_port, fresh_settings  # noqa: E402
from tests.factories.browser import CHROMIUM, launch_args  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.bootstrap import initialise  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.ids import new_id  # noqa: E402
from ceasefire.incidents import service as incident_service  # noqa: E402
from ceasefire.incidents.tables import IncidentRow  # noqa: E402
from ceasefire.members import auth  # noqa: E402
from ceasefire.web.session import SESSION_COOKIE  # noqa: E402

CENTRES = [(46.93, 39.99), (46.75, 39.82), (46.0, 40.1), (46.5, 39.6), (47.2, 39.4)]
STATUSES = ["reported", "under_investigation", "verified", "not_substantiated", "unverifiable"]
CATEGORIES = ["shelling", "small_arms_fire", "armed_clash", "drone_strike", "projectile"]
CLASSES = ["public", "shared", "internal"]


def seed(settings: Any, count: int) -> str:
    ctx = ServiceContext.from_settings(settings)
    initialise(ctx, demo=True)
    operator = Viewer.cli_operator()
    auth.add_user(ctx, operator, user_id="bench-rus", member_id="rus")
    token = auth.create_token(ctx, operator, user_id="bench-rus", label="bench").token
    rng = random.Random(14)
    start = datetime(2020, 11, 10, tzinfo=UTC)
    now = datetime.now(UTC)
    began = time.perf_counter()
    with ctx.engine.begin() as conn:
        batch = []
        for n in range(count):
            lon, lat = rng.choice(CENTRES)
            observed = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
            batch.append(
                {
                    "id": new_id("inc"),
                    "agreement_id": "nk-2020-trilateral",
                    "title": f"Bench incident {n}",
                    "summary": None,
                    "category": rng.choice(CATEGORIES),
                    "classification": CLASSES[n % 3],
                    "concerns": ",ARM,AZE,",
                    "status": rng.choice(STATUSES),
                    "attribution": "pending",
                    "attributed_party": None,
                    "observed_start": observed,
                    "observed_end": observed + timedelta(minutes=20),
                    "event_lat": rng.gauss(lat, 0.25),
                    "event_lon": rng.gauss(lon, 0.35),
                    "event_place": None,
                    "event_precision": 2,
                    "owner_member": "tur",
                    "created_at": now,
                    "updated_at": now,
                    "decision": None,
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(IncidentRow), batch)
                batch = []
        if batch:
            conn.execute(insert(IncidentRow), batch)
    print(f"seeded {count} incidents in {time.perf_counter() - began:.1f} s (bulk, no ledger)")
    # The bulk insert bypasses the unit of work that keeps the map's counts per cell.
    began = time.perf_counter()
    counted = incident_service.rebuild_map_counts(ctx)
    print(
        f"recounted the map's cells ({counted.cells} rows) in {time.perf_counter() - began:.1f} s"
    )
    ctx.dispose()
    return token


def server_times(
    base: str, token: str | None, path: str, repeat: int
) -> tuple[float, list[float]] | None:
    """The first request's time (nothing of it cached by the server yet: the map's answers
    are kept until the next write) and those of ``repeat`` more."""
    cookies = {SESSION_COOKIE: token} if token else {}
    times = []
    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
        began = time.perf_counter()
        first = client.get(path, headers={"accept": "text/html"})
        once = time.perf_counter() - began
        if first.status_code == 404:
            return None
        first.raise_for_status()
        for _ in range(repeat):
            began = time.perf_counter()
            response = client.get(path, headers={"accept": "text/html"})
            response.raise_for_status()
            times.append(time.perf_counter() - began)
    return once, times


OBSERVE_JS = """
window.__long = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { window.__long.push([e.startTime, e.duration]); }
}).observe({type: 'longtask', buffered: true});
new MutationObserver((changes, observer) => {
  const map = document.getElementById('map');
  if (map && map.getAttribute('data-loaded') === '1') {
    window.__drawnAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-loaded']});
"""
"""Recorded in the page from its start: when the map's data was drawn, and the main thread's
long tasks (over 50 ms: script parsing and running, layout)."""

WATERFALL_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const rows = [{name: location.pathname + location.search, start: 0,
                 first_byte: nav.responseStart, end: nav.responseEnd, bytes: nav.transferSize,
                 body: nav.encodedBodySize}];
  for (const r of performance.getEntriesByType('resource')) {
    rows.push({name: r.name.replace(location.origin, ''), start: r.startTime,
               first_byte: r.responseStart, end: r.responseEnd, bytes: r.transferSize,
               body: r.encodedBodySize});
  }
  const marks = {dom_content_loaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                 drawn: window.__drawnAt,
                 long_tasks: window.__long.map(t => t[1]).reduce((a, b) => a + b, 0)};
  rows.push(...window.__long.map(t => ({name: 'long task', start: t[0], first_byte: t[0],
                                         end: t[0] + t[1], bytes: 0, body: 0})));
  return {rows: rows, marks: marks};
}"""


def _visit_map(page: Any, base: str) -> float:
    began = time.perf_counter()
    page.goto(f"{base}/map?until=2021-12-31")
    page.wait_for_selector('#map[data-loaded="1"]', timeout=60000)
    return time.perf_counter() - began


def browser_times(
    base: str, token: str | None, repeat: int, waterfall: bool = False
) -> dict[str, list[float]]:
    """``/map`` cold (a fresh browser profile: nothing cached) and warm (the same profile
    again), and ``/map/table``; with ``waterfall``, prints the first cold visit's requests."""
    from playwright.sync_api import sync_playwright

    assert CHROMIUM is not None, "Chromium is needed for the browser load"
    result: dict[str, list[float]] = {"/map cold": [], "/map warm": [], "/map/table": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=launch_args())

        def fresh() -> Any:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            if token:
                context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base}])
            context.add_init_script(OBSERVE_JS)
            return context

        # A first page in a throwaway profile: the browser's own start-up is not measured.
        warmup = fresh()
        warmup.new_page().goto(f"{base}/health")
        warmup.close()
        for n in range(repeat):
            context = fresh()
            page = context.new_page()
            result["/map cold"].append(_visit_map(page, base))
            if waterfall and n == 0:
                print_waterfall(page.evaluate(WATERFALL_JS))
            result["/map warm"].append(_visit_map(page, base))
            began = time.perf_counter()
            page.goto(f"{base}/map/table?until=2021-12-31", wait_until="load")
            result["/map/table"].append(time.perf_counter() - began)
            context.close()
        browser.close()
    return result


def print_waterfall(found: dict[str, Any]) -> None:
    """The requests of one page load: when each started, its first byte and end (ms from
    navigation start), bytes over the wire (0 = from the cache) and body size."""
    print(f"  {'request':60} {'start':>7} {'1st byte':>8} {'end':>7} {'wire B':>8} {'body B':>8}")
    for row in found["rows"]:
        print(
            f"  {row['name'][:60]:60} {row['start']:7.0f} {row['first_byte']:8.0f}"
            f" {row['end']:7.0f} {row['bytes']:8d} {row['body']:8d}"
        )
    print("  " + ", ".join(f"{k} {v:.0f} ms" for k, v in found["marks"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--waterfall", action="store_true", help="print the first cold /map visit's requests"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    settings = fresh_settings(args.database_url, folder)
    token = seed(settings, args.incidents)
    port = free_port()
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/ceasefire"), "serve", "--port", str(port)],
        env=env_for(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        paths = [
            "/map?until=2021-12-31",
            "/map/data.json?zoom=7&until=2021-12-31",
            "/map/data.json?zoom=12&bbox=46.90,39.97,46.96,40.01&until=2021-12-31",
            "/map/table?until=2021-12-31",
            "/api/v1/incidents?limit=50",
            "/incidents",
        ]
        rows: dict[str, Any] = {"load_before": os.getloadavg()[0]}
        for who, secret in (("monitor", token), ("public", None)):
            for path in paths:
                measured = server_times(base, secret, path, args.repeat)
                if measured is None:
                    continue
                once, times = measured
                rows[f"{who} {path}"] = {
                    "first_ms": round(once * 1000, 1),
                    "median_ms": round(statistics.median(times) * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                }
            if args.waterfall:
                print(f"{who}: the first cold visit of /map")
            found = browser_times(base, secret, args.repeat, waterfall=args.waterfall)
            for path, times in found.items():
                rows[f"{who} browser {path}"] = {
                    "median_ms": round(statistics.median(times) * 1000, 1),
                    "max_ms": round(max(times) * 1000, 1),
                    "each_ms": [round(t * 1000) for t in times],
                }
        rows["load_after"] = os.getloadavg()[0]
        for key, value in rows.items():
            print(f"{key:90} {value}")
        print(json.dumps({"incidents": args.incidents, **rows}))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
