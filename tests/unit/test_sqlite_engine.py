"""The SQLite engine's connection settings: WAL, foreign keys, and the page cache size."""

from __future__ import annotations

from pathlib import Path

from ceasefire.config import Settings
from ceasefire.db.engine import make_engine


def test_every_sqlite_connection_gets_the_configured_pragmas(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", sqlite_cache_mib=48)
    engine = make_engine(settings)
    try:
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
                assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -48 * 1024
    finally:
        engine.dispose()
