"""`aigcwatch reindex` (db.openings.fill) on a large archive indexed before opening keys.

    python bench/reindex.py --items 200000 [--database-url URL]

Builds the synthetic archive (bench/synth.py) in an empty database (default: a temporary SQLite
file), gives every item a story-index entry as migration 0009 leaves an old archive (a signature
marked without its opening key and 32 band rows of random keys), then times the fill and a second
run (nothing left to do). Prints items/s and the keys added.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import select  # noqa: E402

import synth  # noqa: E402
from db import engine as dbe  # noqa: E402
from db import models as m  # noqa: E402
from db import openings  # noqa: E402
from ingest.cluster import BANDS  # noqa: E402


def _index_as_before(sf, seed: int = 7) -> int:
    """A signature (opening_indexed false) and BANDS random band rows per item, in chunks."""
    rng = random.Random(seed)
    with sf() as s:
        ids = list(s.scalars(select(m.Item.id).order_by(m.Item.id)))
        conn = s.connection()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        cursor = conn.connection.cursor()
        try:
            for i in range(0, len(ids), 20_000):
                chunk = ids[i:i + 20_000]
                cursor.executemany(f"INSERT INTO item_signatures (item_id, minhash, shingles, models, "
                                   f"opening_indexed) VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
                                   [(j, bytes(384), 60, "", False) for j in chunk])
                bands = sorted({(rng.getrandbits(64) - 2 ** 63, j) for j in chunk for _ in range(BANDS)})
                cursor.executemany(f"INSERT INTO item_bands (band, item_id) VALUES ({mark}, {mark})", bands)
        finally:
            cursor.close()
        s.commit()
    return len(ids)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite file)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aigcwatch-bench-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'reindex.db'}"
        synth.build(url, n_items=args.items)
        engine = dbe.ensure_schema(url)
        sf = dbe.session_factory(engine)
        n = _index_as_before(sf)
        with sf() as s:
            t0 = time.perf_counter()
            done, added = openings.fill(s)
            secs = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = openings.fill(s)
            rerun = time.perf_counter() - t0
        engine.dispose()
    print(f"reindex: {done:,} of {n:,} items in {secs:.1f} s ({done / secs:,.0f} items/s), "
          f"{added:,} opening keys added")
    print(f"run again: {again[0]} items in {rerun:.3f} s")
    return 0 if done == n and again == (0, 0) else 1


if __name__ == "__main__":
    sys.exit(main())
