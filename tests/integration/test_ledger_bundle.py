"""Export a bundle, verify it offline, and find the entry when one byte is flipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ceasefire.actor import Actor
from ceasefire.agreements import service as agreements
from ceasefire.config import Settings
from ceasefire.db.context import ServiceContext
from ceasefire.ledger import service as ledger
from ceasefire.ledger.bundle import verify_bundle
from ceasefire.ledger.verify import FindingKind
from tests.factories.cli import InProcessCli, run_cli
from tests.factories.ledger import reference_verifier

TAG = "test:entry:written"


@pytest.fixture
def bundle(ctx: ServiceContext, settings: Settings, tmp_path: Path) -> Path:
    agreements.load_shipped(ctx)
    with ctx.unit_of_work() as session:
        for n in range(5):
            member = ("arm", "aze")[n % 2]
            ledger.append(
                session,
                settings,
                tag=TAG,
                subject=f"report/{n}",
                payload={"n": n, "text": "Ağdam – ceasefire ☮"},
                actor=Actor(member, f"{member}-user"),
            )
    out = tmp_path / "ledger.jsonl"
    summary = ledger.export_bundle(ctx, out)
    assert summary.entries == ledger.head(ctx).seq
    return out


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _entry_span(raw: bytes, seq: int) -> tuple[int, int]:
    """Byte offsets of the line of entry ``seq`` in the bundle."""
    start = 0
    for line in raw.split(b"\n"):
        if line.startswith(b'{"type":"entry","seq":%d,' % seq):
            return start, start + len(line)
        start += len(line) + 1
    raise AssertionError(f"no line for entry {seq}")


def test_the_bundle_holds_entries_keys_and_verifies_offline(bundle: Path) -> None:
    lines = _lines(bundle)
    assert lines[0]["type"] == "bundle"
    kinds = [line["type"] for line in lines]
    entries = kinds.count("entry")
    assert lines[0]["entries"] == entries
    assert kinds.count("key") == 3  # the centre, arm, aze
    report = verify_bundle(bundle)
    assert report.ok, report.findings
    assert report.chain.entries == entries
    assert report.chain.head_hash == lines[0]["head_hash"]


def test_the_documented_reference_verifier_accepts_an_export(bundle: Path) -> None:
    lines = bundle.read_text(encoding="utf-8").splitlines()
    count, head = reference_verifier()["verify_bundle"](lines)
    assert (count, head) == (_lines(bundle)[0]["entries"], _lines(bundle)[0]["head_hash"])


def test_verify_bundle_needs_no_database(bundle: Path, tmp_path: Path) -> None:
    # Another process, pointed at a database that does not exist: only the file is read.
    env = {"CEASEFIRE_DATABASE_URL": f"sqlite:///{tmp_path}/absent/none.db", "PATH": ""}
    done = run_cli("ledger", "verify", "--bundle", str(bundle), "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("where", ["payload", "header", "signature", "entry_hash"])
def test_flipping_one_byte_names_the_entry(bundle: Path, where: str) -> None:
    raw = bytearray(bundle.read_bytes())
    seq = 5
    start, end = _entry_span(bytes(raw), seq)
    line = bytes(raw[start:end])
    field_at = line.index(b'"%s":"' % where.encode()) + len(where) + 4
    # A character well inside the field's value, flipped to another printable one.
    offset = start + field_at + 20
    raw[offset] = raw[offset] ^ 0x01
    bundle.write_bytes(bytes(raw))
    report = verify_bundle(bundle)
    assert not report.ok
    first = report.first_bad
    assert first is not None
    assert first.seq == seq, report.findings


def test_a_byte_flipped_into_broken_json_still_names_the_entry(bundle: Path) -> None:
    raw = bytearray(bundle.read_bytes())
    start, _ = _entry_span(bytes(raw), 7)
    raw[start] = ord("[")  # the line no longer parses
    bundle.write_bytes(bytes(raw))
    report = verify_bundle(bundle)
    first = report.first_bad
    assert first is not None
    assert (first.seq, first.kind) == (7, FindingKind.MALFORMED)


def test_a_dropped_last_line_is_noticed_through_the_declared_count(bundle: Path) -> None:
    lines = bundle.read_text(encoding="utf-8").splitlines(keepends=True)
    entry_lines = [i for i, line in enumerate(lines) if line.startswith('{"type":"entry"')]
    del lines[entry_lines[-1]]
    bundle.write_text("".join(lines), encoding="utf-8")
    report = verify_bundle(bundle)
    assert not report.ok
    assert report.first_bad is not None
    assert report.first_bad.kind in (FindingKind.ENTRY_MISSING, FindingKind.KEY_ENTRY_INVALID)


def test_cli_round_trip_export_verify_flip(cli: InProcessCli, tmp_path: Path) -> None:
    assert cli.text("init", "--demo", "--no-demo-month").returncode == 0
    out = tmp_path / "export.jsonl"
    exported = cli.text("ledger", "export", "--out", str(out), "--json")
    assert exported.returncode == 0, exported.stderr
    assert cli.text("ledger", "verify", "--bundle", str(out)).returncode == 0
    raw = bytearray(out.read_bytes())
    start, end = _entry_span(bytes(raw), 3)
    at = start + bytes(raw[start:end]).index(b'"payload":"') + 15
    raw[at] ^= 0x01
    out.write_bytes(bytes(raw))
    failed = cli.text("ledger", "verify", "--bundle", str(out))
    assert failed.returncode == 1
    assert "first bad entry at seq 3" in " ".join(failed.stderr.split())
    as_json = cli("ledger", "verify", "--bundle", str(out), code=1)
    assert as_json["error"]["details"]["first_bad"]["seq"] == 3


def test_a_file_that_is_no_bundle_is_named_for_what_it_is_in_the_clis_language(
    cli: InProcessCli, tmp_path: Path
) -> None:
    """A JSON-lines file that is not a bundle: its first finding is in the bundle's own
    lines (it was said to be "at the main tables", which a bundle does not have), and a
    Russian reader reads what is wrong in Russian, not "entry unreadable"."""
    out = tmp_path / "other.jsonl"
    out.write_text('{"x": 1}\n', encoding="utf-8")
    english = cli.text("ledger", "verify", "--bundle", str(out))
    assert english.returncode == 1
    said = " ".join(english.stderr.split())
    assert "first bad entry at the bundle's lines other than entries" in said, said
    assert "line 1: no type; a line's type is bundle, key, root, tree_head or entry" in said
    assert "main tables" not in said
    russian = cli.text("--lang", "ru", "ledger", "verify", "--bundle", str(out))
    said = " ".join(russian.stderr.split())
    assert "пакет " in said, said
    assert "первая неверная запись — строки пакета, не являющиеся записями" in said
    assert "seq -: запись не читается" in said
    for english_words in ("entry unreadable", "the bundle's lines", "bundle other.jsonl"):
        assert english_words not in said, english_words
    # The machine-readable error keeps its English.
    as_json = cli("ledger", "verify", "--bundle", str(out), code=1)
    assert as_json["error"]["details"]["first_bad"]["what"] == "entry unreadable"


def test_a_tampered_bundles_findings_are_worded_in_the_clis_language(
    bundle: Path, cli: InProcessCli
) -> None:
    """Each finding's details (not only its kind) in the reader's language: a payload and a
    signature changed, read in Russian and Turkish; ``--json`` keeps the English."""
    lines = bundle.read_text(encoding="utf-8").splitlines()
    written = [i for i, line in enumerate(lines) if TAG in line and '"type":"entry"' in line]
    lines[written[0]] = lines[written[0]].replace("ceasefire", "ceasefirE")
    entry = json.loads(lines[written[1]])
    entry["signature"] = "00" * 64
    lines[written[1]] = json.dumps(entry)
    bundle.write_text("\n".join(lines) + "\n", encoding="utf-8")
    english = " ".join(cli.text("ledger", "verify", "--bundle", str(bundle)).stderr.split())
    assert "SHA-256 of the stored payload differs from the signed payload_sha256" in english
    assert "signature does not verify with key" in english
    russian = cli.text("--lang", "ru", "ledger", "verify", "--bundle", str(bundle))
    assert russian.returncode == 1
    said = " ".join(russian.stderr.split())
    assert "SHA-256 сохранённой полезной нагрузки не совпадает с подписанным payload_sha256" in said
    assert "подпись не проверяется ключом" in said
    for english_words in ("stored payload differs", "does not verify with key"):
        assert english_words not in said, english_words
    turkish = " ".join(
        cli.text("--lang", "tr", "ledger", "verify", "--bundle", str(bundle)).stderr.split()
    )
    assert "anahtarıyla doğrulanmıyor" in turkish, turkish
    assert "does not verify" not in turkish
    as_json = cli("--lang", "ru", "ledger", "verify", "--bundle", str(bundle), code=1)
    assert as_json["error"]["details"]["first_bad"]["message"] == (
        "SHA-256 of the stored payload differs from the signed payload_sha256"
    )
