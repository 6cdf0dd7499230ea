"""Witness cosignatures of tree heads, on SQLite and PostgreSQL: the split-view attack they
expose, and every forged, misattributed, unsigned-head or replayed cosignature refused with
a coded error naming the field."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from sqlalchemy import delete, func, select

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.db.context import ServiceContext
from ceasefire.errors import CeasefireError, Forbidden, IntegrityError, InvalidInput, WordedText
from ceasefire.i18n import translations
from ceasefire.ledger import service as ledger
from ceasefire.ledger import tree_heads as ledger_tree
from ceasefire.ledger import witness as ledger_witness
from ceasefire.ledger.cosign import Cosignature, cosign, valid_cosigners
from ceasefire.ledger.keyfile import load_key_file
from ceasefire.ledger.keys import CENTRE_MEMBER_ID, SigningKey
from ceasefire.ledger.schemas import CosignaturePublic
from ceasefire.ledger.tables import LedgerCosignatureRow
from ceasefire.ledger.tree import SignedTreeHead, sign_tree_head
from ceasefire.members.setup import setup_members
from tests.conftest import settings_for
from tests.factories.cli import InProcessCli
from tests.factories.ledger import append_test_entries, reference_verifier

NOW = "2026-12-07T17:00:00.000000Z"


@dataclass
class Members:
    arm: SigningKey
    aze: SigningKey


@pytest.fixture
def members(ctx: ServiceContext, settings: Any) -> Members:
    """Armenia and Azerbaijan hold their own keys; the ledger has a few entries."""
    setup_members(ctx, demo=True)
    keys = Members(SigningKey.generate("arm"), SigningKey.generate("aze"))
    for key in (keys.arm, keys.aze):
        ledger.add_member_key(
            ctx, member_id=key.member_id, public_key=key.public_key_hex, actor=Actor.centre()
        )
    append_test_entries(ctx, settings, 3, member="centre")
    return keys


def _head(ctx: ServiceContext) -> tuple[SignedTreeHead, str]:
    public = ledger_tree.public_head(ctx)
    assert public.installation is not None
    return SignedTreeHead.from_dict(public.model_dump()), public.installation


def _submit(ctx: ServiceContext, cosignature: Cosignature, member: str | None = None) -> Any:
    body = CosignaturePublic.model_validate(cosignature.as_dict())
    viewer = Viewer(member_id=member or cosignature.member_id)
    return ledger_tree.add_cosignature(ctx, viewer, body)


def _field(error: CeasefireError) -> str:
    details = error.details
    assert isinstance(details, list), details
    return str(details[0]["loc"])


@dataclass
class Dishonest:
    """A server that answers as the honest database does but for its tree head (each
    subclass's ``tree_head``); nobody cosigns through it in these tests."""

    honest: ledger_witness.DatabaseSource

    @property
    def name(self) -> str:
        return type(self).__name__

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        return self.honest.consistency(first, second)

    def keys(self, member_id: str) -> list[dict[str, Any]]:
        return self.honest.keys(member_id)

    def cosign(self, cosignature: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("the victim does not cosign in this test")


@dataclass
class SplitView(Dishonest):
    """What a dishonest operator holding the centre's key shows one member: a head of the
    same size over another history, signed by the centre, with the cosignatures the
    honest head carries (they cannot be made to cover this one)."""

    forged: SignedTreeHead

    def tree_head(self) -> dict[str, Any]:
        body = self.honest.tree_head()
        return {**body, **self.forged.as_dict()}


def test_split_view_needs_the_cosigners(
    ctx: ServiceContext, settings: Any, members: Members, tmp_path: Path
) -> None:
    honest = ledger_witness.DatabaseSource(ctx)
    # Armenia's witness verifies the head and cosigns it.
    run = ledger_witness.witness(honest, tmp_path / "arm", cosign_key=members.arm)
    assert run.cosigned_by == "arm"
    head, installation = _head(ctx)
    assert [c.member_id for c in ledger_tree.public_head(ctx).cosignatures] == ["arm"]
    # Azerbaijan is shown another history of the same size, signed by the centre's key.
    centre = load_key_file(settings.key_file).for_member(CENTRE_MEMBER_ID)[0]
    forged = sign_tree_head(head.tree_size, "ab" * 32, head.timestamp, centre)
    victim = SplitView(honest, forged)
    # Without cosigning, the victim's witness has nothing to compare with: it keeps it.
    plain = ledger_witness.witness(victim, tmp_path / "aze-plain")
    assert plain.root_hash == forged.root_hash
    # Requiring Armenia's cosignature, it is refused, naming the missing cosigner.
    with pytest.raises(IntegrityError) as refused:
        ledger_witness.witness(victim, tmp_path / "aze", cosigner_ids=["arm"])
    details = refused.value.details
    assert isinstance(details, dict)
    assert details["missing"] == ["arm"]
    assert details["field"] == "cosignatures"
    assert "over another head" in details["refused"][0]
    assert "missing: arm" in str(refused.value)
    with pytest.raises(IntegrityError, match="1 required"):
        ledger_witness.witness(victim, tmp_path / "aze-n", cosigners=1)
    # The honest head passes the same requirement, and Azerbaijan cosigns it too.
    ok = ledger_witness.witness(honest, tmp_path / "aze-ok", cosigners=1, cosign_key=members.aze)
    assert ok.cosigners == ["arm"]
    # Each counts the others, never its own cosignature nor the centre.
    both = ledger_witness.witness(honest, tmp_path / "third", cosigners=2)
    assert both.cosigners == ["arm", "aze"]
    with pytest.raises(IntegrityError, match="missing: -"):
        ledger_witness.witness(honest, tmp_path / "arm", cosign_key=members.arm, cosigners=2)
    assert installation == ledger_tree.public_head(ctx).installation


def test_refused_cosignatures_name_the_field(
    ctx: ServiceContext, settings: Any, members: Members
) -> None:
    # Turkey acts through the server: its key is in the server's key file.
    append_test_entries(ctx, settings, 1, member="tur")
    server_held = load_key_file(settings.key_file).for_member("tur")[0]
    head, installation = _head(ctx)
    good = cosign(head, installation, members.arm, NOW)
    cases: list[tuple[Cosignature, str | None, type[CeasefireError], str]] = [
        # Forged: the bytes do not verify with arm's key.
        (replace(good, signature="00" * 64), None, InvalidInput, "signature"),
        (replace(good, cosigned_at="2026-12-07T17:00:01.000000Z"), None, InvalidInput, "signature"),
        # Another member's key: aze's key signs in arm's name.
        (
            replace(cosign(head, installation, members.aze, NOW), member_id="arm"),
            None,
            InvalidInput,
            "key_id",
        ),
        # A key the server holds: the server would be cosigning its own head.
        (cosign(head, installation, server_held, NOW), None, InvalidInput, "key_id"),
        # A head the server never signed (another root for the size).
        (
            cosign(replace(head, root_hash="cd" * 32), installation, members.arm, NOW),
            None,
            InvalidInput,
            "root_hash",
        ),
        (
            cosign(replace(head, tree_size=head.tree_size + 9), installation, members.arm, NOW),
            None,
            InvalidInput,
            "tree_size",
        ),
        # Made for another installation (another ledger's entry 1).
        (cosign(head, "ef" * 32, members.arm, NOW), None, InvalidInput, "installation"),
        # aze submitting arm's (valid) cosignature.
        (good, "aze", Forbidden, "member_id"),
    ]
    for cosignature, caller, kind, field in cases:
        with pytest.raises(kind) as refused:
            _submit(ctx, cosignature, caller)
        assert _field(refused.value) == field, (field, refused.value)
    with ctx.reader() as session:
        assert session.scalar(select(func.count()).select_from(LedgerCosignatureRow)) == 0
    # A verifier does not count a server-held key's cosignature either.
    source = ledger_witness.DatabaseSource(ctx)
    held = cosign(head, installation, server_held, NOW).as_dict()
    counted, why = valid_cosigners(head, installation, [held], source.keys)
    assert counted == set()
    assert why == [f"tur: key {server_held.key_id} is held by the server"]
    # The genuine one is stored once: a retry, even re-signed later, keeps the first.
    first = _submit(ctx, good)
    again = _submit(ctx, cosign(head, installation, members.arm, "2026-12-07T17:05:00.000000Z"))
    assert first.cosignatures == again.cosignatures
    assert [c.cosigned_at for c in again.cosignatures] == [NOW]
    with ctx.reader() as session:
        assert session.scalar(select(func.count()).select_from(LedgerCosignatureRow)) == 1
    # Once arm's key is revoked, its new cosignatures are refused.
    ledger.revoke_key(ctx, key_id=members.arm.key_id, actor=Actor.centre())
    newer, _ = _head(ctx)
    with pytest.raises(InvalidInput) as revoked:
        _submit(ctx, cosign(newer, installation, members.arm, NOW))
    assert _field(revoked.value) == "key_id"


def test_bundle_requires_cosigners_offline(
    ctx: ServiceContext, members: Members, tmp_path: Path
) -> None:
    ledger_witness.witness(
        ledger_witness.DatabaseSource(ctx), tmp_path / "arm", cosign_key=members.arm
    )
    bundle = tmp_path / "ledger.jsonl"
    ledger.export_bundle(ctx, bundle)
    ok = ledger.verify_bundle_file(bundle, cosigners=1, cosigner_ids=["arm"])
    assert ok.ok, ok.findings
    short = ledger.verify_bundle_file(bundle, cosigner_ids=["arm", "aze"])
    assert not short.ok
    assert any("missing: aze" in f.message for f in short.findings)
    # A cosignature moved onto another head of the bundle does not count.
    lines = bundle.read_text(encoding="utf-8").splitlines()
    head_line = json.loads(lines[-1])
    assert head_line["type"] == "tree_head"
    head_line["cosignatures"][0]["timestamp"] = "2026-01-01T00:00:00.000000Z"
    bundle.write_text("\n".join([*lines[:-1], json.dumps(head_line)]) + "\n", encoding="utf-8")
    moved = ledger.verify_bundle_file(bundle, cosigners=1)
    assert not moved.ok
    # Without the tree head line, the requirement cannot be met.
    bundle.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    bare = ledger.verify_bundle_file(bundle, cosigners=1)
    assert not bare.ok
    assert any("no usable tree head" in f.message for f in bare.findings)
    assert ledger.verify_bundle_file(bundle).ok


def test_replay_on_another_installation_is_refused(
    ctx: ServiceContext, members: Members, sqlite_template: Path, tmp_path: Path
) -> None:
    """A second installation (its own database and centre key), where arm holds the very
    same key: arm's genuine cosignature of a head of the first is refused by the second,
    naming ``installation``, even when the second has a head of that size."""
    folder = tmp_path / "other"
    folder.mkdir()
    shutil.copy(sqlite_template, folder / "other.db")
    other = ServiceContext.from_settings(settings_for(f"sqlite:///{folder / 'other.db'}", folder))
    try:
        setup_members(other, demo=True)
        ledger.add_member_key(
            other, member_id="arm", public_key=members.arm.public_key_hex, actor=Actor.centre()
        )
        head, installation = _head(ctx)
        fill = head.tree_size - ledger_tree.tree_head(other).tree_size
        append_test_entries(other, other.settings, max(fill, 0), member="centre")
        other_head, other_installation = _head(other)
        assert other_installation != installation
        replayed = cosign(head, installation, members.arm, NOW)
        with pytest.raises(InvalidInput) as refused:
            _submit(other, replayed)
        assert _field(refused.value) == "installation"
        # Rewritten to name the other installation's head of the same size, its signature
        # no longer holds.
        assert other_head.tree_size == head.tree_size
        relabelled = replace(
            replayed,
            installation=other_installation,
            root_hash=other_head.root_hash,
            timestamp=other_head.timestamp,
            centre_key_id=other_head.key_id,
        )
        with pytest.raises(InvalidInput) as forged:
            _submit(other, relabelled)
        assert _field(forged.value) == "signature"
    finally:
        other.dispose()


def _cosigned_bundle(ctx: ServiceContext, members: Members, tmp_path: Path) -> list[str]:
    """An export whose tree head arm's witness cosigned; its lines."""
    ledger_witness.witness(
        ledger_witness.DatabaseSource(ctx), tmp_path / "arm", cosign_key=members.arm
    )
    bundle = tmp_path / "ledger.jsonl"
    ledger.export_bundle(ctx, bundle)
    return bundle.read_text(encoding="utf-8").splitlines()


def _with_head(tmp_path: Path, lines: list[str], **change: Any) -> Path:
    """The bundle with its tree head line changed (``cosignature_`` names: its first
    cosignature's members)."""
    head_line = json.loads(lines[-1])
    assert head_line["type"] == "tree_head"
    for name, value in change.items():
        if name.startswith("cosignature_"):
            head_line["cosignatures"][0][name.removeprefix("cosignature_")] = value
        else:
            head_line[name] = value
    out = tmp_path / "changed.jsonl"
    out.write_text("\n".join([*lines[:-1], json.dumps(head_line)]) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"root_hash": "ab" * 32}, "signature_invalid"),  # the centre's signature no longer holds
        ({"tree_size": 10**6}, "signature_invalid"),
        ({"cosignature_signature": "00" * 64}, "signature_invalid"),  # a forged cosignature
        ({"cosignature_key_id": "ff" * 16}, "signature_invalid"),  # a key arm never had
        ({"cosignature_timestamp": "2026-01-01T00:00:00.000000Z"}, "signature_invalid"),
        ({"installation": "ab" * 32}, "other_installation"),
        ({"cosignatures": "none"}, "malformed"),
    ],
)
def test_a_bad_tree_head_line_is_reported_without_cosigners_asked(
    ctx: ServiceContext, members: Members, tmp_path: Path, change: dict[str, Any], kind: str
) -> None:
    lines = _cosigned_bundle(ctx, members, tmp_path)
    assert ledger.verify_bundle_file(tmp_path / "ledger.jsonl").ok
    report = ledger.verify_bundle_file(_with_head(tmp_path, lines, **change))
    assert not report.ok
    assert [f.kind for f in report.findings] == [kind], report.findings
    assert "tree head" in report.findings[0].message


def test_a_missing_cosigner_has_its_own_finding_kind(
    ctx: ServiceContext, members: Members, tmp_path: Path
) -> None:
    _cosigned_bundle(ctx, members, tmp_path)
    short = ledger.verify_bundle_file(tmp_path / "ledger.jsonl", cosigner_ids=["aze"])
    assert [f.kind for f in short.findings] == ["cosigner_missing"]
    assert short.findings[0].what == "cosigner missing"


def test_the_reference_verifier_checks_the_tree_head_and_its_cosigners(
    ctx: ServiceContext, members: Members, tmp_path: Path
) -> None:
    """The verifier printed in docs/ledger.md, on a real export: the cosigned head holds,
    and a forged cosignature, a changed head or a cosigner missing is refused."""
    verify = reference_verifier()["verify_bundle"]
    lines = _cosigned_bundle(ctx, members, tmp_path)
    header = json.loads(lines[0])
    assert verify(lines, ["arm"]) == (header["entries"], header["head_hash"])
    with pytest.raises(AssertionError, match="aze"):
        verify(lines, ["arm", "aze"])
    for change in (
        {"cosignature_signature": "00" * 64},
        {"cosignature_root_hash": "ab" * 32},
        {"root_hash": "ab" * 32},
        {"tree_size": header["entries"] + 1},
        {"installation": "ab" * 32},
    ):
        changed = _with_head(tmp_path, lines, **change).read_text(encoding="utf-8")
        with pytest.raises((AssertionError, InvalidSignature)):
            verify(changed.splitlines(), ["arm"])
    bare = lines[:-1]
    assert verify(bare) == (header["entries"], header["head_hash"])
    with pytest.raises(AssertionError, match="tree head"):
        verify(bare, ["arm"])


def _shown(message: str, lang: str) -> str:
    assert isinstance(message, WordedText), message
    return message.shown(translations(lang).gettext)


def test_a_head_of_another_installation_is_a_finding_without_cosignatures(
    ctx: ServiceContext, members: Members, tmp_path: Path, cli: InProcessCli
) -> None:
    """The tree head line names the installation it belongs to (entry 1's hash): one that
    names another is a finding of its own even when it carries no cosignature (the check
    used to run only through the cosignatures), worded in the CLI's language."""
    bundle = tmp_path / "ledger.jsonl"
    ledger.export_bundle(ctx, bundle)
    lines = bundle.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[-1])["cosignatures"] == []
    assert ledger.verify_bundle_file(bundle).ok
    other = _with_head(tmp_path, lines, installation="ab" * 32)
    report = ledger.verify_bundle_file(other)
    assert [f.kind for f in report.findings] == ["other_installation"], report.findings
    found = report.findings[0]
    assert found.what == "tree head of another installation"
    assert "ab" * 32 in found.message
    assert "installation" not in _shown(found.message, "ru")
    assert "installation" not in _shown(found.message, "tr")
    russian = " ".join(
        cli.text("--lang", "ru", "ledger", "verify", "--bundle", str(other)).stderr.split()
    )
    assert "ab" * 32 in russian, russian
    assert "another installation" not in russian
    assert "tree head" not in russian
    as_json = cli("--lang", "ru", "ledger", "verify", "--bundle", str(other), code=1)
    assert as_json["error"]["details"]["first_bad"]["kind"] == "other_installation"
    # With cosigners required, the cosignatures are checked over this bundle's installation.
    cosigned = _cosigned_bundle(ctx, members, tmp_path)
    relabelled = ledger.verify_bundle_file(
        _with_head(tmp_path, cosigned, installation="ab" * 32), cosigner_ids=["arm"]
    )
    assert [f.kind for f in relabelled.findings] == ["other_installation"]


def test_why_a_cosignature_is_not_counted_is_worded_in_the_readers_language(
    ctx: ServiceContext, settings: Any, members: Members, tmp_path: Path, cli: InProcessCli
) -> None:
    """The reasons a cosignature is refused (the witness's error details, the bundle's
    finding) are English where the API answers and in the reader's language where shown."""
    append_test_entries(ctx, settings, 1, member="tur")
    server_held = load_key_file(settings.key_file).for_member("tur")[0]
    head, installation = _head(ctx)
    source = ledger_witness.DatabaseSource(ctx)
    good = cosign(head, installation, members.arm, NOW)
    listed = [
        cosign(head, installation, server_held, NOW).as_dict(),
        replace(good, signature="00" * 64).as_dict(),
        replace(good, member_id="aze").as_dict(),
        cosign(replace(head, root_hash="cd" * 32), installation, members.aze, NOW).as_dict(),
        {"format": "ceasefire-sth"},
        {**good.as_dict(), "tree_size": "1"},
    ]
    forged: list[str] = []
    counted, why = valid_cosigners(head, installation, listed, source.keys, forged=forged)
    assert counted == set()
    assert why[0] == f"tur: key {server_held.key_id} is held by the server"
    assert why[1] == "arm: the signature does not verify"
    assert why[2] == f"aze: key {members.arm.key_id} is no key of the member"
    assert why[3] == "aze: over another head or installation"
    assert why[4] == "not a ceasefire cosignature of version 1"
    assert why[5] == "tree_size must be a int"
    assert forged == why[1:]
    for reason in why:
        for lang in ("ru", "tr"):
            said = _shown(reason, lang)
            for english in ("held by", "does not verify", "no key of", "another head", "must be"):
                assert english not in said, (lang, said)
    assert server_held.key_id in _shown(why[0], "ru")
    # A bundle's finding names them in the CLI's language too.
    lines = _cosigned_bundle(ctx, members, tmp_path)
    bad = _with_head(tmp_path, lines, cosignature_signature="00" * 64)
    english = " ".join(cli.text("ledger", "verify", "--bundle", str(bad)).stderr.split())
    assert "arm: the signature does not verify" in english, english
    for lang in ("ru", "tr"):
        said = " ".join(
            cli.text("--lang", lang, "ledger", "verify", "--bundle", str(bad)).stderr.split()
        )
        assert "arm: " in said, said
        assert "does not verify" not in said, said


def test_the_witness_keeps_the_cosignatures_it_made_and_saw(
    ctx: ServiceContext, settings: Any, members: Members, tmp_path: Path, cli: InProcessCli
) -> None:
    """``cosignatures.jsonl`` keeps, beside the heads, the cosignatures of each head this
    witness made or was served: a later run shows them again, re-checked against the
    members' keys, even once the server no longer serves them."""
    source = ledger_witness.DatabaseSource(ctx)
    state = tmp_path / "arm"
    ledger_witness.witness(source, tmp_path / "aze", cosign_key=members.aze)
    run = ledger_witness.witness(source, state, cosign_key=members.arm)
    shown = [(c.member_id, c.made_here, c.counted, c.problem) for c in run.kept_cosignatures]
    assert shown == [("arm", True, True, None), ("aze", False, True, None)]
    kept = ledger_witness.kept_cosignatures(state)
    assert sorted(k.cosignature.member_id for k in kept) == ["arm", "aze"]
    assert all(k.cosignature.tree_size == run.tree_size for k in kept)
    # The server forgets them: the next run (same head) still shows both, re-checked.
    with ctx.unit_of_work() as session:
        session.execute(delete(LedgerCosignatureRow))
    assert ledger_tree.public_head(ctx).cosignatures == []
    again = ledger_witness.witness(source, state)
    assert not again.stored
    assert [(c.member_id, c.counted) for c in again.kept_cosignatures] == [
        ("arm", True),
        ("aze", True),
    ]
    assert len(ledger_witness.kept_cosignatures(state)) == 2  # kept once each
    # A kept cosignature changed on disk no longer verifies: shown, not counted, worded.
    path = state / ledger_witness.COSIGNATURES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    changed = [json.loads(line) for line in lines]
    for line in changed:
        if line["member_id"] == "aze":
            line["signature"] = "00" * 64
    path.write_text("".join(json.dumps(line) + "\n" for line in changed), encoding="utf-8")
    rechecked = ledger_witness.witness(source, state)
    aze = next(c for c in rechecked.kept_cosignatures if c.member_id == "aze")
    assert (aze.counted, aze.problem) == (False, "aze: the signature does not verify")
    assert aze.problem is not None
    assert "does not verify" not in _shown(aze.problem, "ru")
    # The CLI shows them, the reason in its language.
    url = settings.database_url
    said = cli.text("--lang", "ru", "witness", "--database-url", url, "--state", str(state))
    assert said.returncode == 0, said.stderr
    assert "arm" in said.stdout, said.stdout
    assert "aze: подпись не проверяется" in " ".join(said.stderr.split()), said.stderr
    assert "does not verify" not in said.stderr
    # A line of another format version is refused, naming the file, as heads.jsonl's are.
    changed[0]["v"] = 2
    path.write_text("".join(json.dumps(line) + "\n" for line in changed), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"cosignatures\.jsonl line 1"):
        ledger_witness.witness(source, state)


def test_the_cosignatures_kept_are_bounded_to_the_last_heads(
    ctx: ServiceContext,
    settings: Any,
    members: Members,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ledger_witness, "KEPT_COSIGNED_HEADS", 2)
    source = ledger_witness.DatabaseSource(ctx)
    sizes = []
    for _ in range(4):
        sizes.append(ledger_witness.witness(source, tmp_path, cosign_key=members.arm).tree_size)
        append_test_entries(ctx, settings, 1, member="centre")
    kept = ledger_witness.kept_cosignatures(tmp_path)
    assert [k.cosignature.tree_size for k in kept] == sizes[-2:]


@dataclass
class Relabelled(Dishonest):
    """A server answering with the honest log's head under another installation's name (or
    none): another database put behind the centre's key and address."""

    installation: str | None

    def tree_head(self) -> dict[str, Any]:
        body = dict(self.honest.tree_head())
        body.pop("installation", None)
        return body if self.installation is None else {**body, "installation": self.installation}


def test_the_witness_holds_the_server_to_the_installation_it_witnessed(
    ctx: ServiceContext, members: Members, tmp_path: Path, cli: InProcessCli, settings: Any
) -> None:
    """``heads.jsonl`` keeps the installation the server named with each head; a server that
    later names another one, or none, is refused with a finding kept as evidence, worded in
    the reader's language; a head kept before witnesses kept it is kept again with it."""
    honest = ledger_witness.DatabaseSource(ctx)
    state = tmp_path / "arm"
    _, installation = _head(ctx)
    ledger_witness.witness(honest, state)
    heads = state / ledger_witness.HEADS_FILE
    assert json.loads(heads.read_text(encoding="utf-8").splitlines()[-1])["installation"] == (
        installation
    )
    for named in ("ab" * 32, None):
        with pytest.raises(IntegrityError) as refused:
            ledger_witness.witness(Relabelled(honest, named), state)
        details = refused.value.details
        assert isinstance(details, dict)
        assert details["kind"] == "installation"
        assert installation in refused.value.message
        wording = refused.value.wording
        assert wording is not None
        for lang in ("ru", "tr"):
            rendered = wording.render(translations(lang).gettext)
            assert installation in rendered
            assert "installation" not in rendered, rendered
    evidence = (state / ledger_witness.EVIDENCE_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["kind"] for line in evidence] == ["installation", "installation"]
    # The honest server still passes; a state kept before the installation was gets it.
    assert ledger_witness.witness(honest, state).ok
    lines = heads.read_text(encoding="utf-8").splitlines()
    older = {k: v for k, v in json.loads(lines[-1]).items() if k != "installation"}
    heads.write_text(json.dumps(older) + "\n", encoding="utf-8")
    again = ledger_witness.witness(honest, state)
    assert again.stored
    assert ledger_witness.last_kept(state) is not None
    assert ledger_witness.last_kept(state).installation == installation  # type: ignore[union-attr]
    # The CLI says the finding in Russian: here the state names another installation.
    lines = heads.read_text(encoding="utf-8").splitlines()
    other = {**json.loads(lines[-1]), "installation": "cd" * 32}
    heads.write_text("\n".join([*lines, json.dumps(other)]) + "\n", encoding="utf-8")
    url = settings.database_url
    said = cli.text("--lang", "ru", "witness", "--database-url", url, "--state", str(state))
    assert said.returncode == 1, said.stderr
    shown = " ".join(said.stderr.split())
    assert f"видел установку {'cd' * 32}" in shown, shown
    assert "installation" not in shown, shown


def test_an_unreadable_kept_cosignature_says_why_in_the_readers_language(
    ctx: ServiceContext, settings: Any, members: Members, tmp_path: Path, cli: InProcessCli
) -> None:
    """A line of ``cosignatures.jsonl`` that is no cosignature is refused naming the file
    and line, its reason from the catalogues as the other findings' (it was English)."""
    state = tmp_path / "arm"
    source = ledger_witness.DatabaseSource(ctx)
    ledger_witness.witness(source, state, cosign_key=members.arm)
    path = state / ledger_witness.COSIGNATURES_FILE
    path.write_text(json.dumps({"format": "ceasefire-sth", "v": 1}) + "\n", encoding="utf-8")
    url = settings.database_url
    english = cli.text("witness", "--database-url", url, "--state", str(state))
    assert "not a ceasefire cosignature of version 1" in " ".join(english.stderr.split())
    for lang in ("ru", "tr"):
        said = " ".join(
            cli.text(
                "--lang", lang, "witness", "--database-url", url, "--state", str(state)
            ).stderr.split()
        )
        assert "cosignatures.jsonl" in said, said
        assert "ceasefire cosignature" not in said, said
        assert "not a" not in said, said
