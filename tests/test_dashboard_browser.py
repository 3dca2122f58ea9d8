"""End to end in real headless Chromium, over the real demo data.

`aigcwatch demo --no-dashboard` fills a fresh SQLite file through the real ingest path (hostile demo
items included), `aigcwatch dashboard` serves it on a free loopback port, and Chromium (Debian's
/usr/bin/chromium, driven by the playwright wheel through executable_path; no browser download)
visits every page: the page draws its plotly charts, shows no Streamlit exception, raises no
JavaScript error and runs no script from feed text; the hostile strings show as plain text in the
Explorer; a sidebar filter change updates the view and the URL. A screenshot of each page is saved,
into $AIGCWATCH_SCREENSHOTS when set (the README's pictures: AIGCWATCH_SCREENSHOTS=docs/screenshots),
else into a temporary directory.

Without Chromium or the playwright wheel the test skips with the reason; under CI=true that is a
failure instead (.ci/run installs Chromium).
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aigcwatch.demo_data import HOSTILE_STRINGS
from ingest.tag import reasons
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.support.net import free_port, wait_for_streamlit

pytestmark = pytest.mark.slow

VIEWPORT = {"width": 1400, "height": 900}
# (url path, title in the English UI) in navigation order; "" is the default page (Overview)
PAGES = (("overview", "Overview"), ("models", "Models"), ("themes", "Themes"), ("gap", "zh / en gap"),
         ("keywords", "Keywords"), ("explorer", "Explorer"), ("sources", "Sources"))
NAV_EN = [title for _, title in PAGES]
NAV_ZH = ["总览", "模型", "议题", "中英差异", "关键词", "检索", "信源"]
LOAD_MS = 120_000
ROOT = Path(__file__).resolve().parent.parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AIGCWATCH_EVENTS", "AIGCWATCH_DATABASE_URL")}
    env.update(AIGCWATCH_TIMEZONE="Asia/Shanghai", PYTHONUNBUFFERED="1", **extra)
    return env


@dataclass
class Server:
    base: str
    db_path: Path
    log: Path


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_browser()
    path = tmp_path_factory.mktemp("browser-demo") / "demo.db"
    cmd = [sys.executable, "-m", "aigcwatch.cli", "demo", "--no-dashboard",
           "--database-url", f"sqlite:///{path}"]
    done = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, \
        f"demo ingest failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return path


@contextmanager
def _serve(demo_db: Path, log: Path) -> Iterator[Server]:
    """`aigcwatch dashboard` on a free loopback port, in its own process group (stopped at the end)."""
    port = free_port()
    cmd = [sys.executable, "-m", "aigcwatch.cli", "dashboard", "--port", str(port), "--host", "127.0.0.1",
           "--database-url", f"sqlite:///{demo_db}"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_streamlit(proc, base, log)
        yield Server(base=base, db_path=demo_db, log=log)
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with _serve(demo_db, tmp_path_factory.mktemp("browser-server") / "dashboard.log") as srv:
        yield srv


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("AIGCWATCH_SCREENSHOTS")
    out = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass
class Watch:
    """What the browser reported on its own: dialogs (alert/confirm/prompt) and uncaught JS errors."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(server: Server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _new_page(browser):
    """A page in a fresh browser context that records dialogs and uncaught JavaScript errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="Asia/Shanghai")
    pg = context.new_page()
    watch = Watch()

    def on_dialog(dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    pg.set_default_timeout(LOAD_MS)
    pg.watch = watch
    return pg


@pytest.fixture
def page(browser, server: Server):
    pg = _new_page(browser)
    try:
        yield pg
    finally:
        pg.context.close()


# ---------------------------------------------------------------- helpers

_IDLE = """() => !document.querySelector('[data-testid="stStatusWidget"]')
              && !document.querySelector('[data-testid="stSkeleton"]')
              && !document.querySelector('[data-stale="true"]')"""


def _settle(pg, *, charts: bool = True) -> None:
    """Wait for real content: the app shell, plotly's .main-svg (Streamlit paints a skeleton first),
    and the end of the script run (no status widget, skeleton or stale element), stable for 1 s."""
    pg.wait_for_selector('[data-testid="stMain"]')
    if charts:
        pg.wait_for_selector(".js-plotly-plot .main-svg", state="visible")
    stable_since, last = None, None
    deadline = time.monotonic() + LOAD_MS / 1000
    while time.monotonic() < deadline:
        pg.wait_for_function(_IDLE)
        now = (pg.locator(".js-plotly-plot .main-svg").count(), len(pg.inner_text('[data-testid="stMain"]')))
        if now == last:
            if stable_since and time.monotonic() - stable_since >= 1.0:
                return
        else:
            stable_since, last = time.monotonic(), now
        time.sleep(0.25)
    raise AssertionError(f"{pg.url}: the page did not settle within {LOAD_MS / 1000:.0f} s")


def _nav(pg) -> list[str]:
    """The labels of the sidebar navigation's links (icons left out)."""
    links = pg.locator('[data-testid="stSidebarNav"] a')
    labels = links.locator('[data-testid="stMarkdownContainer"]').all_inner_texts() or links.all_inner_texts()
    return [" ".join(t.split()) for t in labels]


def _check_clean(pg, where: str, nav: list[str] | None = None) -> None:
    assert pg.get_by_text("Page not found").count() == 0, f"{where}: Streamlit says 'Page not found'"
    if nav is not None:
        assert _nav(pg) == nav, f"{where}: the sidebar navigation shows {_nav(pg)}, expected {nav}"
    exc = pg.locator('[data-testid="stException"]')
    assert exc.count() == 0, f"{where}: Streamlit exception shown:\n{exc.first.inner_text()[:2000]}"
    assert not pg.watch.dialogs, f"{where}: a dialog opened (script from feed text ran?): {pg.watch.dialogs}"
    assert not pg.watch.errors, f"{where}: uncaught JavaScript error(s): {pg.watch.errors}"
    injected = pg.evaluate("""() => ({
        scripts: [...document.querySelectorAll('script')]
            .filter(s => /alert\\(/.test(s.textContent)).length,
        onerror: document.querySelectorAll('[onerror]').length,
        jslinks: [...document.querySelectorAll('a[href]')]
            .filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
    })""")
    assert injected == {"scripts": 0, "onerror": 0, "jslinks": 0}, \
        f"{where}: markup from feed text in the DOM: {injected}"


def _main_text(pg) -> str:
    return pg.inner_text('[data-testid="stMain"]')


def _results(pg) -> int:
    m = re.search(r"([\d,]+) matching stories", _main_text(pg))
    assert m, f"{pg.url}: no result count on the Explorer"
    return int(m.group(1).replace(",", ""))


def _shot(pg, shots: Path, name: str) -> Path:
    pg.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                           if (m) m.scrollTo(0, 0); window.scrollTo(0, 0); }""")
    path = shots / f"{name}.png"
    pg.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
    return path


def _shot_at(pg, shots: Path, name: str, target) -> Path:
    """A viewport screenshot with `target` near the top (content below the fold, e.g. the item view)."""
    target.evaluate("el => el.scrollIntoView({block: 'start'})")
    pg.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                           if (m) m.scrollBy(0, -120); }""")
    time.sleep(0.3)
    path = shots / f"{name}.png"
    pg.screenshot(path=str(path), full_page=False, animations="disabled", caret="hide")
    return path


def _hostile_items(db_path: Path) -> dict[str, int]:
    """Hostile string -> id of a stored item holding it (read straight from the demo database)."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT id, title, text FROM items").fetchall()
    found = {}
    for hostile in HOSTILE_STRINGS:
        ids = [i for i, title, text in rows if hostile in (title or "") or hostile in (text or "")]
        assert ids, f"the demo ingest stored no item with {hostile!r}"
        found[hostile] = ids[0]
    return found


# ---------------------------------------------------------------- the test

def test_every_page_in_headless_chromium(page, server: Server, shots: Path) -> None:
    pg = page

    # 1. Every page through the navigation, as a user clicks it: charts drawn, nothing broken.
    pg.goto(f"{server.base}/?ui=en")
    _settle(pg)
    for path, title in PAGES:
        if path != "overview":   # the default page lives at "/"
            pg.locator(f'[data-testid="stSidebarNav"] a:has(span[label="{title}"])').first.click()
            pg.wait_for_url(re.compile(rf"/{path}(\?|$)"))
        _settle(pg)
        heading = pg.locator('[data-testid="stMain"] h1').first.inner_text()
        assert heading.strip() == title, f"/{path}: heading {heading!r}, expected {title!r}"
        assert pg.locator(".js-plotly-plot .main-svg").count() >= 1, f"/{path}: no plotly chart"
        _check_clean(pg, f"/{path}", NAV_EN)
        _shot(pg, shots, path)

    # 2. The same view in Chinese: the interface switches, CJK renders, charts still drawn.
    pg.goto(f"{server.base}/?ui=zh")
    _settle(pg)
    assert pg.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "总览"
    _check_clean(pg, "/?ui=zh", NAV_ZH)
    ticks = pg.locator(".js-plotly-plot .xtick text").all_text_contents()
    assert ticks and not [t for t in ticks if re.search(r"[A-Za-z]", t)], f"English in zh date ticks: {ticks}"
    _shot(pg, shots, "overview-zh")

    # 3. Feed text is text: each hostile item opened in the Explorer shows its markup literally.
    for hostile, item_id in _hostile_items(server.db_path).items():
        pg.goto(f"{server.base}/explorer?ui=en&item={item_id}")
        _settle(pg)
        text = _main_text(pg)
        assert hostile in text, f"item {item_id}: {hostile!r} is not shown as text"
        _check_clean(pg, f"/explorer?item={item_id}", NAV_EN)   # a deep link keeps the navigation
        if hostile == HOSTILE_STRINGS[0]:
            _shot_at(pg, shots, "explorer-item", pg.get_by_text(hostile).first)

    # 4. Search and a filter change update the view (and the URL that bookmarks it).
    pg.goto(f"{server.base}/explorer?ui=en")
    _settle(pg)
    everything = _results(pg)
    box = pg.locator('[data-testid="stMain"] [data-testid="stTextInput"] input').first
    box.fill("alert")
    box.press("Enter")
    pg.wait_for_url(re.compile(r"[?&]q=alert"))
    _settle(pg)
    assert _results(pg) == 3, "searching 'alert' should find exactly the three stored hostile posts"
    _check_clean(pg, "/explorer?q=alert")
    box.fill("")
    box.press("Enter")
    pg.wait_for_url(lambda url: "q=" not in url)
    _settle(pg)
    assert _results(pg) == everything

    pg.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Language").click()
    pg.get_by_role("option", name="English", exact=True).click()
    pg.keyboard.press("Escape")
    pg.wait_for_url(re.compile(r"[?&]lang=en"))
    _settle(pg)
    english = _results(pg)
    assert 0 < english < everything, f"language=English shows {english} of {everything} stories"
    legend = pg.locator(".js-plotly-plot .legendtext").all_text_contents()
    assert "English" in legend and "Chinese" not in legend, f"legend after the filter: {legend}"
    _check_clean(pg, "/explorer?lang=en")

    # the bookmarked URL reproduces the filtered view in a fresh session
    bookmarked = pg.url
    other = _new_page(pg.context.browser)
    try:
        other.goto(bookmarked)
        _settle(other)
        assert _results(other) == english
        _check_clean(other, "bookmarked /explorer?lang=en", NAV_EN)
    finally:
        other.context.close()


def _decision_items(db_path: Path) -> dict[str, tuple[int, list[str]]]:
    """A spam story and a negative one of the demo, each with the evidence the ingest stored for
    that decision (read straight from the demo database)."""
    import json

    with sqlite3.connect(db_path) as conn:
        untold = conn.execute("SELECT COUNT(*) FROM items WHERE tagger_version IS NOT NULL AND "
                              "(relevance_evidence IS NULL OR sentiment_evidence IS NULL "
                              "OR spam_evidence IS NULL)").fetchone()[0]
        assert untold == 0, f"the demo ingest stored {untold} tagged item(s) without decision evidence"
        spam = conn.execute("SELECT id, spam_evidence FROM items WHERE spam AND spam_evidence <> '[]' "
                            "ORDER BY id LIMIT 1").fetchone()
        negative = conn.execute("SELECT id, sentiment_evidence FROM items WHERE sentiment = 'negative' "
                                "AND NOT spam AND sentiment_evidence <> '[]' ORDER BY id LIMIT 1").fetchone()
    assert spam and negative, "the demo ingest stored no spam or no negative story with its evidence"
    return {"Spam": (spam[0], json.loads(spam[1])), "Tone: negative": (negative[0], json.loads(negative[1]))}


def test_the_item_view_shows_why_a_story_is_spam_or_negative(page, server: Server) -> None:
    """The tagger's evidence for spam and tone, stored by the real demo ingest, is shown in the
    Explorer's story view as text, beside the model and theme evidence."""
    pg = page
    for label, (item_id, phrases) in _decision_items(server.db_path).items():
        pg.goto(f"{server.base}/explorer?ui=en&item={item_id}")
        _settle(pg)
        _check_clean(pg, f"/explorer?item={item_id}", NAV_EN)
        lines = [" ".join(line.split()) for line in _main_text(pg).splitlines()]
        line = next((x for x in lines if x.startswith(label)), None)
        assert line is not None, f"item {item_id}: no '{label}' line in the story view"
        quotes, why = reasons.split(phrases)      # the tagger's reasons follow apart, unquoted
        shown = " · ".join([f"「{' '.join(p.split())}」" for p in quotes]
                           + ([f"the tagger's reasons, not quotes: {'; '.join(why)}"] if why else []))
        assert line.endswith(f"— {shown}"), f"item {item_id}: {line!r}, expected the phrases {shown!r}"


def test_a_bookmark_opened_first_after_start_gets_the_real_navigation(browser, demo_db: Path, tmp_path) -> None:
    """Streamlit treats a folder named `pages` beside the entry script as an old-style multipage app
    until st.navigation has run once in the server process: a bookmark opened as the first request
    would run that page file alone, with file names (app, explorer ...) as the navigation. A fresh
    server whose first request is a bookmark shows the real navigation and page."""
    with _serve(demo_db, tmp_path / "dashboard.log") as fresh_server:
        pg = _new_page(browser)
        try:
            pg.goto(f"{fresh_server.base}/explorer?ui=en&lang=en")
            _settle(pg)
            _check_clean(pg, "first request: bookmarked /explorer?lang=en", NAV_EN)
            assert pg.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Explorer"
        finally:
            pg.context.close()


def test_the_overview_by_its_name_shows_the_default_page_with_its_filters(page, server: Server) -> None:
    """The default page lives at `/`; `/overview` (its name in the navigation, typed or bookmarked)
    shows the same page with the same filters instead of Streamlit's 'Page not found', and the
    browser's Back button leaves it for the page before."""
    pg = page
    pg.goto(f"{server.base}/explorer?ui=en")
    _settle(pg, charts=False)
    pg.goto(f"{server.base}/overview?ui=en&lang=en")
    _settle(pg)
    _check_clean(pg, "/overview?ui=en&lang=en", NAV_EN)
    assert pg.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Overview"
    assert "lang=en" in pg.url, f"the filters were lost: {pg.url}"
    language = pg.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.inner_text().split()
    assert language == ["Language", "English"], f"the language filter shows {language}"
    pg.go_back()
    pg.wait_for_url(re.compile(r"/explorer\?"))


def test_a_date_typed_into_the_date_box_applies_and_reaches_the_url(page, server: Server) -> None:
    """Typing digits into the date range's fields (no calendar) sets the window: the subtitle and
    the shareable URL follow once the field loses focus."""
    pg = page
    pg.goto(f"{server.base}/?ui=en&from=2025-08-04&to=2025-11-01")
    _settle(pg)
    month = pg.locator('[data-testid="stSidebar"] [data-range-field="start"] [data-type="month"]').first
    assert month.inner_text().strip() == "08"
    month.click()
    pg.keyboard.type("10", delay=60)
    pg.keyboard.press("Tab")
    pg.locator('[data-testid="stMain"] h1').first.click()
    pg.wait_for_url(re.compile(r"from=2025-10-04"))
    _settle(pg)
    _check_clean(pg, "after typing a date", NAV_EN)
    assert "2025-10-04" in _main_text(pg), "the window shown does not start on the typed date"


def test_tables_export_only_through_the_formula_safe_download(page, server: Server) -> None:
    """A table's own toolbar would save feed titles starting with = + - @ as they are (a spreadsheet
    then runs them): tables offer no built-in export, only the page's Download CSV buttons, whose
    files neutralise such cells."""
    pg = page
    pg.goto(f"{server.base}/explorer?ui=en")
    _settle(pg)
    table = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    table.hover()
    pg.wait_for_timeout(500)
    toolbar = [b.get_attribute("aria-label") or ""
               for b in pg.locator('[data-testid="stElementToolbarButton"] button').all()]
    assert toolbar, "the table's toolbar did not show"
    assert not [b for b in toolbar if "ownload" in b], f"a table offers its own CSV export: {toolbar}"
    assert pg.get_by_role("button", name="Download CSV").count() >= 2, "the chart and table CSV buttons stay"


def test_a_single_day_is_drawn_as_that_day(page, server: Server) -> None:
    """One day's view (a drill-down or spike link): the time axis shows the day, not the
    milliseconds around its midnight that plotly zooms to for a single point."""
    pg = page
    pg.goto(f"{server.base}/?ui=en&day=2025-10-20")
    _settle(pg)
    _check_clean(pg, "/?day=2025-10-20", NAV_EN)
    ticks = pg.locator(".js-plotly-plot .xtick text").all_text_contents()
    assert ticks and not [t for t in ticks if ":" in t], f"time-of-day ticks on a one-day chart: {ticks}"
    assert any("Oct 20" in t for t in ticks), ticks


_CUT_KPIS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(v => {
    const text = v.querySelector('div') || v;
    return {value: v.innerText, cut: text.scrollWidth > text.clientWidth + 1};
})"""


@pytest.mark.parametrize("ui, width", [("en", 800), ("zh", 800), ("en", 1400)])
def test_every_kpi_value_is_shown_whole_at_a_narrow_window(page, server: Server, ui, width) -> None:
    """Before: a KPI value longer than its card was cut with an ellipsis: at an 800 px window the
    top rising theme read "Crea…" (Creative industry) or "影视…" (影视与创作), and at 1400 px a long
    one such as Deepfakes / misinformation would too. It wraps now."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    pg.goto(f"{server.base}/?ui={ui}&theme=misinformation")
    _settle(pg)
    kpis = pg.evaluate(_CUT_KPIS)
    assert len(kpis) == 6 and all(k["value"].strip() for k in kpis), kpis
    assert not [k for k in kpis if k["cut"]], kpis


_PARTIAL_BOXES = """(word) => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const box = el => { const r = el.getBoundingClientRect();
                        return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
    const labels = [...plot.querySelectorAll('text')].filter(t => t.textContent.trim() === word)
        .map(t => ({...box(t), legend: !!t.closest('.legend')}));
    const marks = [...plot.querySelectorAll('.scatterlayer .point, .barlayer .point path')]
        .map(box).filter(b => b.x1 > b.x0 && b.y1 > b.y0);
    return {labels, marks};
})"""


@pytest.mark.parametrize("ui, word", [("en", "partial"), ("zh", "不完整")])
def test_a_partial_bands_name_never_covers_a_point_or_an_event_marker(page, server: Server, ui, word) -> None:
    """Before: "partial" was written at the top of its band, over the top point of a count chart
    or an event's marker there; it is named in the legend instead."""
    pg = page
    # starts on a Wednesday: the first week is partial; events on 09-04, 09-30 and 10-06
    pg.goto(f"{server.base}/?ui={ui}&every=week&from=2025-09-03&to=2025-10-15")
    _settle(pg)
    _check_clean(pg, "/?every=week")
    charts = pg.evaluate(_PARTIAL_BOXES, word)
    named = [c for c in charts if c["labels"]]
    assert len(named) >= 2, f"no chart names its partial band: {charts}"
    for chart in named:
        assert all(lb["legend"] for lb in chart["labels"]), f"'{word}' drawn inside the plot: {chart['labels']}"
        assert chart["marks"], "the chart drew no points"
        for lb in chart["labels"]:
            over = [m for m in chart["marks"] if lb["x0"] < m["x1"] and m["x0"] < lb["x1"]
                    and lb["y0"] < m["y1"] and m["y0"] < lb["y1"]]
            assert not over, f"'{word}' at {lb} covers {over}"


_CLIPPED = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const drag = plot.querySelector('.nsewdrag');
    const texts = [...plot.querySelectorAll('.ytick text, .xtick text, .g-xtitle text, .g-ytitle text')]
        .filter(t => t.textContent.trim());
    const out = texts.map(t => ({text: t.textContent, r: t.getBoundingClientRect()}))
        .filter(({r}) => r.width > 0 && r.height > 0)          // plotly keeps hidden ticks at size 0
        .filter(({r}) => r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.top - 1
                         || r.bottom > svg.bottom + 1)
        .map(({text, r}) => `${text} [${Math.round(r.left - svg.left)}..${Math.round(r.right - svg.left)}`
                            + ` of ${Math.round(svg.width)}]`);
    const turned = [...plot.querySelectorAll('.xtick text')]
        .filter(t => /rotate\(/.test(t.getAttribute('transform') || '')).length;
    return {plot: drag ? Math.round(drag.getBoundingClientRect().width) : null, width: Math.round(svg.width),
            clipped: out, turned};
})"""


@pytest.mark.parametrize("ui", ["en", "zh"])
@pytest.mark.parametrize("width", [800, 1400])
def test_the_gap_pages_labels_and_axis_titles_are_whole_at_800_and_1400_px(page, server: Server, ui, width) -> None:
    """Before: at an 800 px window the gap page's two half-width columns left each chart ~230 px:
    "Deepfakes / misinformation" lost its start, the divergence axis title "zh share - en share
    (pp)" its end, the bars a plot of ~50 px with their ticks turned on their side."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    pg.goto(f"{server.base}/gap?ui={ui}")
    _settle(pg)
    _check_clean(pg, f"/gap?ui={ui} at {width} px")
    charts = pg.evaluate(_CLIPPED)
    assert len(charts) >= 5, charts
    for i, c in enumerate(charts):
        assert not c["clipped"], f"chart {i} ({c['width']} px wide) cuts: {c['clipped']}"
        assert c["plot"] is None or c["plot"] >= 200, f"chart {i}: a plot area of {c['plot']} px of {c['width']}"
        assert not c["turned"], f"chart {i}: {c['turned']} x tick labels turned on their side"


_PLOT_ROOM = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const drag = plot.querySelector('.nsewdrag');
    const bar = plot.querySelector('.legend .scrollbar');
    const legend = plot.querySelector('.legend');
    return {plot: drag ? Math.round(drag.getBoundingClientRect().height) : null,
            entries: plot.querySelectorAll('.legend .traces').length,
            scrolled: !!bar && bar.getBoundingClientRect().height > 0,
            legend: legend ? Math.round(legend.getBoundingClientRect().height) : 0};
})"""


@pytest.mark.parametrize("path, ui", [("themes", "en"), ("themes", "zh"), ("models", "en"), ("sources", "en"),
                                      ("sources", "zh")])
@pytest.mark.parametrize("width", [800, 1400])
def test_a_long_legend_never_squeezes_its_time_chart(page, server: Server, path, ui, width) -> None:
    """Before: at an 800 px window plotly put one legend entry to a row, so the Themes share chart's
    12 themes took a scrolled legend over a plot ~100 px high (the Sources chart's 23 likewise)."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    pg.goto(f"{server.base}/{path}?ui={ui}")
    _settle(pg)
    _check_clean(pg, f"/{path}?ui={ui} at {width} px")
    charts = [c for c in pg.evaluate(_PLOT_ROOM) if c["entries"] >= 6]
    assert charts, f"/{path}: no chart with a long legend"
    for c in charts:
        assert not c["scrolled"], f"/{path} at {width} px: a legend of {c['entries']} entries scrolls: {c}"
        assert c["plot"] >= 220, f"/{path} at {width} px: the plot is {c['plot']} px high under its legend: {c}"


@pytest.mark.parametrize("ui", ["en", "zh"])
@pytest.mark.parametrize("width", [800, 1400])
def test_the_keywords_tables_show_every_column_at_800_and_1400_px(page, server: Server, ui, width) -> None:
    """Before: at an 800 px window the Chinese and English columns stood side by side, ~230 px
    each, and each table's z (what the terms are ranked by) lay past its right edge."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    pg.goto(f"{server.base}/keywords?ui={ui}")
    _settle(pg)
    _check_clean(pg, f"/keywords?ui={ui} at {width} px")
    tables = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
    assert tables.count() == 2
    for i in range(2):
        content, shown = tables.nth(i).evaluate("""el => { const s = el.querySelector('.dvn-scroller');
                                                         return [s.scrollWidth, s.clientWidth]; }""")
        assert content <= shown, f"table {i} at {width} px: {content} px of columns in {shown} px"


def _with_deliveries(demo_db: Path, to: Path) -> Path:
    """A copy of the demo database with a digest delivery log: one failed with a long error."""
    import shutil
    from datetime import date, datetime, timedelta, timezone

    from db import engine as dbe
    from report.delivery import Target, record

    shutil.copy(demo_db, to)
    engine = dbe.make_engine(f"sqlite:///{to}")
    now = datetime(2025, 10, 21, 0, 30, tzinfo=timezone.utc)
    with dbe.session_factory(engine)() as session:
        record(session, date(2025, 10, 20), "day", Target("email", "analyst.team@example.com"), ok=True,
               error=None, subject="digest", now=now)
        record(session, date(2025, 10, 20), "week", Target("webhook:feishu", "newsroom"), ok=False,
               error="feishu: HTTP 500 Internal Server Error: upstream connect error or disconnect/reset "
                     "before headers. reset reason: connection termination", subject="digest",
               now=now + timedelta(minutes=1))
    engine.dispose()
    return to


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_sources_tables_fit_the_page_at_a_laptops_width(browser, demo_db: Path, tmp_path, ui) -> None:
    """Before: the health table's 14 columns took ~1,500 px of the 940 beside the sidebar at a
    1400 px window, so the rates (and in English the error class) lay past the right edge; the
    runs table's took ~980 in English, its "failed" count past the edge; a long delivery error
    widened the delivery log to ~1,340 px."""
    with _sources_tables(browser, demo_db, tmp_path, ui) as tables:
        assert tables.count() == 3
        for i, name in enumerate(("health", "runs", "deliveries")):
            box = tables.nth(i).bounding_box()
            widths = tables.nth(i).evaluate("""el => { const s = el.querySelector('.dvn-scroller');
                                                        return [s.scrollWidth, s.clientWidth]; }""")
            assert box["width"] <= 940 and widths[0] <= widths[1], \
                f"{name} table {box['width']} px, content {widths}"
        header = tables.first.evaluate(
            "el => [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")
        for word in (("failures", "items/day", "last error class") if ui == "en"
                     else ("失败率", "日均条数", "最近错误类型")):
            assert word in header, f"{word!r} not among the headers {header}"
        # the not-modified (304) rate gave its width to the source's name: it is in the CSV
        assert ("not modified" if ui == "en" else "未更新率") not in header, header


@contextmanager
def _sources_tables(browser, demo_db: Path, tmp_path: Path, ui: str):
    """The Sources page (over the demo data with deliveries) open and settled: its tables."""
    with _serve(_with_deliveries(demo_db, tmp_path / "demo.db"), tmp_path / "dashboard.log") as srv:
        pg = _new_page(browser)
        try:
            pg.goto(f"{srv.base}/sources?ui={ui}")
            _settle(pg)
            _check_clean(pg, "/sources")
            yield pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]')
        finally:
            pg.context.close()


_TRACES = """() => [...document.querySelectorAll('.js-plotly-plot')][0].data
    .filter(t => typeof (t.customdata || [])[0] === 'string' && t.customdata[0])
    .map(t => ({key: t.customdata[0], x: t.x.map(String), y: t.y, visible: t.visible === undefined ? true : t.visible}))"""


def _first_csv(pg, n: int = 0) -> list[dict]:
    """The rows of the page's `n`-th chart's Download CSV (the first by default), as the browser saves it."""
    import csv

    with pg.expect_download() as dl:
        pg.get_by_role("button", name="Download CSV").nth(n).click()
    raw = Path(dl.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw, "not the exports' CSV form"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_share_charts_read_as_7_day_shares_and_their_csv_holds_what_is_drawn(page, server: Server) -> None:
    """Models' share of voice and Themes' share by day are 7-day rolling shares, named so on the
    axis; the chart's Download CSV holds each drawn point under named columns (the counts they come
    from beside them); the Themes chart draws its six most covered themes and lists the others in
    the legend, where one click draws one."""
    pg = page
    for path, dim, total, title in (("models", "model", "all_models", "share of voice (7-day rolling)"),
                                    ("themes", "theme", "all_stories", "share (7-day rolling)")):
        pg.goto(f"{server.base}/{path}?ui=en&from=2025-08-04&to=2025-11-01")
        _settle(pg)
        _check_clean(pg, f"/{path}", NAV_EN)
        axis = pg.locator(".js-plotly-plot").first.locator(".ytitle").text_content()
        assert axis == title, f"/{path}: y axis {axis!r}"
        traces = pg.evaluate(_TRACES)
        rows = _first_csv(pg)
        assert list(rows[0]) == ["bucket", dim, "stories", total, "stories_7d", f"{total}_7d", "share_7d",
                                 "partial", "as_of"], f"/{path}: CSV columns {list(rows[0])}"
        csv_points = {(r["bucket"], r[dim]): float(r["share_7d"]) for r in rows}
        drawn = {(x[:10], t["key"]): y for t in traces for x, y in zip(t["x"], t["y"])}
        assert drawn.keys() == csv_points.keys(), f"/{path}: the CSV and the chart hold other points"
        assert all(abs(drawn[k] - v) < 1e-6 for k, v in csv_points.items())
        for r in rows:
            stories, whole = int(r["stories_7d"]), int(r[f"{total}_7d"])
            assert abs(float(r["share_7d"]) - (100 * stories / whole if whole else 0)) < 1e-6, r
        daily = {}
        for (day, _), v in drawn.items():
            daily[day] = daily.get(day, 0) + v
        if path == "models":    # share of voice: the stack is whole on every day with stories
            assert all(abs(v - 100) < 1e-6 or v == 0 for v in daily.values()), daily
        else:
            shown = [t["key"] for t in traces if t["visible"] is True]
            hidden = [t for t in traces if t["visible"] == "legendonly"]
            assert len(shown) == 6 and len(hidden) == len(traces) - 6 >= 4, [t["visible"] for t in traces]
            legend = pg.locator(".js-plotly-plot").first.locator(".legend .traces")
            assert legend.count() == len(traces) + 1            # every theme listed, and the events
            name = legend.nth(6).locator(".legendtext").text_content()
            legend.nth(6).click()
            pg.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')][0].data"
                                 ".filter(t => t.visible === true || t.visible === undefined).length >= 8")
            now = [t for t in pg.evaluate(_TRACES) if t["visible"] is True]
            assert len(now) == 7, f"clicking {name!r} in the legend did not draw it alone"
            # the evidence chart draws one theme's phrases: its CSV holds those (it held every theme's)
            phrases = _first_csv(pg, 3)
            assert list(phrases[0])[:3] == ["theme", "phrase", "stories"], list(phrases[0])
            bars = pg.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')][3].data[0].customdata")
            assert len({r["theme"] for r in phrases}) == 1 and sorted(r["phrase"] for r in phrases) == sorted(bars)


def test_the_net_sentiment_csv_holds_the_drawn_points_their_7_day_counts_and_the_few_story_flag(page, server: Server) -> None:
    """The Models page's net-sentiment chart: its Download CSV holds each drawn point (line or open
    circle) beside the 7-day counts it comes from (no undrawn daily net), flags the points on
    fewer than 10 stories, and those are exactly the open circles off the line."""
    pg = page
    pg.goto(f"{server.base}/models?ui=en&from=2025-08-04&to=2025-11-01")
    _settle(pg)
    _check_clean(pg, "/models", NAV_EN)
    traces = pg.evaluate(_TRACES.replace("[0]", "[2]").replace(
        "visible:", "open: (t.marker || {}).symbol === 'circle-open', visible:"))
    rows = _first_csv(pg, 2)
    assert list(rows[0]) == ["bucket", "model", "positive", "neutral", "negative", "stories", "positive_7d",
                             "neutral_7d", "negative_7d", "stories_7d", "net_7d", "few_stories", "partial", "as_of"], list(rows[0])
    drawn = {(x[:10], t["key"]): (y, t["open"]) for t in traces for x, y in zip(t["x"], t["y"]) if y is not None}
    csv_points = {(r["bucket"], r["model"]): r for r in rows if r["net_7d"] != ""}
    assert drawn.keys() == csv_points.keys(), "the CSV and the chart hold other points"
    opened = 0
    for k, r in csv_points.items():
        pos, neg, n = int(r["positive_7d"]), int(r["negative_7d"]), int(r["stories_7d"])
        assert abs(float(r["net_7d"]) - (pos - neg) / n) < 1e-9 and abs(drawn[k][0] - float(r["net_7d"])) < 1e-6
        assert (r["few_stories"] == "true") == (n < 10) == drawn[k][1], (k, r)
        opened += drawn[k][1]
    assert 0 < opened < len(drawn)


_X_RANGES = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .filter(p => p._fullLayout && p._fullLayout.xaxis && p._fullLayout.xaxis.type === 'date')
    .map(p => { const xa = p._fullLayout.xaxis, left = p.getBoundingClientRect().left;
                return {range: xa.range.map(v => String(v).replace('T', ' ')), offset: Math.round(xa._offset),
                        width: Math.round(p.getBoundingClientRect().width),
                        first: Math.round(left + xa._offset + xa.d2p(xa.range[0]))}; })"""


@pytest.mark.parametrize("path, every", [("", "day"), ("models", "day"), ("gap", "week")])
def test_the_time_charts_of_a_page_share_the_views_x_range(page, server: Server, path, every) -> None:
    """Before: plotly padded the net-sentiment lines (~5 % each side) but not the volume area above
    them, so the Overview's two charts ran a day apart at each end; every time chart of a page
    now spans the view's range, half a bucket either side of its first and last bucket."""
    pg = page
    pg.goto(f"{server.base}/{path}?ui=en&every={every}&from=2025-08-04&to=2025-11-01")
    _settle(pg)
    _check_clean(pg, f"/{path}?every={every}")
    charts = pg.evaluate(_X_RANGES)
    assert len(charts) >= 2, charts
    want = {"day": ("2025-08-03 12:00", "2025-11-01 12:00"), "week": ("2025-07-31 12:00", "2025-10-30 12:00")}[every]
    for c in charts:
        assert tuple(v[:16] for v in c["range"]) == want, f"/{path}: x range {c['range']}, expected {want}: {charts}"
    # and their plot areas start at one offset: plotly's own margin, as wide as each chart's y
    # ticks, put the net-sentiment plot 10 px right of the volume plot above it
    assert len({c["offset"] for c in charts}) == 1, f"/{path}: plot areas start at other offsets: {charts}"
    full = [c for c in charts if c["width"] == charts[0]["width"]]
    assert len({c["first"] for c in full}) == 1, f"/{path}: charts of one width start at other pixels: {charts}"


_FIRST_CELLS = """(el, col) => [...el.querySelectorAll('[role=row]')]
    .map(r => r.querySelector(`[role=gridcell][aria-colindex="${col}"]`)).filter(c => c).map(c => c.textContent)"""
# Characters the page's fonts have no glyph for: drawn as the "missing" box, the same pixels as a
# code point no font has (U+10FFFD, private use).
_NO_GLYPH = """(texts) => {
    const c = document.createElement('canvas'); c.width = 48; c.height = 48;
    const g = c.getContext('2d');
    const family = getComputedStyle(document.body).fontFamily;
    const draw = ch => { g.clearRect(0, 0, 48, 48); g.font = `28px ${family}`; g.fillStyle = '#000';
                         g.fillText(ch, 6, 36); return c.toDataURL(); };
    const missing = draw('\\u{10FFFD}');
    return [...new Set([...texts.join('')])].filter(ch => ch.trim() && draw(ch) === missing);
}"""


@pytest.mark.parametrize("ui", ["en", "zh"])
def test_the_sources_statuses_draw_in_any_chromium_as_a_dot_and_a_word(browser, demo_db: Path, tmp_path, ui) -> None:
    """Before: the health table's status was a coloured emoji dot (🟢 🔴) and the delivery log's
    ✅ ❌: without a colour-emoji font (Debian's Chromium) they drew as empty boxes. Each is a
    plain "●" (coloured by the table) and the status in words."""
    from dashboard import i18n

    with _sources_tables(browser, demo_db, tmp_path, ui) as tables:
        health = tables.nth(0).evaluate(_FIRST_CELLS, 1)
        words = {i18n.t(f"health_{k}", ui) for k in ("ok", "failing", "warning", "paused", "never_ok")}
        assert health and all(c.startswith("● ") and c[2:] in words for c in health), health
        status = tables.nth(2).evaluate(_FIRST_CELLS, 3)   # date, period, status
        assert sorted(status) == sorted(f"● {i18n.status_name(s, ui)}" for s in ("sent", "failed")), status
        boxes = tables.page.evaluate(_NO_GLYPH, health + status)
        # the marks are this test's concern; Chinese words need the machine's CJK font, which a
        # bare Chromium install may lack (the words are asserted above as text)
        boxes = [ch for ch in boxes if not unicodedata.name(ch, "").startswith("CJK ")]
        assert not boxes, f"drawn as empty boxes: {[f'U+{ord(ch):04X}' for ch in boxes]}"



def _with_focused_deliveries(demo_db: Path, to: Path) -> Path:
    """A copy of the demo database whose log holds a focused digest, a focused alert (its search
    hostile markup) and a market-wide digest, each logged under report.focus's key."""
    import shutil
    from datetime import date, datetime, timedelta, timezone

    from db import engine as dbe
    from db.filters import ItemFilter
    from report.alert_log import AlertLog
    from report.delivery import Target, record
    from report.focus import focus_key

    shutil.copy(demo_db, to)
    engine = dbe.make_engine(f"sqlite:///{to}")
    now = datetime(2025, 10, 21, 0, 30, tzinfo=timezone.utc)
    desk = Target("email", "desk@example.org")
    with dbe.session_factory(engine)() as session:
        record(session, date(2025, 10, 20), "day", desk, ok=True, error=None, subject="all", now=now)
        record(session, date(2025, 10, 20), "day", desk, ok=True, error=None, subject="kling",
               now=now + timedelta(minutes=1),
               focus=focus_key(ItemFilter(model=("sora", "kling"), theme=("jobs",))))
        AlertLog(date(2025, 10, 21), "model", "kling",
                 focus_key(ItemFilter(category=("social",), q="<img src=x onerror=alert(1)>")), 9).record(
            session, desk, ok=False, error="down", subject="spike", now=now + timedelta(minutes=2))
    engine.dispose()
    return to


def test_the_delivery_log_names_each_focus_as_its_subject_does(browser, demo_db: Path, tmp_path) -> None:
    """Before: the focus column showed the log's key ("model=kling,sora; theme=jobs") and "all" for
    the market-wide digest. Now the focus as the subject reads it, in the page's language, the
    search shown as text."""
    with _serve(_with_focused_deliveries(demo_db, tmp_path / "demo.db"), tmp_path / "dashboard.log") as srv:
        pg = _new_page(browser)
        try:
            for ui, expected in (("en", ["social, “<img src=x onerror=alert(1)>”", "Kling or Sora, Jobs",
                                         "all coverage"]),
                                 ("zh", ["社交、“<img src=x onerror=alert(1)>”", "可灵 Kling 或 Sora、就业冲击",
                                         "全部"])):
                pg.goto(f"{srv.base}/sources?ui={ui}")
                _settle(pg)
                _check_clean(pg, f"/sources?ui={ui}")
                log = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(2)
                assert log.evaluate(_FIRST_CELLS, 4) == expected    # date, period, status, focus
        finally:
            pg.context.close()


def _grid_lines(png: bytes) -> tuple[list[int], list[int]]:
    """The x of a data grid's vertical lines (pixel columns one light grey from top to bottom) in
    its element screenshot, and the y of the horizontal ones (rows one grey from edge to edge)."""
    import io

    from PIL import Image

    g = Image.open(io.BytesIO(png)).convert("L")
    w, h = g.size
    px = g.load()

    def line(values: list[int]) -> bool:
        return max(values) < 250 and max(values) - min(values) < 40

    def ends(found: list[int]) -> list[int]:      # a run of lines (the header's band) counts once, by its end
        return [v for i, v in enumerate(found) if i + 1 == len(found) or found[i + 1] != v + 1]

    # 10 px in from the edges: the grid's corners are rounded
    xs = ends([x for x in range(w) if line([px[x, y] for y in range(10, h - 10)])])
    ys = ends([y for y in range(h) if line([px[x, y] for x in range(10, w - 10)])])
    return xs, ys


def _cut_cells(png: bytes, columns: list[int]) -> list[tuple[int, int]]:
    """(column, row) of the cells of `columns` (0-based) whose text runs into the cell's right edge:
    glide-data-grid clips a cell's text at the column's line, where text that fits leaves its 8 px
    padding blank."""
    import io

    from PIL import Image

    g = Image.open(io.BytesIO(png)).convert("L")
    px = g.load()
    xs, ys = _grid_lines(png)
    cut = []
    for c in columns:
        right = xs[c + 1]
        for r, (top, bottom) in enumerate(zip(ys[1:], ys[2:])):      # below the header
            if any(px[x, y] < 170 for x in range(right - 4, right) for y in range(top + 2, bottom - 1)):
                cut.append((c, r))
    return cut


@pytest.mark.parametrize("width", [800, 1400])
def test_the_sources_tables_show_what_went_wrong_in_view_and_each_period_whole(browser, demo_db: Path, tmp_path,
                                                                               width) -> None:
    """Before: at 800 px the delivery log's status (did it go out?) lay past the right edge, behind
    the focus, channel and recipient, and the health table's last error class (why a source fails)
    behind its language and type; the 55 px period cut an alert's spike to "alert: Kl" / "预警：".
    The status follows the date and period, the error class the source; dates, periods, statuses
    and times are drawn whole."""
    db = _with_focused_deliveries(_with_deliveries(demo_db, tmp_path / "d1.db"), tmp_path / "demo.db")
    with _serve(db, tmp_path / "dashboard.log") as srv:
        pg = _new_page(browser)
        pg.set_viewport_size({"width": width, "height": 900})
        try:
            for ui in ("en", "zh"):
                pg.goto(f"{srv.base}/sources?ui={ui}")
                _settle(pg)
                _check_clean(pg, f"/sources?ui={ui}")
                health = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(0)
                in_view = health.evaluate("el => [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")
                assert in_view[:3] == (["health", "source", "last error class"] if ui == "en" else
                                       ["健康", "信源", "最近错误类型"]), f"{ui} at {width} px: columns in view {in_view}"
                log = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').nth(2)
                log.scroll_into_view_if_needed()
                time.sleep(0.5)
                in_view = log.evaluate("el => [...el.querySelectorAll('[role=columnheader]')].map(h => h.textContent)")
                assert in_view[:3] == (["date", "period", "status"] if ui == "en" else ["日期", "周期", "状态"]), \
                    f"{ui} at {width} px: columns in view {in_view}"
                assert log.evaluate(_FIRST_CELLS, 2)[0] == ("alert: Kling" if ui == "en" else "预警：可灵 Kling")
                png = log.screenshot()
                shown = [0, 1, 2] + ([6] if width == 1400 else [])     # date, period, status, last attempt
                assert not _cut_cells(png, shown), f"{ui} at {width} px: cut (column, row): {_cut_cells(png, shown)}"
        finally:
            pg.context.close()

# Each word of each KPI value and label (a run of characters between spaces: "影视与创作" is one) with
# the lines its characters were laid out on.
_KPI_WORDS = """() => [...document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricLabel"] p')]
    .flatMap(el => {
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        const words = [];
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent;
            let word = null;
            for (let i = 0; i < text.length; i++) {
                if (/\\s/.test(text[i])) { word = null; continue; }
                const range = document.createRange();
                range.setStart(node, i); range.setEnd(node, i + 1);
                const r = range.getBoundingClientRect();
                if (!word) { word = {text: '', tops: []}; words.push(word); }
                word.text += text[i];
                word.tops.push(Math.round(r.top + r.height / 2));
            }
        }
        return words.map(w => ({text: w.text, lines: new Set(w.tops).size}));
    })"""


@pytest.mark.parametrize("ui", ["en", "zh"])
@pytest.mark.parametrize("width", [800, 1400])
def test_kpi_names_wrap_between_words_never_inside_one(page, server: Server, ui, width) -> None:
    """Before: at an 800 px window the top rising theme "影视与创作" broke after its fourth character
    ("影视与创" / "作"): a KPI value or label wraps only at a space, and a name is drawn small enough
    in a narrow card for its words to fit."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    # within its own theme, "Creative industry" is the top rising theme whatever the others do
    pg.goto(f"{server.base}/?ui={ui}&from=2025-08-04&to=2025-11-01&theme=creative_industry")
    _settle(pg)
    words = pg.evaluate(_KPI_WORDS)
    theme = {"zh": "影视与创作", "en": "industry"}[ui]
    assert any(w["text"] == theme for w in words), words
    broken = [w["text"] for w in words if w["lines"] > 1]
    assert not broken, f"{ui} at {width} px: words broken across lines: {broken}"
    assert not [k for k in pg.evaluate(_CUT_KPIS) if k["cut"]]


_LEGENDS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(plot => {
    const entries = [...plot.querySelectorAll('.legend .traces')].map(t => {
        const r = t.querySelector('.legendtext').getBoundingClientRect();
        return {text: t.querySelector('.legendtext').textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom};
    });
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    return {entries, right: svg.right};
}).filter(c => c.entries.length)"""


@pytest.mark.parametrize("path, ui", [("themes", "en"), ("themes", "zh"), ("sources", "en"), ("sources", "zh")])
@pytest.mark.parametrize("width", [800, 1400])
def test_legend_names_are_whole_and_never_run_into_each_other(page, server: Server, path, ui, width) -> None:
    """Before: a long name in a legend of rows of two was cut with "…" to what half a chart holds
    at 800 px, so "Deepfakes / misinforma…" was cut at 1400 px too; a long name is wrapped onto a
    second line instead, whole at every width, and no entry runs into the next or past the chart."""
    from dashboard import i18n

    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    pg.goto(f"{server.base}/{path}?ui={ui}")
    _settle(pg)
    charts = pg.evaluate(_LEGENDS)
    texts = [e["text"] for c in charts for e in c["entries"]]
    assert not [t for t in texts if "…" in t], f"/{path} at {width} px: names cut: {texts}"
    if path == "themes":
        whole = i18n.theme_name("misinformation", ui).replace(" ", "")
        assert whole in [t.replace(" ", "") for t in texts], texts
    for c in charts:
        boxes = c["entries"]
        for a in boxes:
            assert a["x1"] <= c["right"] + 1, f"/{path} at {width} px: {a['text']!r} runs past the chart"
            over = [b["text"] for b in boxes if b is not a and a["x0"] < b["x1"] - 1 and b["x0"] < a["x1"] - 1
                    and a["y0"] < b["y1"] - 1 and b["y0"] < a["y1"] - 1]
            assert not over, f"/{path} at {width} px: {a['text']!r} runs into {over}"


_HEAT = """() => {
    const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => p.querySelector('.heatmaplayer'));
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const xa = plot._fullLayout.xaxis;
    const cell = xa._length / plot.data[0].x.length;
    const texts = [...plot.querySelectorAll('.heatmaplayer text')].map(t => ({
        text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize), width: t.getBoundingClientRect().width}));
    const angles = [...plot.querySelectorAll('.xtick text')].map(t =>
        Math.abs(parseFloat(((t.getAttribute('transform') || '').match(/rotate\\((-?[\\d.]+)/) || [0, 0])[1])));
    const clipped = [...plot.querySelectorAll('.xtick text, .ytick text')]
        .map(t => [t.textContent, t.getBoundingClientRect()])
        .filter(([, r]) => r.width && (r.left < svg.left - 1 || r.right > svg.right + 1 || r.top < svg.top - 1))
        .map(([text]) => text);
    return {cell, texts, angles, clipped, hover: plot.data[0].text.flat(), ticks: plot.data[0].x};
}"""


@pytest.mark.parametrize("ui", ["en", "zh"])
@pytest.mark.parametrize("width", [800, 1400])
def test_the_theme_model_heat_map_is_readable_at_800_and_1400_px(page, server: Server, ui, width) -> None:
    """Before: at an 800 px window the heat map's whole model names ("Jimeng / Seedance") stood on
    their side under ~20 px columns and plotly shrank the counts in the cells to ~7 px. Columns are
    short names (whole in the hover), turned at most 45°, and every count is 12 px and inside its cell."""
    pg = page
    pg.set_viewport_size({"width": width, "height": 1000})
    pg.goto(f"{server.base}/themes?ui={ui}")
    _settle(pg)
    heat = pg.evaluate(_HEAT)
    assert heat["texts"] and max(heat["angles"]) <= 45, heat["angles"]
    assert not heat["clipped"], f"labels cut at the chart's edge: {heat['clipped']}"
    small = [t for t in heat["texts"] if t["size"] < 11 or t["width"] > heat["cell"] - 2]
    assert not small, f"{width} px: cells {heat['cell']:.0f} px wide; counts too small or wider: {small[:5]}"
    jimeng = {"en": ("Jimeng", "Jimeng / Seedance"), "zh": ("即梦", "即梦 / Seedance")}[ui]
    assert jimeng[0] in heat["ticks"] and any(jimeng[1] in h for h in heat["hover"]), heat["ticks"]
