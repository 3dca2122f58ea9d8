"""Start a real, throwaway PostgreSQL server for the tests (no Docker, no mocks).

The server lives in a fresh directory under /tmp, trusts local connections, listens on
127.0.0.1 only, on a free port, with its unix sockets in that directory. As root, initdb and
pg_ctl refuse to run, so they run as the `postgres` user on a directory it owns. Each pytest-xdist
worker starts its own server.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "postgres"
START_TIMEOUT_S = 60



def find_bindir() -> Path | None:
    """The newest `/usr/lib/postgresql/<version>/bin` that has initdb."""
    found = []
    for initdb in Path("/usr/lib/postgresql").glob("*/bin/initdb"):
        version = initdb.parent.parent.name
        key = tuple(int(p) for p in re.findall(r"\d+", version)) or (0,)
        found.append((key, initdb.parent))
    return max(found)[1] if found else None


def install_postgres() -> None:
    """apt-get install postgresql (CI as root only: the caller checks)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], env=env, check=False, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql"],
                   env=env, check=True, capture_output=True, timeout=900)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path          # temp dir: data/, sockets, log
    port: int
    as_user: str | None  # run binaries as this user (when we are root)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.as_user, "--", *cmd] if self.as_user else cmd

    def _run(self, *args: str, timeout: float = START_TIMEOUT_S) -> None:
        proc = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}):\n"
                               f"{proc.stdout}\n{proc.stderr}\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def initdb(self) -> None:
        self._run("initdb", "-D", str(self.datadir), "-U", SUPERUSER, "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")

    def start(self) -> None:
        opts = (f"-h 127.0.0.1 -p {self.port} -k {self.root} -F "
                "-c max_connections=60 -c shared_buffers=32MB -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w",
                  "-t", str(START_TIMEOUT_S), "-o", opts, "start", timeout=START_TIMEOUT_S + 10)

    def stop(self) -> None:
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(self._cmd("pg_ctl", "-D", str(self.datadir), "-m", "immediate",
                                     "-w", "stop"), capture_output=True, timeout=60)

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER,
                               dbname="postgres", autocommit=True, connect_timeout=10)

    def create_database(self, name: str, template: str | None = None) -> str:
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        with self.admin() as conn:
            if template:
                stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
                if conn.info.server_version >= 150000:   # much faster than WAL_LOG for small DBs
                    stmt = sql.SQL("{} STRATEGY FILE_COPY").format(stmt)
            conn.execute(stmt)
        return self.url(name)

    def reset_database(self, name: str, keep: tuple[str, ...] = ("alembic_version",)) -> None:
        """Empty every table of `name` (ids restart), first ending any session still on it."""
        with self.admin() as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=name,
                             autocommit=True, connect_timeout=10) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                if r[0] not in keep]
            if tables:
                conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)))

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def start_server(bindir: Path, attempts: int = 3) -> PostgresServer:
    """initdb + start on a free port (retrying on a port race); the caller must `stop_server`."""
    as_user = SUPERUSER if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="aigcwatch-pg-"))
    os.chmod(root, 0o755)   # the postgres user must be able to traverse to it
    if as_user:
        pw = pwd.getpwnam(as_user)
        os.chown(root, pw.pw_uid, pw.pw_gid)
    server = PostgresServer(bindir=bindir, root=root, port=0, as_user=as_user)
    try:
        server.initdb()
        last: Exception | None = None
        for _ in range(attempts):
            server.port = _free_port()
            try:
                server.start()
                return server
            except RuntimeError as e:   # most likely another process took the port meanwhile
                last = e
                time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not start:\n{last}")
    except BaseException:
        stop_server(server)
        raise


def stop_server(server: PostgresServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)
