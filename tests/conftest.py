"""Shared fixtures: every integration test runs on SQLite and, when configured, PostgreSQL.

``CEASEFIRE_TEST_DATABASE_URL`` names a PostgreSQL database; each pytest worker gets its own
schema in it, migrated once, and every table is emptied after each test (state one module's
tests share, ``module_ctx``, gets a schema of its own). SQLite tests get a fresh copy of a
migrated template file. Without the variable the PostgreSQL variants are
skipped with a visible reason. ``demo`` fills a test's database with what ``ceasefire init
--demo --no-demo-month`` writes, copied from one run of it per worker and backend; ``cast``
(the demo members with a user and token each) is copied the same way from one ``demo_cast``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from ceasefire.config import Settings
from ceasefire.console.context import get_context
from ceasefire.db.base import Base
from ceasefire.db.context import ServiceContext
from ceasefire.db.engine import normalise_url
from ceasefire.db.migrate import upgrade
from ceasefire.timeutil import utcnow
from tests.factories.cli import CLI_COLUMNS, InProcessCli, run_here
from tests.factories.durability import SQLITE_SYNCHRONOUS, SQLITE_SYNCHRONOUS_ENV
from tests.factories.hashing import PASSWORD_HASH_FLOOR, PASSWORD_HASH_FLOOR_ENV
from tests.factories.members import Cast, demo_cast

if TYPE_CHECKING:
    from ceasefire.news.extract import NewsExtractor

# The CLI speaks the language of --lang, CEASEFIRE_LANG or the locale (LC_ALL, LC_MESSAGES,
# LANG): tests assert its English, whatever the locale of the machine that runs them (a
# subprocess inherits this). tests/e2e/test_cli_language.py sets another language itself.
os.environ["CEASEFIRE_LANG"] = "en"

PG_ENV = "CEASEFIRE_TEST_DATABASE_URL"

# Property tests check outcomes, not speed: on a shared 2-core CI machine generating inputs
# can be slow, and Hypothesis would fail the test for it (the too_slow health check, and a
# 200 ms deadline per example).
hypothesis_settings.register_profile(
    "ceasefire", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("ceasefire")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the latest schema, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    settings = Settings(database_url=f"sqlite:///{path}")
    ctx = ServiceContext.from_settings(settings)
    upgrade(ctx.engine)
    with ctx.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.dispose()
    return path


def _migrated_schema(schema: str) -> Iterator[str]:
    """The URL of ``schema``, created empty and migrated in the test PostgreSQL database,
    and dropped when done (skipped with the reason when none is configured)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL variant skipped: {PG_ENV} is not set")
    admin = create_engine(normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    ctx = ServiceContext.from_settings(Settings(database_url=url_text))
    upgrade(ctx.engine)
    ctx.dispose()
    try:
        yield url_text
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A per-worker schema in the test PostgreSQL database, migrated once."""
    yield from _migrated_schema(f"t_{_worker()}_{os.getpid()}")


VACUUM_AFTER_DEAD_ROWS = 500
"""``_empty_postgres`` vacuums a table once it holds this many deleted rows."""

_SEQUENCES: dict[str, list[str]] = {}
"""The sequences of each test schema (by its URL), read once."""


def _empty_postgres(url: str) -> None:
    """Delete every row of every table and restart the sequences, as ``TRUNCATE ... RESTART
    IDENTITY CASCADE`` would.

    ``DELETE`` in reverse dependency order, sent in one round trip: a test leaves a few rows,
    and deleting them costs milliseconds where ``TRUNCATE`` (a new file for each of ~40
    tables and ~100 indexes) cost about half a second after every PostgreSQL test
    (bench/RESULTS.md). Deleted rows stay in the table's pages until a vacuum, and the
    server's autovacuum may be off: a table that holds ``VACUUM_AFTER_DEAD_ROWS`` of them
    (as the server last counted) is vacuumed here, so later tests do not read through them.
    Should the order ever not satisfy the foreign keys (a cycle), ``TRUNCATE`` still empties
    them.
    """
    from ceasefire.areas import load_tables

    load_tables()

    engine = create_engine(url, poolclass=NullPool)
    tables = Base.metadata.sorted_tables
    try:
        with engine.begin() as conn:
            if url not in _SEQUENCES:
                _SEQUENCES[url] = list(
                    conn.execute(
                        text(
                            "SELECT sequence_name FROM information_schema.sequences"
                            " WHERE sequence_schema = current_schema()"
                        )
                    ).scalars()
                )
            statements = [f'DELETE FROM "{table.name}"' for table in reversed(tables)]
            statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in _SEQUENCES[url]]
            conn.exec_driver_sql("; ".join(statements))
            bloated = conn.execute(
                text(
                    "SELECT relname FROM pg_stat_user_tables"
                    " WHERE schemaname = current_schema() AND n_dead_tup >= :rows"
                ),
                {"rows": VACUUM_AFTER_DEAD_ROWS},
            ).scalars()
            to_vacuum = list(bloated)
        if to_vacuum:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM " + ", ".join(f'"{name}"' for name in to_vacuum)))
    except IntegrityError:
        names = ", ".join(f'"{t.name}"' for t in tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def _database(request: pytest.FixtureRequest, folder: Path, sqlite_template: Path) -> Iterator[str]:
    """The URL of an empty, migrated database of the backend ``request.param`` names, emptied
    when done (a SQLite file in ``folder``)."""
    if request.param == "sqlite":
        path = folder / "ceasefire.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    try:
        yield url
    finally:
        _empty_postgres(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    """The URL of an empty, migrated database of each backend."""
    yield from _database(request, tmp_path, sqlite_template)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return settings_for(database_url, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_ctx(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[ServiceContext]:
    """A context like ``ctx`` on a database of each backend that one module's tests share:
    for state that costs seconds to build and that none of the module's tests changes."""
    folder = tmp_path_factory.mktemp("module")
    if request.param == "sqlite":
        urls = _database(request, folder, sqlite_template)
    else:
        # A schema of its own, not the worker's: a function-scoped test of the same module
        # empties the worker's schema when it ends, which would take the shared state along.
        urls = _migrated_schema(f"m_{_worker()}_{os.getpid()}_{folder.name}"[:63])
    for url in urls:
        context = ServiceContext.from_settings(settings_for(url, folder))
        yield context
        context.dispose()


def settings_for(database_url: str, folder: Path) -> Settings:
    """The settings of a test on ``database_url``, its keys and data in ``folder``."""
    return Settings(
        database_url=database_url,
        key_file=folder / "keys.json",
        data_dir=folder / "data",
        # Every test client is one address: the per-address limits are proven with low
        # values in tests/api/test_address_limits.py, and stay on (but far) here.
        public_requests_per_minute=100_000,
        login_attempts_per_address_per_minute=100_000,
        sign_ins_per_user_per_minute=100_000,
        token_requests_per_minute=100_000,
        # The alerts worker runs only where a test starts it (tests/api/test_alerts_api.py),
        # and webhooks may reach the tests' own receivers on 127.0.0.1.
        alerts_worker_interval_s=0,
        alerts_webhook_allow_private=True,
        # No background fusion worker: a test that groups reports by hand would race it.
        # tests/integration/test_fusion_service.py runs the worker on purpose.
        fusion_interval_s=0,
        # The cheapest argon2id costs allowed: tests/factories/hashing.py.
        password_hash_time_cost=PASSWORD_HASH_FLOOR["password_hash_time_cost"],
        password_hash_memory_kib=PASSWORD_HASH_FLOOR["password_hash_memory_kib"],
        password_hash_parallelism=PASSWORD_HASH_FLOOR["password_hash_parallelism"],
        # No sync to disk at every commit: tests/factories/durability.py.
        sqlite_synchronous=SQLITE_SYNCHRONOUS,
    )


@pytest.fixture
def ctx(settings: Settings) -> Iterator[ServiceContext]:
    context = ServiceContext.from_settings(settings)
    yield context
    context.dispose()


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for running the ``ceasefire`` CLI in a subprocess against ``settings``."""
    return cli_environment(settings)


def cli_environment(settings: Settings) -> dict[str, str]:
    """This process's environment, with the ``ceasefire`` CLI pointed at ``settings``."""
    env = dict(os.environ)
    env.update(
        {
            "CEASEFIRE_DATABASE_URL": settings.database_url,
            "CEASEFIRE_KEY_FILE": str(settings.key_file),
            "CEASEFIRE_DATA_DIR": str(settings.data_dir),
            # A served app's alerts worker would write to the ledger behind a test's back.
            "CEASEFIRE_ALERTS_WORKER_INTERVAL_S": "0",
            "CEASEFIRE_FUSION_INTERVAL_S": str(settings.fusion_interval_s),
            "COLUMNS": str(CLI_COLUMNS),
            "CEASEFIRE_LANG": "en",
            **PASSWORD_HASH_FLOOR_ENV,
            **SQLITE_SYNCHRONOUS_ENV,
        }
    )
    return env


@pytest.fixture
def cli(
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[InProcessCli]:
    """``ceasefire ... --json`` run in this process, on the database of ``settings``, no token.

    For calls that check what a command answers; a new process (``run_cli``) costs about two
    seconds of imports, so tests keep that for the real executable's own behaviour."""
    for name in (
        "CEASEFIRE_DATABASE_URL",
        "CEASEFIRE_KEY_FILE",
        "CEASEFIRE_DATA_DIR",
        *PASSWORD_HASH_FLOOR_ENV,
        *SQLITE_SYNCHRONOUS_ENV,
    ):
        monkeypatch.setenv(name, cli_env[name])
    monkeypatch.delenv("CEASEFIRE_TOKEN", raising=False)
    get_context.cache_clear()
    yield InProcessCli(capsys, monkeypatch)
    get_context().dispose()
    get_context.cache_clear()


DEMO_INIT = ("init", "--demo", "--no-demo-month")
"""The command whose result the ``demo`` fixture gives each test."""
DEMO_MONTH_INIT = ("init", "--demo")
"""The command whose result the ``module_demo`` fixture gives a module (the month too)."""


class DemoSnapshot:
    """What ``ceasefire init --demo --no-demo-month`` left in one database of a backend, with
    its key file and data folder: made once per worker, put into each ``demo`` test's own
    (empty, migrated) database, as ``sqlite_template`` is for empty ones.

    Running the command costs about a second of CPU; a copy, milliseconds. The command's own
    behaviour (its output, a second run changing nothing) is tested where it is run."""

    def __init__(self, url: str, folder: Path, command: tuple[str, ...] = DEMO_INIT) -> None:
        self.url = url
        self.folder = folder
        run_here(*command, env=cli_environment(settings_for(url, folder)), check=True)
        self._capture()

    def _seal_if_the_day_changed(self) -> None:
        """Seal the snapshot's last day once the UTC day has changed since it was made, as
        ``ceasefire ledger seal`` does in an installation: otherwise the first entry a test
        writes after midnight also seals the day before (one more ledger entry than the test
        wrote), and a run that crosses midnight would fail the tests that count entries."""
        if utcnow().date() == self.made_on:
            return
        env = cli_environment(settings_for(self.url, self.folder))
        run_here("ledger", "seal", "--json", env=env, check=True)
        self._capture()

    def _capture(self) -> None:
        """Note what ``restore`` needs of the database at ``self.url``, as it is now."""
        self.made_on = utcnow().date()
        from ceasefire.areas import load_tables

        load_tables()
        url = self.url
        self.sequences: dict[str, int] = {}
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                # The tables with rows: the only ones a copy of the rows needs to name.
                self.filled = set(
                    conn.execute(
                        text(
                            " UNION ALL ".join(
                                f"SELECT '{table.name}' WHERE EXISTS"
                                f' (SELECT 1 FROM "{table.name}")'
                                for table in Base.metadata.sorted_tables
                            )
                        )
                    ).scalars()
                )
        finally:
            engine.dispose()
        if url.startswith("sqlite"):
            # Everything in the main file, so that copying the file copies the database.
            database = sqlite3.connect(self._sqlite_file(url))
            database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            database.close()
            return
        tables = {table.name for table in Base.metadata.sorted_tables}
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                present = set(
                    conn.execute(
                        text(
                            "SELECT table_name FROM information_schema.tables"
                            " WHERE table_schema = current_schema()"
                        )
                    ).scalars()
                )
                self.sequences = {
                    name: int(value)
                    for name, value in conn.execute(
                        text(
                            "SELECT sequencename, last_value FROM pg_sequences"
                            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                        )
                    )
                }
                self.schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        finally:
            engine.dispose()
        # A table the copy would leave out would make the copy differ from the command's.
        assert present - tables <= {"alembic_version"}, present - tables

    @staticmethod
    def _sqlite_file(url: str) -> str:
        database = make_url(url).database
        assert database
        return database

    def install(self, env: dict[str, str]) -> None:
        """``restore`` into the installation ``env`` names (``installation_env``'s)."""
        self.restore(
            Settings(
                database_url=env["CEASEFIRE_DATABASE_URL"],
                key_file=Path(env["CEASEFIRE_KEY_FILE"]),
                data_dir=Path(env["CEASEFIRE_DATA_DIR"]),
            )
        )

    def restore(self, settings: Settings, *, in_place: bool = False) -> None:
        """Make the (empty, migrated) database, key file and data folder of ``settings``
        what the command left here. A SQLite file is replaced by a copy, unless ``in_place``:
        then the rows are copied into it, as into PostgreSQL (connections may be open)."""
        self._seal_if_the_day_changed()
        shutil.copy(self.folder / "keys.json", settings.key_file)  # and its mode, 0600
        if (self.folder / "data").exists():
            shutil.copytree(self.folder / "data", settings.data_dir, dirs_exist_ok=True)
        url = settings.database_url
        if url.startswith("sqlite") and not in_place:
            # A new file in its place: a connection already open keeps the one it has.
            target = Path(self._sqlite_file(url))
            shutil.copyfile(self._sqlite_file(self.url), target.with_suffix(".demo"))
            target.with_suffix(".demo").replace(target)
            return
        if url.startswith("sqlite"):
            database = sqlite3.connect(self._sqlite_file(url), isolation_level=None)
            try:
                database.execute("ATTACH DATABASE ? AS snapshot", (self._sqlite_file(self.url),))
                database.execute("BEGIN IMMEDIATE")
                for statement in self._copies("snapshot"):
                    database.execute(statement)
                database.execute("COMMIT")
                database.execute("DETACH DATABASE snapshot")
            finally:
                database.close()
            return
        statements = self._copies(self.schema)
        statements += [
            f"SELECT setval('\"{name}\"', {value})" for name, value in self.sequences.items()
        ]
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("; ".join(statements))
        finally:
            engine.dispose()

    def _copies(self, source: str) -> list[str]:
        """The statements copying the rows of every table that has some from the schema
        ``source``, in the order of their foreign keys."""
        statements = []
        for table in Base.metadata.sorted_tables:
            if table.name not in self.filled:
                continue
            columns = ", ".join(f'"{column.name}"' for column in table.columns)
            statements.append(
                f'INSERT INTO "{table.name}" ({columns})'
                f' SELECT {columns} FROM "{source}"."{table.name}"'
            )
        return statements


def _sqlite_copy(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, name: str
) -> tuple[str, Path]:
    """The URL of a copy of the empty template in a new folder ``name``, and the folder."""
    folder = tmp_path_factory.mktemp(name)
    shutil.copyfile(sqlite_template, folder / "ceasefire.db")
    return f"sqlite:///{folder / 'ceasefire.db'}", folder


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> DemoSnapshot:
    return DemoSnapshot(*_sqlite_copy(tmp_path_factory, sqlite_template, "demo-sqlite"))


@pytest.fixture(scope="session")
def demo_postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSnapshot]:
    folder = tmp_path_factory.mktemp("demo-postgresql")
    for url in _migrated_schema(f"d_{_worker()}_{os.getpid()}"):
        yield DemoSnapshot(url, folder)


@pytest.fixture(scope="session")
def demo_month_sqlite(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> DemoSnapshot:
    url, folder = _sqlite_copy(tmp_path_factory, sqlite_template, "demo-month-sqlite")
    return DemoSnapshot(url, folder, DEMO_MONTH_INIT)


@pytest.fixture(scope="session")
def demo_month_postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSnapshot]:
    folder = tmp_path_factory.mktemp("demo-month-postgresql")
    for url in _migrated_schema(f"dm_{_worker()}_{os.getpid()}"):
        yield DemoSnapshot(url, folder, DEMO_MONTH_INIT)


@pytest.fixture(scope="module")
def module_demo(request: pytest.FixtureRequest, module_ctx: ServiceContext) -> ServiceContext:
    """``module_ctx`` holding what ``ceasefire init --demo`` writes, its month of reports fused
    into incidents (tens of seconds: run once per worker and backend, copied to each module)."""
    settings = module_ctx.settings
    backend = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    snapshot: DemoSnapshot = request.getfixturevalue(f"demo_month_{backend}")
    snapshot.restore(settings)
    module_ctx.engine.dispose()  # no pooled connection to the file the copy replaced
    return module_ctx


@pytest.fixture
def demo_month(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """``settings``, whose database, key file and data folder hold what ``ceasefire init
    --demo`` writes, its month included (the command run once per worker and backend, the
    snapshot ``module_demo`` copies too)."""
    backend = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    snapshot: DemoSnapshot = request.getfixturevalue(f"demo_month_{backend}")
    snapshot.restore(settings)
    return settings


@pytest.fixture
def demo(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """``settings``, whose database, key file and data folder hold what ``ceasefire init
    --demo --no-demo-month`` writes (the command run once per worker and backend, copied)."""
    backend = "sqlite" if settings.database_url.startswith("sqlite") else "postgresql"
    snapshot: DemoSnapshot = request.getfixturevalue(f"demo_{backend}")
    snapshot.restore(settings)
    return settings


class CastSnapshot(DemoSnapshot):
    """What ``demo_cast`` writes into an empty database (members, users, tokens, their ledger
    entries and keys), made once per worker and backend and copied into each ``cast`` test's
    database: about 60 ms of CPU and 62 commits each time for 700 tests, where a copy costs a
    few milliseconds. The tokens are the snapshot's, the same for every test of a worker."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        context = ServiceContext.from_settings(settings_for(url, folder))
        try:
            self.cast = demo_cast(context)
        finally:
            context.dispose()
        self._capture()

    def cast_into(self, ctx: ServiceContext) -> Cast:
        """The cast in ``ctx``'s database: copied there when it and its key file are still
        empty (a fixture before ``cast`` may have written), else made there as before."""
        settings = ctx.settings
        if settings.key_file.exists():
            return demo_cast(ctx)
        with ctx.reader() as session:
            written = session.execute(
                text("SELECT 1 FROM members UNION ALL SELECT 1 FROM ledger_entries")
            ).first()
        if written is not None:
            return demo_cast(ctx)
        self.restore(settings, in_place=True)
        return Cast(
            agreement_id=self.cast.agreement_id,
            users=dict(self.cast.users),
            tokens=dict(self.cast.tokens),
        )


@pytest.fixture(scope="session")
def cast_sqlite(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> CastSnapshot:
    return CastSnapshot(*_sqlite_copy(tmp_path_factory, sqlite_template, "cast-sqlite"))


@pytest.fixture(scope="session")
def cast_postgresql(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CastSnapshot]:
    folder = tmp_path_factory.mktemp("cast-postgresql")
    for url in _migrated_schema(f"c_{_worker()}_{os.getpid()}"):
        yield CastSnapshot(url, folder)


@pytest.fixture
def cast(request: pytest.FixtureRequest, ctx: ServiceContext) -> Cast:
    """The demo members, each with one user and token (a module may define its own ``cast``):
    ``demo_cast``'s result, copied from a snapshot of it (``CastSnapshot``)."""
    backend = "sqlite" if ctx.settings.database_url.startswith("sqlite") else "postgresql"
    snapshot: CastSnapshot = request.getfixturevalue(f"cast_{backend}")
    return snapshot.cast_into(ctx)


@pytest.fixture(scope="session")
def extractor() -> NewsExtractor:
    """The news pipeline on the geoparser's cached spaCy model, loaded once per process.

    The geo and news tests of one process share that model. Imported here rather than at the
    top: loading spaCy takes seconds, which tests without news would pay too.
    """
    from ceasefire.news.extract import NewsExtractor
    from ceasefire.news.geo import load_nlp
    from ceasefire.news.pipeline import PipelineResources

    return NewsExtractor.create(resources=PipelineResources.with_model(load_nlp()))
