"""Intake throughput: reports accepted per second over HTTP and rows per second by CSV import.

    .venv/bin/python bench/intake.py [--database-url URL] [--reports 3000] [--clients 16]
                                     [--workers 2] [--rows 50000] [--skip-http] [--skip-csv]

HTTP: ``ceasefire serve --workers N`` (Uvicorn) on the given database; ``--clients``
concurrent keep-alive connections each POST reports (unique ``Idempotency-Key``) with a
monitor's token. Every accepted report is validated, stored and ledgered (one signed entry
each) before its 201. The clients run on the same machine, in this process.

CSV: ``import_csv`` of a file of ``--rows`` rows, as ``ceasefire import csv`` runs it:
``--csv-workers`` forked processes validate the rows, then prepare each batch (canonical
JSON, hash, parameters) while this process writes the previous one (one transaction and one
ledger entry per batch). CPU is given for this process and for the workers.

Without ``--database-url`` a fresh SQLite file in a temporary directory is used; for
PostgreSQL pass e.g. ``postgresql://postgres@127.0.0.1:5432/bench`` (the database must
exist; its public schema is dropped and recreated).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.factories.reports import csv_row, shelling_body, write_csv  # noqa: E402

from ceasefire.access import Viewer  # noqa: E402
from ceasefire.bootstrap import initialise  # noqa: E402
from ceasefire.config import Settings  # noqa: E402
from ceasefire.db.context import ServiceContext  # noqa: E402
from ceasefire.db.engine import normalise_url  # noqa: E402
from ceasefire.members import auth  # noqa: E402
from ceasefire.reports import imports  # noqa: E402


def fresh_settings(url: str | None, folder: Path) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    if url is None:
        url = f"sqlite:///{folder / 'bench.db'}"
    elif url.startswith("postgres"):
        engine = create_engine(normalise_url(url))
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    return Settings(database_url=url, key_file=folder / "keys.json", data_dir=folder / "data")


def env_for(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "CEASEFIRE_DATABASE_URL": settings.database_url,
        "CEASEFIRE_KEY_FILE": str(settings.key_file),
        "CEASEFIRE_DATA_DIR": str(settings.data_dir),
    }


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children that have been waited for,
    plus its live children (uvicorn's workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def post_reports(
    port: int, token: str, total: int, clients: int, prefix: str
) -> tuple[int, float, float]:
    """POST ``total`` reports over ``clients`` keep-alive connections; (accepted, wall
    seconds, client CPU seconds).

    The client writes HTTP/1.1 itself on asyncio streams: it shares the 2 cores with the
    server, and httpx cost it ~1 ms of CPU per request, a third of what the server spends.
    Every response is read whole and must be a 201 carrying a report id.
    """
    payload = json.dumps(shelling_body()).encode()
    counter = iter(range(total))
    accepted = 0

    async def worker() -> None:
        nonlocal accepted
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for index in counter:
                writer.write(
                    (
                        "POST /api/v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        f"Authorization: Bearer {token}\r\n"
                        f"Idempotency-Key: {prefix}-{index}\r\n"
                        "Content-Type: application/json\r\n"
                        f"Content-Length: {len(payload)}\r\n\r\n"
                    ).encode()
                    + payload
                )
                status_line = await reader.readuntil(b"\r\n")
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                if status_line.split()[1] != b"201" or b'"id":"rep' not in body:
                    raise RuntimeError(f"{status_line!r}: {body[:300]!r}")
                accepted += 1
        finally:
            writer.close()

    started = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return accepted, time.perf_counter() - started, time.process_time() - cpu


def bench_http(settings: Settings, reports: int, clients: int, workers: int) -> dict[str, Any]:
    ctx = ServiceContext.from_settings(settings)
    initialise(ctx, demo=True)
    operator = Viewer.cli_operator()
    auth.add_user(ctx, operator, user_id="bench-tur", member_id="tur")
    token = auth.create_token(ctx, operator, user_id="bench-tur", label="bench").token
    ctx.dispose()
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ceasefire")),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-access-log",
        ],
        env=env_for(settings),
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        asyncio.run(post_reports(port, token, min(200, reports), clients, "warm-up"))
        cpu_before = process_cpu_seconds(server.pid)
        accepted, seconds, client_cpu = asyncio.run(
            post_reports(port, token, reports, clients, "bench")
        )
        server_cpu = process_cpu_seconds(server.pid) - cpu_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "accepted": accepted,
        "seconds": seconds,
        "per_second": accepted / seconds,
        "server_cpu_ms_per_report": server_cpu / accepted * 1000,
        "client_cpu_ms_per_report": client_cpu / accepted * 1000,
    }


def bench_csv(settings: Settings, rows: int, folder: Path, workers: int) -> dict[str, Any]:
    ctx = ServiceContext.from_settings(settings)
    initialise(ctx)
    path = write_csv(folder / "bench.csv", [csv_row(i) for i in range(1, rows + 1)])
    load = os.getloadavg()[0]
    started = time.perf_counter()
    before = os.times()
    result = imports.import_csv(ctx, Viewer.cli_operator(), path, workers=workers)
    seconds = time.perf_counter() - started
    after = os.times()  # the workers have been waited for: their CPU is in children_*
    assert result.imported == rows, result
    ctx.dispose()
    return {
        "rows": rows,
        "seconds": seconds,
        "per_second": rows / seconds,
        "cpu_seconds": after.user + after.system - before.user - before.system,
        "worker_cpu_seconds": after.children_user
        + after.children_system
        - before.children_user
        - before.children_system,
        "batches": result.batches,
        "load": load,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--csv-workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-csv", action="store_true")
    args = parser.parse_args()
    backend = "PostgreSQL" if args.database_url and "postgres" in args.database_url else "SQLite"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.skip_http:
            result = bench_http(
                fresh_settings(args.database_url, folder / "http"),
                args.reports,
                args.clients,
                args.workers,
            )
            print(
                f"{backend} HTTP: {result['accepted']} reports in {result['seconds']:.2f} s ="
                f" {result['per_second']:.0f} reports/s"
                f" ({args.clients} clients, {args.workers} uvicorn workers);"
                f" server CPU {result['server_cpu_ms_per_report']:.2f} ms per report,"
                f" client CPU {result['client_cpu_ms_per_report']:.2f} ms"
            )
        if not args.skip_csv:
            result = bench_csv(
                fresh_settings(args.database_url, folder / "csv"),
                args.rows,
                folder,
                args.csv_workers,
            )
            print(
                f"{backend} CSV: {result['rows']} rows in {result['seconds']:.2f} s ="
                f" {result['per_second']:.0f} rows/s (CPU {result['cpu_seconds']:.2f} s"
                f" + workers {result['worker_cpu_seconds']:.2f} s, {result['batches']} batches,"
                f" {args.csv_workers} validating processes, load {result['load']:.1f} before)"
            )


if __name__ == "__main__":
    main()
