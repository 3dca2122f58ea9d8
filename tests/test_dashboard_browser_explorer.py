"""The Explorer as an analyst uses it, in real headless Chromium over the real demo data: what its
table's CSV holds against the count above it and `aigcwatch export items` for the same filters,
and what it shows when nothing matches.

The demo database, the dashboard server and the browser are those of tests/test_dashboard_browser.py
(the same fixtures: one demo ingest, one server per module).
"""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.test_dashboard_browser import (ROOT, _check_clean, _env, _main_text, _results, _settle,  # noqa: F401
                                          browser, demo_db, page, server)

pytestmark = pytest.mark.slow


def _exported(db_path, *args: str) -> list[dict]:
    """The rows `aigcwatch export items` writes for these options, in its order (newest first)."""
    cmd = [sys.executable, "-m", "aigcwatch.cli", "export", "items", "--format", "json",
           "--database-url", f"sqlite:///{db_path}", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)["rows"]


def _download(pg, name: str) -> list[dict]:
    """The rows of the CSV the button labelled `name` (a prefix) downloads."""
    button = pg.get_by_role("button", name=name)
    labels = pg.locator('[data-testid="stDownloadButton"] button').all_inner_texts()
    assert button.count() == 1, f"no button {name!r} (the page's: {labels})"
    with pg.expect_download() as got:
        button.click()
    raw = open(got.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV lost its byte-order mark"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("query, options", [
    ("", ()),
    ("&lang=en&sort=reach", ("--lang", "en")),
    ("&model=kling&q=%E5%8F%AF%E7%81%B5", ("--model", "kling", "-q", "可灵")),
])
def test_the_tables_csv_holds_every_story_the_page_counts_as_the_export_does(page, server, query, options) -> None:
    # Before: the button under the table, "Download CSV", saved the 50 rows of the page shown
    # (974 stories counted above it in the default view; the export of the same filters: 974),
    # their times local to the view's zone under a header, "time", that did not say which (8 hours
    # off the export's UTC published_at for Asia/Shanghai, with nothing to tell).
    pg = page
    days = ("--since", "2025-08-04", "--until", "2025-11-01", "--tz", "Asia/Shanghai")
    pg.goto(f"{server.base}/explorer?ui=en&from=2025-08-04&to=2025-11-01{query}")
    _settle(pg)
    _check_clean(pg, f"/explorer?{query}")
    n = _results(pg)
    assert n > 50, f"{query}: {n} stories fit on one page; the case needs more"
    rows = _download(pg, f"Download CSV: all {n:,} stories")
    export = _exported(server.db_path, *days, *options)
    exported = [r["id"] for r in export]
    assert len(rows) == n == len(exported)
    # its times are local, and say so: the export's UTC time of each story, in the view's zone
    zone = "Asia/Shanghai"
    assert list(rows[0])[:2] == ["id", f"time ({zone})"], list(rows[0])
    local = {r["id"]: datetime.fromisoformat(r["published_at"].replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
             .strftime("%Y-%m-%d %H:%M") for r in export}
    assert {int(r["id"]): r[f"time ({zone})"] for r in rows} == local
    ids = [int(r["id"]) for r in rows]
    if "sort=reach" in query:      # the table's order, not the export's (newest first)
        assert sorted(ids) == sorted(exported) and ids != exported
    else:
        assert ids == exported


@pytest.mark.parametrize("ui, message", [
    ("en", "No story matches these filters and search"),
    ("zh", "没有符合当前筛选和搜索的报道"),
])
def test_a_search_nothing_matches_says_so_instead_of_an_empty_chart_and_table(page, server, ui, message) -> None:
    # Before: "0 matching stories" above an empty chart (its event markers only), an empty table
    # reading "empty", a page box, two CSV buttons of nothing and an "Open a story" box.
    pg = page
    pg.goto(f"{server.base}/explorer?ui={ui}&q=zzqqxxnothing")
    _settle(pg, charts=False)
    _check_clean(pg, "/explorer?q=zzqqxxnothing")
    main = pg.locator('[data-testid="stMain"]')
    assert message in _main_text(pg)
    for part in ("stDataFrame", "stDownloadButton", "stNumberInput", "stSelectbox"):
        assert main.locator(f'[data-testid="{part}"]').count() == 0, f"{ui}: an empty {part} is shown"
    assert main.locator(".js-plotly-plot").count() == 0, f"{ui}: an empty chart is shown"


@pytest.mark.parametrize("query", ["q=alert", "q=alert&every=week", "q=alert&every=month"])
def test_a_chart_of_a_few_stories_counts_them_in_whole_numbers(page, server, query) -> None:
    # Before: three matching stories drew a y axis of 0, 0.5, 1, 1.5, 2 stories.
    pg = page
    pg.goto(f"{server.base}/explorer?ui=en&{query}")
    _settle(pg)
    _check_clean(pg, f"/explorer?{query}")
    ticks = [t.replace(",", "") for t in pg.locator(".js-plotly-plot .ytick text").all_text_contents()]
    assert len(ticks) >= 2 and all(t.isdigit() for t in ticks), f"{query}: stories on the y axis: {ticks}"


@pytest.mark.parametrize("ui, wanted", [("en", ("source", "seen at", "reason", "link")),
                                        ("zh", ("信源", "发现时间", "判定依据", "链接"))])
@pytest.mark.parametrize("width", [800, 1400])
def test_a_storys_copies_show_who_carried_it_when_and_why_at_800_and_1400_px(page, server, ui, wanted, width) -> None:
    # Before: at an 800 px window the copies table showed its source and title columns only;
    # when and why each copy was found (and its link) lay past the right edge, behind a scroll.
    import sqlite3

    with sqlite3.connect(server.db_path) as conn:
        item = conn.execute("SELECT cluster_id FROM items WHERE cluster_id IS NOT NULL "
                            "GROUP BY cluster_id ORDER BY COUNT(*) DESC, cluster_id LIMIT 1").fetchone()[0]
    pg = page
    pg.set_viewport_size({"width": width, "height": 900})
    pg.goto(f"{server.base}/explorer?ui={ui}&from=2025-05-01&item={item}")
    _settle(pg)
    _check_clean(pg, f"/explorer?item={item}")
    copies = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').last
    copies.scroll_into_view_if_needed()
    shown = copies.evaluate("el => [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")
    assert set(wanted) <= set(shown), f"{ui} at {width} px: the copies table shows only {shown}"
