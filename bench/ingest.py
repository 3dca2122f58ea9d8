"""Ingest benchmark: N entries from local feed files end to end into a fresh SQLite file.

Fetch over loopback HTTP, parse, normalise, dedup and store (tagging off), then feedparser-only
parsing of the same files in the same process. Prints entries/s and the ratio pipeline/feedparser
(target >= 0.5) for the pipeline as `aigcwatch ingest` runs it (worker processes: AIGCWATCH_WORKERS,
default auto) and, beside it, with every stage in one process (workers 0).

`--rerun` adds a second run over the same feeds, answered 200 again (their validators dropped: a
feed host without ETag or Last-Modified), and prints its wall and CPU seconds (this process and
its worker processes): every entry is then stored already as it is, and costs no tagging.

    python bench/ingest.py --entries 20000 [--workers auto]
    python bench/ingest.py --entries 4000 --tagging --rerun
"""
from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ZH_WORDS = ("视频生成 模型 发布 画面 镜头 运动 物理 创作者 短剧 广告 影视 算力 用户 体验 版本 生成 "
            "质量 分辨率 时长 秒 开放 内测 会员 价格 平台 工具 行业 公司 团队 技术 架构 扩散 变换器").split()
EN_WORDS = ("video generation model release frames camera motion physics creators studio ads film "
            "compute users access version quality resolution seconds waitlist pricing platform tools "
            "industry company team diffusion transformer latent prompt clip scene").split()
MODELS = ("Sora", "Veo 3", "Kling 2.1", "Runway Gen-4", "Hailuo 02", "可灵", "即梦", "Vidu Q1", "Pika 2.2")


def make_feeds(out: Path, entries: int, per_feed: int, seed: int = 7) -> list[Path]:
    """Deterministic RSS files with unique entries (~600 chars of HTML body each)."""
    rng = random.Random(seed)
    start = datetime(2025, 5, 1, tzinfo=timezone.utc)
    files, n, f = [], 0, 0
    while n < entries:
        zh = f % 2 == 0
        items = []
        for _ in range(min(per_feed, entries - n)):
            words = ZH_WORDS if zh else EN_WORDS
            sep = "" if zh else " "
            model = rng.choice(MODELS)
            paras = [sep.join(rng.choice(words) for _ in range(rng.randint(25, 45))) for _ in range(3)]
            body = "".join(f"<p>{escape(model)} {escape(p)} #{n}</p>" for p in paras)
            title = f"{model} {sep.join(rng.choice(words) for _ in range(8))} {n}"
            when = start + timedelta(minutes=17 * n)
            items.append(
                f"<item><title>{escape(title)}</title><link>https://example.{'cn' if zh else 'com'}/a/{n}"
                f"?utm_source=rss</link><guid>bench-{n}</guid><pubDate>{when:%a, %d %b %Y %H:%M:%S} +0000"
                f"</pubDate><description><![CDATA[{body}]]></description></item>")
            n += 1
        xml = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>bench '
               f'{f}</title><link>https://example.com/</link><description>bench</description>'
               + "".join(items) + "</channel></rss>")
        path = out / f"feed{f:03d}.xml"
        path.write_text(xml, encoding="utf-8")
        files.append(path)
        f += 1
    return files


def _serve(directory: str, queue, stop) -> None:
    from aigcwatch.localserver import serve_directory


    with serve_directory(Path(directory)) as base:
        queue.put(base)
        stop.wait()


@contextlib.contextmanager
def feed_server(directory: Path):
    """The loopback feed server in its own process, so serving (gzip) does not share our GIL."""
    ctx = multiprocessing.get_context("fork")
    queue, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(str(directory), queue, stop), daemon=True)
    proc.start()
    try:
        yield queue.get(timeout=30)
    finally:
        stop.set()
        proc.join(10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=20_000, help="entries in all (default 20000)")
    ap.add_argument("--per-feed", type=int, default=500, help="entries per feed file (default 500)")
    ap.add_argument("--tagging", action="store_true",
                    help="tag too, as aigcwatch ingest does (the target is set with tagging off)")
    ap.add_argument("--workers", default="auto",
                    help="worker processes of the measured run (default auto, as aigcwatch ingest)")
    ap.add_argument("--rerun", action="store_true",
                    help="time a second run over the same feeds served again in full (wall and CPU s)")
    args = ap.parse_args(argv)

    import feedparser

    from db import engine as dbe
    from ingest.fetch import FetchSettings
    from ingest.offload import parse_workers, resolve
    from ingest.pipeline import run_ingest
    from ingest.types import Source

    workers = resolve(parse_workers(args.workers), args.tagging)

    with tempfile.TemporaryDirectory(prefix="aigcwatch-bench-") as tmp:
        feed_dir = Path(tmp) / "feeds"
        feed_dir.mkdir()
        files = make_feeds(feed_dir, args.entries, args.per_feed)
        mb = sum(p.stat().st_size for p in files) / 1e6
        print(f"{args.entries} entries in {len(files)} feed files ({mb:.1f} MB)")
        runs = {}
        reruns = {}
        with feed_server(feed_dir) as base:
            sources = [Source(id=p.stem, name=p.stem, kind="rss", url=f"{base}/{p.name}",
                              lang="zh" if i % 2 == 0 else "en", topical=True)
                       for i, p in enumerate(files)]
            for n in dict.fromkeys((workers, 0)):       # the pool's start-up is timed too
                sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp}/bench-{n}.db"))
                t0 = time.perf_counter()
                summary = run_ingest(sf, sources, settings=FetchSettings(max_concurrency=4, workers=n),
                                     tagging=args.tagging)
                runs[n] = (time.perf_counter() - t0, summary.total("new"), summary.failed)
                if args.rerun:
                    reruns[n] = _rerun(sf, sources, FetchSettings(max_concurrency=4, workers=n),
                                       args.tagging)
        t0 = time.perf_counter()
        parsed = sum(len(feedparser.parse(p.read_bytes()).entries) for p in files)
        t_fp = time.perf_counter() - t0
    fp_rate = parsed / t_fp
    ok = True
    for n, (t_pipe, stored, failed) in runs.items():
        pipe_rate = args.entries / t_pipe
        label = f"{n} worker process{'es' if n != 1 else ''}" if n else "one process"
        print(f"pipeline (fetch+parse+normalise+{'tag+' if args.tagging else ''}dedup+store"
              f"{'' if args.tagging else ', tagging off'}), {label}: {t_pipe:.2f} s, "
              f"{pipe_rate:,.0f} entries/s, {stored} stored, {len(failed)} failed sources; "
              f"ratio to feedparser {pipe_rate / fp_rate:.2f}")
        ok = ok and stored == args.entries and not failed
    for n, (wall, cpu, dup, tagged_new, failed) in reruns.items():
        label = f"{n} worker process{'es' if n != 1 else ''}" if n else "one process"
        print(f"re-run over the same feeds served again in full, {label}: {wall:.2f} s wall, "
              f"{cpu:.2f} s CPU (this process and its workers), "
              f"{dup} duplicate, {tagged_new} new, {len(failed)} failed sources")
        ok = ok and dup == args.entries and not failed
    print(f"feedparser.parse only, same files: {t_fp:.2f} s, {fp_rate:,.0f} entries/s")
    print(f"ratio pipeline/feedparser ({workers} worker(s), as aigcwatch ingest runs): "
          f"{args.entries / runs[workers][0] / fp_rate:.2f}"
          + ("" if args.tagging else " (target >= 0.5, tagging off)"))
    return 0 if ok else 1


def _cpu() -> float:
    """CPU seconds so far of this process and of the worker pool's live processes (Linux /proc)."""
    import os

    from ingest import offload

    own = os.times()
    total = own.user + own.system
    pool = offload._pool
    for pid in (list(getattr(pool, "_processes", None) or ()) if pool is not None else ()):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _rerun(sf, sources, settings, tagging: bool):
    """A second run over feeds already stored, their validators dropped so every feed answers
    200 again: (wall s, CPU s of this process and the worker processes, duplicates, new, failed).
    The worker pool of the first run is still up (its start-up is not counted again)."""
    from sqlalchemy import update

    from db import models as m
    from ingest.pipeline import run_ingest

    with sf() as s:
        s.execute(update(m.Source).values(etag=None, last_modified=None))
        s.commit()
    c0, t0 = _cpu(), time.perf_counter()
    summary = run_ingest(sf, sources, settings=settings, tagging=tagging, force=True)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    return wall, cpu, summary.total("duplicate"), summary.total("new"), summary.failed


if __name__ == "__main__":
    sys.exit(main())
