"""The service context: settings, engine and units of work, built once per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ceasefire.config import Settings
from ceasefire.db.engine import is_sqlite, make_engine


@dataclass
class ServiceContext:
    """What every service needs: configuration and a way to open units of work.

    Services own their transactions: a use case opens ``unit_of_work()``, does all its
    writes (including its ledger entries) inside, and the block commits them together or
    rolls all of them back.
    """

    settings: Settings
    engine: Engine = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceContext:
        return cls(settings=settings, engine=make_engine(settings))

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on any error.

        On SQLite the transaction starts with ``BEGIN IMMEDIATE`` so that two writers never
        interleave (the ledger's hash chain relies on a single writer at a time).
        """
        with self.engine.connect() as conn:
            if is_sqlite(self.engine):
                conn.info["sqlite_immediate"] = True
            with conn.begin():
                session = Session(bind=conn, expire_on_commit=False, autoflush=True)
                try:
                    yield session
                    session.flush()
                finally:
                    session.close()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session; nothing it does is committed."""
        session = Session(bind=self.engine, expire_on_commit=False)
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
