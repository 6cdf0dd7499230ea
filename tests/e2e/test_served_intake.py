"""Report intake through a real multi-process server (``ceasefire serve --workers 2``), on
both backends: concurrent clients, every report sent twice at once (a client retrying before
its first answer came back), two worker processes each with its own group-commit writer.

Exactly one report per key must be stored, both answers must name it, and the ledger must
verify afterwards.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import select

from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.reports.tables import ReportRow
from tests.factories.cli import run_here
from tests.factories.members import add_user_with_token
from tests.factories.reports import shelling_body
from tests.factories.served import serving

KEYS = 30
CLIENTS = 12


async def _send_every_report_twice(base: str, token: str) -> list[tuple[str, int, str]]:
    """(key, status, report id) of every answer; each key is posted by two clients at once."""
    headers = {"Authorization": f"Bearer {token}"}
    jobs = [f"served-{k}" for k in range(KEYS) for _ in range(2)]
    answers: list[tuple[str, int, str]] = []
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        queue = iter(jobs)

        async def worker() -> None:
            for key in queue:
                response = await client.post(
                    "/api/v1/reports",
                    json=shelling_body(count=1 + int(key.rsplit("-", 1)[1])),
                    headers={**headers, "Idempotency-Key": key},
                )
                body: dict[str, Any] = response.json()
                answers.append((key, response.status_code, body.get("id", "")))

        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return answers


def test_two_workers_store_each_report_once(ctx: ServiceContext, cli_env: dict[str, str]) -> None:
    run_here("init", "--demo", "--no-demo-month", env=cli_env, check=True)
    _, token = add_user_with_token(ctx, "tur", "tur-feed")
    with serving(cli_env, "--workers", "2", "--no-access-log") as base:
        answers = asyncio.run(_send_every_report_twice(base, token))
    assert len(answers) == 2 * KEYS
    by_key: dict[str, list[tuple[int, str]]] = {}
    for key, status, report_id in answers:
        by_key.setdefault(key, []).append((status, report_id))
    for key, pair in by_key.items():
        statuses = sorted(status for status, _ in pair)
        assert statuses == [200, 201], (key, pair)  # one stored it, the other found it
        assert pair[0][1] == pair[1][1] != "", (key, pair)
    with ctx.reader() as session:
        keys = session.scalars(
            select(ReportRow.idempotency_key).where(ReportRow.idempotency_key.like("served-%"))
        ).all()
    assert sorted(k or "" for k in keys) == sorted(by_key)  # each key once
    assert ledger.verify(ctx).ok
