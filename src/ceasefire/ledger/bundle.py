"""The export bundle: one JSON Lines file that anyone can verify without the database.

Line 1 describes the bundle; then one line per entry in sequence order; then one line per
public key and one per sealed daily root (both derivable from the entries, listed for
convenience and cross-checked). See docs/ledger.md for the exact format.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, TypedDict

from ceasefire.errors import joined_words, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ledger.cosign import MISSING_COSIGNERS, check_cosigners, missing_values
from ceasefire.ledger.keys import CENTRE_MEMBER_ID, KeyRecord, key_id_for
from ceasefire.ledger.merkle import merkle_root
from ceasefire.ledger.tree import SignedTreeHead
from ceasefire.ledger.verify import (
    ChainReport,
    ChainVerifier,
    Finding,
    FindingKind,
    SealedRoot,
    StoredEntry,
    WithFindings,
)

BUNDLE_FORMAT = "ceasefire-ledger-bundle"
BUNDLE_VERSION = 1


def bundle_header(
    *, exported_at: str, entries: int, head_seq: int | None, head_hash: str | None
) -> dict[str, Any]:
    return {
        "type": "bundle",
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "exported_at": exported_at,
        "entries": entries,
        "head_seq": head_seq,
        "head_hash": head_hash,
        "canonicalization": "RFC 8785",
        "hash": "sha256",
        "signature": "ed25519",
        "tree": "rfc9162-sha256",
    }


def entry_line(entry: StoredEntry) -> dict[str, Any]:
    """An entry's bundle line; a withheld payload is written ``"payload": null,
    "payload_withheld": true`` (a member's copy, docs/ledger.md)."""
    line: dict[str, Any] = {
        "type": "entry",
        "seq": entry.seq,
        "header": entry.header.decode("utf-8"),
        "payload": entry.payload.decode("utf-8") if entry.payload is not None else None,
        "entry_hash": entry.entry_hash,
        "signature": entry.signature,
    }
    if entry.payload is None:
        line["payload_withheld"] = True
    return line


def key_line(key: KeyRecord) -> dict[str, Any]:
    return {
        "type": "key",
        "key_id": key.key_id,
        "member_id": key.member_id,
        "algorithm": "ed25519",
        "public_key": key.public_key,
        "custody": key.custody,
        "valid_from": key.valid_from,
        "added_seq": key.added_seq,
        "valid_until": key.valid_until,
        "ended_seq": key.ended_seq,
        "end_reason": key.end_reason,
    }


def root_line(root: SealedRoot) -> dict[str, Any]:
    return {"type": "root", **asdict(root)}


def write_line(handle: IO[str], data: dict[str, Any]) -> None:
    handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def write_bundle(
    handle: IO[str],
    header: dict[str, Any],
    entries: Iterable[StoredEntry],
    tree_head: Mapping[str, Any] | None = None,
) -> ChainReport:
    """Write a bundle: ``header`` (:func:`bundle_header`), the entries, then the key and root
    lines derived from the very entries written (hashes only: no signature is checked),
    and the signed tree head with its cosignatures when given (taken before the entries,
    so the bundle holds its tree)."""
    write_line(handle, header)
    verifier = ChainVerifier(check_signatures=False)
    for entry in entries:
        verifier.feed(entry)
        write_line(handle, entry_line(entry))
    chain = verifier.finish()
    for key in chain.keys.values():
        write_line(handle, key_line(key))
    for root in chain.roots:
        write_line(handle, root_line(root))
    if tree_head is not None:
        write_line(handle, tree_head_line(tree_head))
    return chain


def tree_head_line(head: Mapping[str, Any]) -> dict[str, Any]:
    """The signed tree head as the centre serves it (installation and cosignatures
    included, the public key left out: the bundle's key lines hold it)."""
    fields = ("installation", "cosignatures")
    signed = SignedTreeHead.from_dict(dict(head)).as_dict()
    return {"type": "tree_head", **signed, **{k: head.get(k) for k in fields}}


def served_entry(entry: Mapping[str, Any]) -> StoredEntry:
    """An entry as ``GET /api/v1/ledger`` serves it, as a bundle holds it: what a member
    keeps of what it was shown (its withheld payloads stay withheld)."""
    withheld = entry.get("payload_withheld") is True
    return StoredEntry(
        seq=int(entry["seq"]),
        header=str(entry["header"]).encode("utf-8"),
        payload=None if withheld else str(entry["payload_canonical"]).encode("utf-8"),
        entry_hash=str(entry["entry_hash"]),
        signature=str(entry["signature"]),
    )


@dataclass
class BundleReport(WithFindings):
    """The chain report of a bundle, plus what its own lines claimed."""

    chain: ChainReport
    declared: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, raw.rstrip(b"\n")


class BundleChecks(TypedDict, total=False):
    """The checks :func:`verify_bundle` makes beyond the chain, as its callers pass them on."""

    check_signatures: bool
    workers: int
    witnessed: SignedTreeHead | None
    witnessed_key: str | None
    cosigners: int
    cosigner_ids: Sequence[str]


def verify_bundle(
    path: Path,
    *,
    check_signatures: bool = True,
    workers: int = 1,
    witnessed: SignedTreeHead | None = None,
    witnessed_key: str | None = None,
    cosigners: int = 0,
    cosigner_ids: Sequence[str] = (),
) -> BundleReport:
    """Verify a bundle file offline: the chain, the keys and roots it lists, its header; and,
    given the last head a witness kept (``witnessed``, signed with ``witnessed_key``), that
    the bundle holds that tree: a bundle cut short, or another history, does not.

    With ``cosigners`` / ``cosigner_ids``, the bundle's tree head must be signed by a centre
    key of the bundle, be the root of its first entries, and carry valid cosignatures (by
    the member keys in the bundle) from that many members other than the centre, and from
    each one named."""
    verifier = ChainVerifier(check_signatures=check_signatures, workers=workers)
    wants_cosigners = bool(cosigners or cosigner_ids)
    # Every entry hash is kept: a tree head line, checked whenever present, comes last.
    hashes: list[str] = []
    tree_head: dict[str, Any] | None = None
    declared: dict[str, Any] = {}
    keys: list[dict[str, Any]] = []
    roots: list[dict[str, Any]] = []
    problems: list[Finding] = []
    last_seq = 0
    for number, raw in _lines(Path(path)):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw.decode("utf-8"))
            if not isinstance(line, dict):
                raise ValueError("not a JSON object")
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            # A damaged line is most likely the entry after the last one read.
            problems.append(
                Finding(
                    last_seq + 1 if declared else None,
                    FindingKind.MALFORMED,
                    worded_text(
                        N_(
                            "line %(line)s of the bundle is not readable JSON (%(problem)s);"
                            " it follows entry %(seq)s"
                        ),
                        line=number,
                        problem=exc,
                        seq=last_seq,
                    ),
                )
            )
            last_seq += 1
            continue
        kind = line.get("type")
        if kind == "bundle":
            declared = line
        elif kind == "entry":
            entry = _entry_of(line, number, last_seq + 1, problems)
            if entry is not None:
                verifier.feed(entry)
                last_seq = entry.seq
                hashes.append(hashlib.sha256(entry.header).hexdigest())
            else:
                last_seq += 1
        elif kind == "key":
            keys.append(line)
        elif kind == "root":
            roots.append(line)
        elif kind == "tree_head":
            tree_head = line
        else:
            said = (
                worded_text(N_("no type"))
                if kind is None
                else worded_text(N_("unknown type %(type)s"), type=repr(kind))
            )
            problems.append(
                Finding(
                    None,
                    FindingKind.MALFORMED,
                    worded_text(
                        N_(
                            "line %(line)s: %(problem)s;"
                            " a line's type is bundle, key, root, tree_head or entry"
                        ),
                        line=number,
                        problem=said,
                    ),
                )
            )
    chain = verifier.finish()
    problems.extend(chain.findings)
    problems.extend(_check_declared(declared, chain))
    problems.extend(_check_listed_keys(keys, chain))
    problems.extend(_check_listed_roots(roots, chain))
    if witnessed is not None:
        problems.extend(_check_witnessed(witnessed, witnessed_key, hashes, chain))
    if wants_cosigners or tree_head is not None:
        problems.extend(_check_cosigned(tree_head, hashes, chain, cosigners, cosigner_ids))
    problems.sort(key=lambda f: (f.seq is None, f.seq or 0))
    return BundleReport(chain=chain, declared=declared, findings=problems)


def _entry_of(
    line: dict[str, Any], number: int, expected: int, problems: list[Finding]
) -> StoredEntry | None:
    try:
        seq = line["seq"]
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise TypeError("seq is not an integer")
        withheld = line["payload"] is None and line.get("payload_withheld") is True
        return StoredEntry(
            seq=seq,
            header=str(line["header"]).encode("utf-8"),
            payload=None if withheld else str(line["payload"]).encode("utf-8"),
            entry_hash=str(line["entry_hash"]),
            signature=str(line["signature"]),
        )
    except (KeyError, TypeError, UnicodeEncodeError) as exc:
        problems.append(
            Finding(
                expected,
                FindingKind.MALFORMED,
                worded_text(
                    N_("line %(line)s: entry incomplete (%(problem)s)"), line=number, problem=exc
                ),
            )
        )
        return None


def _check_declared(declared: dict[str, Any], chain: ChainReport) -> Iterable[Finding]:
    if not declared:
        yield Finding(None, FindingKind.MALFORMED, worded_text(N_("the bundle has no header line")))
        return
    if declared.get("format") != BUNDLE_FORMAT or declared.get("version") != BUNDLE_VERSION:
        yield Finding(
            None, FindingKind.MALFORMED, worded_text(N_("not a version 1 ceasefire ledger bundle"))
        )
    if declared.get("entries") != chain.entries:
        yield Finding(
            (chain.head_seq or 0) + 1,
            FindingKind.ENTRY_MISSING,
            worded_text(
                N_("the bundle declares %(declared)s entries but holds %(held)s"),
                declared=declared.get("entries"),
                held=chain.entries,
            ),
        )
    elif declared.get("head_hash") != chain.head_hash:
        yield Finding(
            chain.head_seq,
            FindingKind.ENTRY_CHANGED,
            worded_text(
                N_("the head hash declared by the bundle is not the hash of its last entry")
            ),
        )


def _check_witnessed(
    head: SignedTreeHead, key: str | None, hashes: list[str], chain: ChainReport
) -> Iterable[Finding]:
    """The bundle against a signed tree head kept by a witness. The bundle's own header is
    not signed: without such a head, an export cut after any entry (its header rewritten)
    verifies, and so does another history shown to another member."""
    if key is not None:
        centre = chain.keys.get(key_id_for(key))
        if not head.verify(key):
            yield Finding(
                None,
                FindingKind.MALFORMED,
                worded_text(N_("the witnessed head does not verify with its key")),
            )
        elif (
            head.key_id != key_id_for(key) or centre is None or centre.member_id != CENTRE_MEMBER_ID
        ):
            yield Finding(
                None,
                FindingKind.KEY_NOT_VALID,
                worded_text(
                    N_(
                        "the witnessed head is signed by key %(key)s,"
                        " which is no key of the centre in this bundle"
                    ),
                    key=head.key_id,
                ),
            )
    size = head.tree_size
    if size > len(hashes):
        yield Finding(
            len(hashes) + 1,
            FindingKind.ENTRY_MISSING,
            worded_text(
                N_(
                    "the bundle ends at entry %(last)s, but the centre signed a tree of %(size)s"
                    " entries at %(at)s (witnessed): the bundle is cut short or older"
                ),
                last=len(hashes),
                size=size,
                at=head.timestamp,
            ),
        )
    elif size and merkle_root(hashes[:size]) != head.root_hash:
        yield Finding(
            min(size, chain.head_seq or size),
            FindingKind.ENTRY_CHANGED,
            worded_text(
                N_(
                    "the first %(size)s entries of the bundle do not have the root the centre"
                    " signed for %(size)s entries at %(at)s (witnessed): another history"
                ),
                size=size,
                at=head.timestamp,
            ),
        )


def _check_cosigned(
    line: dict[str, Any] | None,
    hashes: list[str],
    chain: ChainReport,
    count: int,
    members: Sequence[str],
) -> Iterable[Finding]:
    """The bundle's tree head, signed by the centre, over the bundle's entries, and
    cosigned by the members required (their keys as the bundle's entries give them).
    Checked whenever the line is present: a head or a cosignature that does not hold is
    reported even when no cosigner is required."""
    try:
        if line is None:
            raise ValueError("no tree_head line")
        head = SignedTreeHead.from_dict({k: v for k, v in line.items() if k != "type"})
        installation = line.get("installation")
        if not isinstance(installation, str):
            raise ValueError("the tree head names no installation")
    except ValueError as exc:
        yield Finding(
            None,
            FindingKind.MALFORMED,
            worded_text(
                N_("the bundle carries no usable tree head (%(problem)s): cosigners unchecked"),
                problem=exc,
            ),
        )
        return
    centre = chain.keys.get(head.key_id)
    if centre is None or centre.member_id != CENTRE_MEMBER_ID or not head.verify(centre.public_key):
        yield Finding(
            None,
            FindingKind.SIGNATURE_INVALID,
            worded_text(
                N_("the bundle's tree head is not signed by a centre key of the bundle (%(key)s)"),
                key=head.key_id,
            ),
        )
        return
    if head.tree_size > len(hashes) or merkle_root(hashes[: head.tree_size]) != head.root_hash:
        yield Finding(
            min(head.tree_size, len(hashes) + 1),
            FindingKind.ENTRY_CHANGED,
            worded_text(
                N_(
                    "the bundle's tree head (%(size)s entries, root %(root)s) is not the tree of"
                    " the bundle's entries"
                ),
                size=head.tree_size,
                root=head.root_hash,
            ),
        )
        return
    own = hashes[0] if hashes else ""
    if installation != own:
        # Not covered by the centre's signature, the installation is checked on its own: a
        # head labelled for another installation is a finding with or without cosignatures.
        yield Finding(
            None,
            FindingKind.OTHER_INSTALLATION,
            worded_text(
                N_(
                    "the bundle's tree head names installation %(installation)s, not this"
                    " bundle's (the hash of its entry 1, %(own)s)"
                ),
                installation=installation,
                own=own or "-",
            ),
        )
    listed = line.get("cosignatures")
    if listed is not None and not isinstance(listed, list):
        yield Finding(
            None,
            FindingKind.MALFORMED,
            worded_text(N_("the bundle's tree head lists its cosignatures in no JSON array")),
        )

    def keys_of(member: str) -> list[dict[str, Any]]:
        return [asdict(k) for k in chain.keys.values() if k.member_id == member]

    found = check_cosigners(
        head,
        own,
        listed if isinstance(listed, list) else [],
        keys_of,
        count=count,
        members=members,
    )
    if found.forged:
        yield Finding(
            None,
            FindingKind.SIGNATURE_INVALID,
            worded_text(
                N_("the bundle's tree head carries cosignatures that do not hold: %(problems)s"),
                problems=joined_words(found.forged),
            ),
        )
    if not found.ok:
        yield Finding(
            None,
            FindingKind.COSIGNER_MISSING,
            worded_text(MISSING_COSIGNERS, **missing_values(head, found)),
        )


def _check_listed_keys(keys: list[dict[str, Any]], chain: ChainReport) -> Iterable[Finding]:
    derived = {k.key_id: key_line(k) for k in chain.keys.values()}
    listed = {str(k.get("key_id")): k for k in keys}
    for key_id in sorted(set(derived) | set(listed)):
        if derived.get(key_id) != listed.get(key_id):
            seq = chain.keys[key_id].added_seq if key_id in chain.keys else None
            yield Finding(
                seq,
                FindingKind.KEY_ENTRY_INVALID,
                worded_text(
                    N_("key %(key)s listed in the bundle differs from the key entries"), key=key_id
                ),
            )


def _check_listed_roots(roots: list[dict[str, Any]], chain: ChainReport) -> Iterable[Finding]:
    derived = {r.day: root_line(r) for r in chain.roots}
    listed = {str(r.get("day")): r for r in roots}
    for day in sorted(set(derived) | set(listed)):
        if derived.get(day) != listed.get(day):
            seq = next((r.sealed_seq for r in chain.roots if r.day == day), None)
            yield Finding(
                seq,
                FindingKind.ROOT_INVALID,
                worded_text(N_("root of %(day)s listed in the bundle differs"), day=day),
            )
