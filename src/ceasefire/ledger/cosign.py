"""Witness cosignatures of signed tree heads (C2SP tlog-cosignature, in the ledger's form).

A member's witness that verified a head (the centre's signature, and consistency with the
last head it kept) signs it with the member's own key. The signed bytes are the RFC 8785
form of::

    {"format": "ceasefire-cosignature", "v": 1, "installation": <hash of entry 1>,
     "tree_size": n, "root_hash": ..., "timestamp": <the head's>, "centre_key_id": ...,
     "member_id": ..., "key_id": <the member's key>, "cosigned_at": <the witness's time>}

``installation`` is the hash of the ledger's first entry (the centre's first key, made at
``ceasefire init``): a cosignature made for one installation is refused by any other. The
server stores one cosignature per member per head and serves them with the head; whoever
relies on a head can then require cosignatures from members other than the centre, so that
showing two members different histories (a split view) needs the cosigners to collude.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ceasefire.errors import IntegrityError, InvalidInput, WordedText, problem, worded_text
from ceasefire.i18n.markers import N_
from ceasefire.ledger.keys import (
    CENTRE_MEMBER_ID,
    MEMBER_CUSTODY,
    SigningKey,
    signature_is_valid,
)
from ceasefire.ledger.tree import SignedTreeHead, check_format

COSIGNATURE_FORMAT = "ceasefire-cosignature"
SIGNED_FIELDS = (
    "installation",
    "tree_size",
    "root_hash",
    "timestamp",
    "centre_key_id",
    "member_id",
    "key_id",
    "cosigned_at",
)
HEAD_FIELDS = {
    "tree_size": "tree_size",
    "root_hash": "root_hash",
    "timestamp": "timestamp",
    "centre_key_id": "key_id",
}
"""The fields a cosignature repeats from the head it covers, and the head's name of each."""


MEMBER_FIELDS = ("member_id", "key_id", "cosigned_at", "signature")
"""What a cosignature adds to its head: by whom, with which key, when, and the signature
(what the server stores of it, one row per member and head)."""


def _of_head(head: SignedTreeHead) -> dict[str, Any]:
    """The fields of a cosignature of ``head`` that come from the head itself."""
    return {name: getattr(head, attribute) for name, attribute in HEAD_FIELDS.items()}


@dataclass(frozen=True, slots=True)
class Cosignature:
    """One member's signature over one tree head of one installation."""

    installation: str
    tree_size: int
    root_hash: str
    timestamp: str
    centre_key_id: str
    member_id: str
    key_id: str
    cosigned_at: str
    signature: str

    @classmethod
    def over(
        cls,
        head: SignedTreeHead,
        installation: str,
        *,
        member_id: str,
        key_id: str,
        cosigned_at: str,
        signature: str = "",
    ) -> Cosignature:
        """A cosignature of ``head`` of ``installation`` by ``member_id``'s ``key_id``."""
        return cls(
            installation=installation,
            **_of_head(head),
            member_id=member_id,
            key_id=key_id,
            cosigned_at=cosigned_at,
            signature=signature,
        )

    @classmethod
    def stored(cls, head: SignedTreeHead, installation: str, row: Any) -> Cosignature:
        """The cosignature of ``head`` whose :data:`MEMBER_FIELDS` ``row`` holds (as
        :meth:`member_part` gave them)."""
        return cls.over(head, installation, **{name: getattr(row, name) for name in MEMBER_FIELDS})

    def member_part(self) -> dict[str, str]:
        """The :data:`MEMBER_FIELDS` of this cosignature: what is stored besides its head."""
        return {name: getattr(self, name) for name in MEMBER_FIELDS}

    def signed_bytes(self) -> bytes:
        """The exact bytes the signature covers (sorted keys, no white space)."""
        body: dict[str, Any] = {name: getattr(self, name) for name in SIGNED_FIELDS}
        body.update(format=COSIGNATURE_FORMAT, v=1)
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def verify(self, public_key_hex: str) -> bool:
        return signature_is_valid(public_key_hex, self.signature, self.signed_bytes())

    def covers(self, head: SignedTreeHead, installation: str) -> bool:
        """Whether this cosignature is over ``head`` of ``installation``."""
        return self.installation == installation and all(
            getattr(self, name) == value for name, value in _of_head(head).items()
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": COSIGNATURE_FORMAT,
            "v": 1,
            **{name: getattr(self, name) for name in SIGNED_FIELDS},
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Cosignature:
        """Read a cosignature written by :meth:`as_dict`; ValueError names what is wrong."""
        check_format(
            data,
            COSIGNATURE_FORMAT,
            not_object=N_("a cosignature must be a JSON object"),
            not_version=N_("not a ceasefire cosignature of version 1"),
        )
        values: dict[str, Any] = {}
        for name in (*SIGNED_FIELDS, "signature"):
            if name not in data:
                raise ValueError(worded_text(N_("cosignature lacks %(name)s"), name=repr(name)))
            value = data[name]
            wanted = int if name == "tree_size" else str
            if type(value) is not wanted:
                raise ValueError(
                    worded_text(N_("%(name)s must be a %(type)s"), name=name, type=wanted.__name__)
                )
            values[name] = value
        return cls(**values)


def cosign(
    head: SignedTreeHead, installation: str, key: SigningKey, cosigned_at: str
) -> Cosignature:
    """Cosign ``head`` of ``installation`` with a member's own ``key``."""
    unsigned = Cosignature.over(
        head, installation, member_id=key.member_id, key_id=key.key_id, cosigned_at=cosigned_at
    )
    return replace(unsigned, signature=key.sign(unsigned.signed_bytes()))


KeysOf = Callable[[str], Iterable[Mapping[str, Any]]]
"""The keys of a member as ``GET /api/v1/ledger/keys`` lists them (or a bundle's key lines)."""


def valid_cosigners(
    head: SignedTreeHead,
    installation: str,
    cosignatures: Sequence[Any],
    keys_of: KeysOf,
    *,
    exclude: Iterable[str] = (),
    forged: list[str] | None = None,
) -> tuple[set[str], list[str]]:
    """The members (never the centre, nor ``exclude``) with a valid cosignature of ``head``,
    and why each other cosignature was not counted. ``forged``, when given, also receives
    the reasons of those that cannot be genuine cosignatures of ``head`` (unreadable, over
    another head, by no key of the member, or a signature that does not verify), as
    opposed to those by a key revoked since or held by the server."""
    counted: set[str] = set()
    refused: list[str] = []
    invalid: list[str] = [] if forged is None else forged
    skip = {CENTRE_MEMBER_ID, *exclude}

    def refuse(msgid: str, member: str, *, genuine: bool = False, **values: object) -> None:
        refused.append(worded_text(msgid, member=member, **values))
        if not genuine:
            invalid.append(refused[-1])

    for raw in cosignatures:
        try:
            cosignature = Cosignature.from_dict(raw)
        except ValueError as exc:
            said = exc.args[0] if exc.args else exc
            refused.append(said if isinstance(said, WordedText) else str(said))
            invalid.append(refused[-1])
            continue
        member = cosignature.member_id
        if member in skip:
            continue
        if not cosignature.covers(head, installation):
            refuse(N_("%(member)s: over another head or installation"), member)
            continue
        key = next(
            (
                k
                for k in keys_of(member)
                if k.get("key_id") == cosignature.key_id and k.get("member_id", member) == member
            ),
            None,
        )
        key_id = cosignature.key_id
        if key is None:
            refuse(N_("%(member)s: key %(key_id)s is no key of the member"), member, key_id=key_id)
            continue
        if not cosignature.verify(str(key.get("public_key"))):
            refuse(N_("%(member)s: the signature does not verify"), member)
            continue
        if key.get("ended_seq") is not None:
            refuse(
                N_("%(member)s: key %(key_id)s is not a valid key of the member"),
                member,
                genuine=True,
                key_id=key_id,
            )
            continue
        if key.get("custody") != MEMBER_CUSTODY:
            # The server holds that key: it could cosign in the member's name.
            refuse(
                N_("%(member)s: key %(key_id)s is held by the server"),
                member,
                genuine=True,
                key_id=key_id,
            )
            continue
        counted.add(member)
    return counted, refused


@dataclass(frozen=True)
class CosignerCheck:
    """Which members' cosignatures were counted, which named ones are missing, how many
    were required, and why the others were not counted."""

    counted: list[str]
    missing: list[str]
    required: int
    refused: list[str]
    forged: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing and len(self.counted) >= self.required


def check_cosigners(
    head: SignedTreeHead,
    installation: str,
    cosignatures: Sequence[Any],
    keys_of: KeysOf,
    *,
    count: int = 0,
    members: Sequence[str] = (),
    exclude: Iterable[str] = (),
) -> CosignerCheck:
    """Whether ``head`` carries valid cosignatures by ``count`` distinct members other than
    the centre (and ``exclude``), and by each of ``members``."""
    if count < 0:
        raise InvalidInput.worded(
            N_("--cosigners must be 0 or more"), details=[problem("cosigners", N_("negative"))]
        )
    forged: list[str] = []
    counted, refused = valid_cosigners(
        head, installation, cosignatures, keys_of, exclude=exclude, forged=forged
    )
    return CosignerCheck(
        counted=sorted(counted),
        missing=sorted(set(members) - counted),
        required=max(count, len(set(members))),
        refused=refused,
        forged=forged,
    )


def require_cosigners(head: SignedTreeHead, found: CosignerCheck) -> list[str]:
    """Raise IntegrityError naming the missing cosigners unless ``found`` (what
    :func:`check_cosigners` found on ``head``) is enough; returns the members counted."""
    if not found.ok:
        raise IntegrityError.worded(
            MISSING_COSIGNERS,
            details={
                "kind": "cosigners_missing",
                "field": "cosignatures",
                "cosigners": found.counted,
                "missing": found.missing,
                "required": found.required,
                "refused": found.refused,
            },
            **missing_values(head, found),
        )
    return found.counted


MISSING_COSIGNERS = N_(
    "the tree head of size %(tree_size)s carries valid cosignatures from %(found)s member(s) "
    "(%(cosigners)s), %(count)s required; missing: %(missing)s. Another member may have been "
    "shown another history (a split view)"
)


def missing_values(head: SignedTreeHead, found: CosignerCheck) -> dict[str, Any]:
    """The values :data:`MISSING_COSIGNERS` names."""
    return {
        "tree_size": head.tree_size,
        "found": len(found.counted),
        "cosigners": ", ".join(found.counted) or "-",
        "count": found.required,
        "missing": ", ".join(found.missing) or "-",
    }
