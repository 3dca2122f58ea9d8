"""The events file: the shipped list loads, AIGCWATCH_EVENTS overrides it, bad files name the entry and
field, and only http(s) links get through."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aigcwatch.errors import ConfigError
from dashboard.events import KINDS, Event, default_events_path, events_between, known_models, load_events

MODELS = frozenset({"sora", "veo", "kling"})
GOOD = '''
[[event]]
date = 2025-05-20
model = "veo"
kind = "launch"
title = "Veo 3 at I/O"
link = "https://example.org/veo-3"

[[event]]
date = "2024-02-15"
model = "sora"
kind = "launch"
title = "  Sora   preview  "

[[event]]
date = 2025-09-01
model = ""
kind = "policy"
title = "Labelling measures take effect"
link = "HTTP://example.org/x"
'''


def _write(tmp_path: Path, text: str, name: str = "events.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_shipped_events_are_valid_real_dated_and_cover_the_main_models():
    events = load_events(default_events_path())
    assert len(events) >= 25
    assert events == sorted(events, key=lambda e: (e.date, e.model, e.title))
    assert {e.kind for e in events} == set(KINDS)
    assert {"sora", "veo", "kling", "runway", "hailuo", "jimeng", "vidu", "wan"} <= {e.model for e in events}
    assert all(e.link is None or e.link.startswith("https://") for e in events)
    assert all(date(2023, 1, 1) <= e.date <= date(2025, 12, 31) for e in events)
    # a few anchors the charts rely on (announcement days)
    days = {(e.model, e.kind, e.date) for e in events}
    assert ("sora", "launch", date(2024, 2, 15)) in days
    assert ("sora", "launch", date(2025, 9, 30)) in days
    assert ("veo", "launch", date(2025, 5, 20)) in days
    assert ("", "policy", date(2025, 9, 1)) in days
    # the demo window (2025-05-01 .. 2025-10-31) has markers to draw
    assert len(events_between(events, date(2025, 5, 1), date(2025, 10, 31))) >= 8


def test_every_model_of_the_shipped_file_is_known_to_the_tagger():
    known = known_models()
    assert {e.model for e in load_events()} - {""} <= known


def test_loads_sorted_with_dates_strings_and_whitespace_normalised(tmp_path):
    events = load_events(_write(tmp_path, GOOD), models=MODELS)
    assert events == [
        Event(date(2024, 2, 15), "sora", "launch", "Sora preview", None),
        Event(date(2025, 5, 20), "veo", "launch", "Veo 3 at I/O", "https://example.org/veo-3"),
        Event(date(2025, 9, 1), "", "policy", "Labelling measures take effect", "HTTP://example.org/x"),
    ]
    with pytest.raises(AttributeError):
        events[0].title = "changed"    # frozen


def test_environment_variable_overrides_the_shipped_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_EVENTS", str(_write(tmp_path, GOOD)))
    assert [e.title for e in load_events(models=MODELS)][0] == "Sora preview"
    monkeypatch.setenv("AIGCWATCH_EVENTS", "")
    assert len(load_events()) == len(load_events(default_events_path()))


def test_an_empty_file_means_no_markers(tmp_path):
    assert load_events(_write(tmp_path, "# none yet\n"), models=MODELS) == []


@pytest.mark.parametrize("link", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                  "ftp://example.org/x", "//example.org/x", "https://", "/relative/path",
                                  "https://exa mple.org/", "vbscript:msgbox(1)"])
def test_links_other_than_http_urls_are_rejected_naming_entry_and_field(tmp_path, link):
    text = GOOD + f'\n[[event]]\ndate = 2025-01-01\nmodel = "kling"\nkind = "price"\ntitle = "x"\nlink = "{link}"\n'
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_events(p, models=MODELS)
    message = exc.value.one_line()
    assert message.startswith(f"{p}: event 4, field 'link': must be an http(s) URL")
    assert exc.value.exit_code == 2


@pytest.mark.parametrize("entry, field, words", [
    ('date = 2025-13-01', None, "invalid TOML"),
    ('date = "next week"', "date", "must be a date"),
    ('date = 2025-05-20T10:00:00', "date", "without a time"),
    ('date = 20250520', "date", "must be a date"),
    ('model = "Sora"', "model", "unknown model id 'Sora'"),
    ('model = 3', "model", "must be a string"),
    ('kind = "release"', "kind", "must be one of launch, price, lawsuit, policy"),
    ('title = ""', "title", "must not be empty"),
    ('title = "' + "x" * 201 + '"', "title", "longer than 200"),
    ('colour = "red"', "colour", "unknown field"),
])
def test_bad_entries_name_file_entry_and_field(tmp_path, entry, field, words):
    base = {"date": "date = 2025-05-20", "model": 'model = "veo"', "kind": 'kind = "launch"',
            "title": 'title = "Veo 3"'}
    key = entry.split(" = ")[0]
    base[key] = entry
    p = _write(tmp_path, GOOD + "\n[[event]]\n" + "\n".join(base.values()) + "\n")
    with pytest.raises(ConfigError) as exc:
        load_events(p, models=MODELS)
    message = exc.value.one_line()
    assert message.startswith(str(p)) and words in message
    if field:
        assert f"event 4, field '{field}'" in message


def test_missing_field_and_file_level_errors(tmp_path):
    p = _write(tmp_path, '[[event]]\ndate = 2025-05-20\nmodel = "veo"\nkind = "launch"\n')
    with pytest.raises(ConfigError, match=r"event 1, field 'title': missing required field"):
        load_events(p, models=MODELS)
    with pytest.raises(ConfigError, match=r"unknown top-level key\(s\): events"):
        load_events(_write(tmp_path, '[[events]]\ndate = 2025-05-20\n', "b.toml"), models=MODELS)
    with pytest.raises(ConfigError, match="cannot read events file"):
        load_events(tmp_path / "missing.toml", models=MODELS)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('title = "caf\xe9"'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_events(bad, models=MODELS)


def test_events_between_filters_by_days_models_and_kinds(tmp_path):
    events = load_events(_write(tmp_path, GOOD), models=MODELS)
    assert [e.model for e in events_between(events, date(2025, 5, 20), date(2025, 9, 1))] == ["veo", ""]
    assert [e.model for e in events_between(events, date(2024, 1, 1), date(2025, 12, 31), models=["sora"])] \
        == ["sora", ""]   # field-wide events stay with any model filter
    assert [e.kind for e in events_between(events, date(2024, 1, 1), date(2025, 12, 31), kinds=["policy"])] \
        == ["policy"]
    assert events_between(events, date(2025, 9, 2), date(2025, 12, 31)) == []
