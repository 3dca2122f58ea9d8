"""bench/synth.py: the synthetic archive of the benchmarks is the same in every run (Random(seed)),
so SQLite and PostgreSQL built apart hold the same rows and their read-side results can be compared."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _build(path: Path, hash_seed: str) -> list[tuple]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--items", "200", "--days", "10",
                    "--database-url", f"sqlite:///{path}"], env=env, check=True, capture_output=True,
                   timeout=120)
    with sqlite3.connect(path) as conn:
        return [*conn.execute("SELECT 'm', item_id, model, evidence FROM item_models ORDER BY 2, 3"),
                *conn.execute("SELECT 't', item_id, theme, evidence FROM item_themes ORDER BY 2, 3"),
                *conn.execute("SELECT 'i', id, title, published_at, sentiment FROM items ORDER BY 2")]


def test_two_builds_in_processes_of_different_hash_seeds_hold_the_same_rows(tmp_path):
    first = _build(tmp_path / "a.db", "1")
    second = _build(tmp_path / "b.db", "2")
    assert len(first) > 500
    assert first == second
