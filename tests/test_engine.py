"""db.engine: where the database is, connecting, and migrations on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from aigcwatch.errors import DatabaseError
from db.engine import (
    current_revision,
    database_url,
    ensure_schema,
    make_engine,
    safe_url,
    upgrade,
)
from db.models import Base

TABLES = {"sources", "ingest_runs", "run_sources", "items", "item_models", "item_themes",
          "item_copies"}


def test_default_url_is_a_sqlite_file_under_aigcwatch_home(tmp_path, monkeypatch):
    monkeypatch.delenv("AIGCWATCH_DATABASE_URL", raising=False)
    home = tmp_path / "home" / "nested"
    monkeypatch.setenv("AIGCWATCH_HOME", str(home))
    assert database_url() == f"sqlite:///{home / 'aigcwatch.db'}"
    assert home.is_dir()   # created on first run


def test_default_url_falls_back_to_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.delenv("AIGCWATCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("AIGCWATCH_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert database_url() == f"sqlite:///{tmp_path / 'aigcwatch' / 'aigcwatch.db'}"


def test_explicit_url_beats_environment(monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", "sqlite:////tmp/from-env.db")
    assert database_url("sqlite:////tmp/explicit.db") == "sqlite:////tmp/explicit.db"
    assert database_url() == "sqlite:////tmp/from-env.db"


@pytest.mark.parametrize("given", ["postgresql://u:p@h:5432/d", "postgres://u:p@h:5432/d"])
def test_plain_postgres_urls_use_psycopg3(given):
    assert database_url(given) == "postgresql+psycopg://u:p@h:5432/d"


def test_safe_url_masks_the_password():
    assert safe_url("postgresql+psycopg://bob:s3cr%40t@db:5432/x") == \
        "postgresql+psycopg://bob:***@db:5432/x"
    assert safe_url("sqlite:////tmp/a.db") == "sqlite:////tmp/a.db"


def test_unreachable_database_raises_database_error_without_the_password():
    with pytest.raises(DatabaseError) as info:
        make_engine(database_url("postgresql://u:secret@127.0.0.1:1/x"))
    message = str(info.value)
    assert "secret" not in message
    assert "127.0.0.1" in message and "***" in message
    assert "\n" not in info.value.one_line()


def test_sqlite_file_in_missing_directory_is_a_database_error(tmp_path):
    with pytest.raises(DatabaseError, match="cannot connect"):
        make_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1   # NORMAL
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        engine.dispose()


def test_postgresql_sessions_run_without_jit_and_keep_the_urls_own_options(pg_server):
    """JIT compiled each search's tally (0.7 s of 2 s at 1M stories): aigcwatch's sessions turn it
    off, beside any `options` the URL sets."""
    for url, extra in ((pg_server.url(), None),
                       (pg_server.url() + "?options=-c%20statement_timeout%3D12345", "12345ms")):
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
                conn.rollback()                      # not a transaction's setting: it stays
                assert conn.execute(text("SHOW jit")).scalar() == "off"
                if extra:
                    assert conn.execute(text("SHOW statement_timeout")).scalar() == extra
        finally:
            engine.dispose()


def _script_head() -> str:
    from alembic.script import ScriptDirectory

    from db.engine import _alembic_config

    heads = ScriptDirectory.from_config(_alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations must form one line, found heads {heads}"
    return heads[0]


def test_migrations_create_the_schema_from_empty_and_upgrade_twice_is_a_no_op(empty_db_url):
    engine = make_engine(empty_db_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert TABLES <= set(inspect(engine).get_table_names())
        head = current_revision(engine)
        assert head == _script_head()
        upgrade(engine)
        assert current_revision(engine) == head
    finally:
        engine.dispose()


def test_migrated_schema_matches_the_models(db_url):
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()


def test_ensure_schema_accepts_a_url_and_returns_a_ready_engine(empty_db_url):
    engine = ensure_schema(empty_db_url)
    try:
        assert current_revision(engine) == _script_head()
    finally:
        engine.dispose()


def test_upgrade_by_url_leaves_no_connection_open(tmp_path):
    path: Path = tmp_path / "x.db"
    upgrade(f"sqlite:///{path}")
    assert path.exists()
    assert not Path(f"{path}-wal").exists()   # last connection closed: WAL checkpointed away


def test_a_schema_from_a_newer_aigcwatch_is_a_database_error_naming_its_revision(empty_db_url):
    # Before: alembic's CommandError went up as a traceback (exit 1) from every command.
    # (A database of its own: db_url's PostgreSQL database is reused and keeps its alembic_version.)
    from click.testing import CliRunner

    from aigcwatch.cli import main

    db_url = empty_db_url
    engine = ensure_schema(db_url)
    try:
        with engine.begin() as c:
            c.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
        with pytest.raises(DatabaseError) as info:
            upgrade(engine)
    finally:
        engine.dispose()
    line = info.value.one_line()
    assert "0099_from_the_future" in line and "newer aigcwatch" in line and "\n" not in line
    res = CliRunner().invoke(main, ["init", "--database-url", db_url])
    assert res.exit_code == 3 and res.stderr.startswith("error: database ") and \
        len(res.stderr.strip().splitlines()) == 1, res.output
