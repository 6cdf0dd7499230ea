"""Health that tells the truth (issue 12, defect 7), on SQLite and PostgreSQL.

On a database that cannot be written, ``/health`` answered 200 while every token request was
a 500 (each request writes the token's ``last_used_at``). Now ``/health`` writes a probe row
it rolls back and answers a coded 503 naming the reason; token requests still authenticate
reads, and writes answer the same coded 503 instead of a bare 500.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ceasefire.app import create_app
from ceasefire.config import Settings
from ceasefire.db import health
from ceasefire.db.context import ServiceContext
from ceasefire.db.installation import InstallationFact
from tests.factories.members import Cast, demo_cast
from tests.factories.reports import shelling_body


def read_only_url(url: str) -> str:
    """The same database through a connection that cannot write."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = parsed.query.get("options", "")
    assert isinstance(options, str)
    read_only = f"{options} -cdefault_transaction_read_only=on".strip()
    return parsed.update_query_dict({"options": read_only}).render_as_string(hide_password=False)


@pytest.fixture
def read_only_client(settings: Settings, cast: Cast) -> Iterator[TestClient]:
    del cast  # the members and tokens exist before the database turns read-only
    ro_settings = settings.model_copy(update={"database_url": read_only_url(settings.database_url)})
    ro_ctx = ServiceContext.from_settings(ro_settings)
    try:
        with TestClient(create_app(ctx=ro_ctx), raise_server_exceptions=False) as client:
            yield client
    finally:
        ro_ctx.dispose()


def test_health_is_200_when_the_database_takes_writes(ctx: ServiceContext) -> None:
    with TestClient(create_app(ctx=ctx)) as client:
        answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["database"] == "writable"
    with ctx.reader() as session:  # the probe row was rolled back
        assert session.get(InstallationFact, health.PROBE_KEY) is None
        assert session.scalars(select(InstallationFact.key)).all() is not None


def test_a_read_only_database_is_a_coded_503_and_reads_still_authenticate(
    read_only_client: TestClient, cast: Cast
) -> None:
    answer = read_only_client.get("/health")
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "E503"
    assert error["details"]["reason"] == "read_only"
    assert "read-only" in error["message"]

    # The token's last_used_at cannot be written: the read is answered all the same.
    me = read_only_client.get("/api/v1/auth/me", headers=cast.bearer("tur"))
    assert me.status_code == 200, me.text
    assert me.json()["member_id"] == "tur"
    listed = read_only_client.get("/api/v1/reports", headers=cast.bearer("tur"))
    assert listed.status_code == 200, listed.text

    # A write is refused with the same coded 503, not a bare 500.
    filed = read_only_client.post(
        "/api/v1/reports",
        json=shelling_body(),
        headers={**cast.bearer("tur"), "Idempotency-Key": "ro-1"},
    )
    assert filed.status_code == 503, filed.text
    assert filed.json()["error"]["details"]["reason"] == "read_only"


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="root writes to read-only files anyway"
)
def test_a_read_only_sqlite_file_is_a_503(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "ro.db"
    path.write_bytes(sqlite_template.read_bytes())
    path.chmod(stat.S_IRUSR)
    ctx = ServiceContext.from_settings(Settings(database_url=f"sqlite:///{path}"))
    try:
        with pytest.raises(health.Unavailable) as refused:
            health.check_storage(ctx)
        assert refused.value.details["reason"] == "read_only"
    finally:
        ctx.dispose()


def test_storage_errors_are_classified() -> None:
    assert health.classify("attempt to write a readonly database") == "read_only"
    assert health.classify("cannot execute INSERT in a read-only transaction") == "read_only"
    assert health.classify("database or disk is full") == "disk_full"
    assert health.classify("could not extend file: No space left on device") == "disk_full"
    assert health.classify("database is locked") == "busy"
    assert health.classify("connection refused") == "unavailable"


def test_a_full_disk_is_a_503(ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the free-space floor next to a SQLite file, health says so (a rolled-back write
    alone never reaches the disk, so it could not see a full one)."""
    if ctx.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's disk is the server's: the probe write is what we can see")
    monkeypatch.setattr(health, "MIN_FREE_BYTES", 2**62)
    with pytest.raises(health.Unavailable) as refused:
        health.check_storage(ctx)
    assert refused.value.details["reason"] == "disk_full"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 128 MiB file system of its own (tmpfs), where one is allowed to mount one."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> None:
    """Write a file until the file system is full (unbuffered: every byte that fits)."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1024 * 1024, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)


def test_a_full_disk_is_a_coded_503_for_health_and_writes(
    small_disk: Path, sqlite_template: Path
) -> None:
    """A real full disk, not a simulated one: the database on a small file system that a
    filler file has filled up."""
    database = small_disk / "ceasefire.db"
    shutil.copyfile(sqlite_template, database)
    settings = Settings(
        database_url=f"sqlite:///{database}",
        key_file=small_disk / "keys.json",
        data_dir=small_disk / "data",
        public_requests_per_minute=100_000,
    )
    ctx = ServiceContext.from_settings(settings)
    try:
        cast = demo_cast(ctx)
        with TestClient(create_app(ctx=ctx), raise_server_exceptions=False) as client:
            assert client.get("/health").status_code == 200
            before = client.post(
                "/api/v1/reports",
                json=shelling_body(),
                headers={**cast.bearer("tur"), "Idempotency-Key": "before-full"},
            )
            assert before.status_code == 201, before.text  # tur's signing key exists now
            _fill(small_disk)
            answer = client.get("/health")
            assert answer.status_code == 503
            assert answer.json()["error"]["details"]["reason"] == "disk_full"
            assert client.get("/api/v1/auth/me", headers=cast.bearer("tur")).status_code == 200
            filed = client.post(
                "/api/v1/reports",
                json=shelling_body(narrative="x" * 20_000),
                headers={**cast.bearer("tur"), "Idempotency-Key": "full-1"},
            )
            assert filed.status_code == 503, filed.text
            assert filed.json()["error"]["details"]["reason"] == "disk_full"
            # rus has no signing key yet: the server cannot even write its key file.
            keyless = client.post(
                "/api/v1/reports",
                json=shelling_body(),
                headers={**cast.bearer("rus"), "Idempotency-Key": "full-2"},
            )
            assert keyless.status_code == 503, keyless.text
            assert keyless.json()["error"]["details"] == {
                "check": "file_write",
                "reason": "disk_full",
            }
    finally:
        ctx.dispose()
