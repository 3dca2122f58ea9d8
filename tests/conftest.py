"""Shared fixtures: a fresh, migrated database per test on SQLite and on a real PostgreSQL server.

`db_url` is parametrized over both backends (PostgreSQL params carry the `postgres` mark, so
`-m "not postgres"` runs without a server); `engine` and `session` build on it. Migration runs
once per test process (per xdist worker): SQLite copies a migrated template file, PostgreSQL
empties one migrated database before each test. That keeps the tests fast.
"""
from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.engine import make_engine, session_factory, upgrade

from pg import PostgresServer, find_bindir, install_postgres, start_server, stop_server

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
PG_TEST_DB = "aigcwatch_test"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for this test process, stopped and deleted at the end."""
    ci = bool(os.environ.get("CI"))
    bindir = find_bindir()
    if bindir is None and ci and os.geteuid() == 0:
        install_postgres()
        bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql)"
        if ci:
            pytest.fail(message)
        pytest.skip(message)
    server = start_server(bindir)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def _pg_test_database(pg_server: PostgresServer) -> str:
    """One migrated database per test process; `db_url` empties it before each test."""
    upgrade(pg_server.create_database(PG_TEST_DB))
    return PG_TEST_DB


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "aigcwatch.db"
    upgrade(f"sqlite:///{path}")   # disposes its engine: the WAL is checkpointed into the file
    return path


def _new_pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    url = server.create_database(name)
    request.addfinalizer(lambda: server.drop_database(name))
    return url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh database with no schema at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return _new_pg_database(request)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh database migrated to head."""
    if request.param == "sqlite":
        path = tmp_path / "aigcwatch.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    # Emptying a migrated database (TRUNCATE) is several times faster than creating one.
    server: PostgresServer = request.getfixturevalue("pg_server")
    name = request.getfixturevalue("_pg_test_database")
    server.reset_database(name)
    return server.url(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the test's own database; the test commits or rolls back as it likes."""
    with session_factory(engine)() as s:
        yield s


@pytest.fixture(autouse=True)
def _main_module_restored() -> Iterator[None]:
    """Streamlit's AppTest runs a page as `__main__` and leaves it there. Worker processes
    (ingest.offload, spawned) import `__main__` when they start, so a later test in the same
    process would have its workers run a dashboard page and die: put the real one back."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main
