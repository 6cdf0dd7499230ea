"""Evidence files, stored content-addressed with their SHA-256 computed at receipt.

Following the Berkeley Protocol's provenance practice, the original is hashed while it is
received, stored once under its hash and made read-only, so the original never changes.

Layout under ``settings.data_dir``::

    attachments/sha256/ab/abcdef...   originals, mode 0444, named by their hash
    attachments/incoming/             partial uploads (removed on failure)
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ceasefire.errors import IntegrityError, NotFound, PayloadTooLarge, problem
from ceasefire.i18n.markers import N_

CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    sha256: str
    size_bytes: int
    path: Path


class AttachmentStore:
    """Content-addressed originals under one root directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "attachments"

    def original_path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise NotFound.worded(N_("not a SHA-256: %(sha256)s"), sha256=repr(sha256))
        return self.root / "sha256" / sha256[:2] / sha256

    def receive(self, chunks: Iterable[bytes], *, max_bytes: int) -> StoredFile:
        """Store a file streamed as ``chunks``; hashed as it arrives, refused past ``max_bytes``.

        Nothing is left behind when the file is too large or the stream fails. Receiving a
        file that is already stored keeps the existing original untouched.
        """
        incoming = self.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        partial = incoming / secrets.token_hex(12)
        digest = hashlib.sha256()
        size = 0
        try:
            with partial.open("xb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise PayloadTooLarge.worded(
                            N_("attachment over the limit of %(max_bytes)s bytes"),
                            details=[
                                problem(
                                    "file",
                                    N_("larger than %(max_bytes)s bytes"),
                                    max_bytes=max_bytes,
                                )
                            ],
                            max_bytes=max_bytes,
                        )
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self.original_path(sha256)
            if final.exists():
                partial.unlink()
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                partial.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
                os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return StoredFile(sha256=sha256, size_bytes=size, path=final)

    def read(self, sha256: str) -> bytes:
        """The original's bytes, checked against its hash on the way out."""
        path = self.original_path(sha256)
        if not path.exists():
            raise NotFound.worded(N_("no stored file %(id)s"), id=sha256)
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise IntegrityError.worded(
                N_("stored file %(sha256)s no longer matches its hash"), code="E603", sha256=sha256
            )
        return data

    def verify(self, sha256: str) -> bool:
        """Whether the original still hashes to its name."""
        path = self.original_path(sha256)
        if not path.exists():
            return False
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256
