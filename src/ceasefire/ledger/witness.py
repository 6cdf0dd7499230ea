"""A witness: a member's own process that holds the operator to the log it published.

Each run fetches the current signed tree head (over HTTP, or from a database for the
operator's own checks), checks its signature against the centre key pinned on first use,
and checks with an RFC 9162 consistency proof that the new head extends the last head this
witness kept. Only then is the new head added to its state. A head that is smaller than one
seen before (entries removed, an older backup restored), a different root for the same size,
or a proof that does not hold (history rewritten) is refused, named, and kept as evidence:
two heads signed by the same key that are not consistent prove the log was changed.

State directory (``--state DIR``), all plain JSON a person can read:

* ``heads.jsonl`` -- one line per head kept: the signed head plus ``seen_at``, ``source`` and
  the ``installation`` the server named with it (the hash of its ledger's first entry): a
  server that names another installation than the one witnessed before (another database
  behind the same key and address) is refused and kept as evidence, as is one that no
  longer names it;
* ``server.json`` -- the pinned public key (and the key id) of the centre;
* ``evidence.jsonl`` -- every inconsistent head, with the head it contradicts and why;
* ``cosignatures.jsonl`` -- the cosignatures of the heads kept that this witness made
  (``--cosign``) or was served with them, one line each (the cosignature plus ``seen_at``,
  ``source`` and ``made_here``), once per member and head, for the last
  :data:`KEPT_COSIGNED_HEADS` heads. Each line is read as a cosignature of format version 1,
  as each line of ``heads.jsonl`` is read as a signed tree head of version 1. Every run shows
  those of the current head, re-checked against the members' keys, served still or not.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ceasefire.db.context import ServiceContext
from ceasefire.errors import IntegrityError, InvalidInput, Unavailable, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.bundle import bundle_header, served_entry, write_bundle
from ceasefire.ledger.canonical import unreadable
from ceasefire.ledger.cosign import (
    Cosignature,
    KeysOf,
    check_cosigners,
    cosign,
    require_cosigners,
    valid_cosigners,
)
from ceasefire.ledger.entry import format_ts
from ceasefire.ledger.keys import SigningKey, key_id_for
from ceasefire.ledger.schemas import (
    BundleSummary,
    HeadDescription,
    KeptCosignaturePublic,
    MemberKeysCheck,
    WitnessRun,
)
from ceasefire.ledger.tree import SignedTreeHead, verify_consistency
from ceasefire.timeutil import utcnow

HEADS_FILE = "heads.jsonl"
PIN_FILE = "server.json"
EVIDENCE_FILE = "evidence.jsonl"
COSIGNATURES_FILE = "cosignatures.jsonl"
KEPT_COSIGNED_HEADS = 16
"""The heads whose cosignatures a witness keeps (the last ones; a head has at most 256)."""


class HeadSource(Protocol):
    """Where a witness gets heads and proofs from."""

    @property
    def name(self) -> str:
        """Where the heads come from, for messages and the kept heads' ``source``."""
        ...

    def tree_head(self) -> dict[str, Any]:
        """The current signed tree head, as ``GET /api/v1/ledger/tree-head`` answers."""
        ...

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        """A consistency proof, as ``GET /api/v1/ledger/consistency`` answers."""
        ...

    def keys(self, member_id: str) -> list[dict[str, Any]]:
        """The member's keys, as ``GET /api/v1/ledger/keys?member_id=`` answers."""
        ...

    def cosign(self, cosignature: dict[str, Any]) -> dict[str, Any]:
        """Submit a cosignature, as ``POST /api/v1/ledger/tree-head/cosignatures`` does."""
        ...


@dataclass
class HttpSource:
    """A ceasefire server's public API (``url`` is its base, e.g. https://centre.example)."""

    url: str
    token: str | None = None
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise InvalidInput.worded(
                N_("--url must be an http:// or https:// URL, not %(url)s"),
                details=[problem("url", N_("not http(s)"))],
                url=repr(self.url),
            )

    @property
    def name(self) -> str:
        return self.url

    def _get(self, path: str, query: dict[str, int] | None = None) -> dict[str, Any]:
        body = self._get_json(path, query)
        if not isinstance(body, dict):
            raise Unavailable.worded(
                N_("%(url)s%(path)s did not answer with a JSON object"), url=self.url, path=path
            )
        return body

    def _get_json(
        self, path: str, query: dict[str, Any] | None = None, body: dict[str, Any] | None = None
    ) -> Any:
        target = self.url.rstrip("/") + path
        if query:
            target += "?" + urllib.parse.urlencode(query)
        # The scheme was checked to be http(s) in __post_init__.
        request = urllib.request.Request(target, headers={"Accept": "application/json"})  # noqa: S310
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:2000].decode("utf-8", "replace")
            raise Unavailable.worded(
                N_("%(target)s answered %(status)s: %(detail)s"),
                details={"url": target},
                target=target,
                status=exc.code,
                detail=detail,
            ) from exc
        except (urllib.error.URLError, OSError, ValueError, RecursionError) as exc:
            # A server nesting its answer past the decoder's limit is a server not answering.
            raise Unavailable.worded(
                N_("cannot read %(target)s: %(error)s"),
                details={"url": target},
                target=target,
                error=exc,
            ) from exc
        return body

    def tree_head(self) -> dict[str, Any]:
        return self._get("/api/v1/ledger/tree-head")

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        return self._get("/api/v1/ledger/consistency", {"first": first, "second": second})

    def keys(self, member_id: str) -> list[dict[str, Any]]:
        body = self._get_json("/api/v1/ledger/keys", {"member_id": member_id})
        if not isinstance(body, list):
            raise Unavailable.worded(
                N_("%(url)s did not answer the keys with a JSON list"), url=self.url
            )
        return [k for k in body if isinstance(k, dict)]

    def cosign(self, cosignature: dict[str, Any]) -> dict[str, Any]:
        answer = self._get_json("/api/v1/ledger/tree-head/cosignatures", body=cosignature)
        if not isinstance(answer, dict):
            raise Unavailable.worded(
                N_("%(url)s%(path)s did not answer with a JSON object"),
                url=self.url,
                path="/api/v1/ledger/tree-head/cosignatures",
            )
        return answer

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry the token may list (``GET /api/v1/ledger``, paged), in order."""
        after = 0
        while True:
            body = self._get("/api/v1/ledger", {"after": after, "limit": _PAGE})
            page = body.get("entries")
            if not isinstance(page, list):
                raise Unavailable.worded(
                    N_("%(url)s did not answer the entries with a list"), url=self.url
                )
            yield from (e for e in page if isinstance(e, dict))
            if body.get("next_after") is None:
                return
            after = int(body["next_after"])


_PAGE = 1000


def fetch_bundle(source: HttpSource, out: Path) -> BundleSummary:
    """A member's own copy of the ledger as the server shows it to that member, written as a
    bundle (atomically) that ``ceasefire ledger verify --bundle`` checks offline: payloads
    withheld from the member stay withheld (``"payload": null, "payload_withheld": true``),
    everything that verifies the chain is kept."""
    head = source.tree_head()  # before the entries: they then hold its tree
    entries = [served_entry(e) for e in source.entries()]
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    last = entries[-1] if entries else None
    with tmp.open("w", encoding="utf-8") as handle:
        chain = write_bundle(
            handle,
            bundle_header(
                exported_at=format_ts(utcnow()),
                entries=len(entries),
                head_seq=last.seq if last else None,
                head_hash=last.entry_hash if last else None,
            ),
            entries,
            head,
        )
    tmp.replace(out)
    return BundleSummary(
        path=str(out),
        entries=len(entries),
        head_seq=last.seq if last else None,
        head_hash=last.entry_hash if last else None,
        keys=len(chain.keys),
        roots=len(chain.roots),
        bytes=out.stat().st_size,
        payloads_withheld=chain.payloads_withheld,
    )


@dataclass
class DatabaseSource:
    """The operator's own database (and key file): the same answers as the API."""

    ctx: ServiceContext

    @property
    def name(self) -> str:
        return self.ctx.engine.url.render_as_string(hide_password=True)

    def tree_head(self) -> dict[str, Any]:
        from ceasefire.ledger import tree_heads as ledger_tree

        return ledger_tree.public_head(self.ctx).model_dump(mode="json")

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        from ceasefire.ledger import tree_heads as ledger_tree

        return ledger_tree.consistency_proof(self.ctx, first, second).model_dump(mode="json")

    def keys(self, member_id: str) -> list[dict[str, Any]]:
        from ceasefire.ledger import service as ledger

        return [k.model_dump(mode="json") for k in ledger.list_keys(self.ctx, member_id=member_id)]

    def cosign(self, cosignature: dict[str, Any]) -> dict[str, Any]:
        from ceasefire.access import Viewer
        from ceasefire.ledger import tree_heads as ledger_tree
        from ceasefire.ledger.schemas import CosignaturePublic

        body = CosignaturePublic.model_validate(cosignature)
        viewer = Viewer(member_id=body.member_id)
        return ledger_tree.add_cosignature(self.ctx, viewer, body).model_dump(mode="json")


@dataclass(frozen=True)
class KeptHead:
    """One line of ``heads.jsonl``."""

    head: SignedTreeHead
    seen_at: str
    source: str
    installation: str | None = None
    """The installation the server named with the head (None: it named none, or the line
    was kept before witnesses kept it)."""

    def as_dict(self) -> dict[str, Any]:
        kept = {**self.head.as_dict(), "seen_at": self.seen_at, "source": self.source}
        return kept if self.installation is None else {**kept, "installation": self.installation}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            raise InvalidInput.worded(
                N_("%(path)s line %(number)s is not JSON: %(error)s"),
                details=[
                    problem("state", N_("%(name)s line %(number)s"), name=path.name, number=number)
                ],
                path=path,
                number=number,
                error=exc,
            ) from exc
        lines.append(value)
    return lines


def _rewrite_jsonl(path: Path, values: Sequence[dict[str, Any]]) -> None:
    """Replace ``path`` by ``values``, one line each, atomically (a power cut leaves the old
    file or the new one)."""
    tmp = path.with_name(f".{path.name}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(v, sort_keys=True, ensure_ascii=False) + "\n" for v in values)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def _append_jsonl(path: Path, value: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(value, sort_keys=True, ensure_ascii=False) + "\n")
        handle.flush()
        # A head the witness reported as kept must still be there after a power cut.
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class KeptCosignature:
    """One line of ``cosignatures.jsonl``."""

    cosignature: Cosignature
    seen_at: str
    source: str
    made_here: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.cosignature.as_dict(),
            "seen_at": self.seen_at,
            "source": self.source,
            "made_here": self.made_here,
        }

    @property
    def head(self) -> tuple[int, str]:
        return self.cosignature.tree_size, self.cosignature.root_hash


def kept_cosignatures(state: Path) -> list[KeptCosignature]:
    """The cosignatures a witness kept in ``state``, oldest first (none before it kept one);
    a line that is no cosignature of format version 1 is an error naming the file."""
    path = Path(state) / COSIGNATURES_FILE
    kept = []
    for number, line in enumerate(_read_jsonl(path), start=1):
        try:
            cosignature = Cosignature.from_dict(line)
        except ValueError as exc:
            raise unreadable(
                N_("%(path)s line %(number)s is not a kept cosignature: %(error)s"),
                "state",
                exc,
                path=path,
                number=number,
            ) from exc
        kept.append(
            KeptCosignature(
                cosignature,
                str(line.get("seen_at", "")),
                str(line.get("source", "")),
                line.get("made_here") is True,
            )
        )
    return kept


def _keep_cosignatures(
    state: Path,
    head: SignedTreeHead,
    installation: str,
    served: Sequence[Any],
    *,
    made_by: str | None,
    source: str,
) -> list[KeptCosignature]:
    """Add to ``cosignatures.jsonl`` the cosignatures of ``head`` among ``served`` that it does
    not hold yet (one per member and head), drop those of all but the last
    :data:`KEPT_COSIGNED_HEADS` heads; the ones of ``head`` it now holds."""
    path = Path(state) / COSIGNATURES_FILE
    kept = kept_cosignatures(state)
    held = {(k.head, k.cosignature.member_id) for k in kept}
    now = format_ts(utcnow())
    new = []
    for raw in served:
        try:
            cosignature = Cosignature.from_dict(raw)
        except ValueError:
            continue  # not one: the cosigner check names it where cosigners are required
        key = ((cosignature.tree_size, cosignature.root_hash), cosignature.member_id)
        if key in held or not cosignature.covers(head, installation):
            continue
        held.add(key)
        new.append(KeptCosignature(cosignature, now, source, cosignature.member_id == made_by))
    kept += new
    heads = list(dict.fromkeys(k.head for k in kept))
    if len(heads) > KEPT_COSIGNED_HEADS:
        last = set(heads[-KEPT_COSIGNED_HEADS:])
        kept = [k for k in kept if k.head in last]
        _rewrite_jsonl(path, [k.as_dict() for k in kept])
    else:
        for each in new:
            _append_jsonl(path, each.as_dict())
    return [k for k in kept if k.head == (head.tree_size, head.root_hash)]


def _keys_once(source: HeadSource) -> KeysOf:
    """``source.keys``, asked once a member for the run (the kept cosignatures' recheck and
    the cosigners' count ask about the same members)."""
    keys: dict[str, list[dict[str, Any]]] = {}

    def keys_of(member: str) -> list[dict[str, Any]]:
        if member not in keys:
            keys[member] = source.keys(member)
        return keys[member]

    return keys_of


def _rechecked(
    head: SignedTreeHead, installation: str, kept: Sequence[KeptCosignature], keys_of: KeysOf
) -> list[KeptCosignaturePublic]:
    """``kept`` (cosignatures of ``head``) checked again against the members' keys now."""
    shown = []
    for each in sorted(kept, key=lambda k: k.cosignature.member_id):
        c = each.cosignature
        counted, refused = valid_cosigners(head, installation, [c.as_dict()], keys_of)
        # Constructed: ``problem`` keeps its wording (the CLI shows it in the reader's language).
        shown.append(
            KeptCosignaturePublic.model_construct(
                member_id=c.member_id,
                key_id=c.key_id,
                cosigned_at=c.cosigned_at,
                made_here=each.made_here,
                counted=c.member_id in counted,
                problem=refused[0] if refused else None,
            )
        )
    return shown


def last_kept(state: Path) -> KeptHead | None:
    """The last head a witness kept in ``state`` (None before its first run)."""
    lines = _read_jsonl(Path(state) / HEADS_FILE)
    if not lines:
        return None
    last = lines[-1]
    try:
        head = SignedTreeHead.from_dict(last)
    except ValueError as exc:
        raise unreadable(
            N_("the last head in %(heads_file)s is malformed: %(error)s"),
            "state",
            exc,
            heads_file=Path(state) / HEADS_FILE,
        ) from exc
    installation = last.get("installation")
    return KeptHead(
        head,
        str(last.get("seen_at", "")),
        str(last.get("source", "")),
        installation if isinstance(installation, str) else None,
    )


def witnessed_head(state: Path) -> tuple[SignedTreeHead, str | None]:
    """The last head a witness kept in ``state`` and the centre key it pinned, to check a
    database or a bundle against; a state with no head yet is an error naming it."""
    kept = last_kept(state)
    if kept is None:
        raise InvalidInput.worded(
            N_("%(witness_state)s holds no witnessed head: run `ceasefire witness` first"),
            details=[problem("witness_state", N_("no heads.jsonl"))],
            witness_state=state,
        )
    return kept.head, pinned_key(state)


def pinned_key(state: Path) -> str | None:
    """The centre public key the witness pinned (hex), if any."""
    path = Path(state) / PIN_FILE
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
        return str(value["public_key"])
    except (ValueError, KeyError, TypeError) as exc:
        raise unreadable(
            N_("%(path)s is not a pinned key file: %(error)s"), "state", exc, path=path
        ) from exc


def _pin(state: Path, public_key: str, source: str) -> None:
    path = Path(state) / PIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "public_key": public_key,
        "key_id": key_id_for(public_key),
        "pinned_at": format_ts(utcnow()),
        "source": source,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(body, indent=2) + "\n")


def _describe(head: SignedTreeHead) -> dict[str, Any]:
    return {"tree_size": head.tree_size, "root_hash": head.root_hash, "timestamp": head.timestamp}


def _inconsistent(
    state: Path,
    kind: str,
    msgid: str,
    *,
    seen: KeptHead,
    new: SignedTreeHead,
    source: str,
    **params: object,
) -> IntegrityError:
    """The finding ``kind`` about ``new`` against ``seen``, worded by ``msgid`` (marked
    ``N_``) with ``params`` (the CLI shows it in the reader's language), kept as evidence
    (in English, as the API answers it)."""
    error = IntegrityError.worded(
        msgid,
        details={
            "kind": kind,
            "kept": _describe(seen.head),
            "new": _describe(new),
            "evidence": str(Path(state) / EVIDENCE_FILE),
        },
        **{name: str(value) for name, value in params.items()},
    )
    evidence = {
        "kind": kind,
        "message": error.message,
        "detected_at": format_ts(utcnow()),
        "source": source,
        "kept": seen.as_dict(),
        "new": new.as_dict(),
    }
    _append_jsonl(Path(state) / EVIDENCE_FILE, evidence)
    return error


def _pinned_or_new_key(
    state: Path, source: HeadSource, head: SignedTreeHead, offered: Any, public_key: str | None
) -> tuple[str, bool]:
    pinned = pinned_key(state)
    if pinned is not None:
        if public_key is not None and public_key != pinned:
            raise InvalidInput.worded(
                N_(
                    "--public-key differs from the key pinned in %(pin_file)s: remove that file to "
                    "pin another key"
                ),
                details=[problem("public_key", N_("differs from the pinned key"))],
                pin_file=Path(state) / PIN_FILE,
            )
        return pinned, False
    # Trust on first use: the key given, else the one the server names with its head.
    chosen = public_key or (offered if isinstance(offered, str) else None)
    if chosen is None:
        raise InvalidInput.worded(
            N_("no key to pin: the server did not name its key; pass --public-key"),
            details=[problem("public_key", N_("required on first use"))],
        )
    return chosen.lower(), True


def member_keys(source: HeadSource, member_id: str, own_keys: set[str]) -> MemberKeysCheck:
    """Check that every key valid for ``member_id`` is one of ``own_keys`` (the keys the
    member made itself): any other valid key could sign in its name. IntegrityError names it.
    """
    keys = source.keys(member_id)
    valid = [k for k in keys if k.get("ended_seq") is None]
    foreign = [k for k in valid if k.get("key_id") not in own_keys]
    if foreign:
        first = foreign[0]
        raise IntegrityError.worded(
            N_(
                "%(member_id)s has a valid key %(key_id)s (custody %(custody)s, added at seq "
                "%(added_seq)s) that is not one of its own keys (--own-key): whoever holds it can "
                "sign in its name"
            ),
            details={"kind": "foreign_key", "member_id": member_id, "keys": foreign},
            member_id=repr(member_id),
            key_id=first.get("key_id"),
            custody=first.get("custody"),
            added_seq=first.get("added_seq"),
        )
    known = {str(k.get("key_id")): k for k in keys}
    return MemberKeysCheck(
        member_id=member_id,
        valid=sorted(str(k.get("key_id")) for k in valid),
        ended=sorted(k for k in own_keys if k in known and known[k].get("ended_seq")),
        unregistered=sorted(k for k in own_keys if k not in known),
    )


def witness(
    source: HeadSource,
    state: Path,
    *,
    public_key: str | None = None,
    member_id: str | None = None,
    own_keys: set[str] | None = None,
    cosign_key: SigningKey | None = None,
    cosigners: int = 0,
    cosigner_ids: Sequence[str] = (),
) -> WitnessRun:
    """One witness run (see the module docstring). Returns a summary; raises IntegrityError
    naming the sizes and roots when the log is not consistent with what this witness saw.

    With ``member_id`` and ``own_keys`` it also checks, once the head is kept, that the
    member has no valid key but its own (:func:`member_keys`). With ``cosign_key`` (the
    member's own key) it then cosigns the head it verified and submits the cosignature.
    With ``cosigners`` / ``cosigner_ids`` the head must carry valid cosignatures by that
    many members other than the centre and this witness's member, and by each one named:
    IntegrityError names the missing ones (another member may have been shown another
    history)."""
    state = Path(state)
    body = source.tree_head()
    try:
        head = SignedTreeHead.from_dict(body)
    except ValueError as exc:
        raise IntegrityError.worded(
            N_("%(name)s sent a malformed tree head: %(error)s"), name=source.name, error=exc
        ) from exc
    key, first_use = _pinned_or_new_key(state, source, head, body.get("public_key"), public_key)
    try:
        key_id = key_id_for(key)
    except ValueError as exc:
        raise unreadable(N_("not an Ed25519 public key: %(error)s"), "public_key", exc) from exc
    if head.key_id != key_id:
        raise IntegrityError.worded(
            N_(
                "the tree head is signed by key %(key_id)s, not by the pinned centre key "
                "%(pinned)s: if the centre announced a new key, pin it (remove %(pin_file)s and "
                "pass --public-key)"
            ),
            details={"kind": "key_changed", "new": _describe(head)},
            key_id=head.key_id,
            pinned=key_id,
            pin_file=state / PIN_FILE,
        )
    if not head.verify(key):
        raise IntegrityError.worded(
            N_(
                "the tree head of size %(tree_size)s does not carry a valid signature by the "
                "pinned key %(key_id)s"
            ),
            details={"kind": "signature_invalid", "new": _describe(head)},
            tree_size=head.tree_size,
            key_id=key_id,
        )
    seen = last_kept(state)
    proof_nodes = 0
    installation = body.get("installation")
    if not isinstance(installation, str):
        installation = None
    if seen is not None and seen.installation is not None and installation != seen.installation:
        raise _inconsistent(
            state,
            "installation",
            N_(
                "%(name)s now serves the log of installation %(installation)s, but this witness "
                "saw installation %(seen_installation)s at %(seen_at)s: another ledger answers "
                "with the centre's key"
            )
            if installation is not None
            else N_(
                "%(name)s no longer names the installation of its log; this witness saw "
                "installation %(seen_installation)s at %(seen_at)s"
            ),
            seen=seen,
            new=head,
            source=source.name,
            name=source.name,
            installation=installation,
            seen_installation=seen.installation,
            seen_at=seen.seen_at,
        )
    if seen is not None:
        m, n = seen.head.tree_size, head.tree_size
        if n < m:
            raise _inconsistent(
                state,
                "rollback",
                N_(
                    "the log now has %(n)s entries (root %(root)s), but this witness saw %(m)s "
                    "entries (root %(seen_root)s) at %(seen_at)s: entries were removed or an "
                    "older copy of the database was restored"
                ),
                seen=seen,
                new=head,
                source=source.name,
                n=n,
                m=m,
                root=head.root_hash,
                seen_root=seen.head.root_hash,
                seen_at=seen.seen_at,
            )
        if n == m and head.root_hash != seen.head.root_hash:
            raise _inconsistent(
                state,
                "rewritten",
                N_(
                    "the log's tree of %(n)s entries now has root %(root)s, but this witness "
                    "saw root %(seen_root)s for the same size at %(seen_at)s: the history was "
                    "rewritten"
                ),
                seen=seen,
                new=head,
                source=source.name,
                n=n,
                root=head.root_hash,
                seen_root=seen.head.root_hash,
                seen_at=seen.seen_at,
            )
        if n > m:
            proof = source.consistency(m, n)
            path = proof.get("path")
            if not isinstance(path, list) or not verify_consistency(
                m, n, seen.head.root_hash, head.root_hash, [str(p) for p in path]
            ):
                raise _inconsistent(
                    state,
                    "rewritten",
                    N_(
                        "the tree of %(n)s entries (root %(root)s) does not extend the tree of "
                        "%(m)s entries (root %(seen_root)s) this witness saw at %(seen_at)s: "
                        "the consistency proof fails, so entries among the first %(m)s were "
                        "changed (or an older copy was restored and written on)"
                    ),
                    seen=seen,
                    new=head,
                    source=source.name,
                    n=n,
                    m=m,
                    root=head.root_hash,
                    seen_root=seen.head.root_hash,
                    seen_at=seen.seen_at,
                )
            proof_nodes = len(path)
    if first_use:
        _pin(state, key, source.name)
    # A head kept before witnesses kept the installation is kept again with it.
    stored = (
        seen is None
        or head.tree_size != seen.head.tree_size
        or (seen.installation is None and installation is not None)
    )
    if stored:
        kept_head = KeptHead(head, format_ts(utcnow()), source.name, installation)
        _append_jsonl(state / HEADS_FILE, kept_head.as_dict())
    keys_seen = None
    if member_id is not None:
        keys_seen = member_keys(source, member_id, own_keys or set())
    raw_cosignatures = body.get("cosignatures")
    cosignatures = raw_cosignatures if isinstance(raw_cosignatures, list) else []
    if (cosign_key is not None or cosigners or cosigner_ids) and not isinstance(installation, str):
        raise IntegrityError.worded(
            N_("%(name)s did not name its installation with the head: it cannot be cosigned"),
            details={"field": "installation"},
            name=source.name,
        )
    cosigned_by = None
    if cosign_key is not None:
        assert isinstance(installation, str)
        made = cosign(head, installation, cosign_key, format_ts(utcnow()))
        answer = source.cosign(made.as_dict())
        answered = answer.get("cosignatures")
        cosignatures = answered if isinstance(answered, list) else cosignatures
        cosigned_by = cosign_key.member_id
    keys_of = _keys_once(source)
    # Kept before any requirement is checked: a run that fails keeps them too.
    kept: list[KeptCosignaturePublic] = []
    if isinstance(installation, str):
        mine = _keep_cosignatures(
            state, head, installation, cosignatures, made_by=cosigned_by, source=source.name
        )
        kept = _rechecked(head, installation, mine, keys_of)
    counted: list[str] = []
    if cosigners or cosigner_ids:
        assert isinstance(installation, str)
        found = check_cosigners(
            head,
            installation,
            cosignatures,
            keys_of,
            count=cosigners,
            members=cosigner_ids,
            exclude=[m for m in (member_id, cosigned_by) if m is not None],
        )
        counted = require_cosigners(head, found)
    return WitnessRun(
        kept_cosignatures=kept,
        cosigned_by=cosigned_by,
        cosigners=counted,
        ok=True,
        member_keys=keys_seen,
        source=source.name,
        **_describe(head),
        key_id=key_id,
        pinned_now=first_use,
        previous=HeadDescription(**_describe(seen.head)) if seen is not None else None,
        proof_nodes=proof_nodes,
        stored=stored,
        state=str(state),
    )
