"""`aigcwatch export trends|items`: every format read back (pandas, openpyxl, pyarrow) gives the
numbers db.queries gives for the same filters, with the method beside or inside the data."""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from aigcwatch.cli import main
from db import queries as q
from db.filters import ItemFilter, day_window
from report.export import ITEM_COLUMNS, item_columns
from tests.support.stories import (DAY, FORMULA_EVIDENCE, FORMULA_TITLE, HOSTILE_EVIDENCE, HOSTILE_TITLE,
                                   SPAM_EVIDENCE, TZ, build)

WEEK = (DAY - timedelta(days=6), DAY)


@pytest.fixture
def built(session):
    return build(session)


def run(db_url, *args, ok=True):
    result = CliRunner().invoke(main, ["export", *args, "--database-url", db_url])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


def window(start=WEEK[0], end=WEEK[1]):
    since, until = day_window(start, end, TZ)
    return ItemFilter(since=since, until=until)


def dense_counts(session, flt, by, bucket="day"):
    """What a chart of counts() shows: every (bucket, group) cell, zeros included."""
    rows = q.counts(session, flt, by=by, bucket=bucket, tz=TZ)
    return {(r["bucket"], *(r[d] for d in by)): r["count"] for r in rows}


def test_trends_csv_has_a_bom_and_the_counts_of_the_read_side_with_gaps_as_zero(db_url, session,
                                                                              built, tmp_path):
    out = tmp_path / "trends.csv"
    run(db_url, "trends", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
        "--group", "model,lang", "-o", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert list(df.columns) == ["bucket", "model", "lang", "stories", "partial"]
    assert set(df["partial"]) == {False}         # whole past days (pandas reads true/false)
    expected = dense_counts(session, window(), ("model", "lang"))
    got = {(date.fromisoformat(r.bucket), r.model, r.lang): r.stories for r in df.itertuples()}
    assert {k: v for k, v in got.items() if v} == expected
    # Every day of the week appears for every (model, lang) seen: continuous series.
    combos = {k[1:] for k in expected}
    assert len(df) == 7 * len(combos)
    assert got[(DAY, "kling", "zh")] == 8 and got[(DAY - timedelta(days=3), "kling", "zh")] == 0
    meta = json.loads((tmp_path / "trends.method.json").read_text(encoding="utf-8"))
    assert meta["time_zone"] == TZ and meta["bucket"] == "day" and meta["group"] == ["model", "lang"]
    assert meta["tagger_versions"] == [{"version": "test-tagger-1", "stories": q.count_items(session, window())}]
    assert "syndicated copies are not stories" in meta["unit"]
    assert meta["rows"] == len(df)


@pytest.mark.parametrize("fmt", ["xlsx", "parquet", "json"])
def test_trends_in_every_format_read_back_with_the_same_numbers(db_url, session, built, tmp_path, fmt):
    out = tmp_path / f"trends.{fmt}"
    run(db_url, "trends", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
        "--group", "theme", "-o", str(out))
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(out)
        assert wb.sheetnames == ["data", "method"]
        rows = list(wb["data"].iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        got = {(r[0].date(), r[1]): r[2] for r in body}
        method = {k: v for k, v in wb["method"].iter_rows(values_only=True)}
        assert method["time_zone"] == TZ and method["kind"] == "trends"
        assert method["filters.include_spam"] == "False"
    elif fmt == "parquet":
        table = pq.read_table(out)
        assert str(table.schema.field("bucket").type) == "date32[day]"
        assert str(table.schema.field("stories").type) == "int64"
        method = json.loads(table.schema.metadata[b"aigcwatch.method"])
        assert method["time_zone"] == TZ
        df = table.to_pandas()
        got = {(r.bucket, r.theme): r.stories for r in df.itertuples()}
        header = tuple(df.columns)
    else:
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert set(doc) == {"meta", "rows"}
        assert doc["meta"]["rows"] == len(doc["rows"])
        got = {(date.fromisoformat(r["bucket"]), r["theme"]): r["stories"] for r in doc["rows"]}
        header = tuple(doc["rows"][0])
    assert header == ("bucket", "theme", "stories", "partial")
    assert {k: v for k, v in got.items() if v} == dense_counts(session, window(), ("theme",))


def test_weekly_buckets_are_iso_weeks_of_the_chosen_time_zone(db_url, session, built):
    start, end = DAY - timedelta(days=27), DAY
    res = run(db_url, "trends", "--since", str(start), "--until", str(end), "--tz", TZ,
              "--by", "week", "--format", "json")
    doc = json.loads(res.stdout)
    got = {date.fromisoformat(r["bucket"]): r["stories"] for r in doc["rows"]}
    assert all(b.weekday() == 0 for b in got)                  # Mondays
    since, until = day_window(start, end, TZ)
    rows = q.counts(session, ItemFilter(since=since, until=until), bucket="week", tz=TZ)
    assert got == {r["bucket"]: r["count"] for r in rows}
    assert sum(got.values()) == q.count_items(session, ItemFilter(since=since, until=until))


def test_items_export_in_every_format_matches_the_items_query(db_url, session, built, tmp_path):
    flt = window(DAY, DAY)
    expected = q.items(session, flt, limit=1000)
    assert len(expected) == q.count_items(session, flt) > 10
    args = ["items", "--since", str(DAY), "--until", str(DAY), "--tz", TZ]
    for fmt in ("csv", "xlsx", "parquet", "json"):
        run(db_url, *args, "-o", str(tmp_path / f"items.{fmt}"))
    names = [c.name for c in item_columns()]

    csv_df = pd.read_csv(tmp_path / "items.csv", encoding="utf-8-sig", keep_default_na=False)
    pq_df = pq.read_table(tmp_path / "items.parquet").to_pandas()
    doc = json.loads((tmp_path / "items.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(tmp_path / "items.xlsx", read_only=True)
    xl_rows = list(wb["data"].iter_rows(values_only=True))
    assert list(csv_df.columns) == names == list(pq_df.columns) == list(xl_rows[0])
    assert [r["id"] for r in doc["rows"]] == [r["id"] for r in expected]   # newest first
    assert list(csv_df["id"]) == list(pq_df["id"]) == [r[0] for r in xl_rows[1:]] == [r["id"] for r in expected]

    by_id = {r["id"]: r for r in expected}
    for row in doc["rows"]:
        src = by_id[row["id"]]
        assert row["models"] == src["models"] and row["themes"] == src["themes"]
        assert row["copies"] == src["copies"] and row["reach"] == 1 + src["copies"]
        assert row["day"] == str(DAY) and row["tagger_version"] == "test-tagger-1"
    for row in pq_df.itertuples():
        src = by_id[row.id]
        assert list(row.models) == src["models"] and row.sentiment == src["sentiment"]
        assert row.published_at.to_pydatetime() == src["published_at"]
    syndicated = next(r for r in expected if r["copies"] == 2)
    assert csv_df.set_index("id").loc[syndicated["id"], "reach"] == 3
    # Its reach comes from its exact copies' outlets, and the method says so (it named only the
    # cluster's sources, which would have given 1 here).
    reach = next(c for c in doc["meta"]["columns"] if c["name"] == "reach")
    assert "exact copies" in reach["meaning"]
    assert pd.read_csv(tmp_path / "items.csv", encoding="utf-8-sig")["title"].str.contains("可灵").any()
    # Spam and off-topic stories are not exported unless asked for.
    assert not csv_df["spam"].any()
    wider = run(db_url, *args, "--include-spam", "--include-irrelevant", "--format", "json")
    assert len(json.loads(wider.stdout)["rows"]) == len(expected) + 2


def test_hostile_titles_stay_text_in_spreadsheets_and_verbatim_in_data_formats(db_url, session, built,
                                                                           tmp_path):
    args = ["items", "--since", str(DAY), "--until", str(DAY), "--tz", TZ, "--lang", "en"]
    csv_text = run(db_url, *args).stdout
    assert "'" + FORMULA_TITLE.replace('"', '""') in csv_text    # a leading ' : never a formula
    run(db_url, *args, "-o", str(tmp_path / "i.xlsx"))
    run(db_url, *args, "-o", str(tmp_path / "i.json"))
    ws = openpyxl.load_workbook(tmp_path / "i.xlsx")["data"]
    cells = [row[7] for row in ws.iter_rows(min_row=2)]
    formula_cell = next(c for c in cells if c.value == FORMULA_TITLE)
    assert formula_cell.data_type == "s"
    titles = [r["title"] for r in json.loads((tmp_path / "i.json").read_text())["rows"]]
    assert FORMULA_TITLE in titles and HOSTILE_TITLE in titles


def test_filters_narrow_the_export_as_they_narrow_the_query(db_url, session, built):
    res = run(db_url, "trends", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
              "--lang", "zh", "--model", "kling", "--category", "news", "--format", "json")
    doc = json.loads(res.stdout)
    flt = window().replace(lang=("zh",), model=("kling",), category=("news",))
    assert sum(r["stories"] for r in doc["rows"]) == q.count_items(session, flt) > 0
    assert doc["meta"]["filters"]["model"] == ["kling"] and doc["meta"]["filters"]["lang"] == ["zh"]


def test_the_other_language_stories_the_dashboard_shows_can_be_exported(db_url, session, built):
    # Before: --lang took zh, en, und, but ingest stores zh, en and other: the "other" slice the
    # dashboard and the digest count could not be exported, and und always gave nothing
    from tests.support.stories import add_story, local

    add_story(session, "en-news", local(DAY, 10), "Sora llega a Europa", lang="other", models=("sora",))
    res = run(db_url, "trends", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
              "--lang", "other", "--format", "json")
    doc = json.loads(res.stdout)
    assert sum(r["stories"] for r in doc["rows"]) == q.count_items(session, window().replace(lang=("other",))) > 0


def test_stdout_is_csv_or_json_and_binary_formats_need_a_file(db_url, built):
    res = run(db_url, "trends", "--since", str(DAY), "--until", str(DAY), "--tz", TZ)
    assert res.stdout_bytes.startswith(b"\xef\xbb\xbfbucket,stories,partial\r\n")
    assert '"kind": "trends"' in res.stderr                   # the method, on stderr
    assert res.stderr.startswith("# method: {") and len(res.stderr.strip().splitlines()) == 1
    from click.testing import CliRunner

    from aigcwatch.cli import main
    helped = " ".join(CliRunner().invoke(main, ["export", "trends", "--help"]).output.split())
    assert "or on stdout one '# method: {...}' line on stderr" in helped   # --help says where it goes
    bad = run(db_url, "items", "--format", "parquet", ok=False)
    assert bad.exit_code == 2
    assert bad.stderr.strip() == ("error: --format parquet is binary: give -o FILE "
                                  "(or -o - to write it to stdout)")


@pytest.mark.parametrize("args, message", [
    (["--lang", "fr"], "--lang: unknown value 'fr' (use zh, en, other)"),
    (["--tz", "Asia/Beijing"], "--tz: unknown time zone 'Asia/Beijing'"),
    (["--since", "2025-03-10", "--until", "2025-03-01"], "--until 2025-03-01 is before --since 2025-03-10"),
    (["-o", "/no-such-folder/items.csv"], "-o /no-such-folder/items.csv: folder /no-such-folder does not exist"),
    (["-o", "/tmp"], "-o /tmp: is a folder, not a file"),   # was click's three-line usage error
])
def test_bad_options_are_one_line_and_exit_code_2(db_url, args, message):
    res = run(db_url, "items", *args, ok=False)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


@pytest.mark.parametrize("args", [["--since", "0001-01-01"], ["--until", "9999-12-31"]])
def test_a_day_out_of_range_is_a_usage_error_not_an_overflow(db_url, args):
    res = run(db_url, "trends", *args, ok=False)
    assert res.exit_code == 2 and "out of range (years 1900-2999)" in res.stderr
    assert not isinstance(res.exception, OverflowError)


def test_the_export_stream_pages_through_equal_timestamps_like_iter_items(session, built):
    from db import store
    from tests.factories import make_intent, make_tags
    from tests.support.stories import local

    same = local(DAY + timedelta(days=2), 9)
    run_id = store.start_run(session, "t")
    intents = [make_intent(n=900 + k, source_id="en-news", published_at=same, fetched_at=same,
                           tags=make_tags(models=("veo", "sora"), themes=("tech",)))
               for k in range(7)]
    store.store_intents(session, run_id, "en-news", intents, same)
    session.commit()
    flt = ItemFilter()
    keys = ("id", "published_at", "source_name", "category", "title", "url", "models", "themes",
            "sentiment", "sentiment_score", "spam", "relevant", "copies", "tagger_version",
            "relevance_evidence", "sentiment_evidence", "spam_evidence")
    slow = [tuple(r[k] for k in keys) for r in q.iter_items(session, flt, batch=4)]
    fast = [tuple(r[k] for k in keys) for r in q.iter_export_items(session, flt, batch=4, evidence=True)]
    assert fast == slow and len(fast) == q.count_items(session, flt)
    assert sum(r[1] == same for r in fast) == 7 and fast[0][6] == ["sora", "veo"]


@pytest.mark.parametrize("args, day", [(["--since", "2030-01-01"], "2030-01-01"),
                                       (["--until", "2000-01-01"], "2000-01-01")])
def test_one_given_day_beyond_the_stored_ones_is_an_empty_range_not_a_traceback(db_url, built, args,
                                                                                day):
    res = run(db_url, "trends", *args, "--tz", TZ, "--format", "json")
    doc = json.loads(res.stdout)
    # a day to come is not over: partial
    today = datetime.now(ZoneInfo(TZ)).date().isoformat()
    assert doc["rows"] == [{"bucket": day, "stories": 0, "partial": day >= today}]
    assert doc["meta"]["range"]["first_day"] == doc["meta"]["range"]["last_day"] == day
    grouped = json.loads(run(db_url, "trends", *args, "--tz", TZ, "--group", "model",
                             "--format", "json").stdout)
    assert grouped["rows"] == [] and grouped["meta"]["rows"] == 0


def test_xlsx_cells_stay_within_excels_32767_characters_and_other_formats_keep_the_whole_text(
        db_url, session, built, tmp_path):
    from db import store
    from tests.factories import make_intent, make_tags
    from tests.support.stories import local

    at = local(DAY + timedelta(days=3), 9)
    long_title = "=可灵 " + "长" * 32_760 + "🎬" * 10 + " end"    # 32,787 chars, 32,797 UTF-16 units
    run_id = store.start_run(session, "t")
    store.store_intents(session, run_id, "en-news", [
        make_intent(n=990, source_id="en-news", published_at=at, fetched_at=at, title=long_title,
                    tags=make_tags(models=("kling",), themes=("tech",)))], at)
    session.commit()
    day = str((DAY + timedelta(days=3)))
    args = ["items", "--since", day, "--until", day, "--tz", TZ, "-q", "end\x01"]
    run(db_url, *args[:-2], "-o", str(tmp_path / "i.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "i.xlsx")
    cell = next(row[7] for row in wb["data"].iter_rows(min_row=2) if row[0].value and
                str(row[7].value).startswith("=可灵"))
    assert cell.data_type == "s"
    assert len(cell.value.encode("utf-16-le")) // 2 <= 32_767 and cell.value.endswith("…")
    assert cell.value[:-1] == long_title[:len(cell.value) - 1]
    run(db_url, *args, "-o", str(tmp_path / "q.xlsx"))      # typed control character: no traceback
    method = dict(openpyxl.load_workbook(tmp_path / "q.xlsx")["method"].iter_rows(values_only=True))
    assert method["filters.q"] == "end"
    doc = json.loads(run(db_url, *args[:-2], "--format", "json").stdout)
    assert long_title in [r["title"] for r in doc["rows"]]


@pytest.mark.parametrize("command", [["export", "trends"], ["export", "items"],
                                     ["digest", "--dry-run", "out.html"]])
def test_a_bad_zone_from_the_environment_is_named_as_the_variable_not_as_tz(tmp_path, command):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    res = CliRunner().invoke(main, [*command, "--database-url", db],
                             env={"AIGCWATCH_TIMEZONE": "Asia/Beijing"})
    assert res.exit_code == 2
    assert res.stderr.strip() == ("error: AIGCWATCH_TIMEZONE: unknown time zone 'Asia/Beijing' "
                                  "(an IANA name such as Asia/Shanghai)")
    typed = CliRunner().invoke(main, [*command, "--database-url", db, "--tz", "Asia/Beijing"])
    assert typed.exit_code == 2 and typed.stderr.startswith("error: --tz: unknown time zone")


def test_the_day_of_an_undated_story_is_its_local_day_when_the_zone_changed_offset_since(
        db_url, session, built):
    # The stories span Feb-Mar 2025, one UTC offset in Sydney; a story from a feed without dates
    # (dated by its fetch) falls after Sydney left summer time (6 April): its day was shifted by
    # the summer offset of the dated stories' range, a day later than the trends bucket it is in.
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    from db import store
    from tests.factories import make_intent, make_tags

    fetched = datetime(2025, 4, 6, 13, 30, tzinfo=timezone.utc)     # 23:30 AEST, 00:30 AEDT
    run_id = store.start_run(session, "t")
    store.store_intents(session, run_id, "en-news", [
        make_intent(n=991, source_id="en-news", published_at=fetched, fetched_at=fetched,
                    date_is_fallback=True, tags=make_tags(models=("veo",), themes=("tech",)))], fetched)
    session.commit()
    tz = "Australia/Sydney"
    rows = json.loads(run(db_url, "items", "--tz", tz, "--format", "json").stdout)["rows"]
    days = {r["published_at"]: r["day"] for r in rows}
    assert days["2025-04-06T13:30:00Z"] == "2025-04-06"
    for at, day in days.items():
        instant = datetime.fromisoformat(at.replace("Z", "+00:00"))
        assert day == instant.astimezone(ZoneInfo(tz)).date().isoformat()


# The items columns as they were before the tagger's decision evidence was exported: they never move.
ITEM_COLUMNS_BEFORE_EVIDENCE = ["id", "published_at", "day", "source_id", "source_name", "category", "lang",
                                "title", "url", "models", "themes", "sentiment", "sentiment_score", "spam",
                                "relevant", "copies", "reach", "tagger_version"]
EVIDENCE_COLUMNS = ["relevance_evidence", "sentiment_evidence", "spam_evidence", "spam_reasons"]
# added later: after all of those, with or without the evidence, so that none of them moves
LATER = ["date_is_fallback"]


def test_items_export_keeps_its_columns_and_leaves_the_evidence_out_unless_asked(db_url, built, tmp_path):
    # The evidence is feed text, a third of the bytes and the CPU per row: the default export stays
    # as fast as it was (bench/export.py), and its columns are the ones it always had.
    assert [c.name for c in ITEM_COLUMNS] == ITEM_COLUMNS_BEFORE_EVIDENCE
    args = ["items", "--since", str(DAY), "--until", str(DAY), "--tz", TZ, "--include-spam"]
    doc = json.loads(run(db_url, *args, "--format", "json").stdout)
    assert doc["rows"] and all(list(r) == ITEM_COLUMNS_BEFORE_EVIDENCE + LATER for r in doc["rows"])
    assert [c["name"] for c in doc["meta"]["columns"]] == ITEM_COLUMNS_BEFORE_EVIDENCE + LATER
    assert "evidence" not in doc["meta"]["lists"]
    header = run(db_url, *args, "--format", "csv").stdout.lstrip("\ufeff").splitlines()[0]
    assert header.split(",") == ITEM_COLUMNS_BEFORE_EVIDENCE + LATER


def test_items_export_appends_the_decision_evidence_in_every_format(db_url, session, built, tmp_path):
    # Before: the export had no evidence columns, so nothing in it said why a story was negative,
    # spam or relevant. A story tagged before the evidence was stored has none (null / empty).
    from sqlalchemy import update

    from db import models as m

    jobs, hostile, formula, spam = (built.ids[k] for k in ("jobs", "hostile", "formula", "spam"))
    untold = built.ids["syndicated"]
    session.execute(update(m.Item).where(m.Item.id == untold).values(
        relevance_evidence=None, sentiment_evidence=None, spam_evidence=None))
    session.commit()
    assert [c.name for c in item_columns(evidence=True)] == ITEM_COLUMNS_BEFORE_EVIDENCE + EVIDENCE_COLUMNS + LATER
    args = ["items", "--evidence", "--since", str(DAY), "--until", str(DAY), "--tz", TZ, "--include-spam"]
    for fmt in ("csv", "xlsx", "parquet", "json"):
        run(db_url, *args, "-o", str(tmp_path / f"items.{fmt}"))
    # the stored spam evidence mixes a phrase and a reason: the export splits them (before, the
    # reason "title/body mismatch" sat among the phrases, for an analyst to search the text for)
    assert SPAM_EVIDENCE == ("app下载", "title/body mismatch")
    expected = {
        jobs: {"relevance_evidence": ["ai视频"], "sentiment_evidence": ["冲击", "失业"], "spam_evidence": [],
               "spam_reasons": []},
        hostile: {"relevance_evidence": [HOSTILE_EVIDENCE], "sentiment_evidence": ["glitch"],
                  "spam_evidence": [], "spam_reasons": []},
        formula: {"relevance_evidence": ["kling 2.1"], "sentiment_evidence": [FORMULA_EVIDENCE, "@home"],
                  "spam_evidence": [], "spam_reasons": []},
        spam: {"relevance_evidence": ["可灵"], "sentiment_evidence": [], "spam_evidence": ["app下载"],
               "spam_reasons": ["title/body mismatch"]},
        untold: dict.fromkeys(EVIDENCE_COLUMNS),
    }

    doc = json.loads((tmp_path / "items.json").read_text(encoding="utf-8"))
    assert list(doc["rows"][0]) == ITEM_COLUMNS_BEFORE_EVIDENCE + EVIDENCE_COLUMNS + LATER
    json_rows = {r["id"]: r for r in doc["rows"]}
    assert {i: {k: json_rows[i][k] for k in EVIDENCE_COLUMNS} for i in expected} == expected
    assert [c["name"] for c in doc["meta"]["columns"]][-5:] == EVIDENCE_COLUMNS + LATER
    assert "evidence list is null" in doc["meta"]["lists"]

    table = pq.read_table(tmp_path / "items.parquet")
    assert table.column_names == ITEM_COLUMNS_BEFORE_EVIDENCE + EVIDENCE_COLUMNS + LATER
    assert all(str(table.schema.field(c).type) == "list<element: string>" for c in EVIDENCE_COLUMNS)
    pq_rows = {r["id"]: r for r in table.to_pylist()}
    assert {i: {k: pq_rows[i][k] for k in EVIDENCE_COLUMNS} for i in expected} == expected

    def joined(value):
        return "" if value is None else "|".join(value)

    csv_df = pd.read_csv(tmp_path / "items.csv", encoding="utf-8-sig", keep_default_na=False,
                         dtype=str).set_index("id")
    assert list(csv_df.columns) == ITEM_COLUMNS_BEFORE_EVIDENCE[1:] + EVIDENCE_COLUMNS + LATER
    for i, cols in expected.items():
        want = {k: joined(v) for k, v in cols.items()}
        if i == formula:                     # feed text a spreadsheet would run: a leading '
            want["sentiment_evidence"] = "'" + want["sentiment_evidence"]
        assert {k: csv_df.loc[str(i), k] for k in EVIDENCE_COLUMNS} == want, i

    ws = openpyxl.load_workbook(tmp_path / "items.xlsx")["data"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == ITEM_COLUMNS_BEFORE_EVIDENCE + EVIDENCE_COLUMNS + LATER
    xl = {row[0].value: {h: c for h, c in zip(header, row)} for row in ws.iter_rows(min_row=2)}
    for i, cols in expected.items():
        assert {k: xl[i][k].value for k in EVIDENCE_COLUMNS} == \
            {k: (None if v is None else joined(v) or None) for k, v in cols.items()}, i
    assert xl[formula]["sentiment_evidence"].data_type == "s"      # text, never a formula


def _export_failing_after_one_row(tmp_path, fmt: str, error: Exception):
    """(columns, out, rows): an -o file holding yesterday's export, and rows that fail with `error`
    after the first."""
    from report.formats import Column

    columns = [Column("id", "int", "story id"), Column("title", "text", "title")]
    out = tmp_path / f"items.{fmt}"
    out.write_bytes(b"yesterday's export")

    def rows():
        yield {"id": 1, "title": "Sora 2 ships"}
        raise error

    return columns, out, rows()


# openpyxl's write-only sheet leaves its row generator to the collector when a row fails
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_an_export_that_fails_part_way_leaves_the_earlier_file_and_no_partial_one(tmp_path, fmt):
    # Before: the file was opened under its own name and written row by row, so a failure half
    # way (a dropped database connection, a full disk) left a truncated file that looked complete,
    # in place of the good one of the day before.
    from report.commands import write_export

    columns, out, rows = _export_failing_after_one_row(tmp_path, fmt, RuntimeError("connection lost"))
    with pytest.raises(RuntimeError, match="connection lost"):
        write_export(fmt, str(out), columns, rows, {"kind": "items"}, expected=2)
    assert out.read_bytes() == b"yesterday's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]

    n = write_export(fmt, str(out), columns, iter([{"id": 1, "title": "Sora 2 ships"}]),
                     {"kind": "items"}, expected=1)
    assert n == 1 and out.read_bytes() != b"yesterday's export"
    assert not any(".partial" in p.name for p in tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["items", "trends"])
def test_piped_into_a_reader_that_stops_early_the_export_ends_quietly_with_success(db_url, built,
                                                                                   kind):
    # Before: `aigcwatch export items | head` exited 1 with no message (click's answer to the
    # broken pipe); a shell pipeline with `set -o pipefail` then failed for nothing.
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "from aigcwatch.cli import main; main()",
                             "export", kind, "--database-url", db_url, "--since", "2000-01-01"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()   # the reader is gone before the first row is written (as `head -0`)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "Error" not in err, err


def test_trend_buckets_cut_by_the_range_or_not_over_are_marked_partial_in_the_last_column(
        db_url, session, built, tmp_path):
    # Before: a --since on a Wednesday gave its ISO week five days of stories under the Monday's
    # label, like any whole week: a chart of the export showed a dip that was not there.
    monday = DAY - timedelta(days=DAY.weekday())
    since, until = monday - timedelta(days=5), monday + timedelta(days=8)   # a Wed .. the next Tue
    out = tmp_path / "trends.csv"
    run(db_url, "trends", "--by", "week", "--since", str(since), "--until", str(until), "--tz", TZ,
        "-o", str(out))
    df = pd.read_csv(out, encoding="utf-8-sig")
    assert list(df.columns) == ["bucket", "stories", "partial"]
    assert dict(zip(df["bucket"], df["partial"])) == {
        str(monday - timedelta(days=7)): True, str(monday): False, str(monday + timedelta(days=7)): True}
    meta = json.loads((tmp_path / "trends.method.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in meta["columns"]][-1] == "partial" and "partial" in meta
    # the bucket holding today is not over: partial however whole the range is
    from report import export as ex

    rng = ex.Range(DAY.replace(day=1), DAY.replace(day=31), TZ)
    noon = datetime.combine(DAY, time(12), ZoneInfo(TZ))
    assert [r["partial"] for r in ex.trend_rows(session, ItemFilter(), rng, bucket="month", group=(),
                                                now=noon)] == [True]
    assert [r["partial"] for r in ex.trend_rows(session, ItemFilter(), rng, bucket="month", group=(),
                                                now=noon + timedelta(days=30))] == [False]


def test_a_range_not_over_exports_no_story_dated_after_now(db_url, session, tmp_path):
    # Before: `export trends` counted today's whole local day and `export items` listed its
    # stories, a story a feed dated an hour ahead of now among them, while the dashboard's
    # drill-downs and spikes stopped at now.
    from readside_data import Corpus, midday_zone

    now, tz, today = midday_zone()
    c = Corpus()
    before = [c.add(now - timedelta(hours=h), "zh-news", models=("kling",)) for h in (1, 2)]
    ahead = c.add(now + timedelta(hours=1), "zh-news", models=("kling",), title="Dated an hour ahead of now")
    c.save(session)
    out = tmp_path / "trends.json"
    run(db_url, "trends", "--since", str(today), "--until", str(today), "--tz", tz, "--group", "model",
        "-o", str(out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["model"], r["stories"], r["partial"]) for r in doc["rows"]] == [("kling", 2, True)]
    assert doc["meta"]["range"]["as_of"] is not None
    out = tmp_path / "items.json"
    run(db_url, "items", "--since", str(today), "--until", str(today), "--tz", tz, "-o", str(out))
    titles = [r["title"] for r in json.loads(out.read_text(encoding="utf-8"))["rows"]]
    assert sorted(titles) == sorted(s.title for s in before) and ahead.title not in titles
    # a range that is over keeps every story and says no "as_of"
    out = tmp_path / "past.json"
    run(db_url, "trends", "--since", str(today - timedelta(days=3)), "--until", str(today - timedelta(days=1)),
        "--tz", tz, "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["meta"]["range"]["as_of"] is None


def test_an_open_range_ends_today_though_a_feed_dated_a_story_tomorrow(db_url, session):
    # Before: without --until the range ran to the last stored day, tomorrow's when a feed dated
    # a story ahead (ingest keeps dates up to two days ahead): a bucket of a day not begun.
    from datetime import timezone

    from readside_data import Corpus

    now = datetime.now(timezone.utc)
    offset = 23 - now.hour                        # a zone where it is about 23:00 now (UTC-12..+14)
    offset = offset - 24 if offset > 14 else offset
    tz = f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"
    today = now.astimezone(ZoneInfo(tz)).date()
    c = Corpus()
    c.add(now - timedelta(days=1), "en-news", models=("kling",))
    c.add(now - timedelta(minutes=30), "en-news", models=("kling",))
    ahead = c.add(now + timedelta(hours=2), "en-news", models=("kling",))
    c.save(session)
    assert ahead.at.astimezone(ZoneInfo(tz)).date() == today + timedelta(days=1)
    doc = json.loads(run(db_url, "trends", "--tz", tz, "--format", "json").output)
    assert [(r["bucket"], r["stories"]) for r in doc["rows"]] == [
        (str(today - timedelta(days=1)), 1), (str(today), 1)]
    assert q.facets(session)["last"] < now


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_dash_as_the_output_file_means_stdout_as_leaving_it_out_does(db_url, built, tmp_path,
                                                                     monkeypatch, fmt):
    # Before: `-o -` wrote a file named "-" in the working folder and nothing to stdout.
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    args = ["trends", "--since", str(DAY), "--until", str(DAY), "--tz", TZ, "--format", fmt]
    plain = run(db_url, *args)
    dash = run(db_url, *args, "-o", "-")
    if fmt == "csv":
        assert dash.stdout_bytes == plain.stdout_bytes and dash.stdout_bytes
        assert '"kind": "trends"' in dash.stderr          # the method, on stderr as without -o
    else:
        assert json.loads(dash.stdout)["rows"] == json.loads(plain.stdout)["rows"] != []
    assert "wrote" not in dash.stderr
    assert list(cwd.iterdir()) == []


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_dash_writes_a_binary_export_to_stdout_that_is_not_a_terminal(db_url, session, built,
                                                                      tmp_path, monkeypatch, fmt):
    import io

    monkeypatch.chdir(tmp_path)

    res = run(db_url, "items", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
              "--format", fmt, "-o", "-")
    total = q.count_items(session, window())
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(res.stdout_bytes), read_only=True)["data"]
        assert sum(1 for _ in sheet.iter_rows()) == total + 1
    else:
        assert pq.read_table(io.BytesIO(res.stdout_bytes)).num_rows == total > 0
    assert not (tmp_path / "-").exists()


def test_a_binary_export_is_not_written_to_a_terminal(db_url, built, tmp_path):
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-c", "from aigcwatch.cli import main; main()",
                               "export", "items", "--format", "parquet", "-o", "-",
                               "--database-url", db_url], stdout=follower, stderr=subprocess.PIPE,
                              cwd=tmp_path, timeout=120)
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 2
    lines = proc.stderr.decode().strip().splitlines()
    assert lines == ["error: --format parquet is binary: not written to a terminal (redirect "
                     "stdout to a file or a pipe, or give -o FILE)"]
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("typed", ["Kling", "KLING", "可灵", "kling,可靈"])
def test_a_model_given_in_any_case_or_by_another_name_filters_on_its_id(db_url, session, built,
                                                                        typed):
    # Before: `--model Kling` or `--model 可灵` warned "no stored story has it" and exported 0 rows.
    res = run(db_url, "items", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
              "--model", typed, "--theme", "JOBS,Creative-Industry", "--format", "json")
    doc = json.loads(res.stdout)
    flt = window().replace(model=("kling",), theme=("jobs", "creative_industry"))
    assert len(doc["rows"]) == q.count_items(session, flt) > 0
    assert doc["meta"]["filters"]["model"] == ["kling"]
    assert sorted(doc["meta"]["filters"]["theme"]) == ["creative_industry", "jobs"]
    assert "warning" not in res.stderr


def test_languages_tones_and_categories_are_read_in_any_case(db_url, session, built):
    # Before: --lang ZH was "unknown value 'ZH'", while the digest's --lang took it.
    res = run(db_url, "trends", "--since", str(WEEK[0]), "--until", str(WEEK[1]), "--tz", TZ,
              "--lang", "ZH", "--sentiment", "Positive", "--category", "News", "--format", "json")
    flt = window().replace(lang=("zh",), sentiment=("positive",), category=("news",))
    assert sum(r["stories"] for r in json.loads(res.stdout)["rows"]) == q.count_items(session, flt) > 0


def test_a_model_no_name_matches_is_one_warning_naming_the_known_ones(db_url, built):
    res = run(db_url, "trends", "--model", "Dalle", "--format", "json")
    warnings = [line for line in res.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: --model Dalle: no stored story has it (known: ")
    assert "kling" in warnings[0]


def test_the_count_of_rows_written_is_singular_for_one_row(db_url, built, tmp_path):
    # Before: "wrote 1 rows to ...".
    one = run(db_url, "trends", "--since", str(DAY), "--until", str(DAY), "--tz", TZ,
              "-o", str(tmp_path / "one.json"))
    assert f"wrote 1 row to {tmp_path / 'one.json'}" in one.stderr
    two = run(db_url, "trends", "--since", str(DAY - timedelta(days=1)), "--until", str(DAY),
              "--tz", TZ, "-o", str(tmp_path / "two.json"))
    assert f"wrote 2 rows to {tmp_path / 'two.json'}" in two.stderr


def test_xlsx_times_say_they_are_utc_in_every_cell_and_the_method_says_so_in_every_format(
        db_url, session, built, tmp_path):
    # Before: the xlsx `published_at` cell read "2025-03-10 07:00:00" (UTC: Excel stores no zone),
    # which a reader in Shanghai takes for local time, 8 hours off; only the method sheet said UTC.
    from report.formats import XLSX_TIME_FORMAT

    args = ["items", "--since", str(DAY), "--until", str(DAY), "--tz", TZ]
    for fmt in ("xlsx", "json"):
        run(db_url, *args, "-o", str(tmp_path / f"i.{fmt}"))
    doc = json.loads((tmp_path / "i.json").read_text(encoding="utf-8"))
    wb = openpyxl.load_workbook(tmp_path / "i.xlsx")
    ws = wb["data"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == [c.name for c in item_columns()]          # the column keeps its name in every format
    col = header.index("published_at")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    assert len(cells) == len(doc["rows"]) > 10
    for cell, row in zip(cells, doc["rows"]):
        utc = datetime.fromisoformat(row["published_at"].replace("Z", "+00:00"))
        assert cell.is_date and cell.value == utc.replace(tzinfo=None)   # still a date-time: sorts, computes
        assert cell.number_format == XLSX_TIME_FORMAT == 'yyyy-mm-dd hh:mm:ss "UTC"'
    method = dict(wb["method"].iter_rows(values_only=True))
    assert "published_at is UTC in every format" in method["times"] == doc["meta"]["times"]
    meaning = next(c["meaning"] for c in doc["meta"]["columns"] if c["name"] == "published_at")
    assert "'2025-10-22 07:20:00 UTC' (xlsx" in meaning and meaning in method["columns"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "json"])
@pytest.mark.parametrize("where", ["long-name", "proc"])
def test_an_output_file_that_cannot_be_created_is_one_line_naming_it(db_url, built, tmp_path, fmt, where):
    # Before: a traceback (OSError from a stat, open() or pyarrow) when the file cannot be made:
    # a name longer than the file system takes (failed checking it), or a folder that exists but
    # holds no new files (/proc, as a read-only mount: failed writing it, even as root).
    if where == "proc" and not Path("/proc/self").is_dir():
        pytest.skip("no /proc here")
    out = (tmp_path / ("x" * 300 + f".{fmt}")) if where == "long-name" else Path(f"/proc/aigcwatch-items.{fmt}")
    res = run(db_url, "items", "-o", str(out), ok=False)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: -o {out}: cannot write it ("), res.stderr
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("x")]      # no partial file left


@pytest.mark.parametrize("command", ["items", "trends"])
@pytest.mark.parametrize("option, value", [("--since", "2025-13-01"), ("--until", "10/03/2025"),
                                           ("--since", "2025-02-30")])
def test_a_day_that_is_not_a_date_is_one_line_naming_the_option(db_url, command, option, value):
    # Before: click's three-line usage error ("Usage: ... Try ... Error: Invalid value for
    # '--since': '2025-13-01' does not match the format '%Y-%m-%d'.").
    res = run(db_url, command, option, value, ok=False)
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [f"error: {option}: {value!r} is not a day (YYYY-MM-DD)"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "parquet"])
def test_a_disk_that_fills_part_way_is_one_line_naming_the_file_and_keeps_the_earlier_one(tmp_path, fmt):
    # Before: the OSError of a full disk came out as a traceback.
    import errno

    from aigcwatch.errors import InputError
    from report.commands import write_export

    columns, out, rows = _export_failing_after_one_row(
        tmp_path, fmt, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(InputError) as failed:
        write_export(fmt, str(out), columns, rows, {"kind": "items"}, expected=2)
    assert failed.value.one_line() == f"-o {out}: cannot write it (No space left on device)"
    assert out.read_bytes() == b"yesterday's export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_a_story_dated_by_its_fetch_time_is_marked_in_the_items_export(db_url, session, built, tmp_path):
    # Before: nothing in the export told a feed's undated backlog (dated when fetched) from news
    from tests.support.stories import add_story, local

    add_story(session, "en-news", local(DAY, 18), "Archive piece with no date", lang="en", undated=True)
    run(db_url, "items", "--since", str(DAY), "--until", str(DAY), "--tz", TZ, "-o", str(tmp_path / "i.csv"))
    df = pd.read_csv(tmp_path / "i.csv", encoding="utf-8-sig", keep_default_na=False)
    marked = dict(zip(df["title"], df["date_is_fallback"].astype(str)))
    assert marked.pop("Archive piece with no date") == "True"
    assert set(marked.values()) == {"False"}
