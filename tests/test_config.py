"""Sources file: the shipped list is valid and rich enough; bad files fail naming file, source, field."""
from __future__ import annotations

from collections import Counter

import pytest

from aigcwatch.config import SETTINGS, load_sources
from aigcwatch.errors import ConfigError


def write(tmp_path, text: str):
    p = tmp_path / "sources.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = """
[[source]]
id = "36kr"
name = "36氪"
url = "https://36kr.com/feed"
lang = "zh"
"""


def test_shipped_sources_cover_at_least_twelve_chinese_and_twelve_english():
    sources = load_sources()
    langs = Counter(s.lang for s in sources)
    assert langs["zh"] >= 12 and langs["en"] >= 12
    assert len({s.id for s in sources}) == len(sources)
    assert {"news", "social"} <= {s.category for s in sources}
    assert all(s.url.startswith("https://") for s in sources)


def test_rsshub_routes_follow_the_configured_base(monkeypatch):
    monkeypatch.setenv("AIGCWATCH_RSSHUB_BASE", "http://rsshub.internal:1200/")
    weibo = [s for s in load_sources() if "weibo" in s.id]
    assert weibo and all(s.url.startswith("http://rsshub.internal:1200/weibo/") for s in weibo)


def test_a_bad_rsshub_base_in_the_environment_names_the_variable_not_the_file(monkeypatch):
    monkeypatch.setenv("AIGCWATCH_RSSHUB_BASE", "rsshub.internal:1200")
    with pytest.raises(ConfigError) as e:
        load_sources()
    assert e.value.one_line() == "AIGCWATCH_RSSHUB_BASE: must be an http(s) URL, got 'rsshub.internal:1200'"


def test_a_path_with_spaces_is_a_valid_source_url(tmp_path):
    [src] = load_sources(write(tmp_path, '[[source]]\nid = "w"\nurl = "https://r.example/weibo/keyword/可灵 AI"\n'))
    assert src.url == "https://r.example/weibo/keyword/可灵 AI"


def test_names_and_urls_with_unicode_spaces_and_joiners_are_valid(tmp_path):
    """Only control characters are refused: an ideographic space (typed by Chinese input methods),
    a no-break space or an emoji's zero-width joiner is text."""
    body = ('[[source]]\nid = "a"\nname = "新华网\u3000科技"\nurl = "https://r.example/weibo/keyword/可灵\u3000AI"\n'
            '[[source]]\nid = "b"\nname = "\U0001F469\u200d\U0001F4BB Dev\u00a0news"\nurl = "https://b.example/feed"\n')
    a, b = load_sources(write(tmp_path, body))
    assert (a.name, a.url) == ("新华网\u3000科技", "https://r.example/weibo/keyword/可灵\u3000AI")
    assert b.name == "\U0001F469\u200d\U0001F4BB Dev\u00a0news"


def test_env_variable_selects_the_sources_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_SOURCES", str(write(tmp_path, GOOD)))
    [src] = load_sources()
    assert (src.id, src.name, src.timezone, src.topical, src.enabled) == ("36kr", "36氪", "Asia/Shanghai", False, True)


@pytest.mark.parametrize("body, field, words", [
    ('id = "x"\nurl = "ftp://x"', "url", "http(s)"),
    ('id = "x"\nurl = "https://x"\ntimezone = "Asia/Beijing"', "timezone", "unknown time zone"),
    ('id = "x"\nurl = "https://x"\ncategory = "blog"', "category", "news"),
    ('id = "x"\nurl = "https://x"\ntopical = "yes"', "topical", "must be bool"),
    ('id = "x"\nurl = "https://x"\nkind = "telegram"', "kind", "unsupported kind"),
    ('id = "x"\nurl = "https://x"\ncolour = "red"', "colour", "unknown field"),
    ('id = "x"', "url", "missing"),
    ('id = "x"\nurl = "http://"', "url", "with a host"),
    ('id = "x"\nurl = "http://exa mple.com/feed"', "url", "with a host"),
    ('id = "x"\nurl = "https://x"\nname = "a\\u0000b"', "name", "control characters"),
    ('id = "x"\nurl = "https://x"\nname = "a\\u007fb"', "name", "control characters"),
    ('id = "x"\nurl = "https://x/a\\u0000b"', "url", "with a host"),
])
def test_invalid_source_names_file_source_and_field(tmp_path, body, field, words):
    p = write(tmp_path, GOOD + "\n[[source]]\n" + body + "\n")
    with pytest.raises(ConfigError) as e:
        load_sources(p)
    msg = e.value.one_line()
    assert str(p) in msg and "'x'" in msg and f"field '{field}'" in msg and words in msg


def test_duplicate_ids_are_rejected(tmp_path):
    with pytest.raises(ConfigError, match="duplicate id"):
        load_sources(write(tmp_path, GOOD + GOOD))


def test_broken_toml_names_the_file_and_position(tmp_path):
    p = write(tmp_path, "[[source]\nid=1")
    with pytest.raises(ConfigError, match="invalid TOML") as e:
        load_sources(p)
    assert str(p) in str(e.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read sources file"):
        load_sources(tmp_path / "nope.toml")


def test_every_setting_has_help_and_an_env_variable():
    for s in SETTINGS:
        assert s.env.startswith("AIGCWATCH_") and len(s.help) > 10


def test_dashboard_time_zone_setting_defaults_to_shanghai_and_is_checked(monkeypatch):
    from aigcwatch.config import zone_setting

    monkeypatch.delenv("AIGCWATCH_TIMEZONE", raising=False)
    assert zone_setting("timezone") == "Asia/Shanghai"
    monkeypatch.setenv("AIGCWATCH_TIMEZONE", "Europe/Berlin")
    assert zone_setting("timezone") == "Europe/Berlin"
    monkeypatch.setenv("AIGCWATCH_TIMEZONE", "Asia/Beijing")
    with pytest.raises(ConfigError, match=r"AIGCWATCH_TIMEZONE: unknown time zone 'Asia/Beijing'"):
        zone_setting("timezone")


def test_api_kinds_get_social_defaults_and_polite_intervals(tmp_path):
    body = ('[[source]]\nid = "hn"\nkind = "hn"\n'
            'url = "https://hn.algolia.com/api/v1/search_by_date?query=sora&tags=story"\n\n'
            '[[source]]\nid = "r"\nkind = "reddit"\nurl = "https://www.reddit.com/r/aivideo/new.json"\n'
            'max_pages = 5\nmin_interval_s = 10\nfull_text = true\n')
    hn, r = load_sources(write(tmp_path, body))
    assert (hn.category, hn.max_pages, hn.min_interval_s, hn.full_text) == ("social", 3, 1.0, False)
    assert (r.max_pages, r.min_interval_s, r.full_text) == (5, 10.0, True)


def test_shipped_sources_include_each_social_kind():
    kinds = {s.kind for s in load_sources()}
    assert {"rss", "hn", "reddit", "mastodon", "bluesky"} <= kinds


@pytest.mark.parametrize("body, field, words", [
    ('id = "x"\nkind = "reddit"\nurl = "https://www.reddit.com/r/aivideo/new/"', "url", "JSON address"),
    ('id = "x"\nkind = "bluesky"\nurl = "https://api.example/xrpc/app.bsky.feed.searchPosts"', "url", "q="),
    ('id = "x"\nkind = "hn"\nurl = "https://hn.example/api/v1/search?query=a"\nmax_pages = 0', "max_pages",
     "between 1 and 100"),
    ('id = "x"\nurl = "https://x"\nmin_interval_s = -1', "min_interval_s", "between 0 and 3600"),
    ('id = "x"\nurl = "https://x"\nmin_interval_s = "2"', "min_interval_s", "must be a number"),
    ('id = "x"\nurl = "https://x"\nfull_text = 1', "full_text", "must be bool"),
])
def test_invalid_social_fields_name_the_field(tmp_path, body, field, words):
    p = write(tmp_path, GOOD + "\n[[source]]\n" + body + "\n")
    with pytest.raises(ConfigError) as e:
        load_sources(p)
    assert f"field '{field}'" in e.value.one_line() and words in e.value.one_line()


def test_a_table_piped_into_a_reader_that_stops_early_ends_quietly_with_success(tmp_path):
    # Before: rich's answer to the broken pipe was exit 1 (`aigcwatch settings | head -1`).
    import os
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "from aigcwatch.cli import main; main()", "settings"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "AIGCWATCH_HOME": str(tmp_path)})
    proc.stdout.close()   # the reader is gone before the table is written
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""


@pytest.mark.parametrize("body, message", [
    ('[[sources]]\nid = "x"\nurl = "https://x.example/feed"\n',
     "unknown top-level key(s): sources (a sources file holds rsshub_base and [[source]] tables)"),
    ('id = "x"\nurl = "https://x.example/feed"\n',
     "unknown top-level key(s): id, url (a sources file holds rsshub_base and [[source]] tables)"),
    ('rsshub_base = "https://r.example"\n', "no [[source]] tables found"),
])
def test_a_file_without_source_tables_says_what_a_sources_file_holds(tmp_path, body, message):
    # Before: "[[sources]]" (a plural typo) or fields without their [[source]] header read
    # "unknown top-level key(s): sources", with no word on what was expected instead.
    p = write(tmp_path, body)
    with pytest.raises(ConfigError) as e:
        load_sources(p)
    assert e.value.one_line() == f"{p}: {message}"
