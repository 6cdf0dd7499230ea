"""The key file: private Ed25519 keys the server signs with, kept outside the database.

JSON, mode 0600::

    {"format": "ceasefire-keys", "version": 1,
     "keys": [{"member_id": "centre", "key_id": "...", "algorithm": "ed25519",
               "public_key": "<64 hex>", "private_key": "<64 hex>", "created_at": "..."}]}

The file is rewritten atomically (temporary file + rename), created 0600 from the first byte,
and refused when group or others may read it. Parsed files are cached per process by path,
inode, size and modification time, so signing many entries reads it once.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ceasefire.errors import IntegrityError, InvalidInput, problem
from ceasefire.i18n.markers import N_
from ceasefire.ledger.keys import ALGORITHM, SigningKey

FILE_FORMAT = "ceasefire-keys"
FILE_VERSION = 1


@dataclass(frozen=True)
class StoredKey:
    """One private key of the key file."""

    key: SigningKey
    created_at: str

    @property
    def member_id(self) -> str:
        return self.key.member_id

    @property
    def key_id(self) -> str:
        return self.key.key_id


@dataclass(frozen=True)
class KeyFile:
    """The parsed key file (keys in the order they were created)."""

    path: Path
    keys: tuple[StoredKey, ...]

    def by_id(self, key_id: str) -> SigningKey | None:
        for stored in self.keys:
            if stored.key_id == key_id:
                return stored.key
        return None

    def for_member(self, member_id: str) -> list[SigningKey]:
        """The member's keys, newest first."""
        return [s.key for s in reversed(self.keys) if s.member_id == member_id]


_CACHE: dict[Path, tuple[tuple[int, int, int], KeyFile]] = {}


def _fingerprint(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def load_key_file(path: Path) -> KeyFile:
    """Read the key file (empty when it does not exist yet); cached while it is unchanged."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        return KeyFile(path, ())
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise IntegrityError.worded(
            N_(
                "key file %(path)s may be read by others (mode %(mode)s); it must be 0600: "
                "chmod 600 it"
            ),
            code="E602",
            path=path,
            mode=format(stat.S_IMODE(st.st_mode), "04o"),
        )
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == _fingerprint(st):
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = tuple(_read_key(item) for item in data["keys"])
        if data.get("format") != FILE_FORMAT:
            raise ValueError(f"format is not {FILE_FORMAT!r}")
    except (ValueError, KeyError, TypeError) as exc:
        raise IntegrityError.worded(
            N_("key file %(path)s is not readable: %(error)s"), code="E602", path=path, error=exc
        ) from exc
    key_file = KeyFile(path, keys)
    _CACHE[path] = (_fingerprint(st), key_file)
    return key_file


def _read_key(item: dict[str, Any]) -> StoredKey:
    if item.get("algorithm") != ALGORITHM:
        raise ValueError(f"unsupported algorithm {item.get('algorithm')!r}")
    key = SigningKey.from_private_hex(str(item["member_id"]), str(item["private_key"]))
    if key.public_key_hex != item["public_key"] or key.key_id != item["key_id"]:
        raise ValueError(f"key {item.get('key_id')} does not match its private key")
    return StoredKey(key=key, created_at=str(item.get("created_at", "")))


def add_key(path: Path, key: SigningKey, *, created_at: datetime) -> KeyFile:
    """Add ``key`` to the key file (creating it, mode 0600) and return the new contents."""
    current = load_key_file(path)
    if current.by_id(key.key_id) is not None:
        return current
    stored = StoredKey(key=key, created_at=created_at.isoformat())
    updated = KeyFile(Path(path), (*current.keys, stored))
    write_key_file(updated)
    return load_key_file(path)


def write_key_file(key_file: KeyFile) -> None:
    """Write atomically: a 0600 temporary file beside the target, then rename over it."""
    path = Path(key_file.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "keys": [
            {
                "member_id": s.member_id,
                "key_id": s.key_id,
                "algorithm": ALGORITHM,
                "public_key": s.key.public_key_hex,
                "private_key": s.key.private_hex(),
                "created_at": s.created_at,
            }
            for s in key_file.keys
        ],
    }
    # mkstemp creates the file with mode 0600, so the secret is never readable by others.
    fd, tmp_name = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _CACHE.pop(path, None)


def member_key(key_file: Path, key_id: str | None) -> SigningKey:
    """The member's own key from its key file: ``key_id``, else the newest."""
    keys = load_key_file(key_file)
    stored = keys.keys if key_id is None else tuple(k for k in keys.keys if k.key_id == key_id)
    if not stored:
        raise InvalidInput.worded(
            N_("no key %(key_id)s in %(key_file)s"),
            details=[problem("key_file", N_("no such key"))],
            key_id=key_id or "",
            key_file=key_file,
        )
    return stored[-1].key
