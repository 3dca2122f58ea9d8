"""Dated public events (launches, price changes, lawsuits, policy) drawn as markers on trend charts.

The events live in a TOML file: the shipped `aigcwatch/data/events.toml`, or the file named by
AIGCWATCH_EVENTS (or passed explicitly). Each `[[event]]` table has

    date  = 2025-05-20            # TOML date (or "YYYY-MM-DD"): the day it was announced
    model = "veo"                 # a model id of the tagger (ingest/tag/data/models.toml), or ""
                                  # for an event about the whole field (a law, a policy)
    kind  = "launch"              # launch | price | lawsuit | policy
    title = "Google unveils Veo 3 at I/O"
    link  = "https://..."         # optional; http(s) only

A bad file stops with one line naming the file, the entry and the field (ConfigError), like the
sources file. Pure apart from reading the file: no Streamlit here, so pages, the digest and tests
can all use it.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from aigcwatch.errors import ConfigError

KINDS = ("launch", "price", "lawsuit", "policy")
FIELDS = ("date", "model", "kind", "title", "link")
REQUIRED = ("date", "model", "kind", "title")
MAX_TITLE = 200


@dataclass(frozen=True, slots=True)
class Event:
    date: date
    model: str          # a model id, or "" for an event about the whole field
    kind: str           # launch | price | lawsuit | policy
    title: str
    link: str | None    # http(s) URL or None


def default_events_path() -> Path:
    return Path(str(resources.files("aigcwatch") / "data" / "events.toml"))


def events_path(explicit: str | os.PathLike | None = None) -> Path:
    """`explicit`, else AIGCWATCH_EVENTS, else the shipped file."""
    if explicit:
        return Path(explicit)
    from aigcwatch.config import setting

    env = setting("events")
    return Path(env).expanduser() if env else default_events_path()


def known_models() -> frozenset[str]:
    """Model ids the tagger knows (shipped lexicon plus AIGCWATCH_ALIASES)."""
    from ingest.tag.lexicon import model_table

    return frozenset(str(spec.get("id", key)) for key, spec in model_table().items())


def load_events(path: str | os.PathLike | None = None, *,
                models: Iterable[str] | None = None) -> list[Event]:
    """Read and validate an events file; events sorted by date, then model, then title.

    `models` is the set of valid model ids (default: the tagger's). Errors name the file, the entry
    (1-based, in file order) and the field.
    """
    from aigcwatch.config import read_toml

    p = events_path(path)
    fname = str(p)
    data = read_toml(p, "events")
    unknown = set(data) - {"event"}
    if unknown:
        raise ConfigError(f"unknown top-level key(s): {', '.join(sorted(unknown))} "
                          "(events are [[event]] tables)", file=fname)
    entries = data.get("event", [])
    if not isinstance(entries, list):
        raise ConfigError("'event' must be an array of tables ([[event]])", file=fname)
    valid = frozenset(models) if models is not None else known_models()
    out = [_event(entry, n, fname, valid) for n, entry in enumerate(entries, 1)]
    return sorted(out, key=lambda e: (e.date, e.model, e.title))


def _event(entry: object, n: int, fname: str, models: frozenset[str]) -> Event:
    def fail(field: str | None, msg: str) -> ConfigError:
        where = f"event {n}" + (f", field {field!r}" if field else "")
        return ConfigError(f"{where}: {msg}", file=fname)

    if not isinstance(entry, dict):
        raise fail(None, "must be a table")
    for key in entry:
        if key not in FIELDS:
            raise fail(key, f"unknown field (allowed: {', '.join(FIELDS)})")
    for key in REQUIRED:
        if key not in entry:
            raise fail(key, "missing required field")
    return Event(date=_date(entry["date"], fail), model=_model(entry["model"], models, fail),
                 kind=_kind(entry["kind"], fail), title=_title(entry["title"], fail),
                 link=_link(entry.get("link"), fail))


def _date(value: object, fail) -> date:
    if isinstance(value, datetime):
        raise fail("date", f"must be a date without a time, got {value.isoformat()!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail("date", f"must be a date such as 2025-05-20, got {value!r}")


def _model(value: object, models: frozenset[str], fail) -> str:
    if not isinstance(value, str):
        raise fail("model", f"must be a string, got {type(value).__name__} {value!r}")
    model = value.strip()
    if model and model not in models:
        raise fail("model", f"unknown model id {model!r} (known: {', '.join(sorted(models))}; "
                            "\"\" for an event about the whole field)")
    return model


def _kind(value: object, fail) -> str:
    if value not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}, got {value!r}")
    return value


def _title(value: object, fail) -> str:
    if not isinstance(value, str):
        raise fail("title", f"must be a string, got {type(value).__name__} {value!r}")
    title = " ".join(value.split())
    if not title:
        raise fail("title", "must not be empty")
    if len(title) > MAX_TITLE:
        raise fail("title", f"longer than {MAX_TITLE} characters")
    return title


def _link(value: object, fail) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise fail("link", f"must be a string, got {type(value).__name__} {value!r}")
    link = value.strip()
    if not link:
        return None
    try:
        parts = urlsplit(link)
    except ValueError as e:
        raise fail("link", f"not a URL: {link!r}") from e
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not link.isprintable() \
            or any(c.isspace() for c in link):
        raise fail("link", f"must be an http(s) URL, got {link!r}")
    return link


def events_between(events: Iterable[Event], start: date, end: date, *,
                   models: Iterable[str] = (), kinds: Iterable[str] = ()) -> list[Event]:
    """Events from `start` to `end` inclusive; with `models`, only those models' events and the
    field-wide ones (model ""); with `kinds`, only those kinds."""
    wanted_models, wanted_kinds = frozenset(models), frozenset(kinds)
    return [e for e in events
            if start <= e.date <= end
            and (not wanted_models or not e.model or e.model in wanted_models)
            and (not wanted_kinds or e.kind in wanted_kinds)]
