"""``ceasefire ledger ...``: verify, export, prove, read the ledger and manage signing keys.

``verify`` exits 0 with a summary when the record is intact, and 1 naming the first bad
sequence number and what is wrong otherwise (payload changed, entry missing, order changed,
signature invalid, key not valid at that time, main tables differ from the ledger).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ceasefire.access import Viewer
from ceasefire.actor import Actor
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, ngettext
from ceasefire.console.options import JSON
from ceasefire.console.output import (
    console,
    err_console,
    print_json,
    print_result,
    print_table,
    to_json,
)
from ceasefire.errors import IntegrityError, InvalidInput, WordedText, Wording, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger import service as ledger
from ceasefire.ledger.canonical import canonical_json, unreadable
from ceasefire.ledger.entry import build_entry, validate_subject, validate_tag
from ceasefire.ledger.keyfile import KeyFile, StoredKey, load_key_file, member_key, write_key_file
from ceasefire.ledger.keys import SigningKey
from ceasefire.ledger.operations_commands import WORKERS
from ceasefire.ledger.schemas import (
    BundleSummary,
    FindingPublic,
    KeyPublic,
    VerificationSummary,
)
from ceasefire.ledger.verify import FindingKind
from ceasefire.timeutil import utcnow

ledger_app = typer.Typer(help=N_("The tamper-evident ledger: verify, export, proofs, keys."))
key_app = typer.Typer(help=N_("Members' signing keys: add a member-held key, rotate, revoke."))
BUNDLE_OUT = typer.Option("--out", help=N_("Bundle file to write (JSON Lines)."))
"""The bundle file ``export`` and ``fetch`` write."""


def _operator() -> Actor:
    return Actor.centre()


def _report_verification(summary: VerificationSummary, as_json: bool, bundle: Path | None) -> None:
    """The summary of a check of ``bundle`` (``None``: the database's ledger); the error of
    one that fails names it in English, as every coded error's message does, and in the
    CLI's language where it is shown."""
    source = (
        Wording(N_("the ledger"))
        if bundle is None
        else Wording(N_("bundle %(path)s"), (("path", str(bundle)),))
    )
    shown = _("the ledger") if bundle is None else _("bundle {path}").format(path=bundle)
    if summary.ok:
        if as_json:
            print_json(summary)
            return
        console.print(
            "[green]✓[/green] "
            + ngettext(
                "{source}: {n} entry verifies (head seq {seq}, {hash})",
                "{source}: {n} entries verify (head seq {seq}, {hash})",
                summary.entries,
            ).format(source=shown, n=summary.entries, seq=summary.head_seq, hash=summary.head_hash)
        )
        console.print(
            "  "
            + _("{signatures}, {keys}, {days} (open day: {open_day}), members: {members}").format(
                signatures=ngettext(
                    "{n} signature checked", "{n} signatures checked", summary.signatures_checked
                ).format(n=summary.signatures_checked),
                keys=_keys(summary.keys),
                days=ngettext("{n} day sealed", "{n} days sealed", summary.days_sealed).format(
                    n=summary.days_sealed
                ),
                open_day=summary.open_day,
                members=", ".join(summary.members) or "-",
            )
        )
        if summary.payloads_withheld:
            console.print(
                "  "
                + ngettext(
                    "{n} payload withheld from this copy"
                    " (headers, hashes and signatures checked; payloads not)",
                    "{n} payloads withheld from this copy"
                    " (headers, hashes and signatures checked; payloads not)",
                    summary.payloads_withheld,
                ).format(n=summary.payloads_withheld)
            )
        for name in summary.state_checks:
            console.print("  " + _("state matches the ledger: {name}").format(name=name))
        console.print(f"  {summary.seconds} s")
        return
    first = summary.first_bad
    assert first is not None  # a summary that is not ok names its first finding
    if not as_json:
        for finding in summary.findings[:20]:
            seq = finding.seq if finding.seq is not None else "-"
            said = finding.message
            if isinstance(said, WordedText):
                said = said.wording.render(_)
            err_console.print(f"  seq {seq}: {_(finding.what)}: {said}", highlight=False)
        if len(summary.findings) > 20:
            more = len(summary.findings) - 20
            err_console.print(
                "  … " + ngettext("{n} more finding", "{n} more findings", more).format(n=more)
            )
    raise IntegrityError.worded(
        N_("%(source)s does not verify: first bad entry at %(where)s: %(what)s (%(message)s)"),
        details=summary.model_dump(mode="json"),
        code="E601",
        source=source,
        where=_first_bad_place(first),
        what=Wording(first.what),
        message=first.message,
    )


def _first_bad_place(first: FindingPublic) -> str | Wording:
    """Where the first finding is: its entry; else the main tables (a state check), or a
    bundle's lines that are no entry (its header, keys and roots, a line of no known type)."""
    if first.seq is not None:
        return f"seq {first.seq}"
    if first.kind == FindingKind.STATE_MISMATCH:
        return Wording(N_("the main tables"))
    return Wording(N_("the bundle's lines other than entries"))


@ledger_app.command(
    "verify",
    help=N_("Walk the chain: hashes, order, keys, signatures, daily roots, and the main tables."),
)
def verify_command(
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle", help=N_("Verify an exported bundle offline instead of the database.")
        ),
    ] = None,
    no_signatures: Annotated[
        bool, typer.Option("--no-signatures", help=N_("Check hashes and chain only (faster)."))
    ] = False,
    no_state: Annotated[
        bool, typer.Option("--no-state", help=N_("Skip comparing the main tables with the ledger."))
    ] = False,
    workers: Annotated[int, WORKERS] = 1,
    witness_state: Annotated[
        Path | None,
        typer.Option(
            "--witness-state",
            help=N_(
                "With --bundle: a witness's state directory; the bundle must hold the tree of "
                "the last head it kept (catches a bundle cut short or another history)."
            ),
        ),
    ] = None,
    cosigners: Annotated[
        int,
        typer.Option(
            "--cosigners",
            min=0,
            help=N_(
                "With --bundle: its tree head must carry valid cosignatures by this many "
                "members other than the centre."
            ),
        ),
    ] = 0,
    cosigner: Annotated[
        list[str] | None,
        typer.Option(
            "--cosigner",
            help=N_("With --bundle: a member whose cosignature its tree head must carry."),
        ),
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    if (cosigners or cosigner) and bundle is None:
        raise InvalidInput.worded(
            N_("--cosigners checks a bundle's tree head: give --bundle"),
            details=[problem("cosigners", N_("needs --bundle"))],
        )
    if witness_state is not None and bundle is None:
        raise InvalidInput.worded(
            N_("--witness-state checks a bundle: for the database, run `ceasefire check`"),
            details=[problem("witness_state", N_("needs --bundle"))],
        )
    if bundle is not None:
        from ceasefire.ledger import witness as ledger_witness

        witnessed, key = (
            ledger_witness.witnessed_head(witness_state) if witness_state else (None, None)
        )
        summary = ledger.verify_bundle_file(
            bundle,
            check_signatures=not no_signatures,
            workers=workers,
            witnessed=witnessed,
            witnessed_key=key,
            cosigners=cosigners,
            cosigner_ids=cosigner or [],
        )
        _report_verification(summary, as_json, bundle)
        return
    result = ledger.verify(
        get_context(),
        check_signatures=not no_signatures,
        check_state=not no_state,
        workers=workers,
    )
    _report_verification(result.summary(), as_json, None)


@ledger_app.command(
    "export",
    help=N_(
        "Write a self-contained bundle that `ceasefire ledger verify --bundle` checks offline."
    ),
)
def export_command(
    out: Annotated[Path, BUNDLE_OUT],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    summary = ledger.export_bundle(get_context(), out)
    print_result(summary, as_json, _bundle_written(summary, member_copy=False))


@ledger_app.command(
    "fetch",
    help=N_(
        "A member's copy: every entry the server shows this member, as a "
        "bundle that\n`ceasefire ledger verify --bundle` checks offline "
        "(payloads withheld from the member\nstay withheld; their headers, "
        "hashes and signatures are checked)."
    ),
)
def fetch_command(
    url: Annotated[str, typer.Option("--url", help=N_("The server's base URL (https://…)."))],
    out: Annotated[Path, BUNDLE_OUT],
    token: Annotated[
        str,
        typer.Option(
            "--token", envvar="CEASEFIRE_WITNESS_TOKEN", help=N_("The member's API token.")
        ),
    ],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.ledger import witness as ledger_witness

    summary = ledger_witness.fetch_bundle(ledger_witness.HttpSource(url, token), out)
    print_result(summary, as_json, _bundle_written(summary, member_copy=True))


@ledger_app.command(
    "proof",
    help=N_("Inclusion proof of an entry in its day's Merkle tree (with the entry itself)."),
)
def proof_command(
    seq: Annotated[int, typer.Argument(help=N_("Sequence number of the entry."))],
    out: Annotated[
        Path | None, typer.Option("--out", help=N_("Write the proof to a file."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    document = ledger.entry_proof(get_context(), Viewer.cli_operator(), seq)
    if out is not None:
        out.write_text(to_json(document) + "\n", encoding="utf-8")
    if as_json or out is None:
        print_json(document)
        return
    proof = document.proof
    state = (
        _("provisional (day still open)")
        if proof.provisional
        else _("sealed at seq {seq}").format(seq=proof.root_seq)
    )
    console.print(
        _(
            "proof of entry {seq} written to {out}: leaf {leaf} of {size} on {day},"
            " root {root} {state}"
        ).format(
            seq=seq,
            out=out,
            leaf=proof.leaf_index,
            size=proof.tree_size,
            day=proof.day,
            root=proof.root,
            state=state,
        )
    )


@ledger_app.command(
    "check-proof",
    help=N_("Check a proof offline with nothing but the proof, the entry and the published root."),
)
def check_proof_command(
    proof_file: Annotated[
        Path, typer.Argument(help=N_("A proof written by `ceasefire ledger proof`."))
    ],
    root: Annotated[
        str | None, typer.Option("--root", help=N_("The published root to check against."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    try:
        document = json.loads(proof_file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise unreadable(
            N_("cannot read %(proof_file)s: %(error)s"), "proof_file", exc, proof_file=proof_file
        ) from exc
    result = ledger.check_proof(document, root=root)
    if not result.ok:
        raise IntegrityError.worded(
            N_("the proof of entry %(seq)s does not hold: %(names)s"),
            details=result.model_dump(),
            code="E604",
            seq=result.seq,
            names="; ".join(result.problems),
        )
    print_result(
        result,
        as_json,
        "[green]✓[/green] "
        + _("entry {seq} is in the tree of {day} with root {root}").format(
            seq=result.seq, day=result.day, root=result.root
        )
        + (" " + _("(provisional)") if result.provisional else "")
        + (" " + _("(payload withheld: not checked)") if result.payload_withheld else "")
        # Anyone can make a proof with a root of its own (a tree of one leaf): only a
        # published root makes the check mean anything.
        + (
            " "
            + _("(against the proof's own root: compare it with the published one, or pass --root)")
            if root is None
            else ""
        ),
    )


@ledger_app.command("list", help=N_("List entries in sequence order."))
def list_command(
    after: Annotated[int, typer.Option("--after", help=N_("Entries after this seq."))] = 0,
    limit: Annotated[int, typer.Option("--limit", help=N_("At most this many (1..1000)."))] = 50,
    tag: Annotated[
        str | None, typer.Option("--tag", help=N_("Tag prefix, e.g. 'agreement:'."))
    ] = None,
    subject: Annotated[str | None, typer.Option("--subject", help=N_("Exact subject id."))] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    entries = ledger.list_entries(
        get_context(), Viewer.cli_operator(), after=after, limit=limit, tag=tag, subject=subject
    )
    if as_json:
        print_json([e.model_dump(mode="json") for e in entries])
        return
    print_table(
        N_("Ledger"),
        [
            N_("seq"),
            N_("recorded at (UTC)"),
            N_("tag"),
            N_("subject"),
            N_("member"),
            N_("user"),
            N_("hash"),
        ],
        (
            [
                e.seq,
                e.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                e.tag,
                e.subject,
                e.member_id,
                e.user_id,
                e.entry_hash[:16],
            ]
            for e in entries
        ),
    )


@ledger_app.command("show", help=N_("One entry with its payload, hashes and signature."))
def show_command(
    seq: Annotated[int, typer.Argument(help=N_("Sequence number."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    entry = ledger.get_entry(get_context(), Viewer.cli_operator(), seq)
    if as_json:
        print_json(entry.model_dump(mode="json"))
        return
    console.print(
        "[bold]" + _("entry {seq}").format(seq=entry.seq) + f"[/bold]  {entry.tag}  {entry.subject}"
    )
    actor = _("{member} / {user} (key {key})").format(
        member=entry.member_id, user=entry.user_id or "-", key=entry.key_id
    )
    fields = [
        (_("recorded at"), entry.recorded_at.isoformat()),
        (_("actor"), actor),
        (_("prev hash"), entry.prev_hash),
        (_("entry hash"), entry.entry_hash),
        (_("signature"), entry.signature),
    ]
    width = max(12, *(len(label) + 1 for label, _value in fields))
    for label, value in fields:
        console.print(f"  {label:<{width}} {value}")
    console.print_json(json.dumps(entry.payload, ensure_ascii=False))


@ledger_app.command(
    "head",
    help=N_("The last entry's sequence number and hash (what a pre-signed entry builds on)."),
)
def head_command(as_json: Annotated[bool, JSON] = False) -> None:
    result = ledger.head(get_context())
    print_result(
        result,
        as_json,
        f"seq {result.seq}  {result.entry_hash}  {result.recorded_at or ''}",
    )


@ledger_app.command("roots", help=N_("The published Merkle root of every sealed UTC day."))
def roots_command(as_json: Annotated[bool, JSON] = False) -> None:
    roots = ledger.list_roots(get_context())
    if as_json:
        print_json([r.model_dump(mode="json") for r in roots])
        return
    print_table(
        N_("Daily roots"),
        [N_("day"), N_("entries"), N_("seqs"), N_("root"), N_("sealed at seq")],
        ([r.day, r.count, f"{r.first_seq}–{r.last_seq}", r.root, r.sealed_seq] for r in roots),
    )


@ledger_app.command(
    "seal",
    help=N_("Seal the last day with entries if it has ended (appends also do this by themselves)."),
)
def seal_command(as_json: Annotated[bool, JSON] = False) -> None:
    days = ledger.seal_closed_days(get_context())
    print_result(
        {"sealed": days},
        as_json,
        _("sealed: {days}").format(days=", ".join(days)) if days else _("nothing to seal"),
    )


@ledger_app.command("keys", help=N_("Every public key the ledger knows, with its validity."))
def keys_command(
    member: Annotated[str | None, typer.Option("--member", help=N_("Only this member."))] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    keys = ledger.list_keys(get_context(), member_id=member)
    if as_json:
        print_json([k.model_dump(mode="json") for k in keys])
        return
    print_table(
        N_("Signing keys"),
        [
            N_("key id"),
            N_("member"),
            N_("custody"),
            N_("valid from (seq)"),
            N_("valid until (seq)"),
            N_("ended"),
        ],
        (
            [
                k.key_id,
                k.member_id,
                k.custody,
                f"{k.valid_from.isoformat(timespec='seconds')} ({k.added_seq})",
                f"{k.valid_until.isoformat(timespec='seconds')} ({k.ended_seq})"
                if k.valid_until
                else "",
                k.end_reason or "",
            ]
            for k in keys
        ),
    )


KEY_CHANGES = {
    "added": N_("key [bold]{id}[/bold] of {member} added (seq {seq}, custody {custody})"),
    "added by rotation": N_(
        "key [bold]{id}[/bold] of {member} added by rotation (seq {seq}, custody {custody})"
    ),
    "revoked": N_("key [bold]{id}[/bold] of {member} revoked (seq {seq}, custody {custody})"),
}


def _print_key(key: KeyPublic, as_json: bool, verb: str) -> None:
    print_result(
        key,
        as_json,
        _(KEY_CHANGES[verb]).format(
            id=key.key_id,
            member=key.member_id,
            seq=key.ended_seq if verb == "revoked" else key.added_seq,
            custody=key.custody,
        ),
    )


def _bundle_written(summary: BundleSummary, *, member_copy: bool) -> str:
    """The line that says what a bundle written by ``export`` or ``fetch`` holds; a member's
    copy (``fetch``) also counts the payloads the server withheld from it."""
    counts = {
        "entries": _entries(summary.entries),
        "keys": _keys(summary.keys),
        "roots": _roots(summary.roots),
        "path": summary.path,
        "hash": summary.head_hash,
    }
    if member_copy:
        withheld = ngettext(
            "{n} payload withheld", "{n} payloads withheld", summary.payloads_withheld
        ).format(n=summary.payloads_withheld)
        line = _("{entries} ({withheld}), {keys}, {roots} written to {path} (head {hash})").format(
            withheld=withheld, **counts
        )
    else:
        line = _("{entries}, {keys}, {roots} written to {path} (head {hash})").format(**counts)
    return "[green]✓[/green] " + line


def _entries(n: int) -> str:
    return ngettext("{n} entry", "{n} entries", n).format(n=n)


def _keys(n: int) -> str:
    return ngettext("{n} key", "{n} keys", n).format(n=n)


def _roots(n: int) -> str:
    return ngettext("{n} daily root", "{n} daily roots", n).format(n=n)


@key_app.command(
    "add",
    help=N_("Register a key the member keeps itself; from then on only its own keys sign for it."),
)
def key_add(
    member_id: Annotated[str, typer.Argument(help=N_("The member the key signs for."))],
    public_key: Annotated[
        str, typer.Option("--public-key", help=N_("Raw Ed25519 public key, hex."))
    ],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    key = ledger.add_member_key(
        get_context(), member_id=member_id, public_key=public_key, actor=_operator()
    )
    _print_key(key, as_json, "added")


@key_app.command(
    "rotate", help=N_("Replace a member's key: the old one stops being valid at this entry.")
)
def key_rotate(
    member_id: Annotated[str, typer.Argument(help=N_("The member whose key is replaced."))],
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help=N_("New member-held key (hex); default: a server key.")),
    ] = None,
    key_id: Annotated[
        str | None, typer.Option("--key-id", help=N_("Which key, when the member has several."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    key = ledger.rotate_key(
        get_context(), member_id=member_id, actor=_operator(), public_key=public_key, key_id=key_id
    )
    _print_key(key, as_json, "added by rotation")


@key_app.command("revoke", help=N_("Revoke a key: entries it signs from now on do not verify."))
def key_revoke(
    key_id: Annotated[str, typer.Argument(help=N_("The key to revoke."))],
    reason: Annotated[str, typer.Option("--reason", help=N_("Why (kept in the ledger)."))] = "",
    as_json: Annotated[bool, JSON] = False,
) -> None:
    key = ledger.revoke_key(get_context(), key_id=key_id, actor=_operator(), reason=reason)
    _print_key(key, as_json, "revoked")


@key_app.command(
    "generate",
    help=N_(
        "Make a member-held key on the member's own machine (nothing touches "
        "the server).\n\nRegister its public key with `ceasefire ledger key add` "
        "on the server."
    ),
)
def key_generate(
    member_id: Annotated[str, typer.Option("--member", help=N_("The member the key signs for."))],
    out: Annotated[Path, typer.Option("--out", help=N_("Key file to create or extend (0600)."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    validate_subject(member_id)
    key = SigningKey.generate(member_id)
    current = load_key_file(out)
    write_key_file(
        KeyFile(out, (*current.keys, StoredKey(key=key, created_at=utcnow().isoformat())))
    )
    result = {"member_id": member_id, "key_id": key.key_id, "public_key": key.public_key_hex}
    if as_json:
        print_json(result)
    else:
        console.print(
            _("key {id} of {member} written to {out}").format(
                id=key.key_id, member=member_id, out=out
            )
        )
        console.print(_("public key: {key}").format(key=key.public_key_hex))


@key_app.command(
    "sign", help=N_("Sign an entry offline; prints the body for POST /api/v1/ledger/entries.")
)
def key_sign(
    key_file: Annotated[Path, typer.Option("--key-file", help=N_("The member's own key file."))],
    tag: Annotated[str, typer.Option("--tag", help=N_("source:subject:action"))],
    subject: Annotated[str, typer.Option("--subject", help=N_("Id of what changed."))],
    payload: Annotated[str, typer.Option("--payload", help=N_("The payload, a JSON object."))],
    head_seq: Annotated[
        int, typer.Option("--head-seq", help=N_("Current head seq (GET .../head)."))
    ],
    head_hash: Annotated[str, typer.Option("--head-hash", help=N_("Current head hash."))],
    user: Annotated[str | None, typer.Option("--user", help=N_("The member's user id."))] = None,
    key_id: Annotated[
        str | None, typer.Option("--key-id", help=N_("Which key of the file."))
    ] = None,
) -> None:
    signer = member_key(key_file, key_id)
    try:
        value = json.loads(payload)
    except ValueError as exc:
        raise InvalidInput.worded(
            N_("payload is not JSON"), details=[problem("payload", str(exc))]
        ) from exc
    entry = build_entry(
        seq=head_seq + 1,
        ts=utcnow(),
        tag=validate_tag(tag),
        subject=validate_subject(subject),
        actor_member=signer.member_id,
        actor_user=user,
        payload_bytes=canonical_json(value),
        prev=head_hash,
        signer=signer,
    )
    print_json(
        {
            "header": entry.header_bytes.decode("utf-8"),
            "payload": entry.payload_bytes.decode("utf-8"),
            "signature": entry.signature,
        }
    )


def register(app: typer.Typer) -> None:
    """Add ``ceasefire ledger ...``, and backup, restore, check and witness."""
    from ceasefire.ledger import operations_commands

    ledger_app.add_typer(key_app, name="key")
    app.add_typer(ledger_app, name="ledger")
    operations_commands.register(app, ledger_app)
