"""Signed tree heads over the whole ledger, consistency and inclusion proofs (RFC 9162).

The tree's leaves are the entries in sequence order (leaf ``i`` is entry ``seq = i + 1``);
see :mod:`ceasefire.ledger.tree` for the algorithms. This module is the storage half:

* **Incremental.** Complete, aligned subtrees of ``2**CACHE_LEVEL`` leaves and more are
  cached in ``ledger_tree_nodes``. A new head reads only the entries after the last cached
  subtree (fewer than 256 plus whatever is new) and O(log n) cached hashes; a proof reads
  O(log n) cached hashes and at most a few hundred entry hashes at its edges.
* **Heads are kept.** Every signed tree head issued is stored in ``ledger_tree_heads``: the
  same size is answered with the same head, and :func:`check_tree` holds the entries to
  every head ever issued.
* **Checked from scratch.** :func:`check_tree` (``ceasefire check``) recomputes the tree
  from the entries alone and compares the heads, the cached subtrees and a witnessed head
  with it; the cache only makes answers fast, it is never trusted by the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError as SqlIntegrityError
from sqlalchemy.orm import Session

from ceasefire.access import Viewer
from ceasefire.db.base import shape_of
from ceasefire.db.context import ServiceContext
from ceasefire.errors import (
    Forbidden,
    IntegrityError,
    InvalidInput,
    NotFound,
    Unavailable,
    problem,
)
from ceasefire.i18n.markers import N_
from ceasefire.ledger.cosign import Cosignature
from ceasefire.ledger.entry import format_ts
from ceasefire.ledger.keyfile import load_key_file
from ceasefire.ledger.keys import CENTRE_MEMBER_ID, MEMBER_CUSTODY, SigningKey
from ceasefire.ledger.merkle import TREE_ALGORITHM, leaf_hash, node_hash
from ceasefire.ledger.schemas import (
    ConsistencyProof,
    CosignaturePublic,
    SignedHead,
    TreeCheckPublic,
    TreeHead,
    TreeInclusionProof,
)
from ceasefire.ledger.tables import (
    LedgerCosignatureRow,
    LedgerEntryRow,
    LedgerKeyRow,
    LedgerTreeHeadRow,
    LedgerTreeNodeRow,
)
from ceasefire.ledger.tree import (
    EMPTY_TREE_ROOT,
    Frontier,
    SignedTreeHead,
    aligned_pieces,
    consistency_path,
    inclusion_path,
    root_from_pieces,
    sign_tree_head,
)
from ceasefire.timeutil import utcnow

log = logging.getLogger(__name__)

CACHE_LEVEL = 8
"""Subtrees of ``2**8 = 256`` leaves and larger are cached: about one row per 128 entries,
and no answer reads more than a few hundred entry hashes."""

TREE_LOCK_ID = 0x6365617365747265
"""PostgreSQL advisory lock serialising cache fills and head issuance ("ceasetre")."""

_ENTRY_HASHES = text(
    "SELECT seq, entry_hash FROM ledger_entries WHERE seq > :lo AND seq <= :hi ORDER BY seq"
)


def _tree_size(session: Session) -> int:
    return int(session.scalar(select(func.max(LedgerEntryRow.seq))) or 0)


def _check_range(hashes: list[tuple[int, str]], lo: int, hi: int) -> None:
    if len(hashes) != hi - lo or (hashes and (hashes[0][0] != lo + 1 or hashes[-1][0] != hi)):
        raise IntegrityError.worded(
            N_("ledger entries %(lo)s..%(hi)s are not all there: run `ceasefire ledger verify`"),
            lo=lo + 1,
            hi=hi,
        )


@dataclass
class _Store:
    """Subtree hashes of one session's snapshot, from the cache or the entries."""

    session: Session
    size: int
    nodes: dict[tuple[int, int], bytes] = field(default_factory=dict)
    new: dict[tuple[int, int], tuple[bytes, str]] = field(default_factory=dict)
    use_cache: bool = True
    covered: int = 0

    def __post_init__(self) -> None:
        self.covered = self._valid_coverage()

    def entry_hashes(self, lo: int, hi: int) -> list[tuple[int, str]]:
        rows = [
            (int(r[0]), str(r[1]))
            for r in self.session.execute(_ENTRY_HASHES, {"lo": lo, "hi": hi})
        ]
        _check_range(rows, lo, hi)
        return rows

    def complete(self, level: int, index: int) -> bytes:
        """Hash of the complete subtree ``(level, index)`` (within ``size``)."""
        key = (level, index)
        found = self.nodes.get(key)
        if found is not None:
            return found
        if level < CACHE_LEVEL:
            rows = self.entry_hashes(index << level, (index + 1) << level)
            frontier = Frontier()
            for _, entry_hash in rows:
                frontier.add_entry_hash(entry_hash)
            node = bytes.fromhex(frontier.root())
        else:
            cached = (
                None
                if not self.use_cache
                else self.session.scalar(
                    select(LedgerTreeNodeRow.hash)
                    .where(LedgerTreeNodeRow.level == level)
                    .where(LedgerTreeNodeRow.idx == index)
                )
            )
            if cached is not None:
                node = bytes.fromhex(cached)
            else:
                node = self._compute_and_remember(level, index)
        self.nodes[key] = node
        return node

    def _compute_and_remember(self, level: int, index: int) -> bytes:
        lo, hi = index << level, (index + 1) << level
        if level == CACHE_LEVEL:
            rows = self.entry_hashes(lo, hi)
            frontier = Frontier()
            for _, entry_hash in rows:
                frontier.add_entry_hash(entry_hash)
            node, last = bytes.fromhex(frontier.root()), rows[-1][1]
        else:
            left = self.complete(level - 1, 2 * index)
            right = self.complete(level - 1, 2 * index + 1)
            node = node_hash(left, right)
            last = self._last_hash(hi)
        self.new[(level, index)] = (node, last)
        return node

    def _last_hash(self, seq: int) -> str:
        value = self.session.scalar(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == seq)
        )
        if value is None:
            raise IntegrityError.worded(
                N_("ledger entry %(seq)s is missing: run `ceasefire ledger verify`"), seq=seq
            )
        return str(value)

    def subtree(self, lo: int, hi: int) -> bytes:
        """MTH of leaves ``lo .. hi-1`` (a range of the shape RFC 9162 proofs use)."""
        if not 0 <= lo < hi <= self.size:
            raise ValueError(f"subtree {lo}..{hi} outside a tree of {self.size}")
        return root_from_pieces([self.complete(lvl, idx) for lvl, idx in aligned_pieces(lo, hi)])

    def root(self, size: int | None = None) -> str:
        size = self.size if size is None else size
        if size == 0:
            return EMPTY_TREE_ROOT
        return self.subtree(0, size).hex()

    def fill(self) -> None:
        """Compute (in one pass over the new entries) every cacheable subtree that the
        cache lacks, so the next head needs only the entries after it."""
        if not self.use_cache:
            # The cache was computed from other entries: start it again from these.
            self.session.execute(delete(LedgerTreeNodeRow))
            self.use_cache = True
        covered = self.covered
        target = (self.size >> CACHE_LEVEL) << CACHE_LEVEL
        if covered >= target:
            return
        start = (
            [(lvl, self.complete(lvl, idx)) for lvl, idx in aligned_pieces(0, covered)]
            if covered
            else []
        )
        last: dict[str, str] = {}

        def completed(level: int, index: int, node: bytes) -> None:
            if level >= CACHE_LEVEL:
                self.nodes[(level, index)] = node
                self.new[(level, index)] = (node, last["hash"])

        frontier = Frontier(start, size=covered, completed=completed)
        lo = covered
        while lo < target:
            hi = min(target, lo + 50_000)
            rows = self.entry_hashes(lo, hi)
            for _, entry_hash in rows:
                last["hash"] = entry_hash
                frontier.add_entry_hash(entry_hash)
            lo = hi

    def _valid_coverage(self) -> int:
        """How many leaves of this snapshot the cached subtrees cover; 0 and no cache at all
        when the cache's last subtree does not end at the entry stored there now (a
        truncated ledger, or entries rewritten and appended again)."""
        top = self.session.execute(
            select(LedgerTreeNodeRow.idx, LedgerTreeNodeRow.last_entry_hash)
            .where(LedgerTreeNodeRow.level == CACHE_LEVEL)
            .order_by(LedgerTreeNodeRow.idx.desc())
            .limit(1)
        ).first()
        if top is None:
            return 0
        covered = (int(top.idx) + 1) << CACHE_LEVEL
        if self._last_hash_or_none(covered) == top.last_entry_hash:
            return min(covered, (self.size >> CACHE_LEVEL) << CACHE_LEVEL)
        log.warning("the ledger's tree cache does not match its entries: not using it")
        self.use_cache = False
        return 0

    def _last_hash_or_none(self, seq: int) -> str | None:
        value = self.session.scalar(
            select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == seq)
        )
        return None if value is None else str(value)

    def persist(self) -> None:
        if not self.new:
            return
        self.session.execute(
            insert(LedgerTreeNodeRow),
            [
                {"level": lvl, "idx": idx, "hash": node.hex(), "last_entry_hash": last}
                for (lvl, idx), (node, last) in sorted(self.new.items())
            ],
        )
        self.new.clear()


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": TREE_LOCK_ID})


def _centre_signer(session: Session, ctx: ServiceContext) -> SigningKey:
    """The centre's currently valid server-held key (the log's signing key)."""
    active = list(
        session.scalars(
            select(LedgerKeyRow.key_id)
            .where(LedgerKeyRow.member_id == CENTRE_MEMBER_ID)
            .where(LedgerKeyRow.ended_seq.is_(None))
            .order_by(LedgerKeyRow.added_seq.desc())
        )
    )
    if not active:
        raise Unavailable.worded(
            N_(
                "the ledger has no centre key yet (run `ceasefire init`): there is no tree head "
                "to sign"
            ),
            details={"check": "tree_head", "reason": "not_initialised"},
        )
    by_id = {k.key_id: k for k in load_key_file(ctx.settings.key_file).for_member(CENTRE_MEMBER_ID)}
    for key_id in active:
        if key_id in by_id:
            return by_id[key_id]
    raise IntegrityError.worded(
        N_(
            "the centre's signing key is not in the key file %(key_file)s: tree heads cannot be "
            "signed"
        ),
        key_file=ctx.settings.key_file,
    )


def _head_from_row(row: LedgerTreeHeadRow) -> SignedTreeHead:
    return SignedTreeHead(row.tree_size, row.root_hash, row.timestamp, row.key_id, row.signature)


def _issue(session: Session, ctx: ServiceContext, *, persist: bool) -> SignedTreeHead:
    size = _tree_size(session)
    stored = session.get(LedgerTreeHeadRow, size)
    if stored is not None:
        return _head_from_row(stored)
    store = _Store(session, size)
    if persist:
        store.fill()
    root = store.root()
    head = sign_tree_head(size, root, format_ts(utcnow()), _centre_signer(session, ctx))
    if persist:
        store.persist()
        session.add(LedgerTreeHeadRow(**asdict(head)))  # the row holds the signed head
        session.flush()
    return head


def tree_head(ctx: ServiceContext) -> SignedTreeHead:
    """The signed head of the whole ledger as it is now (issued and stored if new).

    A database that cannot be written (read-only copy, full disk) still gets a correctly
    signed head, computed without the cache and not stored.
    """
    with ctx.reader() as session:
        stored = session.get(LedgerTreeHeadRow, _tree_size(session))
        if stored is not None:
            return _head_from_row(stored)
    try:
        with ctx.unit_of_work() as session:
            _lock(session)
            return _issue(session, ctx, persist=True)
    except SqlIntegrityError:
        # Another process issued the head of this size meanwhile: answer with that one.
        with ctx.reader() as session:
            stored = session.get(LedgerTreeHeadRow, _tree_size(session))
            if stored is not None:
                return _head_from_row(stored)
            raise
    except DBAPIError as exc:
        log.warning("tree head not stored (database not writable: %s)", exc.orig)
        with ctx.reader() as session:
            return _issue(session, ctx, persist=False)


def installation_id(session: Session) -> str | None:
    """What cosignatures are bound to: the hash of the ledger's first entry (None before
    ``ceasefire init``)."""
    value = session.scalar(select(LedgerEntryRow.entry_hash).where(LedgerEntryRow.seq == 1))
    return None if value is None else str(value)


def _cosignatures(session: Session, head: SignedTreeHead, installation: str | None) -> list[Any]:
    if installation is None:
        return []
    rows = session.scalars(
        select(LedgerCosignatureRow)
        .where(LedgerCosignatureRow.tree_size == head.tree_size)
        .order_by(LedgerCosignatureRow.member_id)
        .limit(MAX_COSIGNATURES)
    )
    return [Cosignature.stored(head, installation, row).as_dict() for row in rows]


MAX_COSIGNATURES = 256
"""At most this many cosignatures are served with a head (one per member: far more than the
centre has members)."""


def public_head(ctx: ServiceContext) -> TreeHead:
    """The current signed tree head with the public key that signs it (what a witness
    pins on first use and checks from then on), the installation it belongs to and the
    members' cosignatures of it."""
    head = tree_head(ctx)
    with ctx.reader() as session:
        return _public(session, head)


def _public(session: Session, head: SignedTreeHead) -> TreeHead:
    public_key = session.scalar(
        select(LedgerKeyRow.public_key).where(LedgerKeyRow.key_id == head.key_id)
    )
    installation = installation_id(session)
    return TreeHead.model_validate(
        {
            **head.as_dict(),
            "public_key": public_key,
            "installation": installation,
            "cosignatures": _cosignatures(session, head, installation),
        }
    )


def _refused(field_name: str, reason: str, message: str, **values: Any) -> InvalidInput:
    return InvalidInput.worded(message, details=[problem(field_name, reason)], **values)


def add_cosignature(ctx: ServiceContext, viewer: Viewer, body: CosignaturePublic) -> TreeHead:
    """Store a member's cosignature of a head the centre signed, and answer with that head
    and its cosignatures. The member is the caller's; the key must be valid for it now; the
    head must be one this installation issued. A retry (same member, same head) is answered
    with the cosignature stored first."""
    cosignature = Cosignature.from_dict(body.model_dump())
    if viewer.member_id is None or viewer.member_id != cosignature.member_id:
        raise Forbidden.worded(
            N_("a member cosigns only in its own name, not as %(member_id)s"),
            details=[problem("member_id", N_("not the caller's member"))],
            member_id=repr(cosignature.member_id),
        )
    if cosignature.member_id == CENTRE_MEMBER_ID:
        raise _refused(
            "member_id",
            N_("the centre's own heads"),
            N_("the centre does not cosign its own tree heads"),
        )
    with ctx.unit_of_work() as session:
        installation = installation_id(session)
        if cosignature.installation != installation:
            raise _refused(
                "installation",
                N_("another installation"),
                N_("the cosignature is for another installation (%(installation)s)"),
                installation=cosignature.installation,
            )
        stored = session.get(LedgerTreeHeadRow, cosignature.tree_size)
        head = None if stored is None else _head_from_row(stored)
        if head is None or not cosignature.covers(head, cosignature.installation):
            raise _refused(
                "root_hash" if head is not None else "tree_size",
                N_("not a head the centre signed"),
                N_(
                    "the centre never signed a tree head of size %(tree_size)s with root "
                    "%(root_hash)s at %(timestamp)s"
                ),
                tree_size=cosignature.tree_size,
                root_hash=cosignature.root_hash,
                timestamp=cosignature.timestamp,
            )
        key = session.get(LedgerKeyRow, cosignature.key_id)
        if key is None or key.member_id != cosignature.member_id or key.ended_seq is not None:
            raise _refused(
                "key_id",
                N_("not a valid key of the member"),
                N_("key %(key_id)s is not a valid key of %(member_id)s"),
                key_id=cosignature.key_id,
                member_id=repr(cosignature.member_id),
            )
        if key.custody != MEMBER_CUSTODY:
            # A cosignature by a key the server holds would be the server vouching for itself.
            raise _refused(
                "key_id",
                N_("held by the server"),
                N_(
                    "key %(key_id)s is held by the server: a member cosigns with a key of its own "
                    "(custody member)"
                ),
                key_id=cosignature.key_id,
            )
        if not cosignature.verify(key.public_key):
            raise _refused(
                "signature",
                N_("does not verify"),
                N_("the cosignature does not verify with key %(key_id)s"),
                key_id=cosignature.key_id,
            )
        if session.get(LedgerCosignatureRow, (head.tree_size, cosignature.member_id)) is None:
            try:
                with session.begin_nested():
                    session.add(
                        LedgerCosignatureRow(
                            tree_size=head.tree_size,
                            **cosignature.member_part(),
                            received_at=utcnow(),
                        )
                    )
            except SqlIntegrityError:
                log.info("cosignature of %s stored meanwhile", cosignature.member_id)
        return _public(session, head)


def _size_problem(name: str, value: int, size: int) -> InvalidInput:
    return InvalidInput.worded(
        N_("%(name)s must be 0..%(size)s (the ledger has %(size)s entries)"),
        details=[problem(name, N_("beyond the tree"), extra={"tree_size": size})],
        name=name,
        size=size,
    )


def consistency_proof(ctx: ServiceContext, first: int, second: int) -> ConsistencyProof:
    """RFC 9162 consistency proof that the tree of ``first`` entries is a prefix of the tree
    of ``second`` entries, with both roots as this database computes them."""
    with ctx.reader() as session:
        size = _tree_size(session)
        if not 0 <= first <= size:
            raise _size_problem("first", first, size)
        if not first <= second <= size:
            raise (
                _size_problem("second", second, size)
                if second > size
                else InvalidInput.worded(
                    N_("second must not be smaller than first"),
                    details=[problem("second", N_("smaller than first"))],
                )
            )
        store = _Store(session, size)
        path = consistency_path(first, second, store.subtree)
        return ConsistencyProof(
            tree=TREE_ALGORITHM,
            first=first,
            second=second,
            first_root=store.root(first),
            second_root=store.root(second),
            path=[p.hex() for p in path],
        )


def inclusion_proof(
    ctx: ServiceContext, seq: int, tree_size: int | None = None
) -> TreeInclusionProof:
    """RFC 9162 inclusion proof of entry ``seq`` in the tree of ``tree_size`` entries
    (default: the whole ledger now)."""
    with ctx.reader() as session:
        current = _tree_size(session)
        if tree_size is not None and not 1 <= tree_size <= current:
            raise _size_problem("tree_size", tree_size, current)
        size = current if tree_size is None else tree_size
        if not 1 <= seq <= size:
            raise NotFound.worded(
                N_("no ledger entry %(seq)s in a tree of %(size)s"),
                details=[problem("seq", N_("not in the tree"), extra={"tree_size": size})],
                seq=seq,
                size=size,
            )
        store = _Store(session, size)
        entry_hash = store.entry_hashes(seq - 1, seq)[0][1]
        path = inclusion_path(seq - 1, size, store.subtree)
        return TreeInclusionProof(
            tree=TREE_ALGORITHM,
            seq=seq,
            leaf_index=seq - 1,
            tree_size=size,
            entry_hash=entry_hash,
            path=[p.hex() for p in path],
            root=store.root(),
        )


def stored_heads(session: Session) -> Iterator[SignedTreeHead]:
    """Every tree head this database issued, smallest first."""
    for row in session.scalars(select(LedgerTreeHeadRow).order_by(LedgerTreeHeadRow.tree_size)):
        yield _head_from_row(row)


@dataclass
class TreeCheck:
    """What :func:`check_tree` found: the tree recomputed from the entries alone."""

    tree_size: int
    root_hash: str
    heads_checked: int
    nodes_checked: int
    problems: list[str]
    witnessed: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def public(self) -> TreeCheckPublic:
        return shape_of(
            TreeCheckPublic,
            self,
            witnessed=SignedHead.model_validate(self.witnessed) if self.witnessed else None,
        )


def check_tree(
    ctx: ServiceContext,
    *,
    witnessed: SignedTreeHead | None = None,
    witnessed_key: str | None = None,
) -> TreeCheck:
    """Recompute the whole tree from the entries (one pass, O(n)) and compare with it every
    stored head, every cached subtree, and ``witnessed`` (the last head a witness kept).

    A witnessed head larger than the ledger, or whose root differs from the root of the
    first ``tree_size`` entries, means the ledger was rolled back or rewritten since.
    """
    problems: list[str] = []
    with ctx.reader() as session:
        heads = {h.tree_size: h for h in stored_heads(session)}
        cached = {
            (int(r.level), int(r.idx)): str(r.hash)
            for r in session.execute(
                select(LedgerTreeNodeRow.level, LedgerTreeNodeRow.idx, LedgerTreeNodeRow.hash)
            )
        }
        wanted = set(heads)
        if witnessed is not None:
            wanted.add(witnessed.tree_size)
        roots: dict[int, str] = {0: EMPTY_TREE_ROOT}
        computed: dict[tuple[int, int], str] = {}

        def completed(level: int, index: int, node: bytes) -> None:
            if level >= CACHE_LEVEL:
                computed[(level, index)] = node.hex()

        frontier = Frontier(completed=completed)
        after = 0
        while True:
            rows = session.execute(
                text(
                    "SELECT seq, entry_hash FROM ledger_entries WHERE seq > :after"
                    " ORDER BY seq LIMIT 20000"
                ),
                {"after": after},
            ).all()
            for seq, entry_hash in rows:
                if seq != frontier.size + 1:
                    problems.append(
                        f"entry {frontier.size + 1} is missing (next stored entry is {seq})"
                    )
                    break
                frontier.add_leaf(leaf_hash(bytes.fromhex(entry_hash)))
                if frontier.size in wanted:
                    roots[frontier.size] = frontier.root()
            else:
                if len(rows) == 20000:
                    after = rows[-1][0]
                    continue
            break
    size, root = frontier.size, frontier.root()
    for tree_size, head in sorted(heads.items()):
        if tree_size > size:
            problems.append(
                f"the database issued a tree head of size {tree_size} (root {head.root_hash})"
                f" but holds only {size} entries: entries were removed"
            )
        elif roots.get(tree_size) != head.root_hash:
            problems.append(
                f"the tree head of size {tree_size} has root {head.root_hash}, but the first"
                f" {tree_size} entries give {roots.get(tree_size)}: the history was rewritten"
            )
    wrong_nodes = [k for k, v in cached.items() if k in computed and computed[k] != v]
    stale = [k for k in cached if k not in computed]
    if wrong_nodes or stale:
        problems.append(
            f"{len(wrong_nodes) + len(stale)} cached subtrees (ledger_tree_nodes) do not match"
            f" the entries, e.g. level {(wrong_nodes or stale)[0][0]} index"
            f" {(wrong_nodes or stale)[0][1]}"
        )
    witnessed_summary = None
    if witnessed is not None:
        witnessed_summary = witnessed.as_dict()
        if witnessed_key is not None and not witnessed.verify(witnessed_key):
            problems.append(
                "the witnessed tree head's signature does not verify with the pinned key"
            )
        if witnessed.tree_size > size:
            problems.append(
                f"the witness saw a tree of {witnessed.tree_size} entries (root"
                f" {witnessed.root_hash}) but the database holds only {size} (root {root}):"
                " entries were removed or an older copy was restored"
            )
        elif roots.get(witnessed.tree_size) != witnessed.root_hash:
            problems.append(
                f"the witness saw root {witnessed.root_hash} for the first"
                f" {witnessed.tree_size} entries, but the database gives"
                f" {roots.get(witnessed.tree_size)}: the history was rewritten"
            )
    return TreeCheck(
        tree_size=size,
        root_hash=root,
        heads_checked=len(heads),
        nodes_checked=len(cached),
        problems=problems,
        witnessed=witnessed_summary,
    )
