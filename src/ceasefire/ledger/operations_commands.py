"""``ceasefire backup | restore | check | witness`` and ``ceasefire ledger tree-head |
consistency | inclusion``: keeping the record safe and holding the operator to it.

``check`` and ``witness`` exit 1 naming what is inconsistent (sizes, roots, the first bad
entry); ``witness`` also keeps the contradicting heads as evidence in its state directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceasefire.config import load_settings
from ceasefire.console.context import get_context
from ceasefire.console.lang import _, ngettext
from ceasefire.console.options import JSON
from ceasefire.console.output import console, err_console, print_json, print_result
from ceasefire.errors import IntegrityError, WordedText
from ceasefire.i18n.markers import N_
from ceasefire.ledger.keyfile import member_key
from ceasefire.ledger.schemas import CheckSummary, KeptCosignaturePublic

WORKERS = typer.Option("--workers", min=1, max=64, help=N_("Processes checking signatures."))


def backup_command(
    out: Annotated[Path, typer.Option("--out", help=N_("File to write (created 0600)."))],
    force: Annotated[bool, typer.Option("--force", help=N_("Replace an existing file."))] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.ledger import backup

    summary = backup.backup(load_settings(), out, force=force)
    if as_json:
        print_json(summary)
        return
    head = (
        _(", ledger head seq {seq} {hash}").format(seq=summary.head_seq, hash=summary.head_hash)
        if summary.head_seq is not None
        else ""
    )
    console.print(
        "[green]✓[/green] "
        + _("{backend} backup written to {path} ({size}, {integrity}{head}, {seconds} s)").format(
            backend=summary.backend,
            path=summary.path,
            size=ngettext("{n} byte", "{n} bytes", summary.bytes).format(n=summary.bytes),
            integrity=summary.integrity,
            head=head,
            seconds=summary.seconds,
        )
    )


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help=N_("A file written by `ceasefire backup`."))],
    force: Annotated[
        bool, typer.Option("--force", help=N_("Replace a database that holds data."))
    ] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.ledger import backup

    summary = backup.restore(load_settings(), backup_file, force=force)
    print_result(
        summary,
        as_json,
        "[green]✓[/green] "
        + _(
            "restored from {path} ({seconds} s); run `ceasefire check --witness-state DIR`"
            " before serving again"
        ).format(path=summary.restored_from, seconds=summary.seconds),
    )


def check_command(
    witness_state: Annotated[
        Path | None,
        typer.Option(
            "--witness-state", help=N_("A witness's state directory: check against its last head.")
        ),
    ] = None,
    no_signatures: Annotated[
        bool, typer.Option("--no-signatures", help=N_("Skip Ed25519 signatures (faster)."))
    ] = False,
    workers: Annotated[int, WORKERS] = 1,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.ledger import backup

    result = backup.check(
        get_context(),
        witness_state=witness_state,
        check_signatures=not no_signatures,
        workers=workers,
    )
    problems = _check_problems(result)
    if not problems:
        if as_json:
            print_json(result)
            return
        tree = result.tree
        console.print(
            "[green]✓[/green] "
            + _("database integrity ({method})").format(method=result.database.method)
        )
        console.print(
            "[green]✓[/green] "
            + ngettext(
                "ledger: {n} entry verifies (head seq {seq})",
                "ledger: {n} entries verify (head seq {seq})",
                result.ledger.entries,
            ).format(n=result.ledger.entries, seq=result.ledger.head_seq)
        )
        witnessed = tree.witnessed
        console.print(
            "[green]✓[/green] "
            + _("{tree}, root {root}: {heads} and {nodes} match").format(
                tree=_tree_of(tree.tree_size),
                root=tree.root_hash,
                heads=ngettext("{n} issued head", "{n} issued heads", tree.heads_checked).format(
                    n=tree.heads_checked
                ),
                nodes=ngettext(
                    "{n} cached subtree", "{n} cached subtrees", tree.nodes_checked
                ).format(n=tree.nodes_checked),
            )
            + (
                ngettext(
                    "; consistent with the witnessed head of {n} entry",
                    "; consistent with the witnessed head of {n} entries",
                    witnessed.tree_size,
                ).format(n=witnessed.tree_size)
                if witnessed
                else " " + _("(no witness state given)")
            )
        )
        return
    if not as_json:
        for line in problems:
            err_console.print(f"  {line}", highlight=False)
    raise IntegrityError.worded(
        N_("check failed: %(problem)s"), details=result.model_dump(mode="json"), problem=problems[0]
    )


def _check_problems(result: CheckSummary) -> list[str]:
    problems = [f"database: {p}" for p in result.database.problems]
    first = result.ledger.first_bad
    if first is not None:
        problems.append(
            f"ledger: first bad entry at seq {first.seq}: {first.what} ({first.message})"
        )
    problems += [f"tree: {p}" for p in result.tree.problems]
    return problems


def witness_command(
    state: Annotated[Path, typer.Option("--state", help=N_("Directory keeping the heads seen."))],
    url: Annotated[
        str | None, typer.Option("--url", help=N_("The server's base URL (https://…)."))
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="CEASEFIRE_WITNESS_TOKEN", help=N_("API token (optional).")),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help=N_("Witness a database directly (operators).")),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help=N_("The centre's public key (hex) to pin on first use.")),
    ] = None,
    member: Annotated[
        str | None,
        typer.Option("--member", help=N_("Also check this member has no valid key but its own.")),
    ] = None,
    own_key: Annotated[
        list[str] | None,
        typer.Option("--own-key", help=N_("A key id the member made itself (repeat for each).")),
    ] = None,
    cosign: Annotated[
        Path | None,
        typer.Option(
            "--cosign",
            help=N_(
                "The member's own key file: cosign the head once verified and submit the "
                "cosignature (needs --token with --url)."
            ),
        ),
    ] = None,
    cosign_key_id: Annotated[
        str | None, typer.Option("--cosign-key-id", help=N_("Which key of the --cosign file."))
    ] = None,
    cosigners: Annotated[
        int,
        typer.Option(
            "--cosigners",
            min=0,
            help=N_("The head must carry valid cosignatures by this many other members."),
        ),
    ] = 0,
    cosigner: Annotated[
        list[str] | None,
        typer.Option(
            "--cosigner", help=N_("A member whose cosignature the head must carry (repeat).")
        ),
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.db.context import ServiceContext
    from ceasefire.errors import InvalidInput, problem
    from ceasefire.ledger import witness as ledger_witness

    if (url is None) == (database_url is None):
        raise InvalidInput.worded(
            N_("give exactly one of --url and --database-url"),
            details=[problem("url", N_("exactly one of --url, --database-url"))],
        )
    source: ledger_witness.HeadSource
    ctx = None
    signer = None if cosign is None else member_key(cosign, cosign_key_id)
    if url is not None:
        source = ledger_witness.HttpSource(url, token)
    else:
        ctx = ServiceContext.from_settings(load_settings(database_url=database_url))
        source = ledger_witness.DatabaseSource(ctx)
    try:
        result = ledger_witness.witness(
            source,
            state,
            public_key=public_key,
            member_id=member,
            own_keys=set(own_key or []),
            cosign_key=signer,
            cosigners=cosigners,
            cosigner_ids=cosigner or [],
        )
    finally:
        if ctx is not None:
            ctx.dispose()
    if as_json:
        print_json(result)
        return
    previous = result.previous
    since = (
        ngettext(
            "consistent with the head of {n} entry kept before ({proof})",
            "consistent with the head of {n} entries kept before ({proof})",
            previous.tree_size,
        ).format(n=previous.tree_size, proof=_proof_hashes(result.proof_nodes))
        if previous
        else _("first head kept")
    )
    pinned = _("; pinned centre key {key}").format(key=result.key_id) if result.pinned_now else ""
    console.print(
        "[green]✓[/green] "
        + _("{source}: {tree}, root {root}: {since}").format(
            source=result.source,
            tree=_tree_of(result.tree_size),
            root=result.root_hash,
            since=since,
        )
        + pinned
    )
    if result.cosigned_by is not None:
        console.print(
            "[green]✓[/green] "
            + _("cosigned by {member} and submitted").format(member=result.cosigned_by)
        )
    if result.cosigners:
        console.print(
            "[green]✓[/green] "
            + _("cosigned also by: {members}").format(members=", ".join(result.cosigners))
        )
    _show_kept_cosignatures(result.kept_cosignatures)
    keys = result.member_keys
    if keys is not None:
        console.print(
            "[green]✓[/green] "
            + _("{member} has no valid key but its own ({keys})").format(
                member=keys.member_id, keys=", ".join(keys.valid) or _("none valid")
            )
        )
        for key_id in keys.ended:
            err_console.print(
                "  " + _("warning: your key {key} is no longer valid (revoked)").format(key=key_id)
            )
        for key_id in keys.unregistered:
            err_console.print(
                "  " + _("warning: your key {key} is not registered").format(key=key_id)
            )


def _show_kept_cosignatures(kept: list[KeptCosignaturePublic]) -> None:
    """The cosignatures of the head that the witness keeps, re-checked in this run: those
    that count on one line, each other one as a warning saying why (in the CLI's language)."""
    counted = [
        c.member_id + (" " + _("(made here)") if c.made_here else "") for c in kept if c.counted
    ]
    if counted:
        console.print(
            "[green]✓[/green] "
            + _("cosignatures of this head kept: {members}").format(members=", ".join(counted))
        )
    for each in kept:
        if not each.counted:
            said = each.problem
            if isinstance(said, WordedText):
                said = said.shown(_)
            err_console.print(
                "  "
                + _("warning: the kept cosignature of {member} does not count now: {why}").format(
                    member=each.member_id, why=said
                ),
                highlight=False,
            )


def tree_head_command(as_json: Annotated[bool, JSON] = False) -> None:
    from ceasefire.ledger import tree_heads as ledger_tree

    head = ledger_tree.public_head(get_context())
    print_result(
        head,
        as_json,
        _("{tree}  root {root}  {timestamp}  signed by {key}").format(
            tree=_tree_of(head.tree_size),
            root=head.root_hash,
            timestamp=head.timestamp,
            key=head.key_id,
        )
        + (
            _("; cosigned by {members}").format(
                members=", ".join(c.member_id for c in head.cosignatures)
            )
            if head.cosignatures
            else ""
        ),
    )


def tree_consistency_command(
    first: Annotated[int, typer.Argument(help=N_("The smaller tree size."))],
    second: Annotated[int, typer.Argument(help=N_("The larger tree size."))],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.ledger import tree_heads as ledger_tree

    proof = ledger_tree.consistency_proof(get_context(), first, second)
    if as_json:
        print_json(proof)
        return
    console.print(
        _("{first} → {second}: roots {first_root} → {second_root}, {proof}").format(
            first=first,
            second=second,
            first_root=proof.first_root,
            second_root=proof.second_root,
            proof=_proof_hashes(len(proof.path)),
        )
    )
    for node in proof.path:
        console.print(f"  {node}")


def tree_inclusion_command(
    seq: Annotated[int, typer.Argument(help=N_("Sequence number of the entry."))],
    tree_size: Annotated[
        int | None, typer.Option("--tree-size", help=N_("Tree size (default: now)."))
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    from ceasefire.ledger import tree_heads as ledger_tree

    proof = ledger_tree.inclusion_proof(get_context(), seq, tree_size)
    print_result(
        proof,
        as_json,
        _("entry {seq} ({hash}) is leaf {leaf} of {size}, root {root}, {proof}").format(
            seq=seq,
            hash=proof.entry_hash,
            leaf=proof.leaf_index,
            size=proof.tree_size,
            root=proof.root,
            proof=_proof_hashes(len(proof.path)),
        ),
    )


def _tree_of(n: int) -> str:
    return ngettext("tree of {n} entry", "tree of {n} entries", n).format(n=n)


def _proof_hashes(n: int) -> str:
    return ngettext("{n} proof hash", "{n} proof hashes", n).format(n=n)


def register(app: typer.Typer, ledger_app: typer.Typer) -> None:
    """Add the top-level commands, and the tree commands to ``ceasefire ledger``."""
    app.command(
        "backup",
        help=N_(
            "Copy the live database consistently (SQLite online backup API; "
            "PostgreSQL pg_dump).\n\nNever `cp` a live SQLite file: a copy taken "
            "under load can miss index rows."
        ),
    )(backup_command)
    app.command(
        "restore",
        help=N_("Put a backup in place of the configured database (stop the server first)."),
    )(restore_command)
    app.command(
        "check",
        help=N_(
            "Database integrity, ledger verify, and the tree against every issued "
            "and witnessed head.\n\nExit 1 names what does not hold."
        ),
    )(check_command)
    app.command(
        "witness",
        help=N_(
            "Fetch the signed tree head, check it extends the last head kept, and "
            "keep it.\n\nExit 1 names the inconsistency (rollback to an older copy, "
            "rewritten history)."
        ),
    )(witness_command)
    ledger_app.command(
        "tree-head",
        help=N_("The signed tree head of the whole ledger now (issued and stored if new)."),
    )(tree_head_command)
    ledger_app.command(
        "consistency", help=N_("RFC 9162 consistency proof between two tree sizes.")
    )(tree_consistency_command)
    ledger_app.command(
        "inclusion", help=N_("RFC 9162 inclusion proof of an entry in the whole-ledger tree.")
    )(tree_inclusion_command)
