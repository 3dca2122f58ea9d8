"""Worker processes (ingest.offload): the same stored items, tags, copies and stories as one
process; a worker that dies costs nothing; the setting."""
from __future__ import annotations

import multiprocessing
import os
from dataclasses import replace

import pytest
from sqlalchemy import select

from aigcwatch.config import fetch_settings
from aigcwatch.demo_data import build_demo_feeds
from aigcwatch.errors import ConfigError
from aigcwatch.localserver import serve_directory
from db import engine as dbe
from db import models as m
from ingest import offload
from ingest.fetch import FetchSettings
from ingest.pipeline import run_ingest
from ingest.types import Source
from tests.factories import T0

FAST = FetchSettings(timeout_s=5, retries=0, backoff_base_s=0.0, max_concurrency=4)


def _die_in_a_worker(x: int) -> str:
    if multiprocessing.parent_process() is not None:
        os._exit(3)                     # a crash no exception handler sees
    return f"here {x}"


def _in_a_worker() -> bool:
    return multiprocessing.parent_process() is not None


def _stored(sf) -> tuple[list, list]:
    with sf() as s:
        items = s.scalars(select(m.Item).order_by(m.Item.source_id, m.Item.guid)).all()
        ids = {i.id: (i.source_id, i.guid) for i in items}
        models_of: dict[int, set] = {}
        for r in s.scalars(select(m.ItemModel)):
            models_of.setdefault(r.item_id, set()).add(r.model)
        themes_of: dict[int, set] = {}
        for r in s.scalars(select(m.ItemTheme)):
            themes_of.setdefault(r.item_id, set()).add(r.theme)
        rows = [(i.source_id, i.guid, i.title, i.text, i.lang, i.relevant, i.spam, i.sentiment,
                 sorted(models_of.get(i.id, ())), sorted(themes_of.get(i.id, ())),
                 ids.get(i.cluster_id), i.reach) for i in items]
        copies = sorted((c.source_id, ids[c.item_id]) for c in s.scalars(select(m.ItemCopy)))
    return rows, copies


def test_an_ingest_with_a_worker_process_stores_what_one_process_stores(tmp_path):
    feeds = build_demo_feeds(tmp_path / "feeds")[:8]        # zh and en news, social, syndication
    runs = {}
    with serve_directory(tmp_path / "feeds", content_types={f.filename: f.content_type for f in feeds}) as base:
        sources = [Source(id=f.source_id, name=f.name, kind="rss", url=f"{base}/{f.filename}",
                          lang=f.lang, category=f.category, topical=f.topical, timezone=f.timezone)
                   for f in feeds]
        for workers in (0, 1):
            url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
            sf = dbe.session_factory(dbe.ensure_schema(url))
            summary = run_ingest(sf, sources, settings=replace(FAST, workers=workers))
            runs[workers] = ([(r.source_id, r.status, r.fetched, r.new, r.duplicate, r.irrelevant,
                               r.invalid, r.spam) for r in summary.results], _stored(sf))
    one, two = runs[0], runs[1]
    assert one[0] == two[0]                                    # per-source counts
    assert sum(r[3] for r in one[0]) > 200                     # a real amount of work
    assert one[1] == two[1]                                    # items, tags, stories, copies


def test_work_runs_in_a_worker_process_only_when_asked():
    assert offload.call(0, _in_a_worker) == (False, None)
    assert offload.call(1, _in_a_worker) == (True, None)


def _die_once(marker: str, x: int) -> str:
    """Kills its worker the first time (as an out-of-memory kill would), then works."""
    if multiprocessing.parent_process() is not None and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(3)
    return f"done {x}"


def test_a_call_whose_worker_dies_is_done_again_in_a_new_process(tmp_path):
    value, note = offload.call(1, _die_once, str(tmp_path / "died"), 7)
    assert value == "done 7" and note and "worker process lost" in note
    assert offload.call(1, _in_a_worker) == (True, None)       # the pool was replaced


def test_a_call_that_kills_every_worker_fails_clearly_and_never_runs_in_the_caller():
    with pytest.raises(offload.WorkerLost, match="lost twice"):
        offload.call(1, _die_in_a_worker, 7)
    assert offload.call(1, _in_a_worker) == (True, None)


def test_what_the_work_raises_is_raised_to_the_caller():
    with pytest.raises(ValueError, match="invalid literal"):
        offload.call(1, int, "x")


def test_workers_setting_auto_number_or_a_clear_error(monkeypatch):
    assert [offload.auto_workers(n) for n in (1, 2, 3, 32)] == [0, 2, 3, 4]          # tagging
    assert [offload.auto_workers(n, tagging=False) for n in (1, 2, 3, 32)] == [0, 1, 2, 4]
    assert offload.parse_workers("auto") == offload.parse_workers("") == offload.AUTO
    assert offload.resolve(offload.AUTO, tagging=False) == offload.auto_workers(tagging=False)
    assert offload.resolve(3) == 3
    assert offload.parse_workers(" 3 ") == 3 and offload.parse_workers("0") == 0
    monkeypatch.setenv("AIGCWATCH_WORKERS", "2")
    assert fetch_settings().workers == 2
    monkeypatch.setenv("AIGCWATCH_WORKERS", "two")
    with pytest.raises(ConfigError, match="AIGCWATCH_WORKERS"):
        fetch_settings()


def _square(x: int) -> int:
    return x * x


def _square_or_die(x: int) -> int:
    if x == 3 and multiprocessing.parent_process() is not None:
        os._exit(3)
    return x * x


def _square_or_die_once(marker: str, x: int) -> int:
    if x == 3:
        _die_once(marker, x)
    return x * x


def test_ordered_calls_come_back_in_order_and_survive_a_lost_worker(tmp_path):
    calls = [(n,) for n in range(12)]
    assert list(offload.ordered(0, _square, calls)) == [n * n for n in range(12)]
    assert list(offload.ordered(2, _square, calls, window=3)) == [n * n for n in range(12)]
    marker = str(tmp_path / "died")
    assert list(offload.ordered(1, _square_or_die_once, [(marker, n) for n in range(12)])) == \
        [n * n for n in range(12)]
    got = []
    with pytest.raises(offload.WorkerLost):
        for value in offload.ordered(1, _square_or_die, calls):
            got.append(value)
    assert got == [0, 1, 4]                       # what came before the fatal call


def test_retag_with_worker_processes_writes_what_one_process_writes(tmp_path):
    from aigcwatch.retag import retag_items
    from db import store
    from tests.factories import make_intent, make_item, make_source

    texts = [("可灵2.1上线，AI视频生成画质提升", "快手可灵AI发布新版本，文生视频最长两分钟，会员价格不变。", "zh"),
             ("Veo 3 adds sound", "Google's Veo 3 video model now generates audio; creators worry about jobs.", "en"),
             ("海螺水泥三季度业绩", "海螺水泥公布三季度营收，水泥销量下降。", "zh"),
             ("Runway signs a studio deal", "Runway's Gen-4 video model will be used by a film studio.", "en")]
    rows = {}
    for workers in (0, 1):
        sf = dbe.session_factory(dbe.ensure_schema(f"sqlite:///{tmp_path / f'r{workers}.db'}"))
        with sf() as s:
            store.sync_sources(s, [make_source("s1")])
            intents = [make_intent(make_item(n, title=f"{t} {tail}", text=f"{x} {tail}", lang=lang))
                       for n, ((t, x, lang), tail) in enumerate(
                           (text, tail) for tail in ("甲 alpha", "乙 beta", "丙 gamma") for text in texts)]
            store.store_intents(s, None, "s1", intents, T0)
            s.commit()
        assert retag_items(sf, batch=2, workers=workers).tagged == 12
        rows[workers] = _stored(sf)
    assert rows[0] == rows[1]
    items = rows[0][0]
    by_guid = {r[1]: r for r in items}      # untagged as stored (--no-tag), tagged now
    assert by_guid["guid-0"][8] == ["kling"] and by_guid["guid-0"][5] and not by_guid["guid-2"][5]


KILLED_PARENT = """
import os, sys
from ingest import offload

def main():
    print(offload.call(1, os.getpid)[0], flush=True)
    os.kill(os.getpid(), 9)          # killed outright: no atexit, no pool shutdown

if __name__ == "__main__":
    main()
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            return "\\nState:\\tZ" not in f.read()      # a zombie has exited
    except FileNotFoundError:
        return False


def test_workers_exit_when_their_parent_is_killed_outright(tmp_path):
    import subprocess
    import sys
    import time
    from pathlib import Path

    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc")
    script = tmp_path / "killed_parent.py"
    script.write_text(KILLED_PARENT, encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                          timeout=60)
    worker = int(proc.stdout.split()[0])
    assert proc.returncode == -9 and worker > 0
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(worker)
