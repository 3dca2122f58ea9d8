"""Settings (declared as a table of name, env variable, default, help) and the sources file.

Library code receives plain values; only the CLI reads the environment, through `setting()`.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aigcwatch.errors import ConfigError
from ingest.types import Source


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    env: str
    default: str | None
    help: str
    secret: bool = False    # never printed: `aigcwatch settings` shows it masked


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", "AIGCWATCH_DATABASE_URL", None,
            "SQLAlchemy URL of the database. Default: a SQLite file in the data directory."),
    Setting("home", "AIGCWATCH_HOME", None,
            "Data directory (SQLite file, demo files). Default: $XDG_DATA_HOME/aigcwatch "
            "or ~/.local/share/aigcwatch."),
    Setting("sources", "AIGCWATCH_SOURCES", None,
            "Sources TOML file. Default: the list shipped with aigcwatch."),
    Setting("rsshub_base", "AIGCWATCH_RSSHUB_BASE", None,
            "Base URL of the RSSHub instance used by {rsshub} source URLs "
            "(overrides rsshub_base in the sources file)."),
    Setting("aliases", "AIGCWATCH_ALIASES", None,
            "Extra model aliases (TOML, same shape as the shipped models.toml), merged into the tagger."),
    Setting("max_concurrency", "AIGCWATCH_MAX_CONCURRENCY", "8", "Sources fetched at once."),
    Setting("timeout", "AIGCWATCH_TIMEOUT", "20", "Per-request timeout in seconds."),
    Setting("user_agent", "AIGCWATCH_USER_AGENT", None, "User-Agent header (default names aigcwatch)."),
    Setting("workers", "AIGCWATCH_WORKERS", "auto",
            "Processes that parse, tag and sign fetched items while the main one stores "
            "(auto: as many as the CPUs, one fewer with --no-tag, at most 4; 0: all in one process)."),
    # Dashboard (dashboard/).
    Setting("timezone", "AIGCWATCH_TIMEZONE", "Asia/Shanghai",
            "Default time zone of day/week/month buckets (dashboard, exports), of digest days and "
            "of the scheduled digest time (the sidebar and --tz can pick another)."),
    Setting("events", "AIGCWATCH_EVENTS", None,
            "Dashboard: events TOML file (launches, price changes, lawsuits, policy) drawn on trend "
            "charts. Default: the list shipped with aigcwatch."),
    # Digest delivery and the scheduler (report/, aigcwatch/schedule.py).
    Setting("smtp_host", "AIGCWATCH_SMTP_HOST", None, "SMTP server that sends the digest."),
    Setting("smtp_port", "AIGCWATCH_SMTP_PORT", None,
            "SMTP port. Default: 587 for starttls, 465 for ssl, 25 for none."),
    Setting("smtp_user", "AIGCWATCH_SMTP_USER", None, "SMTP login (none: no AUTH)."),
    Setting("smtp_password", "AIGCWATCH_SMTP_PASSWORD", None,
            "SMTP password (never printed or logged).", secret=True),
    Setting("smtp_security", "AIGCWATCH_SMTP_SECURITY", "starttls",
            "starttls | ssl | none (none only for a relay on a trusted network)."),
    Setting("smtp_cafile", "AIGCWATCH_SMTP_CAFILE", None,
            "PEM file of CA certificates to trust for the SMTP server (default: the system's)."),
    Setting("digest_from", "AIGCWATCH_DIGEST_FROM", None, "From address of the digest email."),
    Setting("digest_to", "AIGCWATCH_DIGEST_TO", None, "Digest recipients, comma-separated."),
    Setting("alert_to", "AIGCWATCH_ALERT_TO", None,
            "Spike alert recipients (`aigcwatch alerts`), comma-separated (unset: AIGCWATCH_DIGEST_TO)."),
    Setting("webhooks", "AIGCWATCH_WEBHOOKS", None,
            "TOML file of chat webhooks (Slack, Feishu/Lark, DingTalk, WeCom, generic JSON) "
            "that receive the short digest; secrets come from environment variables it names."),
    Setting("ingest_every", "AIGCWATCH_INGEST_EVERY", "30m",
            "`aigcwatch schedule`: ingest interval (e.g. 30m, 2h, 90s; a bare number is minutes); off: no ingest."),
    Setting("digest_at", "AIGCWATCH_DIGEST_AT", "08:30",
            "`aigcwatch schedule`: local time (HH:MM in AIGCWATCH_TIMEZONE) of the daily digest; "
            "'off' disables it."),
    Setting("digest_period", "AIGCWATCH_DIGEST_PERIOD", "day",
            "`aigcwatch schedule`: day (yesterday, every day) or week (the last 7 days, on Mondays)."),
    Setting("digest_lang", "AIGCWATCH_DIGEST_LANG", "both", "Digest sections: zh, en or both."),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> str | None:
    s = _BY_NAME[name]
    value = os.environ.get(s.env)
    return value if value not in (None, "") else s.default


def derived_default(name: str) -> str | None:
    """What a setting without a fixed default stands for when its variable is unset: the database
    file, the data directory, the shipped sources and events files (None for the others). Pure:
    nothing is created."""
    if name == "database_url":
        from db.engine import default_db_path

        return f"sqlite:///{default_db_path()}"
    if name == "home":
        from db.engine import default_home

        return str(default_home())
    if name in ("sources", "events"):
        return str(default_sources_path().with_name(f"{name}.toml"))
    return None


def fetch_settings(get: Callable[[str], str | None] = setting):
    """The ingest's FetchSettings from the settings (`get`: name -> value, default `setting`).
    ConfigError names the variable of a value that is not a number."""
    from ingest.fetch import FetchSettings
    from ingest.offload import parse_workers

    def number(name: str, parse: Callable[[str], int | float], default: str, expected: str = ""):
        value = get(name) or default
        try:
            return parse(value)
        except ValueError:
            raise ConfigError(f"{_BY_NAME[name].env}: not a valid {name} value: {value!r}"
                              + (f" ({expected})" if expected else "")) from None

    def positive(text: str, parse: Callable[[str], int | float]):
        # 0, a negative number, nan or inf is no timeout or concurrency: every request would fail
        # later with a foreign library's message, and every source would be put into back-off.
        value = parse(text)
        if not (0 < value < 1e9):
            raise ValueError(text)
        return value

    kw = dict(max_concurrency=number("max_concurrency", lambda v: positive(v, int), "8",
                                     "a whole number >= 1"),
              timeout_s=number("timeout", lambda v: positive(v, float), "20", "seconds, a number > 0"),
              workers=number("workers", parse_workers, "auto"))
    agent = get("user_agent")
    if agent:
        if not (agent.isascii() and agent.isprintable()):   # an HTTP header value
            raise ConfigError(f"{_BY_NAME['user_agent'].env}: must be printable ASCII "
                              f"(an HTTP header), got {agent!r}")
        kw["user_agent"] = agent
    return FetchSettings(**kw)


def check_aliases() -> None:
    """Load the tagger's model table now, so a missing or broken AIGCWATCH_ALIASES file stops a
    command at start with one ConfigError (else every item tagged fails with it, one by one)."""
    from ingest.tag.lexicon import model_table

    model_table()


def zone_setting(name: str) -> str:
    """A time-zone setting's value, checked against the IANA database (ConfigError names the variable)."""
    value = setting(name) or "UTC"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ConfigError(f"{_BY_NAME[name].env}: unknown time zone {value!r} "
                          "(an IANA name such as Asia/Shanghai or UTC)") from e
    return value


KINDS = frozenset({"rss"})


API_KINDS = ("hn", "reddit", "mastodon", "bluesky")
KINDS = frozenset({"rss", *API_KINDS})
DEFAULT_MAX_PAGES = 3
CATEGORIES = frozenset({"news", "social"})
LANGS = frozenset({"zh", "en", "und"})
DEFAULT_RSSHUB = "https://rsshub.app"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# control characters (C0, DEL, C1): no text. Not str.isprintable, which also refuses the
# ideographic space of Chinese input methods, the no-break space and an emoji's zero-width joiner.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f]")

_FIELDS: dict[str, tuple[type, bool]] = {   # field -> (type, required)
    "id": (str, True),
    "name": (str, False),
    "kind": (str, False),
    "url": (str, True),
    "lang": (str, False),
    "category": (str, False),
    "topical": (bool, False),
    "timezone": (str, False),
    "enabled": (bool, False),
    "stale_days": (int, False),
    "full_text": (bool, False),
    "max_pages": (int, False),
    "min_interval_s": (float, False),
}


def default_sources_path() -> Path:
    return Path(str(resources.files("aigcwatch") / "data" / "sources.toml"))


def sources_path(explicit: str | os.PathLike | None = None) -> Path:
    if explicit:
        return Path(explicit)
    env = setting("sources")
    return Path(env) if env else default_sources_path()


def read_toml(path: Path, what: str) -> dict:
    """A TOML file's table; ConfigError naming the file when it cannot be read, is not UTF-8 or is
    not TOML (`what` names the kind of file in the message)."""
    fname = str(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"cannot read {what} file ({e.strerror or e})", file=fname) from e
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"not UTF-8 ({e.reason} at byte {e.start})", file=fname) from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"invalid TOML: {e}", file=fname) from e


def load_sources(path: str | os.PathLike | None = None, *, rsshub_base: str | None = None) -> list[Source]:
    """Read and validate a sources TOML file. Errors name the file, the source and the field."""
    p = sources_path(path)
    fname = str(p)
    data = read_toml(p, "sources")
    base = rsshub_base or setting("rsshub_base")
    if base:             # the environment's value is checked as itself, not as the file's field
        if not _web_url(base):
            raise ConfigError(f"{_BY_NAME['rsshub_base'].env}: must be an http(s) URL, got {base!r}")
    else:
        base = data.get("rsshub_base") or DEFAULT_RSSHUB
        if not isinstance(base, str) or not _web_url(base):
            raise ConfigError("must be an http(s) URL", file=fname, field="rsshub_base")
    unknown_top = set(data) - {"source", "rsshub_base"}
    if unknown_top:
        raise ConfigError(f"unknown top-level key(s): {', '.join(sorted(unknown_top))} "
                          "(a sources file holds rsshub_base and [[source]] tables)", file=fname)
    entries = data.get("source", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError("no [[source]] tables found", file=fname)
    seen: set[str] = set()
    out: list[Source] = []
    for n, entry in enumerate(entries, 1):
        out.append(_source_from_table(entry, n, fname, base.rstrip("/"), seen))
    return out


def list_command(path: str | os.PathLike | None = None) -> str:
    """The command that lists this sources file: `aigcwatch sources list`, with `--sources-file FILE`
    unless the file is the shipped list (the plain command would list that one instead)."""
    p = sources_path(path)
    return "`aigcwatch sources list`" if p == default_sources_path() else f"`aigcwatch sources list --sources-file {p}`"


def check_unknown_ids(sources: list[Source], ids, path: str | os.PathLike | None = None) -> None:
    """Every id in `ids` names a source of the file; else one line naming the file, the unknown
    ids, the nearest known id of a misspelt one, and the command that lists the file's sources."""
    import difflib

    known = [s.id for s in sources]
    unknown = [i for i in ids if i not in known]
    if not unknown:
        return
    near = [m for i in unknown for m in difflib.get_close_matches(i, known, n=1, cutoff=0.6)]
    guess = f"did you mean {', '.join(dict.fromkeys(near))}? " if near else ""
    raise ConfigError(f"unknown source id{'s' if len(unknown) != 1 else ''}: {', '.join(unknown)} "
                      f"({guess}{list_command(path)} lists them)", file=str(sources_path(path)))


def check_enabled(sources: list[Source], path: str | os.PathLike | None = None, *,
                  hint: str = "or name one with --source ID") -> None:
    """A run over these sources has something to do: one of them is enabled. Else one line that
    says how to enable one (a run of none reported an empty "ok" and exited 0)."""
    if not any(s.enabled for s in sources):
        raise ConfigError(f"no source is enabled: set enabled = true on one ({list_command(path)} "
                          f"shows them), {hint}", file=str(sources_path(path)))


def _web_url(url: str) -> bool:
    """An http(s) URL with a host ("http://" or "http://exa mple.com" would only fail at every
    fetch, as a network error, and put the source into back-off) and no control character."""
    if not url.startswith(("http://", "https://")) or _CONTROL_RE.search(url):
        return False
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and not any(c.isspace() for c in host)


def _source_from_table(entry: dict, n: int, fname: str, rsshub: str, seen: set[str]) -> Source:
    sid = entry.get("id") if isinstance(entry.get("id"), str) else f"#{n}"

    def fail(field: str, msg: str) -> ConfigError:
        return ConfigError(msg, file=fname, source=sid, field=field)

    for key in entry:
        if key not in _FIELDS:
            raise fail(key, f"unknown field (allowed: {', '.join(_FIELDS)})")
    for key, (typ, required) in _FIELDS.items():
        if key not in entry:
            if required:
                raise fail(key, "missing required field")
            continue
        value = entry[key]
        ok_types = (int, float) if typ is float else typ
        if (typ in (int, float) and isinstance(value, bool)) or not isinstance(value, ok_types):
            what = "a number" if typ is float else typ.__name__
            raise fail(key, f"must be {what}, got {type(value).__name__} {value!r}")
    if not _ID_RE.match(entry["id"]):
        raise fail("id", "must be 1-64 chars of a-z, 0-9, '_', '.', '-', starting with a letter or digit")
    if entry["id"] in seen:
        raise fail("id", "duplicate id")
    seen.add(entry["id"])
    kind = entry.get("kind", "rss")
    if kind not in KINDS:
        raise fail("kind", f"unsupported kind {kind!r} (supported: {', '.join(sorted(KINDS))})")
    url = entry["url"].replace("{rsshub}", rsshub).strip()
    if not _web_url(url):
        raise fail("url", f"must be an http(s) URL with a host, got {entry['url']!r}")
    conn = None
    if kind != "rss":
        from ingest.connectors import connector

        conn = connector(kind)
        problem = conn.url_problem(url)
        if problem:
            raise fail("url", problem)
    if _CONTROL_RE.search(entry.get("name", "")):     # "\u0000" in TOML: PostgreSQL refuses NUL
        raise fail("name", "must not contain control characters")
    lang = entry.get("lang", "und")
    if lang not in LANGS:
        raise fail("lang", f"must be one of {', '.join(sorted(LANGS))}")
    category = entry.get("category", "news" if kind == "rss" else "social")
    if category not in CATEGORIES:
        raise fail("category", f"must be one of {', '.join(sorted(CATEGORIES))}")
    tz = entry.get("timezone", "Asia/Shanghai" if lang == "zh" else "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise fail("timezone", f"unknown time zone {tz!r}") from e
    stale = entry.get("stale_days", 14)
    if stale < 1:
        raise fail("stale_days", "must be >= 1")
    max_pages = entry.get("max_pages", DEFAULT_MAX_PAGES)
    if not 1 <= max_pages <= 100:
        raise fail("max_pages", "must be between 1 and 100")
    interval = float(entry.get("min_interval_s", conn.DEFAULT_INTERVAL_S if conn else 0.0))
    if not 0 <= interval <= 3600:
        raise fail("min_interval_s", "must be between 0 and 3600 seconds")
    return Source(
        id=entry["id"], name=entry.get("name", entry["id"]), kind=kind, url=url, lang=lang,
        category=category, topical=entry.get("topical", False), timezone=tz,
        enabled=entry.get("enabled", True), stale_days=stale,
        full_text=entry.get("full_text", False), max_pages=max_pages, min_interval_s=interval,
    )
