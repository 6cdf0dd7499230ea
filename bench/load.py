"""Latency under concurrent clients: intake and the two lists, throughput and percentiles.

    .venv/bin/python bench/load.py [--database-url URL] [--reports 20000] [--incidents 1000]
                                   [--clients 1 8] [--seconds 10] [--workers 1] [--keep DIR]
                                   [--fusion-backlog]

Seeds a demo centre with ``--reports`` reports (CSV import) and ``--incidents`` public
incidents of two reports each, serves it with ``ceasefire serve --workers N`` and, for each
number of ``--clients`` (concurrent keep-alive connections), runs for ``--seconds`` each:

- ``incidents``: ``GET /api/v1/incidents?limit=50`` as a monitor;
- ``incidents-public``: the same without a token (the redacted list);
- ``reports``: ``GET /api/v1/reports?limit=50`` as a monitor;
- ``intake``: ``POST /api/v1/reports`` (a new ``Idempotency-Key`` each) as a monitor.

The seeded reports are taken off the fusion queue once seeded (``--fusion-backlog`` keeps
them queued): the default measures a centre in its steady state, where the served app's
fusion worker only fuses what the intake adds during the run (fusion itself is measured by
bench/fusion.py); with ``--fusion-backlog`` the worker fuses the whole import while the
clients run, the hour after a large CSV import. Before measuring, the bench waits until
the served app's fusion worker has emptied the queue (on a kept centre: what the last run's
intake left), and says how long that took.

Prints requests per second and the p50/p95/p99/max latency of each, and a JSON line. The
clients share the machine with the server (raw HTTP/1.1 on asyncio streams, as
bench/intake.py: a fraction of a millisecond of client CPU per request). Without
``--database-url`` a fresh SQLite file is used; a PostgreSQL database's public schema is
dropped and recreated. ``--keep DIR`` seeds into ``DIR`` once and reuses it on later runs
(the same ``--database-url``, or the SQLite file in ``DIR``): a profile or a before/after
comparison then skips the seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.intake import env_for, free_port, fresh_settings  # noqa: E402
from tests.factories.reports import OBSERVED, csv_row, shelling_body, write_csv  # noqa: E402

from ceasefire.access import Classification, Viewer  # noqa: E402
from ceasefire.bootstrap import initialise  # noqa: E402
from ceasefire.config import Settings  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.db.engine import normalise_url  # noqa: E402
from ceasefire.incidents import service as incidents  # noqa: E402
from ceasefire.members import auth  # noqa: E402
from ceasefire.reports import imports  # noqa: E402
from ceasefire.reports.tables import IncidentReportRow, ReportRow  # noqa: E402

KINDS = ("incidents", "incidents-public", "reports", "intake")


def seed(
    settings: Settings, folder: Path, reports: int, incident_count: int, *, backlog: bool
) -> str:
    """The demo centre with the reports and incidents; a monitor's token."""
    ctx = ServiceContext.from_settings(settings)
    initialise(ctx, demo=True)
    operator = Viewer.cli_operator()
    auth.add_user(ctx, operator, user_id="bench-rus", member_id="rus")
    token = auth.create_token(ctx, operator, user_id="bench-rus", label="bench").token
    rows = [csv_row(i) for i in range(1, reports + 1)]
    imports.import_csv(ctx, operator, write_csv(folder / "seed.csv", rows))
    with ctx.reader() as session:
        ids = list(
            session.scalars(
                select(ReportRow.id)
                .where(~ReportRow.id.in_(select(IncidentReportRow.report_id)))
                .order_by(ReportRow.id)
            )
        )
    for n in range(min(incident_count, len(ids) // 2)):
        incidents.create_incident(
            ctx,
            operator,
            report_ids=ids[2 * n : 2 * n + 2],
            title=f"Incident {n}",
            classification=Classification.PUBLIC,
        )
    if not backlog:
        with ctx.engine.begin() as conn:
            conn.execute(text("DELETE FROM fusion_queue"))
    if ctx.engine.dialect.name == "postgresql":
        # What autovacuum does within a minute or so of a bulk load: without statistics the
        # planner takes the fresh tables for empty ones.
        with ctx.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    ctx.dispose()
    return token


RUN = secrets.token_hex(4)
"""Idempotency keys differ between runs on a kept centre (a reused key is a replay: 200)."""


def intake_payload(index: int) -> bytes:
    """A monitor's report; three in a row tell of one event (the same two hours), as posts,
    sensors and parties report one shelling, so fusion groups them as it would a real flow
    (identical reports of one instant would all join one incident of thousands)."""
    start = OBSERVED + timedelta(hours=2 * ((index + RUN_HOURS) % 30_000 // 3))
    observed = {
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=20)).isoformat(),
        "precision": "exact",
    }
    return json.dumps(shelling_body(observed=observed)).encode()


RUN_HOURS = secrets.randbelow(30_000)
"""Where this run's events start: another run on a kept centre tells of other events (the
same ones would grow the incidents run after run, and the lists with them)."""


def request_bytes(kind: str, token: str, index: int) -> bytes:
    auth_line = "" if kind == "incidents-public" else f"Authorization: Bearer {token}\r\n"
    if kind == "intake":
        payload = intake_payload(index)
        return (
            "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"{auth_line}Idempotency-Key: load-{RUN}-{index}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode() + payload
    path = "/api/v1/reports?limit=50" if kind == "reports" else "/api/v1/incidents?limit=50"
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth_line}\r\n".encode()


async def run(
    port: int, token: str, kind: str, clients: int, seconds: float, start: int
) -> list[float]:
    """Latencies (s) of every request made by ``clients`` connections for ``seconds``."""
    latencies: list[float] = []
    counter = iter(range(start, start + 10**9))
    deadline = time.perf_counter() + seconds
    expected = b"201" if kind == "intake" else b"200"

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                writer.write(request_bytes(kind, token, next(counter)))
                status_line = await reader.readuntil(b"\r\n")
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                if status_line.split()[1] != expected:
                    raise RuntimeError(f"{kind}: {status_line!r}: {body[:300]!r}")
                latencies.append(time.perf_counter() - sent)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


def wait_for_fusion(settings: Settings, limit_s: float = 600.0) -> float | None:
    """Wait until the served app's fusion worker has emptied the queue (on a kept centre,
    what the last run's intake left: fused while the reads are measured, it would measure
    the reads beside a backlog, not the steady state); the seconds waited, None if none."""
    engine = create_engine(normalise_url(settings.database_url))
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < limit_s:
            with engine.connect() as conn:
                if not conn.execute(text("SELECT count(*) FROM fusion_queue")).scalar():
                    break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"the fusion queue was not empty after {limit_s:.0f} s")
    finally:
        engine.dispose()
    waited = time.perf_counter() - started
    return waited if waited >= 0.5 else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--incidents", type=int, default=1_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument(
        "--fusion-backlog",
        action="store_true",
        help="Leave the seeded reports queued for fusion (the worker fuses them during the run).",
    )
    parser.add_argument("--keep", type=Path, help="Seed into this folder once, then reuse it.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        kept_token = folder / "bench-token"
        if kept_token.exists():
            settings = Settings(
                database_url=args.database_url or f"sqlite:///{folder / 'bench.db'}",
                key_file=folder / "keys.json",
                data_dir=folder / "data",
            )
            token = kept_token.read_text()
            print(f"reusing the centre seeded in {folder}")
        else:
            settings = fresh_settings(args.database_url, folder).model_copy(
                update={"token_requests_per_minute": 0, "public_requests_per_minute": 0}
            )
            started = time.perf_counter()
            token = seed(
                settings, folder, args.reports, args.incidents, backlog=args.fusion_backlog
            )
            print(
                f"seeded {args.reports} reports, {args.incidents} incidents in "
                f"{time.perf_counter() - started:.0f} s"
            )
            if args.keep:
                kept_token.write_text(token)
        port = free_port()
        env = {
            **env_for(settings),
            "CEASEFIRE_TOKEN_REQUESTS_PER_MINUTE": "0",
            "CEASEFIRE_PUBLIC_REQUESTS_PER_MINUTE": "0",
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("ceasefire")),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--no-access-log",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        results: list[dict[str, Any]] = []
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            waited = wait_for_fusion(settings)
            if waited is not None:
                print(f"the server's fusion worker emptied the queue in {waited:.0f} s")
            start = 0
            for kind in args.kinds:
                asyncio.run(run(port, token, kind, 2, 1.0, start))  # warm-up
                start += 10**6
                for clients in args.clients:
                    latencies = asyncio.run(run(port, token, kind, clients, args.seconds, start))
                    start += 10**6
                    row = {
                        "kind": kind,
                        "clients": clients,
                        "requests": len(latencies),
                        "per_second": len(latencies) / args.seconds,
                        **{f"p{p}_ms": percentile(latencies, p) * 1000 for p in (50, 95, 99)},
                        "max_ms": max(latencies) * 1000,
                    }
                    results.append(row)
                    print(
                        f"{kind:17} {clients:2} clients: {row['per_second']:7.1f}/s  "
                        f"p50 {row['p50_ms']:6.1f}  p95 {row['p95_ms']:6.1f}  "
                        f"p99 {row['p99_ms']:6.1f}  max {row['max_ms']:6.1f} ms"
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
    backend = "postgresql" if args.database_url else "sqlite"
    print(json.dumps({"backend": backend, "workers": args.workers, "results": results}))


if __name__ == "__main__":
    main()
