"""The ledger over HTTP: paged entries, one entry, its inclusion proof, daily roots, keys,
the head, and pre-signed entries from members whose keys never touch the server.

Reading entries needs a member's token (every member may check the whole record; the
payload of an entry about a record the member may not read is withheld, the header, hashes
and signature that verify the chain are not: docs/ledger.md, "Who reads what"); the head,
daily roots and public keys are public, since publishing them is what lets anyone
check an exported bundle. A pre-signed entry needs no token: its signature by a key the
ledger holds as valid for the member *is* the authentication.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from ceasefire.api.deps import ContextDep, RequireMember
from ceasefire.api.inputcheck import INT8_MAX
from ceasefire.ledger import service as ledger
from ceasefire.ledger import tree_heads as ledger_tree
from ceasefire.ledger.schemas import (
    ConsistencyProof,
    CosignaturePublic,
    EntryPage,
    EntryProof,
    EntryPublic,
    KeyPublic,
    LedgerHead,
    PresignedEntry,
    RootPublic,
    TreeHead,
    TreeInclusionProof,
)

entries_router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


SeqPath = Annotated[int, Path(ge=1, le=INT8_MAX, description="Sequence number of the entry.")]


@entries_router.get("", response_model=EntryPage)
def list_entries(
    ctx: ContextDep,
    _viewer: RequireMember,
    after: Annotated[int, Query(ge=0, le=INT8_MAX, description="Entries after this seq.")] = 0,
    limit: Annotated[int, Query(ge=1, le=ledger.MAX_PAGE, description="Page size.")] = 100,
    tag: Annotated[str | None, Query(max_length=128, description="Tag prefix.")] = None,
    subject: Annotated[str | None, Query(max_length=200, description="Subject id.")] = None,
) -> EntryPage:
    """Entries in sequence order, ``limit`` at a time after ``after``."""
    entries = ledger.list_entries(ctx, _viewer, after=after, limit=limit, tag=tag, subject=subject)
    return EntryPage(entries=entries, next_after=entries[-1].seq if len(entries) == limit else None)


@entries_router.get("/head", response_model=LedgerHead)
def get_head(ctx: ContextDep) -> LedgerHead:
    """The last entry's seq and hash: what a pre-signed entry is built on."""
    return ledger.head(ctx)


@entries_router.get("/roots", response_model=list[RootPublic])
def list_roots(ctx: ContextDep) -> list[RootPublic]:
    """The published Merkle root of every sealed UTC day."""
    return ledger.list_roots(ctx)


@entries_router.get("/keys", response_model=list[KeyPublic])
def list_keys(
    ctx: ContextDep,
    member_id: Annotated[str | None, Query(max_length=64, description="Only this member.")] = None,
) -> list[KeyPublic]:
    """Every public key with the stretch of the record in which it may sign."""
    return ledger.list_keys(ctx, member_id=member_id)


@entries_router.post("/entries", response_model=EntryPublic, status_code=status.HTTP_201_CREATED)
def submit_presigned(ctx: ContextDep, body: PresignedEntry) -> EntryPublic:
    """Append an entry signed by the member's own key (409 when the head moved: re-sign)."""
    return ledger.append_presigned(
        ctx, header=body.header, payload=body.payload, signature=body.signature
    )


@entries_router.get("/{seq}", response_model=EntryPublic)
def get_entry(ctx: ContextDep, _viewer: RequireMember, seq: SeqPath) -> EntryPublic:
    """One entry with its payload, the exact signed header, hashes and signature."""
    return ledger.get_entry(ctx, _viewer, seq)


@entries_router.get("/{seq}/proof", response_model=EntryProof)
def get_proof(ctx: ContextDep, _viewer: RequireMember, seq: SeqPath) -> EntryProof:
    """Inclusion proof of the entry in its day's Merkle tree, with the entry itself."""
    return ledger.entry_proof(ctx, _viewer, seq)


# -- the whole-ledger tree (RFC 9162) ---------------------------------------------------------
#
# A router of its own, mounted before ``entries_router`` (see ``router`` below): ``/{seq}`` would
# otherwise take ``/tree-head`` for a sequence number. Public like ``/head`` and ``/roots``:
# heads and proofs carry hashes only, and a member's witness must be able to fetch them
# with no token at all.

tree_router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])

TreeSize = Annotated[int, Query(ge=0, le=2**62, description="A tree size (number of entries).")]


@tree_router.get("/tree-head", response_model=TreeHead)
def get_tree_head(ctx: ContextDep) -> TreeHead:
    """The signed head of the whole ledger now: size, RFC 9162 root, time, signature."""
    return ledger_tree.public_head(ctx)


@tree_router.post("/tree-head/cosignatures", response_model=TreeHead)
def post_cosignature(ctx: ContextDep, viewer: RequireMember, body: CosignaturePublic) -> TreeHead:
    """A member's witness cosigns a head the centre signed (idempotent: one per member per
    head); the answer is the head with every cosignature it carries."""
    return ledger_tree.add_cosignature(ctx, viewer, body)


@tree_router.get("/consistency", response_model=ConsistencyProof)
def get_consistency(ctx: ContextDep, first: TreeSize, second: TreeSize) -> ConsistencyProof:
    """Proof that the tree of ``first`` entries is a prefix of the tree of ``second``."""
    return ledger_tree.consistency_proof(ctx, first, second)


@tree_router.get("/inclusion/{seq}", response_model=TreeInclusionProof)
def get_tree_inclusion(
    ctx: ContextDep,
    seq: Annotated[int, Path(ge=1, le=2**62, description="Sequence number of the entry.")],
    tree_size: Annotated[
        int | None, Query(ge=1, le=2**62, description="Tree size (default: now).")
    ] = None,
) -> TreeInclusionProof:
    """Audit path of entry ``seq`` in the whole-ledger tree of ``tree_size`` entries."""
    return ledger_tree.inclusion_proof(ctx, seq, tree_size)


router = APIRouter()
"""The ledger area's routes: the tree's first, so that ``/{seq}`` does not take ``/tree-head``."""
router.include_router(tree_router)
router.include_router(entries_router)
