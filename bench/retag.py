"""Retag benchmark: N stored items (half zh, half en; the synthetic feeds of bench/ingest.py,
ingested untagged into a fresh SQLite file), re-tagged as `aigcwatch retag` does, in one process
and with worker processes (the pool's start-up is timed). Prints items/s for each and checks that
both wrote the same tags.

    python bench/retag.py --entries 10000 [--workers auto]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _ingest_bench():
    """bench/ingest.py (its feed generator and loopback server), loaded by path: its module
    name would shadow the ingest package."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ingest_bench", Path(__file__).with_name("ingest.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tags(sf) -> list[tuple]:
    from sqlalchemy import select

    from db import models as m

    with sf() as s:
        items = [(i.id, i.relevant, i.spam, i.sentiment, i.sentiment_score)
                 for i in s.scalars(select(m.Item).order_by(m.Item.id))]
        models = sorted((r.item_id, r.model) for r in s.scalars(select(m.ItemModel)))
        themes = sorted((r.item_id, r.theme) for r in s.scalars(select(m.ItemTheme)))
    return [items, models, themes]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=10_000, help="items in all (default 10000)")
    ap.add_argument("--workers", default="auto", help="worker processes (default auto, as aigcwatch retag)")
    args = ap.parse_args(argv)

    from aigcwatch.retag import retag_items
    from db import engine as dbe
    from ingest.fetch import FetchSettings
    from ingest.offload import parse_workers, resolve
    from ingest.pipeline import run_ingest
    from ingest.types import Source
    bench = _ingest_bench()
    feed_server, make_feeds = bench.feed_server, bench.make_feeds

    workers = resolve(parse_workers(args.workers))
    with tempfile.TemporaryDirectory(prefix="aigcwatch-bench-") as tmp:
        feed_dir = Path(tmp) / "feeds"
        feed_dir.mkdir()
        files = make_feeds(feed_dir, args.entries, 500)
        base_db = Path(tmp) / "base.db"
        base_engine = dbe.ensure_schema(f"sqlite:///{base_db}")
        sf = dbe.session_factory(base_engine)
        with feed_server(feed_dir) as base:
            sources = [Source(id=p.stem, name=p.stem, kind="rss", url=f"{base}/{p.name}",
                              lang="zh" if i % 2 == 0 else "en", topical=True)
                       for i, p in enumerate(files)]
            run_ingest(sf, sources, settings=FetchSettings(max_concurrency=4, workers=0), tagging=False)
        base_engine.dispose()     # the last connection closed: SQLite moves its WAL into base.db
        results = {}
        for n in dict.fromkeys((workers, 0)):
            path = Path(tmp) / f"retag-{n}.db"
            shutil.copyfile(base_db, path)
            sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{path}"))
            t0 = time.perf_counter()
            done = retag_items(sf, workers=n).tagged
            results[n] = (time.perf_counter() - t0, done, _tags(sf))
    for n, (secs, done, _) in results.items():
        label = f"{n} worker process{'es' if n != 1 else ''}" if n else "one process"
        print(f"retag, {label}: {done} items in {secs:.2f} s, {done / secs:,.0f} items/s")
    same = results[workers][2] == results[0][2]
    print(f"the same tags written both ways: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
