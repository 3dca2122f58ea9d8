"""Where the database is, how to connect to it, and how to bring its schema to head.

SQLite by default (one file under the user's data directory); PostgreSQL through psycopg 3 when a
`postgresql://` URL is given. Every failure to connect or migrate becomes a `DatabaseError` that
names the URL without its password.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from aigcwatch.errors import DatabaseError

ENV_URL = "AIGCWATCH_DATABASE_URL"
ENV_HOME = "AIGCWATCH_HOME"
DB_FILENAME = "aigcwatch.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

SQLITE_BUSY_TIMEOUT_MS = 30_000
PG_CONNECT_TIMEOUT_S = 10

_PLAIN_PG = re.compile(r"^(postgres|postgresql)://", re.IGNORECASE)
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:)[^@]*@")


def default_home() -> Path:
    """The data directory when `$AIGCWATCH_HOME` is unset: `aigcwatch` under `$XDG_DATA_HOME` or
    `~/.local/share`."""
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "aigcwatch"


def default_db_path() -> Path:
    """`$AIGCWATCH_HOME/aigcwatch.db`, else in `default_home()`."""
    home = os.environ.get(ENV_HOME)
    return (Path(home).expanduser() if home else default_home()) / DB_FILENAME


def database_url(explicit: str | None = None) -> str:
    """The URL to use: `explicit`, else `$AIGCWATCH_DATABASE_URL`, else the default SQLite file.

    The default file's directory is created here, so a first run needs no setup.
    """
    url = explicit or os.environ.get(ENV_URL)
    if not url:
        path = default_db_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    return _PLAIN_PG.sub("postgresql+psycopg://", url.strip(), count=1)


def existing_database_url(explicit: str | None = None) -> str:
    """`database_url(explicit)` for a command that only reads (dashboard, export, digest): a SQLite
    file named by `explicit` or $AIGCWATCH_DATABASE_URL must exist. A mistyped path was created
    empty and read as an archive without a story. The default file may be missing (a first run:
    the pages say how to fill it)."""
    url = database_url(explicit)
    if explicit or os.environ.get(ENV_URL):
        path = sqlite_file(url)
        if path is not None and not path.exists():
            raise DatabaseError(safe_url(url), f"no database file at {path} (a mistyped path? "
                                               "`aigcwatch ingest` or `aigcwatch demo` creates one)")
    return url


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names; None for another backend, an in-memory database or a URL
    that does not parse (make_engine then says why)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    db = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def safe_url(url: str) -> str:
    """The URL with its password replaced by `***` (for messages and logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def _reason(exc: BaseException, url: str) -> str:
    """One line saying why, without the password even if a driver echoed it."""
    inner = getattr(exc, "orig", None) or exc
    text = " ".join(str(inner).split()) or type(inner).__name__
    try:
        password = make_url(url).password
    except ArgumentError:
        password = None
    if password:
        text = text.replace(str(password), "***")
    return text[:500]


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    from db import spacing, textfold

    textfold.register_sqlite(dbapi_conn)   # the search's case folding (db.filters)
    spacing.register_sqlite(dbapi_conn)    # and its loose spacing
    cur = dbapi_conn.cursor()
    try:
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
    finally:
        cur.close()


def _pg_connect_args(parsed) -> dict:
    """Connection settings for PostgreSQL: the connect timeout, and `jit = off` for the session
    (added to any `options` the URL gives). The planner's estimates for the read side's
    per-story lookups (LATERAL, db.tally) run to hundreds of thousands, past `jit_above_cost`, so
    PostgreSQL compiled each search's tally with LLVM: 0.7 s of a 2 s Themes search at 1M
    stories, for a query that then runs in about 1 s. No aigcwatch query gains from JIT."""
    options = " ".join(filter(None, (str(parsed.query.get("options") or ""), "-c jit=off")))
    return {"connect_timeout": PG_CONNECT_TIMEOUT_S, "options": options}


def make_engine(url: str) -> Engine:
    """An engine for `url`, checked by connecting once. Raises `DatabaseError` when that fails."""
    shown = safe_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as e:
        raise DatabaseError(shown, f"not a database URL: {_reason(e, url)}") from e
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _sqlite_pragmas)
        elif parsed.get_backend_name() == "postgresql":
            engine = create_engine(parsed, pool_pre_ping=True, connect_args=_pg_connect_args(parsed))
        else:
            engine = create_engine(parsed)
    except (ArgumentError, ImportError) as e:
        raise DatabaseError(shown, f"unsupported database URL: {_reason(e, url)}") from e
    try:
        with engine.connect():
            pass
    except (SQLAlchemyError, OSError) as e:
        engine.dispose()
        raise DatabaseError(shown, f"cannot connect: {_reason(e, url)}") from e
    return engine


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` (a no-op when already there)."""
    from alembic import command

    own = isinstance(engine_or_url, str)
    engine = make_engine(engine_or_url) if own else engine_or_url
    try:
        cfg = _alembic_config()
        with engine.begin() as conn:
            _check_known(engine, conn, cfg)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except SQLAlchemyError as e:
        url = engine.url.render_as_string(hide_password=False)
        raise DatabaseError(safe_url(url), f"migration failed: {_reason(e, url)}") from e
    finally:
        if own:
            engine.dispose()


def _check_known(engine: Engine, conn, cfg) -> None:
    """DatabaseError when the database is at a schema revision these migrations do not hold (a
    newer aigcwatch wrote it): alembic would fail with a traceback, and nothing can be upgraded."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    known = {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}
    for rev in MigrationContext.configure(conn).get_current_heads():
        if rev not in known:
            raise DatabaseError(safe_url(engine.url.render_as_string(hide_password=False)),
                                f"schema revision {rev!r} is unknown to this aigcwatch (written by a "
                                f"newer aigcwatch? run that version, or update this one)")


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None when it has never been migrated)."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_schema(url: str | None = None) -> Engine:
    """Connect to `database_url(url)` and migrate it to head; returns the engine."""
    engine = make_engine(database_url(url))
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose objects stay readable after commit (the caller owns commit and close)."""
    return sessionmaker(engine, expire_on_commit=False)
