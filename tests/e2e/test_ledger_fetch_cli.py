"""``ceasefire ledger fetch`` as a party liaison runs it against a served API, then
``ceasefire ledger verify --bundle`` on what it fetched, on both backends: the entries about
an internal incident come without their payloads, and the member's copy still verifies.

The API is a real ``ceasefire serve`` process; the commands run in this process
(``cli.text``: their exit status and output, without two seconds of imports each)."""

from __future__ import annotations

import json
from pathlib import Path

from ceasefire.db.context import ServiceContext
from tests.factories.cli import InProcessCli
from tests.factories.members import Cast
from tests.factories.reports import internal_incident
from tests.factories.served import serving


def test_a_liaison_fetches_its_copy_and_verifies_it(
    ctx: ServiceContext, cast: Cast, cli_env: dict[str, str], cli: InProcessCli, tmp_path: Path
) -> None:
    incident_id = internal_incident(ctx, cast.viewer(ctx, "tur"))
    out = tmp_path / "arm.jsonl"
    with serving(cli_env, "--no-access-log") as base:
        fetched = cli.text(
            "ledger",
            "fetch",
            "--url",
            base,
            "--token",
            cast.tokens["arm"],
            "--out",
            str(out),
            "--json",
        )
    assert fetched.returncode == 0, fetched.stderr
    summary = json.loads(fetched.stdout)
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    withheld = [line for line in lines if line.get("payload_withheld")]
    assert withheld
    headers = [json.loads(line["header"]) for line in withheld]
    # The incident's entries, besides the demo's posts and sensors Armenia may not list.
    assert {h["subject"] for h in headers if not h["tag"].startswith("member:")} == {
        f"incident/{incident_id}"
    }
    assert all(line["payload"] is None for line in withheld)
    assert summary["payloads_withheld"] == len(withheld)

    verified = cli.text("ledger", "verify", "--bundle", str(out))
    assert verified.returncode == 0, verified.stderr
    assert f"{len(withheld)} payloads withheld" in verified.stdout
    # The same copy with a withheld entry's header altered no longer verifies.
    tampered = tmp_path / "tampered.jsonl"
    first = lines.index(withheld[0])
    header = json.loads(lines[first]["header"])
    header["tag"] = "intake:incident:noted"
    lines[first]["header"] = json.dumps(header, sort_keys=True, separators=(",", ":"))
    tampered.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    refused = cli.text("ledger", "verify", "--bundle", str(tampered))
    assert refused.returncode == 1
