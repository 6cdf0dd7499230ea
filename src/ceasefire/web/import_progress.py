"""How far a CSV import sent from the browser has got, for the form's progress bar.

The form's script names its import with a random ``job`` id (hex) sent with the file; while
the server imports it, each batch written updates a small JSON file here, and the script asks
``GET /reports/import/progress?job=…`` for it until the form's own answer arrives:
``{"phase": "checking"}`` while the file is parsed and validated (one step, nothing written
yet), then ``{"phase": "writing", "done": rows, "total": rows}`` after each committed batch.

The files live in ``DATA_DIR/import-progress/`` (shared by the server's worker processes, so
the poll may reach another worker than the import), are named after the signed-in user (a
hash of its id) and the job, hold no record content, are deleted when the import ends and,
if a process died mid-import, swept after an hour. This only reports progress: the import
itself keeps its guarantees (``reports.imports``: each batch one transaction and one ledger
entry; nothing of an invalid file written unless the rejected rows are asked for).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from ceasefire.config import Settings

JOB = re.compile(r"[0-9a-f]{16,64}")
STALE_AFTER_S = 3600


def folder_of(settings: Settings) -> Path:
    return settings.data_dir / "import-progress"


def valid_job(job: str | None) -> str | None:
    """``job`` if it is a job id the form's script makes (16–64 hex digits), else ``None``."""
    return job if job is not None and JOB.fullmatch(job) else None


def _path(settings: Settings, user_id: str, job: str) -> Path:
    owner = hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:16]
    return folder_of(settings) / f"{owner}.{job}.json"


def record(settings: Settings, user_id: str, job: str, state: dict[str, Any]) -> None:
    """Replace the job's state (written whole, then renamed: a reader never sees half)."""
    path = _path(settings, user_id, job)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, path)


def read(settings: Settings, user_id: str, job: str) -> dict[str, Any] | None:
    """The job's last state, or ``None`` (not started, finished, or another user's)."""
    try:
        found = json.loads(_path(settings, user_id, job).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def sweep(settings: Settings, *, now: float | None = None) -> None:
    """Delete the states a process that died mid-import left behind."""
    folder = folder_of(settings)
    if not folder.is_dir():
        return
    limit = (time.time() if now is None else now) - STALE_AFTER_S
    for path in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < limit:
                path.unlink()


@contextlib.contextmanager
def tracked(settings: Settings, user_id: str, job: str | None) -> Any:
    """While the block runs, a function ``progress(done, total)`` that records how many rows
    are written (``None`` outside a tracked job); the state is deleted afterwards."""
    if job is None:
        yield None
        return
    sweep(settings)
    record(settings, user_id, job, {"phase": "checking"})

    def progress(done: int, total: int) -> None:
        record(settings, user_id, job, {"phase": "writing", "done": done, "total": total})

    try:
        yield progress
    finally:
        with contextlib.suppress(FileNotFoundError):
            _path(settings, user_id, job).unlink()
