"""The Sources page as an analyst reads it, in real headless Chromium at 800 and 1400 px, zh and en,
over the real demo data with a busy log: many sources (one with a long name, failing), many ingest
runs with failures, and many deliveries (digests and alerts focused on a source, follow-up alerts
on the longest theme names).

The demo database and the browser are those of tests/test_dashboard_browser.py; the busy copy is
served once for this module.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.test_dashboard_browser import (_check_clean, _new_page, _serve, _settle, browser,  # noqa: F401
                                          demo_db, server)

pytestmark = pytest.mark.slow

LONG_NAME = "量子位 QbitAI 公众号 (RSSHub)"
LONG_ID = "qbitai-rsshub"
# The demo's names wider than the source column leaves an 800 px window (whole in the cell's overlay)
LONGER_THAN_THE_COLUMN = {"Demo HN comments: video models", "演示·通讯社（仅摘要，正文取自网页）"}
EXTRA_SOURCES = 30
EXTRA_RUNS = 25
TABLES = '[data-testid="stMain"] [data-testid="stDataFrame"]'


def busy_copy(demo_db: Path, to: Path) -> Path:
    """A copy of the demo database with many more sources (the long-named one failing, one
    stale), runs
    (some with failed sources) and deliveries: digests and alerts focused on the long-named
    source, follow-up alerts on the longest theme names."""
    from db import engine as dbe
    from db import models as m
    from db.filters import ItemFilter
    from report.alert_log import AlertLog
    from report.delivery import Target, record
    from report.focus import focus_key

    shutil.copy(demo_db, to)
    engine = dbe.make_engine(f"sqlite:///{to}")
    now = datetime(2025, 10, 21, 0, 30, tzinfo=timezone.utc)
    with dbe.session_factory(engine)() as s:
        s.add(m.Source(id=LONG_ID, name=LONG_NAME, kind="rss", url="https://rsshub.example.com/qbitai",
                       lang="zh", category="news", created_at=now, consecutive_failures=3,
                       last_fetched_at=now, last_error_class="http", last_error="HTTP 503 Service Unavailable"))
        s.add(m.Source(id="stale-feed", name="Stale feed", kind="rss", url="https://stale.example.com/feed",
                       lang="en", category="news", created_at=now, last_fetched_at=now,
                       last_ok_at=now - timedelta(days=20), last_error_class="stale",
                       last_error="no new item for 20 days"))
        for k in range(EXTRA_SOURCES):
            s.add(m.Source(id=f"extra-{k:02d}", name=f"Extra feed {k:02d}", kind="rss",
                           url=f"https://extra{k}.example.com/feed", lang="en", category="news",
                           created_at=now, last_ok_at=now - timedelta(hours=k), last_fetched_at=now))
        for k in range(EXTRA_RUNS):
            start = now - timedelta(minutes=30 * (EXTRA_RUNS - k))
            s.add(m.IngestRun(started_at=start, finished_at=start + timedelta(minutes=3),
                              status="partial" if k % 3 == 0 else "ok", tagger_version="rules-2025.10",
                              sources=56, fetched=1200 + k, new=40 + k, duplicate=300, updated=12,
                              irrelevant=500, spam=20, invalid=1, failed=3 if k % 3 == 0 else 0))
        s.commit()
        source_focus = focus_key(ItemFilter(source_id=(LONG_ID,)))
        desk = Target("email", "analyst.team@example.com")
        for k in range(20):
            record(s, date(2025, 10, 20) - timedelta(days=k), "day", desk, ok=k % 4 != 0,
                   error="smtp: 451 try again later", subject="digest", focus=source_focus,
                   now=now - timedelta(hours=k))
        for k, (dim, key) in enumerate((("theme", "misinformation"), ("theme", "agi_world_model"),
                                         ("theme", "creative_industry"), ("model", "jimeng"))):
            for level in (0, 1, 2):
                AlertLog(date(2025, 10, 21), dim, key, source_focus, 9 + level, level).record(
                    s, Target("webhook:feishu", "newsroom"), ok=True, error=None, subject="spike",
                    now=now + timedelta(minutes=10 * k + level))
    engine.dispose()
    return to


@pytest.fixture(scope="module")
def busy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    where = tmp_path_factory.mktemp("sources-busy")
    with _serve(busy_copy(demo_db, where / "busy.db"), where / "dashboard.log") as srv:
        yield srv


@pytest.fixture
def open_sources(browser, busy):
    """`open_sources(ui, width)`: the Sources page open and settled at that window width."""
    pages = []

    def go(ui: str, width: int, query: str = ""):
        pg = _new_page(browser)
        pages.append(pg)
        pg.set_viewport_size({"width": width, "height": 900})
        pg.goto(f"{busy.base}/sources?ui={ui}{query}")
        _settle(pg)
        _check_clean(pg, f"/sources?ui={ui}{query} at {width} px")
        return pg

    yield go
    for pg in pages:
        pg.context.close()


def _headers(table) -> list[str]:
    """A data grid's column headers, in its column order."""
    return table.evaluate("el => [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")


def _cells(table, col: int) -> list[str]:
    """The texts of column `col` (1-based) in the rows drawn."""
    return table.evaluate("""(el, col) => [...el.querySelectorAll('[role=row]')]
        .map(r => r.querySelector(`[role=gridcell][aria-colindex="${col}"]`)).filter(c => c)
        .map(c => c.textContent)""", col)


def _in_view(table) -> list[str]:
    """The headers of the columns drawn whole in the grid's box, without scrolling it sideways:
    glide-data-grid draws a line at each column's right edge; a column cut by the box's edge has
    none inside it."""
    from tests.test_dashboard_browser import _grid_lines

    table.scroll_into_view_if_needed()
    time.sleep(0.5)
    content, shown = table.evaluate("""el => { const s = el.querySelector('.dvn-scroller');
                                               return [s.scrollWidth, s.clientWidth]; }""")
    headers = _headers(table)
    if content <= shown:
        return headers
    png = table.screenshot()
    from PIL import Image
    import io
    width = Image.open(io.BytesIO(png)).size[0]
    inside = [x for x in _grid_lines(png)[0] if 3 < x < width - 3]
    return headers[:len(inside)]


def _table(pg, n: int):
    return pg.locator(TABLES).nth(n)


@pytest.mark.parametrize("width", [800, 1400])
@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_long_source_name_is_shown_whole_in_the_health_table(open_sources, ui, width) -> None:
    """Before: the source column was 130 px: "量子位 QbitAI 公众号 (RSSHub)" read "量子位 QbitAI 公众号",
    "演示·B站UP主「AI影像实验室」" "演示·B站UP主「AI影"."""
    from tests.test_dashboard_browser import _cut_cells

    pg = open_sources(ui, width)
    health = _table(pg, 0)
    assert LONG_NAME in _cells(health, 2), _cells(health, 2)[:3]
    assert _in_view(health)[:2] == _headers(health)[:2]
    png = health.screenshot()
    names = _cells(health, 2)
    cut = [names[r] for _, r in _cut_cells(png, [1])]
    assert not set(cut) - LONGER_THAN_THE_COLUMN, f"{ui} at {width} px: source names cut: {cut}"
    if width == 1400:   # the source column is as wide as the demo's longest name, and the table still fits
        health.evaluate("el => el.querySelector('.dvn-scroller').scrollTop = 1e6")
        time.sleep(0.5)
        png = health.screenshot()
        assert not _cut_cells(png, [1]), f"{ui}: source names cut at the table's end: {_cut_cells(png, [1])}"
        assert _in_view(health) == _headers(health)


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_runs_table_shows_when_status_and_failed_at_800_px(open_sources, ui) -> None:
    """Before: at an 800 px window the runs table showed run, started, status, tagger version and
    sources; the failed count was the 13th column, past the edge."""
    from dashboard.i18n import run_column_name

    pg = open_sources(ui, 800)
    runs = _table(pg, 1)
    shown = _in_view(runs)
    for col in ("started_at", "status", "failed", "sources"):
        assert run_column_name(col, ui) in shown, f"{ui}: {col} not in view at 800 px: {shown}"
    assert max(int(v) for v in _cells(runs, _headers(runs).index(run_column_name("failed", ui)) + 1)) == 3


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_delivery_focused_on_a_source_names_the_source(open_sources, ui) -> None:
    """Before: the focus column read "qbitai-rsshub" (the source's id)."""
    pg = open_sources(ui, 1400)
    log = _table(pg, 2)
    focus = _cells(log, _headers(log).index("focus" if ui == "en" else "范围") + 1)
    assert focus and set(focus) == {LONG_NAME}, focus


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_page_says_the_delivery_log_ignores_the_sidebar_filters(open_sources, ui) -> None:
    """The log lists deliveries, each with its own focus: a sidebar filter (here the English
    stories of one source) leaves it whole, and the page says so beside it."""
    from dashboard.i18n import t

    pg = open_sources(ui, 1400, "&lang=en&source=demo-wire")
    note = pg.get_by_text(t("deliveries_unfiltered", ui))
    assert note.count() == 1 and note.is_visible()
    assert len(_cells(_table(pg, 2), 1)) >= 10


@pytest.mark.parametrize("width", [800, 1400])
@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_alert_logs_period_is_whole_for_long_themes_and_follow_ups(open_sources, ui, width) -> None:
    """Before: the 150 px period cut "预警：深度伪造与虚假信息，仍在攀升（第 2 级）" and "alert: Deepfakes /
    misinformation, still rising (level 2)" after the theme's first words."""
    from tests.test_dashboard_browser import _cut_cells

    pg = open_sources(ui, width)
    log = _table(pg, 2)
    periods = _cells(log, 2)
    longest = "预警：深度伪造与虚假信息" if ui == "zh" else "alert: Deepfakes / misinformation"
    assert any(p.startswith(longest) and p != longest for p in periods), periods
    assert _in_view(log)[:3] == _headers(log)[:3]
    png = log.screenshot()
    assert not _cut_cells(png, [0, 1, 2]), f"{ui} at {width} px: cut (column, row): {_cut_cells(png, [0, 1, 2])}"


def _ink_width(png: bytes, col: int, row: int) -> int:
    """How many pixels wide the text drawn in the cell at (`col`, `row`) is (0-based, rows below the
    header): the span of its pixel columns holding anything darker than the grid's lines."""
    import io

    from PIL import Image

    from tests.test_dashboard_browser import _grid_lines

    g = Image.open(io.BytesIO(png)).convert("L")
    px = g.load()
    xs, ys = _grid_lines(png)
    left, right, top, bottom = xs[col] + 2, xs[col + 1] - 2, ys[row + 1] + 2, ys[row + 2] - 2
    inked = [x for x in range(left, right) if any(px[x, y] < 200 for y in range(top, bottom))]
    return inked[-1] - inked[0] + 1 if inked else 0


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_a_source_without_runs_shows_a_dash_for_its_rates(open_sources, ui) -> None:
    """Before: a source no recent run took part in (just added) read "None" under "failures"
    (glide-data-grid's word for a missing value, in English on the Chinese page too)."""
    from dashboard.i18n import t

    pg = open_sources(ui, 1400)
    health = _table(pg, 0)
    headers = _headers(health)
    row = _cells(health, 2).index(LONG_NAME)
    col = headers.index(t("failure_rate_short", ui))
    assert _cells(health, col + 1)[row] == ""                   # no rate: a missing value
    dash, one = _ink_width(health.screenshot(), col, row), _ink_width(health.screenshot(), col, 0)
    assert 0 < dash <= 14 and one > 0, f"{ui}: the missing rate is drawn {dash} px wide (\"100%\": {one} px)"


def _ink_right(png: bytes, col: int, row: int) -> int:
    """How far from the grid's right edge the text in the cell at (`col`, `row`) ends (pixels; 0-based,
    rows below the header): for a column cut by the edge, how much room its text has left."""
    import io

    from PIL import Image

    from tests.test_dashboard_browser import _grid_lines

    g = Image.open(io.BytesIO(png)).convert("L")
    px = g.load()
    xs, ys = _grid_lines(png)
    top, bottom = ys[row + 1] + 2, ys[row + 2] - 2
    inked = [x for x in range(xs[col] + 2, g.size[0]) if any(px[x, y] < 170 for y in range(top, bottom))]
    return g.size[0] - 1 - inked[-1]


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_error_class_is_whole_beside_the_source_at_800_px(open_sources, ui) -> None:
    """The wider source column must leave an 800 px window the longest error class ("no new items
    lately (stale)") whole: the health, the source and why it fails, without scrolling sideways."""
    from dashboard.i18n import error_class_name, t

    pg = open_sources(ui, 800)
    health = _table(pg, 0)
    headers = _headers(health)
    col = headers.index(t("last_error", ui))
    classes = _cells(health, col + 1)
    row = classes.index(error_class_name("stale", ui))
    assert col == 2 and _ink_right(health.screenshot(), col, row) >= 5, \
        f"{ui}: {classes[row]!r} runs into the table's edge at 800 px"


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_page_says_what_the_sidebar_filters_narrow_in_health_and_runs(open_sources, ui) -> None:
    """Before: with a source and a language picked in the sidebar the health table still listed
    every source and the runs table every run, with nothing to say the filters left them whole."""
    from dashboard.i18n import t

    pg = open_sources(ui, 1400, "&lang=en&source=demo-wire")
    for key in ("health_filters", "runs_unfiltered"):
        note = pg.get_by_text(t(key, ui))
        assert note.count() == 1 and note.is_visible(), key
    assert LONG_NAME in _cells(_table(pg, 0), 2)          # every source, whatever the filter
