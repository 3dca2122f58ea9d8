"""Syndication-cluster benchmark: N labelled items (bench/dedup_corpus.py) filed one batch at a
time into the real cluster index (ingest.cluster signatures, db.clusters on a fresh SQLite file),
the way ingest stores them. Prints items/s, peak memory, and pair precision / recall against the
labels (targets: precision >= 0.95, recall >= 0.90).

    python bench/dedup.py --items 200000 [--recluster]

A pair is two items in one cluster; a true pair is two items of one family (an original and its
edited copies and truncated summaries). Template twins, quote sharers and openers are stories
of their own. The signature
estimates are also compared with datasketch's MinHash (same scheme) on a sample of pairs.
"""
from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from math import comb
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(1, str(Path(__file__).resolve().parent))

from sqlalchemy import insert, select  # noqa: E402

from db import clusters  # noqa: E402
from db import engine as dbe  # noqa: E402
from db import models as m  # noqa: E402
from dedup_corpus import Doc, corpus  # noqa: E402
from ingest import cluster  # noqa: E402

SOURCES = 40


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rows(batch: list[Doc], now: datetime, text: bool = False) -> list[dict]:
    """Item rows; their text only when asked (a recluster reads the openings from it)."""
    return [{"source_id": f"s{d.n % SOURCES}", "title": d.title, "text": d.text if text else "", "lang": d.lang,
             "published_at": d.published, "date_is_fallback": False, "fetched_at": now,
             "spam": False, "keywords": [], "kind": "article", "reach": 1,
             "first_seen_at": d.published, "guid": str(d.n)} for d in batch]


def run(docs: list[Doc], batch_size: int, db_url: str, progress: bool, again: bool = False) -> dict:
    engine = dbe.ensure_schema(db_url)
    sf = dbe.session_factory(engine)
    now = datetime.now(timezone.utc)
    with sf() as s:
        s.execute(insert(m.Source), [{"id": f"s{i}", "name": f"s{i}", "kind": "rss", "url": "http://x",
                                      "lang": "und", "category": "news", "topical": False,
                                      "timezone": "UTC", "enabled": True, "stale_days": 14,
                                      "consecutive_failures": 0, "created_at": now}
                                     for i in range(SOURCES)])
        s.commit()
    t_sign = t_store = t_insert = 0.0
    ids: dict[int, int] = {}
    unsigned = 0
    for start in range(0, len(docs), batch_size):
        batch = docs[start:start + batch_size]
        t0 = time.perf_counter()
        sigs = [cluster.signature(d.title, d.text) for d in batch]
        t1 = time.perf_counter()
        with sf() as s:
            new_ids = list(s.scalars(insert(m.Item).returning(m.Item.id, sort_by_parameter_order=True),
                                     _rows(batch, now, again)))
            t2 = time.perf_counter()
            members = []
            for d, item_id, sig in zip(batch, new_ids, sigs):
                ids[d.n] = item_id
                if sig is None:
                    unsigned += 1
                    continue
                members.append(clusters.NewMember(item_id, sig, d.published, False, "article", d.models))
            changed, _ = clusters.assign(s, members)
            clusters.refresh_reach(s, changed)
            s.commit()
        t3 = time.perf_counter()
        t_sign += t1 - t0
        t_insert += t2 - t1
        t_store += t3 - t2
        done = start + len(batch)
        if progress and (done // batch_size) % 40 == 0:
            rate = done / (t_sign + t_store)
            print(f"  {done:>7} items  {rate:,.0f} items/s  peak {_rss_mib():,.0f} MiB", file=sys.stderr)
    with sf() as s:
        root = dict(s.execute(select(m.Item.id, m.Item.cluster_id)).all())
    out = {"t_sign": t_sign, "t_store": t_store, "t_insert": t_insert, "ids": ids, "root": root,
           "unsigned": unsigned}
    if again:
        from db import recluster

        t0 = time.perf_counter()
        with sf() as s:
            recluster.run(s)
            s.commit()
            out["t_recluster"] = time.perf_counter() - t0
            out["root_again"] = dict(s.execute(select(m.Item.id, m.Item.cluster_id)).all())
    engine.dispose()
    return out


def pair_scores(docs: list[Doc], ids: dict[int, int], root: dict[int, int | None]) -> dict:
    """Pair precision and recall, and where the errors are."""
    cluster_of = {d.n: root[ids[d.n]] or ids[d.n] for d in docs}
    by_cluster: dict[int, list[Doc]] = defaultdict(list)
    for d in docs:
        by_cluster[cluster_of[d.n]].append(d)
    fam_size = Counter(d.family for d in docs)
    truth = sum(comb(n, 2) for n in fam_size.values())
    predicted = sum(comb(len(v), 2) for v in by_cluster.values())
    tp = sum(comb(n, 2) for v in by_cluster.values() for n in Counter(d.family for d in v).values())
    wrong: Counter = Counter()
    for v in by_cluster.values():
        fams = Counter(d.family for d in v)
        if len(fams) > 1:
            for d in v:
                wrong[d.kind] += 1
    # recall of copies by edit: is the copy in its original's cluster?
    first = {d.n: d for d in docs if d.kind == "original"}
    found, total = Counter(), Counter()
    for d in docs:
        if d.kind == "copy":
            for e in d.edits.split("+") if d.edits else ["none"]:
                total[e] += 1
                found[e] += cluster_of[d.n] == cluster_of[first[d.family].n]
    return {"truth": truth, "predicted": predicted, "tp": tp,
            "precision": tp / predicted if predicted else 1.0, "recall": tp / truth if truth else 1.0,
            "mixed": wrong, "by_edit": {e: found[e] / total[e] for e in sorted(total)}}


def agreement(docs: list[Doc], sample: int = 2000) -> tuple[float, float] | None:
    """Mean absolute error of our and of datasketch's Jaccard estimate against the exact value."""
    try:
        from datasketch import MinHash
    except ImportError:
        return None
    rng = random.Random(5)
    by_n = {d.n: d for d in docs}
    pairs = [(d, by_n[d.family]) for d in docs if d.kind == "copy"]
    ours = theirs = 0.0
    n = 0
    for a, b in rng.sample(pairs, min(sample, len(pairs))):
        sa, sb = cluster.shingles(a.text), cluster.shingles(b.text)
        if len(sa) < cluster.MIN_SHINGLES or len(sb) < cluster.MIN_SHINGLES:
            continue
        exact = len(set(sa.tolist()) & set(sb.tolist())) / len(set(sa.tolist()) | set(sb.tolist()))
        ma, mb = MinHash(num_perm=cluster.NUM_PERM), MinHash(num_perm=cluster.NUM_PERM)
        ma.update_batch([int(x).to_bytes(4, "little") for x in sa])
        mb.update_batch([int(x).to_bytes(4, "little") for x in sb])
        ours += abs(cluster.Signature(cluster.minhash(sa), len(sa)).similarity(
            cluster.Signature(cluster.minhash(sb), len(sb))) - exact)
        theirs += abs(ma.jaccard(mb) - exact)
        n += 1
    return (ours / n, theirs / n) if n else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=500, help="items stored per transaction")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--db", help="SQLite file to use (default: a temporary one)")
    ap.add_argument("--quiet", action="store_true", help="no progress lines")
    ap.add_argument("--recluster", action="store_true",
                    help="then file every item again (db.recluster, as `aigcwatch recluster`): its "
                         "time, how many items moved, and the scores after it")
    ap.add_argument("--summary-share", type=float, default=0.1,
                    help="share of copies that are truncated summaries (default 0.1; 0 with "
                         "--opener-share 0: the corpus before they existed)")
    ap.add_argument("--opener-share", type=float, default=0.02,
                    help="openers (hard negatives) after this share of originals (default 0.02)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    docs = corpus(args.items, seed=args.seed, summary_share=args.summary_share,
                  opener_share=args.opener_share)
    kinds = Counter(d.kind for d in docs)
    print(f"corpus: {len(docs):,} items ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))}), "
          f"zh {sum(d.lang == 'zh' for d in docs):,}, built in {time.perf_counter() - t0:.0f}s; "
          f"peak {_rss_mib():,.0f} MiB")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{args.db or Path(tmp) / 'dedup.db'}"
        res = run(docs, args.batch, url, not args.quiet, args.recluster)
    total = res["t_sign"] + res["t_store"]
    sc = pair_scores(docs, res["ids"], res["root"])
    print(f"items/s (signature + index lookup + filing + reach): {len(docs) / total:,.0f} "
          f"[signatures {len(docs) / res['t_sign']:,.0f}/s, index and filing "
          f"{len(docs) / res['t_store']:,.0f}/s; row inserts not counted: {res['t_insert']:.0f}s]")
    print(f"peak memory (process RSS, corpus included): {_rss_mib():,.0f} MiB")
    print(f"pairs: {sc['truth']:,} true, {sc['predicted']:,} predicted, {sc['tp']:,} correct; "
          f"too short to sign: {res['unsigned']:,}")
    print(f"precision {sc['precision']:.4f} (target >= 0.95)   recall {sc['recall']:.4f} (target >= 0.90)")
    print("copies found in their original's cluster, by edit: "
          + ", ".join(f"{e} {v:.3f}" for e, v in sc["by_edit"].items()))
    if sc["mixed"]:
        print("items in clusters mixing families, by kind: "
              + ", ".join(f"{k} {v:,}" for k, v in sc["mixed"].most_common()))
    if "root_again" in res:
        again = pair_scores(docs, res["ids"], res["root_again"])
        moved = sum(res["root"][i] != res["root_again"][i] for i in res["root"])
        print(f"recluster: {len(docs) / res['t_recluster']:,.0f} items/s, {moved:,} items in another "
              f"story after it; precision {again['precision']:.4f}, recall {again['recall']:.4f}")
    agree = agreement(docs)
    if agree:
        print(f"Jaccard estimate, mean abs error vs exact: ours {agree[0]:.4f}, datasketch "
              f"MinHash {agree[1]:.4f} ({cluster.NUM_PERM} permutations)")
    ok = sc["precision"] >= 0.95 and sc["recall"] >= 0.90
    print("targets met" if ok else "TARGETS NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
