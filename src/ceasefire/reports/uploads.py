"""Uploaded import files in ``DATA_DIR/imports/``: kept only while their import runs.

An upload is written as ``<member>.<random>.csv`` (mode 0600) once the caller is known to
be allowed to import (``imports.check_may_import``), and deleted with its rejects file when
the import ends, whatever the outcome. While in flight, a member's uploads together may hold
at most ``CEASEFIRE_IMPORT_QUOTA_BYTES_PER_MEMBER``: one upload larger than that is a 413,
one that would exceed it while others run is a 429 (retry once they are done). Files older
than ``CEASEFIRE_IMPORT_STALE_AFTER_S`` are leftovers of a process that died mid-import and
are swept before every new upload. The folder is shared by the server's worker processes,
so the quota is counted from the files themselves.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from ceasefire.config import Settings
from ceasefire.errors import PayloadTooLarge, TooManyRequests, problem
from ceasefire.i18n.markers import N_

SUFFIX = ".csv"
REJECTS_SUFFIX = ".rejects.csv"
# How long a member over its quota is asked to wait: an import of a full file takes seconds.
RETRY_AFTER_S = 10


def over_quota(message: str, *, used: int, quota: int, retry_after_s: int) -> TooManyRequests:
    """A member's uploads past one of its byte quotas (``message``, a msgid naming ``used``
    and ``quota``): a 429 saying in ``Retry-After`` when to try again."""
    return TooManyRequests.worded(
        message, details={"retry_after_s": retry_after_s}, used=used, quota=quota
    ).retrying_after(retry_after_s)


def folder_of(settings: Settings) -> Path:
    return settings.data_dir / "imports"


def sweep_stale(folder: Path, stale_after_s: float, *, now: float | None = None) -> int:
    """Delete uploads (and rejects files) older than ``stale_after_s``; how many went."""
    if not folder.is_dir():
        return 0
    limit = (time.time() if now is None else now) - stale_after_s
    removed = 0
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another worker swept it first
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
    return removed


def _in_flight(folder: Path, member_id: str) -> int:
    total = 0
    for path in folder.glob(f"{member_id}.*"):
        with contextlib.suppress(FileNotFoundError):
            total += path.stat().st_size
    return total


@contextlib.contextmanager
def held_upload(settings: Settings, member_id: str, data: bytes) -> Iterator[Path]:
    """Store ``data`` for the import of ``member_id``'s upload and yield its path; the file
    and its rejects file (``path.with_suffix(".rejects.csv")``) are deleted on exit."""
    quota = settings.import_quota_bytes_per_member
    if len(data) > quota:
        raise PayloadTooLarge.worded(
            N_("an import file of %(count)s bytes is over the quota of %(quota)s bytes"),
            details=[problem("body", N_("larger than %(quota)s bytes"), quota=quota)],
            count=len(data),
            quota=quota,
        )
    folder = folder_of(settings)
    folder.mkdir(parents=True, exist_ok=True)
    sweep_stale(folder, settings.import_stale_after_s)
    used = _in_flight(folder, member_id)
    if used + len(data) > quota:
        raise over_quota(
            N_(
                "your imports in progress hold %(used)s bytes of your %(quota)s; try again when"
                " they are done"
            ),
            used=used,
            quota=quota,
            retry_after_s=RETRY_AFTER_S,
        )
    path = folder / f"{member_id}.{secrets.token_hex(8)}{SUFFIX}"
    rejects = rejects_path(path)
    # 0600 from the start: an upload may hold reports of any classification.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        yield path
    finally:
        for leftover in (path, rejects):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def rejects_path(upload: Path) -> Path:
    """Where the rejected rows of ``upload`` are written (deleted with it)."""
    return upload.with_name(upload.name.removesuffix(SUFFIX) + REJECTS_SUFFIX)
