"""``ceasefire export`` and ``ceasefire publish`` as a user runs them: files written, the
public by default, the next ``--since`` printed, bad input refused by name."""

from __future__ import annotations

import json
from pathlib import Path

from ceasefire.db.context import ServiceContext
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast
from tests.factories.publish import make_day


def test_export_and_publish_commands(
    ctx: ServiceContext, cast: Cast, cli: InProcessCli, tmp_path: Path
) -> None:
    day = make_day(ctx, cast)
    out = tmp_path / "incidents.jsonl"
    done = cli("export", "incidents", "--format", "jsonl", "--out", str(out))
    assert done["as_of"]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    ids = {line["id"] for line in lines[1:]}
    assert day.ids["shelling"] in ids
    assert day.ids["checkpoint"] not in ids  # public by default
    everything = cli("export", "incidents", "--format", "acled", "--all", "--out", str(out))
    assert day.ids["checkpoint"] in out.read_text(encoding="utf-8")
    delta = cli(
        "export",
        "incidents",
        "--format",
        "jsonl",
        "--since",
        everything["as_of"],
        "--out",
        str(out),
    )
    assert delta["since"] == everything["as_of"]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # nothing changed since
    code, refused = cli.run("export", "zones", "--format", "acled", "--out", str(out))
    assert code == 2
    assert refused["error"]["details"][0]["loc"] == "format"

    page = tmp_path / "daily.html"
    made = cli(
        "publish",
        "daily",
        "--date",
        "2020-11-26",
        "--format",
        "html",
        "--lang",
        "tr",
        "--out",
        str(page),
    )
    assert made["created"] is True
    assert "Günlük rapor" in page.read_text(encoding="utf-8")
    again = cli(
        "publish",
        "daily",
        "--date",
        "2020-11-26",
        "--format",
        "html",
        "--lang",
        "tr",
        "--out",
        str(page),
    )
    assert again["created"] is False
    assert again["id"] == made["id"]
    listed = cli("publish", "list")
    assert [p["id"] for p in listed] == [made["id"]]
    code, wrong = cli.run("publish", "daily", "--date", "26/11/2020", "--out", str(page))
    assert code == 2
    assert wrong["error"]["details"][0]["loc"] == "date"
