"""The ingest and sources commands end to end: loopback feeds, a real SQLite file, exit codes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from aigcwatch.cli import main
from tests.support.scripted_server import Reply, scripted_server
from tests.test_pipeline import ZH_NEWS


def sources_file(tmp_path, srv, names):
    body = "".join(f'[[source]]\nid = "{n}"\nname = "{n}"\nurl = "{srv.url("/" + n + ".xml")}"\nlang = "zh"\n\n'
                   for n in names)
    p = tmp_path / "sources.toml"
    p.write_text(body, encoding="utf-8")
    return p


def test_ingest_prints_a_line_per_source_and_a_summary_then_adds_nothing_on_rerun(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("AIGCWATCH_TIMEOUT", "5")
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        srv.route("/gone.xml", Reply(404))
        p = sources_file(tmp_path, srv, ["good", "gone"])
        first = CliRunner().invoke(main, ["ingest", "--sources-file", str(p)])
        assert first.exit_code == 0, first.output
        assert "✓ good: 3 entries, 1 new" in first.output
        assert "✗ gone: http_status" in first.output and "404" in first.output
        assert "1 new, 0 updated, 0 duplicate, 1 irrelevant, 1 invalid, 1 source failed" in first.output
        second = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--source", "good", "--force"])
        assert second.exit_code == 0 and "0 new, 0 updated, 1 duplicate" in second.output


def test_ingest_exits_4_when_every_source_failed(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'b.db'}")
    with scripted_server() as srv:
        srv.route("/a.xml", Reply(403))
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(sources_file(tmp_path, srv, ["a"]))])
    assert result.exit_code == 4 and "blocked" in result.output


def test_unknown_source_id_is_a_config_error(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    with scripted_server() as srv:
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(sources_file(tmp_path, srv, ["a"])),
                                           "--source", "nope"])
    assert result.exit_code == 2 and "unknown source id: nope" in result.output


def test_sources_check_reports_what_works_without_storing(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        srv.route("/html.xml", Reply(200, body="<html><body>hello</body></html>", content_type="text/html"))
        result = CliRunner().invoke(main, ["sources", "check", "--sources-file",
                                           str(sources_file(tmp_path, srv, ["good", "html"]))])
    assert result.exit_code == 0, result.output
    assert "1 of 2 sources work" in result.output and "parse" in result.output
    assert not (tmp_path / "never.db").exists()


def test_sources_check_counts_a_feed_with_no_entries_as_working_as_ingest_does(tmp_path, monkeypatch):
    # Before: an empty feed (a news search with no hit today) was 'empty' and not working, and a
    # check of only such feeds exited 4, every source failed; ingest reads it as ok with a warning.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>search</title></channel></rss>'
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        srv.route("/search.xml", Reply(200, body=empty, content_type="application/rss+xml"))
        p = sources_file(tmp_path, srv, ["good", "search"])
        both = CliRunner().invoke(main, ["sources", "check", "--sources-file", str(p)])
        alone = CliRunner().invoke(main, ["sources", "check", "--sources-file", str(p), "--source", "search"])
    assert both.exit_code == 0 and "2 of 2 sources work" in both.output, both.output
    assert "feed has no entries" in both.output
    assert alone.exit_code == 0 and "1 of 1 source works" in alone.output, alone.output


def test_ingest_builds_rollups_for_the_default_zone_and_utc(tmp_path, monkeypatch):
    from db import rollups
    from db.engine import make_engine, session_factory

    url = f"sqlite:///{tmp_path / 'r.db'}"
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", url)
    monkeypatch.setenv("AIGCWATCH_TIMEZONE", "Europe/Berlin")
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(sources_file(tmp_path, srv, ["good"]))])
    assert result.exit_code == 0, result.output
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            assert rollups.zones(session) == ["Europe/Berlin", "UTC"]
            assert all(rollups.is_current(session, z) for z in ("Europe/Berlin", "UTC"))
    finally:
        engine.dispose()


def test_a_bad_dashboard_zone_stops_ingest_before_it_fetches(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'z.db'}")
    monkeypatch.setenv("AIGCWATCH_TIMEZONE", "Mars/Base")
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(sources_file(tmp_path, srv, ["good"]))])
        assert srv.all_requests() == []
    assert result.exit_code == 2 and "AIGCWATCH_TIMEZONE: unknown time zone 'Mars/Base'" in result.output


@pytest.mark.parametrize("variable, value", [("AIGCWATCH_TIMEOUT", "0"), ("AIGCWATCH_TIMEOUT", "-1"),
                                             ("AIGCWATCH_TIMEOUT", "nan"), ("AIGCWATCH_TIMEOUT", "inf"),
                                             ("AIGCWATCH_MAX_CONCURRENCY", "0")])
def test_a_timeout_or_concurrency_that_is_not_positive_stops_ingest_before_it_fetches(
        tmp_path, monkeypatch, variable, value):
    # Before, every source failed as `network` ("Timeout value out of range") and went into back-off.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv(variable, value)
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(sources_file(tmp_path, srv, ["good"]))])
        assert srv.all_requests() == []
    assert result.exit_code == 2, result.output
    assert f"{variable}: not a valid" in result.output and repr(value) in result.output


@pytest.mark.parametrize("variable, value, message", [
    ("AIGCWATCH_ALIASES", "{tmp}/missing.toml", "missing.toml: cannot read user alias file"),
    ("AIGCWATCH_ALIASES", "{tmp}/bad.toml", "bad.toml: [sora] must be a table"),
    ("AIGCWATCH_USER_AGENT", "监测/1.0", "AIGCWATCH_USER_AGENT: must be printable ASCII"),
    ("AIGCWATCH_USER_AGENT", "bot\nX-Injected: 1", "AIGCWATCH_USER_AGENT: must be printable ASCII"),
])
def test_a_bad_alias_file_or_user_agent_stops_ingest_before_it_fetches(tmp_path, monkeypatch, variable,
                                                                       value, message):
    # Before: a bad alias file made every item fail to tag, one by one (all "invalid", exit 0);
    # a non-ASCII User-Agent was a UnicodeEncodeError traceback, one with a newline failed every source.
    (tmp_path / "bad.toml").write_text("sora = 5\n", encoding="utf-8")
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'al.db'}")
    monkeypatch.setenv(variable, value.format(tmp=tmp_path))
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(sources_file(tmp_path, srv, ["good"]))])
        assert srv.all_requests() == []
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1



@pytest.mark.parametrize("body, message", [
    ('[kling]\naliases = "kling turbo"\n', '[kling] aliases: must be a list of strings'),
    ('[kling]\nwindow = "wide"\n', "[kling] window: must be a whole number"),
    ('[kling]\nneeds = "vidoe"\n', "[kling] needs: must be one of"),
    ('[zeta]\nalias = ["zeta motion"]\n', "[zeta] alias: unknown key"),
])
@pytest.mark.parametrize("command", ["tag", "retag"])
def test_an_alias_value_of_the_wrong_kind_stops_the_command_with_one_line(tmp_path, monkeypatch, body,
                                                                         message, command):
    # Before: the file loaded, then every item failed to tag with a TypeError or ValueError
    # (`tag`: one error line per input line; `retag`: a traceback after the first batch).
    (tmp_path / "aliases.toml").write_text(body, encoding="utf-8")
    monkeypatch.setenv("AIGCWATCH_ALIASES", str(tmp_path / "aliases.toml"))
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'al.db'}")
    lines = "".join(json.dumps({"id": i, "title": "Kling 2.1 video model", "text": "AI video."}) + "\n"
                    for i in range(3))
    result = CliRunner().invoke(main, [command, "--workers", "0"] if command == "retag" else [command],
                                input=lines)
    assert result.exit_code == 2, result.output
    assert message in result.output and "aliases.toml" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output

def test_error_text_with_square_brackets_is_shown_as_written(tmp_path, monkeypatch):
    # rich read "[[source]]" or "[sora]" in a message as markup and printed "[]" or nothing.
    p = tmp_path / "sources.toml"
    p.write_text('rsshub_base = "https://rsshub.example.org"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "list", "--sources-file", str(p)])
    assert result.exit_code == 2 and "no [[source]] tables found" in result.output
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'br.db'}")
    with scripted_server() as srv:
        srv.route("/hn/api/v1/search_by_date",
                  Reply(200, body='{"message": "[tags] must be story or comment"}',
                        content_type="application/json"))
        p.write_text(f'[[source]]\nid = "hn"\nkind = "hn"\nmin_interval_s = 0\n'
                     f'url = "{srv.url("/hn/api/v1/search_by_date?query=veo&tags=x")}"\n', encoding="utf-8")
        result = CliRunner().invoke(main, ["ingest", "--sources-file", str(p)])
    assert result.exit_code == 4
    assert result.output.count("[tags] must be story or comment") == 2     # its line and the table


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_tag_names_an_input_file_it_cannot_read_in_one_line(tmp_path, kind):
    # Before: click's three-line usage error ("Usage: ... Try ... Error: Invalid value for
    # '--input': ...") where every other bad input is one line naming the file (exit 2).
    path = tmp_path / "missing.jsonl" if kind == "missing" else tmp_path
    result = CliRunner().invoke(main, ["tag", "--input", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: cannot read input file ("), result.output
    assert "Usage:" not in result.output


@pytest.mark.parametrize("given", ["option", "variable"])
def test_a_sources_folder_is_one_line_naming_how_it_was_given(tmp_path, monkeypatch, given):
    # Before: click's three-line usage error naming --sources, even when AIGCWATCH_SOURCES named it.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'src.db'}")
    if given == "variable":
        monkeypatch.setenv("AIGCWATCH_SOURCES", str(tmp_path))
    args = ["ingest"] + (["--sources-file", str(tmp_path)] if given == "option" else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path}: cannot read sources file"), result.output


def _problem_cells(output: str) -> str:
    """The text of the tables' last column (problem), its wrapped lines joined."""
    return " ".join(ln.split("│")[-2].strip() for ln in output.splitlines() if ln.count("│") >= 3)


def test_the_tables_show_a_sources_whole_problem_with_its_hint(tmp_path, monkeypatch):
    # Before: cut at 100 (check) and 90 (the ingest table, all that --quiet prints) characters, so
    # the hint that says what to do ("is the url the site's page rather than its feed?") was lost.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'd.db'}")
    hint = "an HTML page, not an RSS or Atom feed (is the url the site's page rather than its feed?)"
    with scripted_server() as srv:
        srv.route("/site.xml", Reply(200, body="<html><body>hello</body></html>", content_type="text/html"))
        p = sources_file(tmp_path, srv, ["site"])
        check = CliRunner().invoke(main, ["sources", "check", "--sources-file", str(p)])
        run = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--quiet", "--workers", "0"])
    assert check.exit_code == 4 and hint in _problem_cells(check.output), check.output
    assert run.exit_code == 4 and hint in _problem_cells(run.output), run.output


def test_the_summary_line_counts_the_sources_still_backing_off(tmp_path, monkeypatch):
    # Before: "run 2: ok — ... 0 source(s) failed" while the broken source was not even asked.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'e.db'}")
    with scripted_server() as srv:
        srv.route("/good.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        p = sources_file(tmp_path, srv, ["good", "gone"])
        first = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--workers", "0"])
        second = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--workers", "0"])
    assert first.exit_code == 0 and "1 source failed" in first.output and "backing off" not in \
        first.output.splitlines()[-1], first.output
    assert second.exit_code == 0 and "0 sources failed, 1 backing off" in second.output, second.output


@pytest.mark.parametrize("command", [["ingest"], ["sources", "check"]])
def test_a_run_with_no_source_enabled_says_so_and_exits_2(tmp_path, monkeypatch, command):
    # Before: an empty run reported "ok ... 0 source(s) failed" (ingest recorded it), and
    # `sources check` "0 of 0 sources work", both with exit 0: a cron job saw nothing wrong.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    with scripted_server() as srv:
        p = sources_file(tmp_path, srv, ["good", "other"])
        p.write_text(p.read_text(encoding="utf-8").replace('lang = "zh"\n', 'lang = "zh"\nenabled = false\n'),
                     encoding="utf-8")
        result = CliRunner().invoke(main, [*command, "--sources-file", str(p)])
        listed = CliRunner().invoke(main, ["sources", "list", "--sources-file", str(p)])
        alone = CliRunner().invoke(main, ["sources", "check", "--sources-file", str(p), "--source", "good"])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: {p}: no source is enabled: set enabled = true on one (`aigcwatch sources list "
        f"--sources-file {p}` "
        "shows them), or name one with --source ID")
    assert not (tmp_path / "never.db").exists()
    assert "2 sources, 0 enabled" in listed.output
    assert alone.exit_code == 4 and "0 of 1 source works" in alone.output   # named: it is asked


@pytest.mark.parametrize("command", [["ingest"], ["sources", "check"]])
def test_a_misspelt_source_id_names_the_file_the_near_id_and_how_to_list_that_file(tmp_path, monkeypatch, command):
    # Before: "error: unknown source id: mytset (see `aigcwatch sources list`)": no file, no guess,
    # and that command lists the shipped sources, not the file given with --sources.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    with scripted_server() as srv:
        p = sources_file(tmp_path, srv, ["mytest", "other"])
        result = CliRunner().invoke(main, [*command, "--sources-file", str(p), "--source", "mytset"])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == (
        f"error: {p}: unknown source id: mytset (did you mean mytest? "
        f"`aigcwatch sources list --sources-file {p}` lists them)"), result.output
    assert not (tmp_path / "never.db").exists()


def test_an_unknown_id_in_the_shipped_list_points_at_the_plain_list_command(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.delenv("AIGCWATCH_SOURCES", raising=False)
    result = CliRunner().invoke(main, ["sources", "check", "--source", "zzzz"])
    assert result.exit_code == 2, result.output
    assert result.output.strip().endswith(": unknown source id: zzzz (`aigcwatch sources list` lists them)"), \
        result.output


def test_a_run_where_sources_are_backing_off_says_how_to_fetch_them_now(tmp_path, monkeypatch):
    # Before: "- a: skipped (backing off until ...)" and "... 1 backing off", exit 0: a user who had
    # just fixed the feed was not told that --force asks it again now.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'f.db'}")
    with scripted_server() as srv:
        p = sources_file(tmp_path, srv, ["a"])
        srv.route("/a.xml", Reply(503))
        first = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--workers", "0"])
        srv.route("/a.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        second = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--workers", "0"])
        third = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--workers", "0", "--force"])
    assert first.exit_code == 4, first.output
    # Before: the second run, which asked no source at all, was "run 2: ok" with exit 0, so a cron
    # job's monitor turned green while nothing was collected.
    assert second.exit_code == 4, second.output
    summary_line, last = second.output.rstrip().splitlines()[-2:]
    assert summary_line.startswith("run 2: skipped — ") and \
        summary_line.endswith("0 sources failed, 1 backing off (--force fetches it now)"), second.output
    assert last == "nothing was fetched: every source is backing off after failing"
    assert third.exit_code == 0 and "✓ a: 3 entries, 1 new" in third.output, third.output
    assert "--force" not in third.output.splitlines()[-1]


def _rss(title: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>'
            '<link>http://example.org/</link><description>d</description>'
            f'<item><title>{title}</title><link>http://example.org/a1</link><guid>a1</guid>'
            '<pubDate>Mon, 06 Oct 2025 08:00:00 +0000</pubDate>'
            '<description>快手发布可灵2.0视频生成模型，生成视频最长两分钟，画面物理效果明显改善。</description></item>'
            '</channel></rss>')


def test_the_summary_table_counts_edited_items_as_the_summary_line_does(tmp_path, monkeypatch):
    # Before: the line said "1 updated" but the table, all a --quiet run's log has per source, had
    # no column for it: the edited source's row read 0 new, 0 dup, as if nothing had arrived.
    monkeypatch.setenv("AIGCWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'u.db'}")
    with scripted_server() as srv:
        p = sources_file(tmp_path, srv, ["a"])
        srv.route("/a.xml", Reply(200, body=_rss("可灵2.0发布"), content_type="application/rss+xml"))
        first = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--quiet", "--workers", "0"])
        srv.route("/a.xml", Reply(200, body=_rss("可灵2.0正式发布：最长两分钟"), content_type="application/rss+xml"))
        second = CliRunner().invoke(main, ["ingest", "--sources-file", str(p), "--quiet", "--workers", "0"])
    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    assert "0 new, 1 updated" in second.output, second.output
    header = next(ln for ln in second.output.splitlines() if "source" in ln and "┃" in ln)
    row = next(ln for ln in second.output.splitlines() if ln.startswith("│ a "))
    cells = dict(zip([c.strip() for c in header.split("┃")[1:-1]], [c.strip() for c in row.split("│")[1:-1]]))
    assert (cells.get("new"), cells.get("upd"), cells.get("dup")) == ("0", "1", "0"), second.output


def test_sources_list_shows_a_long_url_whole_in_a_log(tmp_path):
    # Before: piped or logged (160 columns), the url column was cut with "…": a user checking
    # which address a source reads could not see it.
    url = "https://rsshub.example.org/weibo/keyword/" + "可灵AI视频生成模型" * 6 + "?limit=50&filter_time=1"
    p = tmp_path / "sources.toml"
    p.write_text(f'[[source]]\nid = "weibo-kling"\nname = "微博搜索：可灵"\nurl = "{url}"\nlang = "zh"\n',
                 encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "list", "--sources-file", str(p)])
    assert result.exit_code == 0, result.output
    cells = "".join(ln.split("│")[-2].strip() for ln in result.output.splitlines() if ln.count("│") >= 3)
    assert "…" not in result.output and cells == url, result.output
