"""A deterministic synthetic archive for benchmarks: N tagged stories over D days (Random(seed)).

    python bench/synth.py --items 1000000 --days 730 --database-url sqlite:////tmp/synth.db

Sources in both languages (news and social), models and themes with the weights of real coverage,
launch bursts, tones, spam, keywords and evidence phrases, syndicated copies. Rows go in through
bulk INSERTs on the migrated schema (the real tables and indexes), in chunks, with a progress bar.
Everything is invented; nothing here is real text.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from db import models as m  # noqa: E402
from db.engine import ensure_schema, session_factory  # noqa: E402

UTC = timezone.utc
MODELS = ["sora", "kling", "veo", "runway", "hailuo", "jimeng", "vidu", "pika", "wan", "luma",
          "pixverse", "hunyuan_video"]
MODEL_W = [22, 18, 14, 10, 8, 9, 5, 4, 5, 3, 1, 1]
THEMES = ["jobs", "creative_industry", "agi_world_model", "flaws", "tech", "markets", "competition",
          "copyright", "misinformation", "regulation", "launch_access", "compute"]
THEME_W = [6, 10, 5, 7, 14, 6, 9, 5, 6, 4, 14, 4]
SENT = ["positive", "neutral", "negative"]
ZH_TERMS = ["视频生成", "模型", "可灵", "即梦", "短剧", "特效", "导演", "版权", "深度伪造", "算力", "显卡",
            "开源", "会员", "价格", "物理", "翻车", "世界模型", "字节跳动", "快手", "影视", "剪辑", "AI漫剧",
            "广告", "首尾帧", "运镜", "分辨率", "时长", "内测", "发布会", "融资"]
EN_TERMS = ["video", "model", "openai", "google", "hollywood", "studio", "actors", "copyright",
            "deepfake", "gpu", "open source", "pricing", "physics", "glitch", "world model", "launch",
            "waitlist", "resolution", "minutes", "camera", "filmmakers", "vfx", "lawsuit", "funding",
            "benchmark", "cameo", "watermark", "labels", "startup", "api"]
EVIDENCE = {"zh": ["视频生成", "影视行业", "失业", "版权", "物理错误", "世界模型", "算力", "融资", "发布"],
            "en": ["video generation", "film industry", "job losses", "copyright", "physics errors",
                   "world model", "compute", "funding", "launch"]}
CHUNK = 20_000


def _sources(rng: random.Random) -> list[dict]:
    out = []
    for i in range(36):
        lang = "zh" if i % 2 == 0 else "en"
        category = "social" if i % 3 == 0 else "news"
        out.append({"id": f"synth-{lang}-{i:02d}", "name": f"Synthetic {lang} {category} {i}",
                    "kind": "rss", "url": f"https://synth{i}.example/feed", "lang": lang,
                    "category": category, "topical": True, "timezone": "UTC", "enabled": True,
                    "stale_days": 14, "consecutive_failures": 0,
                    "created_at": datetime(2024, 1, 1, tzinfo=UTC)})
    return out


def build(url: str, *, n_items: int = 1_000_000, days: int = 730, seed: int = 42,
          end: datetime = datetime(2026, 11, 1, tzinfo=UTC), progress: bool = True) -> None:
    """Fill a fresh database at `url` (migrated here) with the synthetic archive."""
    rng = random.Random(seed)
    engine = ensure_schema(url)
    session = session_factory(engine)()
    sources = _sources(rng)
    session.execute(insert(m.Source), sources)
    session.commit()
    start = end - timedelta(days=days)
    # bursts: (model, day) pairs with a multiplier, like launches
    bursts = {(rng.choice(MODELS), rng.randrange(days)): rng.uniform(4, 9) for _ in range(days // 20)}
    day_w = [1.0 + 0.6 * (d / days) for d in range(days)]   # coverage grows over time
    t0 = time.perf_counter()
    next_id = 1
    try:
        from rich.progress import Progress
        bar = Progress(disable=not progress, transient=True)
    except ImportError:   # pragma: no cover
        bar = None
    with bar or _NoBar():
        task = bar.add_task("synthetic items", total=n_items) if bar else None
        while next_id <= n_items:
            n = min(CHUNK, n_items - next_id + 1)
            items, models, themes, copies = [], [], [], []
            for item_id in range(next_id, next_id + n):
                day = rng.choices(range(days), weights=day_w)[0] if rng.random() < 0.1 else int(
                    days * (rng.random() ** 0.8))
                src = sources[rng.randrange(len(sources))]
                lang = src["lang"]
                published = start + timedelta(days=day, seconds=rng.randrange(86400))
                ms = set(rng.choices(MODELS, weights=MODEL_W, k=rng.choice((1, 1, 1, 2, 2, 3))))
                for (bm, bd), mult in bursts.items():
                    if bd == day and rng.random() < mult / 40:
                        ms.add(bm)
                ts = set(rng.choices(THEMES, weights=THEME_W, k=rng.choice((1, 1, 2, 2, 3))))
                terms = rng.sample(ZH_TERMS if lang == "zh" else EN_TERMS, 8)
                sentiment = rng.choices(SENT, weights=(25, 45, 30))[0]
                spam = rng.random() < 0.01
                items.append({
                    "id": item_id, "source_id": src["id"], "guid": f"g{item_id}",
                    "url": f"https://synth.example/{item_id}", "title": f"synthetic story {item_id} {' '.join(terms[:3])}",
                    "text": " ".join(terms), "lang": lang, "published_at": published,
                    "date_is_fallback": False, "fetched_at": published, "author": None,
                    "url_key": f"u{item_id}", "guid_key": f"g{item_id}", "content_key": f"c{item_id}",
                    "title_key": f"t{item_id}", "relevant": True, "spam": spam, "sentiment": sentiment,
                    "sentiment_score": rng.uniform(-1, 1), "keywords": terms, "tagger_version": "synth",
                    "tagged_at": published, "first_run_id": None,
                    # decision evidence as the tagger stores it (drawn without the rng: the archive
                    # stays the one earlier builds made)
                    "relevance_evidence": sorted(ms), "sentiment_evidence": terms[3:5],
                    "spam_evidence": ["synthetic spam line", "title/body mismatch"] if spam else []})
                ev = EVIDENCE[lang]
                # sorted: a set of strings iterates in the process's hash order, which drew each
                # theme's evidence in another order in every run (PYTHONHASHSEED)
                models += [{"item_id": item_id, "model": mo, "evidence": [mo]} for mo in sorted(ms)]
                themes += [{"item_id": item_id, "theme": th, "evidence": rng.sample(ev, 2)}
                           for th in sorted(ts)]
                if rng.random() < 0.05:
                    other = sources[rng.randrange(len(sources))]
                    copies.append({"item_id": item_id, "source_id": other["id"], "url": None,
                                   "url_key": f"cp{item_id}", "guid_key": None, "title": "copy",
                                   "reason": "content", "seen_at": published})
            session.execute(insert(m.Item), items)
            session.execute(insert(m.ItemModel), models)
            session.execute(insert(m.ItemTheme), themes)
            if copies:
                session.execute(insert(m.ItemCopy), copies)
            session.commit()
            next_id += n
            if bar:
                bar.advance(task, n)
    session.close()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    engine.dispose()
    print(f"built {n_items:,} items over {days} days in {time.perf_counter() - t0:.0f} s", file=sys.stderr)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--database-url", required=True, help="an EMPTY database (SQLite file or PostgreSQL)")
    args = ap.parse_args(argv)
    build(args.database_url, n_items=args.items, days=args.days, seed=args.seed)


if __name__ == "__main__":
    main()
