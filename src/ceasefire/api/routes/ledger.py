"""The ledger over HTTP: paged entries, one entry, its inclusion proof, daily roots, keys,
the head, and pre-signed entries from members whose keys never touch the server.

Reading entries needs a member's token (every member may check the whole record); the
head, daily roots and public keys are public, since publishing them is what lets anyone
check an exported bundle. A pre-signed entry needs no token: its signature by a key the
ledger holds as valid for the member *is* the authentication.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from ceasefire.api.deps import ContextDep, RequireMember
from ceasefire.services import ledger, ledger_tree

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


class EntryPage(BaseModel):
    entries: list[ledger.EntryPublic]
    next_after: int | None = Field(
        description="Pass as `after` for the next page; null when this page is the last."
    )


class PresignedEntry(BaseModel):
    """An entry signed by the member itself (see docs/ledger.md, "Pre-signed entries")."""

    header: str = Field(description="The RFC 8785 canonical header, exactly as signed.")
    payload: str = Field(description="The RFC 8785 canonical payload (a JSON object).")
    signature: str = Field(description="Ed25519 signature of the header bytes, 128 hex digits.")


SeqPath = Annotated[int, Path(ge=1, description="Sequence number of the entry.")]


@router.get("", response_model=EntryPage)
def list_entries(
    ctx: ContextDep,
    _viewer: RequireMember,
    after: Annotated[int, Query(ge=0, description="Entries after this seq.")] = 0,
    limit: Annotated[int, Query(ge=1, le=ledger.MAX_PAGE, description="Page size.")] = 100,
    tag: Annotated[str | None, Query(max_length=128, description="Tag prefix.")] = None,
    subject: Annotated[str | None, Query(max_length=200, description="Subject id.")] = None,
) -> EntryPage:
    """Entries in sequence order, ``limit`` at a time after ``after``."""
    entries = ledger.list_entries(ctx, _viewer, after=after, limit=limit, tag=tag, subject=subject)
    return EntryPage(entries=entries, next_after=entries[-1].seq if len(entries) == limit else None)


@router.get("/head")
def get_head(ctx: ContextDep) -> dict[str, Any]:
    """The last entry's seq and hash: what a pre-signed entry is built on."""
    return ledger.head(ctx)


@router.get("/roots", response_model=list[ledger.RootPublic])
def list_roots(ctx: ContextDep) -> list[ledger.RootPublic]:
    """The published Merkle root of every sealed UTC day."""
    return ledger.list_roots(ctx)


@router.get("/keys", response_model=list[ledger.KeyPublic])
def list_keys(
    ctx: ContextDep,
    member_id: Annotated[str | None, Query(max_length=64, description="Only this member.")] = None,
) -> list[ledger.KeyPublic]:
    """Every public key with the stretch of the record in which it may sign."""
    return ledger.list_keys(ctx, member_id=member_id)


@router.post("/entries", response_model=ledger.EntryPublic, status_code=status.HTTP_201_CREATED)
def submit_presigned(ctx: ContextDep, body: PresignedEntry) -> ledger.EntryPublic:
    """Append an entry signed by the member's own key (409 when the head moved: re-sign)."""
    return ledger.append_presigned(
        ctx, header=body.header, payload=body.payload, signature=body.signature
    )


@router.get("/{seq}", response_model=ledger.EntryPublic)
def get_entry(ctx: ContextDep, _viewer: RequireMember, seq: SeqPath) -> ledger.EntryPublic:
    """One entry with its payload, the exact signed header, hashes and signature."""
    return ledger.get_entry(ctx, _viewer, seq)


@router.get("/{seq}/proof")
def get_proof(ctx: ContextDep, _viewer: RequireMember, seq: SeqPath) -> dict[str, Any]:
    """Inclusion proof of the entry in its day's Merkle tree, with the entry itself."""
    return ledger.entry_proof(ctx, _viewer, seq)


# -- the whole-ledger tree (RFC 9162) ---------------------------------------------------------
#
# A router of its own, mounted before ``router`` (api/routes/__init__.py): ``/{seq}`` would
# otherwise take ``/tree-head`` for a sequence number. Public like ``/head`` and ``/roots``:
# heads and proofs carry hashes only, and a member's witness must be able to fetch them
# with no token at all.

tree_router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


class TreeHead(BaseModel):
    """A signed tree head (STH) over the first ``tree_size`` entries (docs/ledger.md)."""

    format: str
    v: int
    tree: str
    tree_size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str
    public_key: str | None = Field(description="The centre key that signed the head (hex).")


class ConsistencyProof(BaseModel):
    """RFC 9162 section 2.1.4 proof that the first tree is a prefix of the second."""

    tree: str
    first: int
    second: int
    first_root: str
    second_root: str
    path: list[str]


class TreeInclusionProof(BaseModel):
    """RFC 9162 section 2.1.3 audit path of one entry in the tree of ``tree_size``."""

    tree: str
    seq: int
    leaf_index: int
    tree_size: int
    entry_hash: str
    path: list[str]
    root: str


TreeSize = Annotated[int, Query(ge=0, le=2**62, description="A tree size (number of entries).")]


@tree_router.get("/tree-head", response_model=TreeHead)
def get_tree_head(ctx: ContextDep) -> dict[str, Any]:
    """The signed head of the whole ledger now: size, RFC 9162 root, time, signature."""
    return ledger_tree.public_head(ctx)


@tree_router.get("/consistency", response_model=ConsistencyProof)
def get_consistency(ctx: ContextDep, first: TreeSize, second: TreeSize) -> dict[str, Any]:
    """Proof that the tree of ``first`` entries is a prefix of the tree of ``second``."""
    return ledger_tree.consistency_proof(ctx, first, second)


@tree_router.get("/inclusion/{seq}", response_model=TreeInclusionProof)
def get_tree_inclusion(
    ctx: ContextDep,
    seq: Annotated[int, Path(ge=1, le=2**62, description="Sequence number of the entry.")],
    tree_size: Annotated[
        int | None, Query(ge=1, le=2**62, description="Tree size (default: now).")
    ] = None,
) -> dict[str, Any]:
    """Audit path of entry ``seq`` in the whole-ledger tree of ``tree_size`` entries."""
    return ledger_tree.inclusion_proof(ctx, seq, tree_size)
