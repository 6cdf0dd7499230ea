"""``ceasefire backup | restore | check | witness`` and ``ceasefire ledger tree-head |
consistency | inclusion``: keeping the record safe and holding the operator to it.

``check`` and ``witness`` exit 1 naming what is inconsistent (sizes, roots, the first bad
entry); ``witness`` also keeps the contradicting heads as evidence in its state directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ceasefire.config import Settings
from ceasefire.console.context import get_context
from ceasefire.console.options import JSON
from ceasefire.console.output import console, err_console, print_json, print_result
from ceasefire.errors import IntegrityError
from ceasefire.ledger.schemas import CheckSummary

WORKERS = typer.Option("--workers", min=1, max=64, help="Processes checking signatures.")


def backup_command(
    out: Annotated[Path, typer.Option("--out", help="File to write (created 0600).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """Copy the live database consistently (SQLite online backup API; PostgreSQL pg_dump).

    Never `cp` a live SQLite file: a copy taken under load can miss index rows.
    """
    from ceasefire.ledger import backup

    summary = backup.backup(Settings(), out, force=force)
    if as_json:
        print_json(summary)
        return
    head = (
        f", ledger head seq {summary.head_seq} {summary.head_hash}"
        if summary.head_seq is not None
        else ""
    )
    console.print(
        f"[green]✓[/green] {summary.backend} backup written to {summary.path}"
        f" ({summary.bytes} bytes, {summary.integrity}{head}, {summary.seconds} s)"
    )


def restore_command(
    backup_file: Annotated[Path, typer.Argument(help="A file written by `ceasefire backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data.")
    ] = False,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """Put a backup in place of the configured database (stop the server first)."""
    from ceasefire.ledger import backup

    summary = backup.restore(Settings(), backup_file, force=force)
    print_result(
        summary,
        as_json,
        f"[green]✓[/green] restored from {summary.restored_from} ({summary.seconds} s);"
        " run `ceasefire check --witness-state DIR` before serving again",
    )


def check_command(
    witness_state: Annotated[
        Path | None,
        typer.Option(
            "--witness-state", help="A witness's state directory: check against its last head."
        ),
    ] = None,
    no_signatures: Annotated[
        bool, typer.Option("--no-signatures", help="Skip Ed25519 signatures (faster).")
    ] = False,
    workers: Annotated[int, WORKERS] = 1,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """Database integrity, ledger verify, and the tree against every issued and witnessed head.

    Exit 1 names what does not hold.
    """
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
        console.print(f"[green]✓[/green] database integrity ({result.database.method})")
        console.print(
            f"[green]✓[/green] ledger: {result.ledger.entries} entries verify"
            f" (head seq {result.ledger.head_seq})"
        )
        witnessed = tree.witnessed
        console.print(
            f"[green]✓[/green] tree of {tree.tree_size} entries, root {tree.root_hash}:"
            f" {tree.heads_checked} issued heads and {tree.nodes_checked} cached subtrees"
            " match"
            + (
                f"; consistent with the witnessed head of {witnessed.tree_size} entries"
                if witnessed
                else " (no witness state given)"
            )
        )
        return
    if not as_json:
        for line in problems:
            err_console.print(f"  {line}", highlight=False)
    raise IntegrityError(f"check failed: {problems[0]}", details=result.model_dump(mode="json"))


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
    state: Annotated[Path, typer.Option("--state", help="Directory keeping the heads seen.")],
    url: Annotated[
        str | None, typer.Option("--url", help="The server's base URL (https://…).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="CEASEFIRE_WITNESS_TOKEN", help="API token (optional)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Witness a database directly (operators)."),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option("--public-key", help="The centre's public key (hex) to pin on first use."),
    ] = None,
    member: Annotated[
        str | None,
        typer.Option("--member", help="Also check this member has no valid key but its own."),
    ] = None,
    own_key: Annotated[
        list[str] | None,
        typer.Option("--own-key", help="A key id the member made itself (repeat for each)."),
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """Fetch the signed tree head, check it extends the last head kept, and keep it.

    Exit 1 names the inconsistency (rollback to an older copy, rewritten history).
    """
    from ceasefire.db.context import ServiceContext
    from ceasefire.errors import InvalidInput, problem
    from ceasefire.ledger import witness as ledger_witness

    if (url is None) == (database_url is None):
        raise InvalidInput(
            "give exactly one of --url and --database-url",
            details=[problem("url", "exactly one of --url, --database-url")],
        )
    source: ledger_witness.HeadSource
    ctx = None
    if url is not None:
        source = ledger_witness.HttpSource(url, token)
    else:
        ctx = ServiceContext.from_settings(Settings(database_url=database_url))
        source = ledger_witness.DatabaseSource(ctx)
    try:
        result = ledger_witness.witness(
            source,
            state,
            public_key=public_key,
            member_id=member,
            own_keys=set(own_key or []),
        )
    finally:
        if ctx is not None:
            ctx.dispose()
    if as_json:
        print_json(result)
        return
    previous = result.previous
    since = (
        f"consistent with the head of {previous.tree_size} entries kept before"
        f" ({result.proof_nodes} proof hashes)"
        if previous
        else "first head kept"
    )
    pinned = f"; pinned centre key {result.key_id}" if result.pinned_now else ""
    console.print(
        f"[green]✓[/green] {result.source}: tree of {result.tree_size} entries, root"
        f" {result.root_hash}: {since}{pinned}"
    )
    keys = result.member_keys
    if keys is not None:
        console.print(
            f"[green]✓[/green] {keys.member_id} has no valid key but its own"
            f" ({', '.join(keys.valid) or 'none valid'})"
        )
        for key_id in keys.ended:
            err_console.print(f"  warning: your key {key_id} is no longer valid (revoked)")
        for key_id in keys.unregistered:
            err_console.print(f"  warning: your key {key_id} is not registered")


def tree_head_command(as_json: Annotated[bool, JSON] = False) -> None:
    """The signed tree head of the whole ledger now (issued and stored if new)."""
    from ceasefire.ledger import tree_heads as ledger_tree

    head = ledger_tree.public_head(get_context())
    print_result(
        head,
        as_json,
        f"tree of {head.tree_size} entries  root {head.root_hash}"
        f"  {head.timestamp}  signed by {head.key_id}",
    )


def tree_consistency_command(
    first: Annotated[int, typer.Argument(help="The smaller tree size.")],
    second: Annotated[int, typer.Argument(help="The larger tree size.")],
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """RFC 9162 consistency proof between two tree sizes."""
    from ceasefire.ledger import tree_heads as ledger_tree

    proof = ledger_tree.consistency_proof(get_context(), first, second)
    if as_json:
        print_json(proof)
        return
    console.print(
        f"{first} → {second}: roots {proof.first_root} → {proof.second_root}"
        f", {len(proof.path)} proof hashes"
    )
    for node in proof.path:
        console.print(f"  {node}")


def tree_inclusion_command(
    seq: Annotated[int, typer.Argument(help="Sequence number of the entry.")],
    tree_size: Annotated[
        int | None, typer.Option("--tree-size", help="Tree size (default: now).")
    ] = None,
    as_json: Annotated[bool, JSON] = False,
) -> None:
    """RFC 9162 inclusion proof of an entry in the whole-ledger tree."""
    from ceasefire.ledger import tree_heads as ledger_tree

    proof = ledger_tree.inclusion_proof(get_context(), seq, tree_size)
    print_result(
        proof,
        as_json,
        f"entry {seq} ({proof.entry_hash}) is leaf {proof.leaf_index} of"
        f" {proof.tree_size}, root {proof.root}, {len(proof.path)} proof hashes",
    )


def register(app: typer.Typer, ledger_app: typer.Typer) -> None:
    """Add the top-level commands, and the tree commands to ``ceasefire ledger``."""
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("check")(check_command)
    app.command("witness")(witness_command)
    ledger_app.command("tree-head")(tree_head_command)
    ledger_app.command("consistency")(tree_consistency_command)
    ledger_app.command("inclusion")(tree_inclusion_command)
