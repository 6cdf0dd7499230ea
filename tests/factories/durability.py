"""Commit durability in tests: what a power cut could lose, which no test simulates.

Production syncs every commit to disk (SQLite ``synchronous=FULL``, PostgreSQL
``synchronous_commit=on``: docs/operations.md). A test's database lives as long as the test,
so its commits need not survive a power cut; without the sync a unit of work costs about half
as much on the test machine (bench/RESULTS.md). What is committed, and what other connections
read, is the same: SQLite's WAL with ``synchronous=NORMAL`` stays consistent, and PostgreSQL's
asynchronous commit only delays the log's flush. tests/unit/test_sqlite_engine.py checks the
production default itself.
"""

from __future__ import annotations

from typing import Literal

SQLITE_SYNCHRONOUS: Literal["normal"] = "normal"
"""The tests' ``Settings.sqlite_synchronous``."""

SQLITE_SYNCHRONOUS_ENV: dict[str, str] = {"CEASEFIRE_SQLITE_SYNCHRONOUS": SQLITE_SYNCHRONOUS}
"""The same, as the environment of a CLI or server process."""

POSTGRES_OPTIONS = "-csynchronous_commit=off"
"""Added to the ``options`` of the test PostgreSQL URLs (every connection, subprocesses too)."""
