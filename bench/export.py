"""Export a synthetic archive (default 1,000,000 stories, bench/synth.py) in every format and print
rows/s and peak memory for each.

    python bench/export.py                         # build a temp SQLite archive, export, print
    python bench/export.py --reuse /tmp/synth.db   # an archive built before (kept with --keep)
    python bench/export.py --database-url postgresql://...   # an EMPTY PostgreSQL database

Each export runs as a user runs it: `aigcwatch export items --format F -o FILE` in a child process
(all stories, no filter), timed from start to exit (imports included); its CPU time and peak
resident memory are read from the kernel (`wait4` rusage of that child alone), so rows per CPU
second stay meaningful on a shared, busy machine. `export trends` by day x model x lang
over the whole archive is timed too. Targets (issue 8): peak < 500 MB for every format
(bounded memory), >= 50,000 rows/s to CSV. xlsx is printed for information (openpyxl writes XML
cell by cell; it is the slowest by nature).

bench/synth.py numbers stories in random day order; ingest numbers them as they arrive, roughly in
publication order. Reading newest first, the synthetic layout puts every story on a different
table page (a million random page reads that no real archive needs), so a SQLite archive is first
copied with its ids in publication order; CSV is also timed on the archive as built, for reference.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORMATS = ("csv", "json", "parquet", "xlsx")
PEAK_TARGET_MB, CSV_TARGET_ROWS_S = 500, 50_000


def run_export(url: str, args: list[str], out: Path) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stderr) of one `aigcwatch export ...` child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AIGCWATCH_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "aigcwatch.cli", "export", *args, "-o", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"export failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, err      # ru_maxrss is in KiB on Linux


def in_ingest_order(src: Path, dst: Path) -> None:
    """Copy the SQLite archive `src` to `dst` with story ids in publication order, as ingest
    assigns them (bench/synth.py numbers stories in random day order, so reading newest first
    there touches a different table page for every story: a layout no real database has)."""
    import sqlite3

    from db.engine import ensure_schema

    ensure_schema(f"sqlite:///{dst}").dispose()
    con = sqlite3.connect(dst)
    con.execute("ATTACH DATABASE ? AS src", (str(src),))
    cols = [r[1] for r in con.execute("PRAGMA src.table_info(items)") if r[1] != "id"]
    with con:
        con.execute("INSERT INTO sources SELECT * FROM src.sources")
        con.execute("CREATE TEMP TABLE idmap (old INTEGER PRIMARY KEY, new INTEGER)")
        con.execute("INSERT INTO idmap SELECT id, ROW_NUMBER() OVER (ORDER BY published_at, id) "
                    "FROM src.items")
        con.execute(f"INSERT INTO items (id, {', '.join(cols)}) SELECT idmap.new, "
                    f"{', '.join('i.' + c for c in cols)} FROM src.items i JOIN idmap ON idmap.old = i.id "
                    "ORDER BY idmap.new")
        for table, rest in (("item_models", "model, evidence"), ("item_themes", "theme, evidence")):
            con.execute(f"INSERT INTO {table} (item_id, {rest}) SELECT idmap.new, {rest} FROM src.{table} t "
                        "JOIN idmap ON idmap.old = t.item_id ORDER BY idmap.new")
        cp = "source_id, url, url_key, guid_key, title, reason, seen_at, run_id"
        con.execute(f"INSERT INTO item_copies (item_id, {cp}) SELECT idmap.new, {cp} FROM src.item_copies t "
                    "JOIN idmap ON idmap.old = t.item_id ORDER BY idmap.new")
    con.execute("ANALYZE")
    con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--reuse", type=Path, help="SQLite archive built before (skips the build)")
    ap.add_argument("--database-url", help="an EMPTY database to build into (default: a temp SQLite file)")
    ap.add_argument("--keep", action="store_true", help="keep the temp archive and the exported files")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--as-built", action="store_true",
                    help="export the SQLite archive as synth.py numbered it (random id order) instead "
                         "of a copy in publication order")
    args = ap.parse_args(argv)

    from bench.synth import build
    from db import queries as q
    from db.engine import make_engine, session_factory

    tmp = Path(tempfile.mkdtemp(prefix="aigcwatch-export-bench-"))
    if args.reuse:
        built = args.reuse.resolve()
        url = f"sqlite:///{built}"
    else:
        url = args.database_url or f"sqlite:///{tmp / 'synth.db'}"
        built = tmp / "synth.db" if not args.database_url else None
        t0 = time.perf_counter()
        build(url, n_items=args.items)
        print(f"archive: {args.items:,} synthetic stories built in {time.perf_counter() - t0:.0f} s")
    as_built = None
    if built is not None and not args.as_built:
        t0 = time.perf_counter()
        in_ingest_order(built, tmp / "ordered.db")
        as_built, url = url, f"sqlite:///{tmp / 'ordered.db'}"
        print(f"archive copied with ids in publication order (as ingest numbers stories) in "
              f"{time.perf_counter() - t0:.0f} s")
    engine = make_engine(url)
    with session_factory(engine)() as s:
        n = q.count_items(s)
    engine.dispose()
    print(f"database: {url}  ({n:,} stories exported: spam left out as by default)")
    print(f"{'export':<26}{'rows':>10}{'wall s':>8}{'rows/s':>9}{'CPU s':>7}{'rows/CPU-s':>11}"
          f"{'peak MB':>9}{'file MB':>9}  target (on wall time)")
    ok = True
    runs = [(fmt, url, f"items {fmt}", ()) for fmt in args.formats.split(",")]
    if "csv" in args.formats.split(","):
        runs.append(("csv", url, "items csv --evidence", ("--evidence",)))
    if as_built:
        runs.append(("csv", as_built, "items csv, synth id order", ()))
    for fmt, where, name, extra in runs:
        out = tmp / f"items.{fmt}"
        seconds, cpu, peak, _ = run_export(where, ["items", "--format", fmt, *extra], out)
        rate = n / seconds
        targets = [f"peak < {PEAK_TARGET_MB} MB: {'ok' if peak < PEAK_TARGET_MB else 'MISSED'}"]
        ok &= peak < PEAK_TARGET_MB
        if fmt == "csv" and where == url and not extra:
            targets.append(f">= {CSV_TARGET_ROWS_S:,} rows/s: {'ok' if rate >= CSV_TARGET_ROWS_S else 'MISSED'}")
            ok &= rate >= CSV_TARGET_ROWS_S
        elif extra:
            targets.append("opt-in columns: no target")
        elif where != url:
            targets.append("every story on its own table page (see --as-built)")
        print(f"{name:<26}{n:>10,}{seconds:>8.1f}{rate:>9,.0f}{cpu:>7.1f}{n / cpu:>11,.0f}"
              f"{peak:>9.0f}{out.stat().st_size / 2**20:>9.0f}  {'; '.join(targets)}", flush=True)
        if not args.keep:
            out.unlink()
    out = tmp / "trends.csv"
    seconds, cpu, peak, _ = run_export(url, ["trends", "--group", "model,lang", "--by", "day"], out)
    rows = sum(1 for _ in out.open(encoding="utf-8-sig")) - 1
    print(f"{'trends day x model x lang':<26}{rows:>10,}{seconds:>8.1f}{rows / seconds:>9,.0f}{cpu:>7.1f}"
          f"{rows / cpu:>11,.0f}{peak:>9.0f}{out.stat().st_size / 2**20:>9.1f}  (counts() over the whole archive)")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs" + (
        ": the machine was busy, wall times are inflated; rows/CPU-s is what the export costs" if
        load > (os.cpu_count() or 1) else ""))
    if args.keep:
        print(f"kept: {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
