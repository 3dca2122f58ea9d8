"""Click commands of the deliver side: `export trends|items`, `digest`, `schedule`.

Registered on the main group by `aigcwatch/cli.py`; they print (library modules never do) and
turn errors into one line and an exit code through the group's handler.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from aigcwatch.errors import ConfigError, InputError
from aigcwatch.options import given_as, setting_option, sources_file_option
from report.output import check_output, method_path, output_format, write_export

LANG_VALUES = ("zh", "en", "other")   # what ingest.lang.detect_lang stores for an item
SENTIMENT_VALUES = ("positive", "neutral", "negative")
CATEGORY_VALUES = ("news", "social")


class _Day(click.DateTime):
    """A YYYY-MM-DD day in db.filters.YEARS (a traceback, before); anything else is one line
    naming the option (click's three-line usage error, before)."""

    def convert(self, value, param, ctx):
        from db.filters import YEARS

        option = given_as(param.opts[-1]) if param is not None else "day"
        try:
            day = super().convert(value, param, ctx)
        except click.BadParameter:
            raise InputError(f"{option}: {value!r} is not a day (YYYY-MM-DD)") from None
        if day.year not in YEARS:
            raise InputError(f"{option}: {value!r} is out of range (years {YEARS[0]}-{YEARS[-1]})")
        return day


DATE = _Day(formats=["%Y-%m-%d"])


@contextmanager
def open_session(database_url: str | None) -> Iterator:
    """A session on the (migrated) database; the engine is disposed afterwards."""
    from db import engine as dbe

    eng = dbe.ensure_schema(dbe.existing_database_url(database_url))
    try:
        with dbe.session_factory(eng)() as session:
            yield session
    finally:
        eng.dispose()


def _console():
    from aigcwatch.cli import console, err_console

    return console, err_console


def split_values(values, option: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Repeatable, comma-separated option values, checked against `allowed` (in any case: `ZH`
    is zh, as the digest's --lang reads it)."""
    out: list[str] = []
    for v in values or ():
        out += [p.strip() for p in str(v).split(",") if p.strip()]
    if allowed:
        out = [v.lower() if v.lower() in allowed else v for v in out]
        bad = [v for v in out if v not in allowed]
        if bad:
            raise InputError(f"{option}: unknown value {bad[0]!r} (use {', '.join(allowed)})")
    return tuple(dict.fromkeys(out))


def _typed(*names: str) -> bool:
    """Whether one of the current command's parameters `names` was given on its command line."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    return any(ctx.get_parameter_source(n) is ParameterSource.COMMANDLINE for n in names)


def check_zone(tz: str, option: str = "--tz") -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InputError(f"{given_as(option)}: unknown time zone {tz!r} "
                         "(an IANA name such as Asia/Shanghai)") from e
    return tz


SOURCE_HELP = "Source ids."


def _focus_options(source_help: str = SOURCE_HELP) -> dict[str, object]:
    """The options that narrow which stories count (the export's and the digest's focus)."""
    return {
        "model": click.option("--model", multiple=True, help="Model ids or names in any case, e.g. "
                              "sora,kling or Kling,可灵 (any of them)."),
        "theme": click.option("--theme", multiple=True, help="Theme ids in any case, e.g. jobs,copyright "
                              "(any of them)."),
        "source": click.option("--source", "source_ids", multiple=True, help=source_help),
        "category": click.option("--category", multiple=True, help="news or social."),
        "search": click.option("-q", "--search", default="",
                               help='Every term in the title or text, an English term as a whole word ("wan" is not '
                                    '"want"; model* for models too; Chinese anywhere); "a phrase" whole '
                                    '(any white space between its words: "可灵 AI" finds 可灵AI), OR '
                                    'between two terms for either, ( ) to group, -term to exclude '
                                    '((sora OR 可灵) -游戏).'),
    }


def _apply(f, opts):
    for opt in reversed(opts):
        f = opt(f)
    return f


def focus_options(f=None, *, source_help: str = SOURCE_HELP):
    """--model, --theme, --source, --category and -q/--search, read by `focus_values`
    (`@focus_options(source_help=...)`: --source's own help)."""
    if f is None:
        return lambda g: focus_options(g, source_help=source_help)
    return _apply(f, list(_focus_options(source_help).values()))


def filter_options(f):
    """The filters shared by both exports (the dashboard's sidebar, as options)."""
    focus = _focus_options()
    return _apply(f, [
        click.option("--since", type=DATE, help="First local day (YYYY-MM-DD), inclusive."),
        click.option("--until", type=DATE, help="Last local day (YYYY-MM-DD), inclusive."),
        setting_option("--tz", setting="timezone",
                       help="Time zone of the days and buckets (IANA name)."),
        click.option("--lang", multiple=True, help="zh, en, other (repeatable or comma list)."),
        focus["model"], focus["theme"],
        click.option("--sentiment", multiple=True, help="positive, neutral, negative."),
        focus["source"], focus["category"], focus["search"],
        click.option("--include-spam", is_flag=True, help="Include spam too."),
        click.option("--include-irrelevant", is_flag=True, help="Include items tagged off-topic too."),
        click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet", "json"]),
                     help="Output format (default: from -o's extension, else csv)."),
        click.option("-o", "--output", metavar="FILE",
                     help="Output file (default: stdout, for csv and json). '-o -': stdout in any "
                          "format (xlsx and parquet only so, and not to a terminal). A CSV's method is "
                          "beside it, its extension replaced (-o trends.csv: trends.method.json), or "
                          "on stdout one '# method: {...}' line on stderr."),
        setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file)."),
    ])


def focus_values(kw) -> dict:
    """The ItemFilter fields of the focus options in `kw`: names as canonical ids (Kling, 可灵:
    kling), values checked; an InputError names the option."""
    from db.names import canonical_ids

    return dict(
        model=canonical_ids("model", split_values(kw["model"], "--model")),
        theme=canonical_ids("theme", split_values(kw["theme"], "--theme")),
        source_id=split_values(kw["source_ids"], "--source"),
        category=split_values(kw["category"], "--category", CATEGORY_VALUES),
        q=kw["search"] or "")


def focus_filter(kw):
    """The digest's (and the scheduler's) focus: an ItemFilter of the focus options alone."""
    from db.filters import ItemFilter

    return ItemFilter(**focus_values(kw))


def build_filter(kw) -> tuple:
    from db.filters import ItemFilter
    from report.export import Range

    tz = check_zone(kw["tz"])
    start = kw["since"].date() if kw["since"] else None
    end = kw["until"].date() if kw["until"] else None
    if start and end and end < start:
        raise InputError(f"--until {end} is before --since {start}")
    flt = ItemFilter(
        lang=split_values(kw["lang"], "--lang", LANG_VALUES),
        sentiment=split_values(kw["sentiment"], "--sentiment", SENTIMENT_VALUES),
        **focus_values(kw),
        include_spam=kw["include_spam"], include_irrelevant=kw["include_irrelevant"],
        as_of=datetime.now(timezone.utc))   # a range not over: counted until now, as the dashboard
    return flt, Range(start, end, tz)


def _warn_unknown(session, flt, err) -> None:
    from db import queries as q

    if not (flt.model or flt.theme or flt.source_id):
        return
    f = q.facets(session)
    for option, wanted, known in (("--model", flt.model, f["models"]), ("--theme", flt.theme, f["themes"]),
                                  ("--source", flt.source_id, [s["id"] for s in f["sources"]])):
        missing = [v for v in wanted if v not in known]
        if missing:
            err.print(f"warning: {option} {', '.join(missing)}: no stored story has it "
                      f"(known: {', '.join(known) or 'none'})", markup=False, highlight=False)


def _done(err, fmt: str, output: str | None, n: int) -> None:
    if output is None:
        return
    extra = f" (method: {method_path(output)})" if fmt == "csv" else ""
    from aigcwatch.cli import counted

    err.print(f"wrote {counted(n, 'row')} to {output}{extra}", markup=False, highlight=False)


@click.group("export")
def export() -> None:
    """Export trend tables or stories (CSV, xlsx, Parquet, JSON) with the method that made them."""


@export.command("trends")
@click.option("--by", "bucket", type=click.Choice(["day", "week", "month"]), default="day",
              show_default=True, help="Bucket size (local calendar days in --tz).")
@click.option("--group", default="", help="Comma list of model,theme,lang,sentiment,source,category.")
@filter_options
def export_trends(bucket, group, **kw) -> None:
    """Stories per local day/week/month, grouped by facets; zero buckets filled, one row per cell."""
    from report import export as ex

    _, err = _console()
    groups = split_values([group], "--group", ex.GROUPS)
    flt, rng = build_filter(kw)
    fmt, output = output_format(kw["fmt"], kw["output"])
    with open_session(kw["database_url"]) as session:
        ex.begin_snapshot(session)
        _warn_unknown(session, flt, err)
        closed = ex.closed_range(session, rng)
        rows = ex.trend_rows(session, flt, closed, bucket=bucket, group=groups)
        columns = ex.trend_columns(groups)
        meta = ex.method(session, "trends", flt, closed or rng, columns=columns, rows=len(rows),
                         bucket=bucket, group=groups)
        if fmt == "csv" and not output:
            err.print("# method: " + json.dumps(meta, ensure_ascii=False, default=_json_default()),
                      markup=False, highlight=False, soft_wrap=True)
        n = write_export(fmt, output, columns, rows, meta, expected=len(rows))
    _done(err, fmt, output, n)


@export.command("items")
@filter_options
@click.option("--evidence", is_flag=True,
              help="Append relevance_evidence, sentiment_evidence, spam_evidence and spam_reasons: "
                   "the phrases behind the tagger's calls and its own reasons for spam "
                   "(feed text; a third more bytes and time).")
def export_items(**kw) -> None:
    """Every matching story (id, time, source, language, title, link, models, themes, sentiment,
    spam, copies, tagger version; with --evidence, why it is relevant, its tone and spam),
    newest first, streamed in bounded memory."""
    from db import queries as q
    from report import export as ex

    _, err = _console()
    flt, rng = build_filter(kw)
    fmt, output = output_format(kw["fmt"], kw["output"])
    with open_session(kw["database_url"]) as session:
        ex.begin_snapshot(session)
        _warn_unknown(session, flt, err)
        versions = q.tagger_versions(session, ex.windowed(flt, rng))    # and the count, in one pass
        total = sum(v["count"] for v in versions)
        columns = ex.item_columns(kw["evidence"])
        meta = ex.method(session, "items", flt, rng, columns=columns, rows=total,
                         versions=versions)
        if fmt == "csv" and not output:
            err.print("# method: " + json.dumps(meta, ensure_ascii=False, default=_json_default()),
                      markup=False, highlight=False, soft_wrap=True)
        rows = ex.item_rows(session, flt, rng, tz=rng.tz, evidence=kw["evidence"])
        with _progress(err, total, enabled=output is not None) as advance:
            n = write_export(fmt, output, columns, _counted(rows, advance), meta,
                             expected=total)
    _done(err, fmt, output, n)


def _json_default():
    from report.formats import json_default

    return json_default


def _counted(rows, advance, every: int = 5000):
    n = 0
    for row in rows:
        yield row
        n += 1
        if n % every == 0:
            advance(every)


class _progress:
    """A transient progress bar on stderr for long exports (none when writing to stdout)."""

    def __init__(self, err, total: int, *, enabled: bool) -> None:
        self.err, self.total, self.enabled = err, total, enabled and total > 50_000
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("export"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=self.err, transient=True)
        self.bar.__enter__()
        task = self.bar.add_task("export", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


# --- digest -------------------------------------------------------------------------------------

@click.command()
@click.option("--date", "day", type=DATE, help="Last local day of the digest (default: yesterday in --tz).")
@click.option("--period", type=click.Choice(["day", "week"]), default="day", show_default=True,
              help="day: that day; week: the 7 days ending on it.")
@setting_option("--lang", setting="digest_lang", metavar="[zh|en|both]", help="Sections to include.")
@click.option("--to", multiple=True, metavar="ADDR", help="Recipient (repeatable or comma list; "
              "default AIGCWATCH_DIGEST_TO).")
@click.option("--dry-run", "dry_run", metavar="FILE",
              help="Write the HTML digest to FILE (and the text part beside it, FILE with .txt), or its "
                   "text to stdout with '-'; send nothing.")
@click.option("--force", is_flag=True, help="Send again to targets the delivery log says were served.")
@setting_option("--tz", setting="timezone", help="Time zone of the digest's days (IANA name).")
@focus_options
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
def digest(day, period, lang, to, dry_run, force, tz, database_url, **focus) -> None:
    """Build the daily (or weekly) digest and send it by email and to the chat webhooks, once per
    target (the delivery log remembers; --force sends again). With --model, --theme, --source,
    --category or -q, a focused digest: every number counted within them, the focus named, and
    logged apart from the market-wide one. Exit 6 when a delivery failed (it is recorded and the
    next run retries it), 5 when another digest run holds the lock."""
    from aigcwatch.config import setting
    from db import engine as dbe
    from report.send import default_day, delivery_config, langs_of, prepare, send_digest

    out, err = _console()
    base = focus_filter(focus)
    tz = check_zone(tz)
    langs = langs_of(lang, given_as("--lang"))
    the_day = day.date() if day else default_day(tz)
    begun(the_day, tz)
    if dry_run != "-":                            # "-": stdout, as `alerts --dry-run -`
        check_output(dry_run, "--dry-run")
    if dry_run is None:
        targets = somewhere(delivery_config(setting, split_values(to, "--to")), "AIGCWATCH_DIGEST_TO (or --to)",
                            "write the digest to a file with --dry-run FILE")
    engine = dbe.ensure_schema(dbe.existing_database_url(database_url))
    try:
        _warn_unknown_in(engine, base, err)
        if dry_run is not None:
            run = prepare(engine, the_day, period=period, tz=tz, langs=langs, base=base)
            if dry_run == "-":
                out.print(run.rendered.text, markup=False, highlight=False, soft_wrap=True)
                return
            out.print(f"subject: {run.rendered.subject}", markup=False, highlight=False)
            _write_dry_run(out, dry_run, run.rendered.html, run.rendered.text)
            return
        emails, sender, smtp, webhooks = targets

        def show(o) -> None:
            out.print(outcome_line(o), markup=False, highlight=False, soft_wrap=True)

        run = send_digest(engine, the_day, period=period, tz=tz, langs=langs, emails=emails,
                          sender=sender, smtp=smtp, webhooks=webhooks, force=force, on_outcome=show,
                          base=base)
        out.print(f"subject: {run.rendered.subject}", markup=False, highlight=False)
    finally:
        engine.dispose()


def begun(day: date | None, tz: str) -> date:
    """Today in `tz`; an InputError when `day` is later (a digest or alert of a day that has not
    begun would say, confidently, that nothing happened on it)."""
    today = datetime.now(timezone.utc).astimezone(ZoneInfo(tz)).date()
    if day is not None and day > today:
        raise InputError(f"--date: {day} has not begun in {tz} (today is {today})")
    return today


def somewhere(targets: tuple, recipients: str, instead: str) -> tuple:
    """`targets` (report.send.delivery_config's) when there is an address or a webhook, else a
    ConfigError naming the settings (`recipients`) and what to do `instead`."""
    if not targets[0] and not targets[3]:
        raise ConfigError(f"nothing to send to: set {recipients} and SMTP, or AIGCWATCH_WEBHOOKS; or {instead}")
    return targets


def _warn_unknown_in(engine, flt, err) -> None:
    from db import engine as dbe

    with dbe.session_factory(engine)() as session:
        _warn_unknown(session, flt, err)


def outcome_line(o, what: str = "") -> str:
    """"✓ email ana@example.org: sent" (what: the alert's spike, in brackets)."""
    mark = {"sent": "✓", "skipped": "=", "failed": "✗"}[o.status]
    why = {"sent": "sent", "skipped": "already sent (--force sends again)"}.get(o.status, o.error)
    return f"{mark} {o.target.channel} {o.target.recipient}: {why}" + (f" ({what})" if what else "")


def _write_dry_run(out, dry_run: str, html: str, text: str) -> None:
    """The HTML to `dry_run` and the text beside it (FILE with .txt; "--dry-run out.txt" keeps the
    HTML there and the text in out.txt.txt)."""
    Path(dry_run).write_text(html, encoding="utf-8")
    text_path = Path(dry_run).with_suffix(".txt")
    if text_path == Path(dry_run):
        text_path = Path(dry_run).with_name(Path(dry_run).name + ".txt")
    text_path.write_text(text, encoding="utf-8")
    out.print(f"wrote {dry_run} (HTML) and {text_path} (text); nothing sent", markup=False, highlight=False)


# --- spike alerts -------------------------------------------------------------------------------

@click.command()
@click.option("--to", multiple=True, metavar="ADDR", help="Recipient (repeatable or comma list; "
              "default AIGCWATCH_ALERT_TO, else AIGCWATCH_DIGEST_TO).")
@click.option("--dry-run", "dry_run", metavar="FILE",
              help="Write the alerts' HTML to FILE (and the text beside it, FILE with .txt), or their "
                   "text to stdout with '-'; send nothing, log nothing.")
@click.option("--date", "day", type=DATE, help="With --dry-run: show the spikes of this earlier local day as "
              "they stood at its end (e.g. on the demo's archive); alerts are sent for today only.")
@click.option("--force", is_flag=True, help="Send today's alerts again to targets the alert log says were "
              "served (not yesterday's late ones: those go only to the targets they failed for).")
@setting_option("--tz", setting="timezone", help="Time zone of today (IANA name).")
@focus_options
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
def alerts(to, dry_run, day, force, tz, database_url, **focus) -> None:
    """Send today's spikes now: every model or theme whose stories today (the local day in --tz,
    until now) rose far above its usual count, as the Overview and the digest find them, goes once
    to each email address and chat webhook (the alert log remembers; --force sends again), with
    count vs usual, the language that led and its most widely carried stories. A spike whose count
    doubles again since its first alert is followed up ("still rising: 14 → 34"), once per doubling.
    Yesterday's alert that could not be delivered is sent late (marked so), once, to the targets it
    failed for: the previous local day only, older failures are not sent. Sections in
    AIGCWATCH_DIGEST_LANG. With --model, --theme, --source, --category or -q, only spikes within
    them (logged apart). Exit 6 when a delivery failed (recorded; the next run retries it, until the
    end of the next local day), 5 when another alerts run holds the lock."""
    from aigcwatch.config import setting
    from db import engine as dbe
    from report import alert_render as ar
    from report.alert_send import alert_targets, gather, owed, preview, send_alerts
    from report.send import langs_of

    out, err = _console()
    base = focus_filter(focus)
    tz = check_zone(tz)
    langs = langs_of(setting("digest_lang"))
    day = day.date() if day is not None else None
    if day is not None and dry_run is None:
        raise InputError("--date shows an earlier day's spikes with --dry-run; alerts are sent for today only")
    today = begun(day, tz)
    past = day is not None and day < today
    if dry_run not in (None, "-"):
        check_output(dry_run, "--dry-run")
    if dry_run is None:
        targets = somewhere(alert_targets(setting, split_values(to, "--to")),
                            "AIGCWATCH_ALERT_TO or AIGCWATCH_DIGEST_TO (or --to)", "see the alerts with --dry-run -")
    engine = dbe.ensure_schema(dbe.existing_database_url(database_url))
    try:
        _warn_unknown_in(engine, base, err)
        if dry_run is not None:
            now = datetime.now(timezone.utc)
            found = (preview(engine, tz=tz, base=base, day=day, langs=langs) if past else
                     [a for a, _ in owed(engine, tz=tz, base=base, now=now, langs=langs)]
                     + gather(engine, tz=tz, base=base, now=now, langs=langs))
            if not found:
                when = f"on {day}" if past else "today"
                out.print(f"no spike {when} ({tz}); nothing sent", markup=False, highlight=False)
                return
            if dry_run == "-":
                out.print(ar.text(found, langs), markup=False, highlight=False, soft_wrap=True)
                return
            for a in found:
                out.print(f"subject: {ar.subject(a, langs)}", markup=False, highlight=False)
            _write_dry_run(out, dry_run, ar.html(found, langs), ar.text(found, langs))
            return
        emails, sender, smtp, webhooks = targets

        def show(a, o) -> None:
            out.print(outcome_line(o, ar.tag(a)), markup=False, highlight=False,
                      soft_wrap=True)

        run = send_alerts(engine, tz=tz, langs=langs, base=base, emails=emails, sender=sender, smtp=smtp,
                          webhooks=webhooks, force=force, on_outcome=show)
        if not run.alerts:
            out.print(f"no spike today ({tz}); nothing sent", markup=False, highlight=False)
        error = run.error()
        if error is not None:
            raise error
    finally:
        engine.dispose()


# --- schedule -----------------------------------------------------------------------------------

@click.command()
@setting_option("--every", setting="ingest_every",
                help="Ingest interval: 90s, 30m, 2h (a bare number is minutes); off: no ingest (0 is refused).")
@setting_option("--digest-at", setting="digest_at", help="Local time of the digest (HH:MM in --tz); off: no digest.")
@setting_option("--period", setting="digest_period", metavar="[day|week]",
                help="day: yesterday, daily; week: the last 7 days, Mondays.")
@setting_option("--tz", setting="timezone", help="Time zone of --digest-at and of the digest's days.")
@click.option("--retry-after", default="10m", show_default=True,
              help="Wait before retrying a digest that failed to deliver.")
@sources_file_option
@click.option("--alerts", "with_alerts", is_flag=True,
              help="After every ingest, send today's new spikes and their follow-ups, and yesterday's "
                   "undelivered ones late (as `aigcwatch alerts`; within the focus).")
@focus_options(source_help="Focus: the digest (and --alerts) count within these source ids; every enabled "
                           "source is still ingested.")
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
def schedule(every, digest_at, period, tz, retry_after, sources_file, with_alerts, database_url,
             **focus) -> None:
    """Run unattended: ingest every N minutes and send the digest at a local time. Failing jobs are
    logged and retried; runs never overlap with another scheduler or command on the same database
    (database locks); SIGTERM or Ctrl+C stops between jobs. Logs go to stderr. --model, --theme,
    --source, --category and -q make its digest a focused one (as `aigcwatch digest`'s); a second
    scheduler with --every off sends another focus. --alerts sends today's spikes after every ingest
    (one log line a run: "alerts: 1 sent (kling), 0 failed")."""
    import logging
    import signal
    import sys

    from aigcwatch.config import check_aliases, check_enabled, fetch_settings, load_sources, setting
    from aigcwatch.schedule import (ScheduleConfig, Scheduler, alerts_job, digest_job, ingest_job,
                                    parse_clock, parse_interval)
    from db import engine as dbe
    from report.send import delivery_config, langs_of

    base = focus_filter(focus)
    if period not in ("day", "week"):             # checked here to name AIGCWATCH_DIGEST_PERIOD
        raise InputError(f"{given_as('--period')}: {period!r} is not day or week")
    retry = parse_interval(retry_after, "--retry-after")
    if retry is None:                             # it read as 10 minutes, silently
        raise InputError(f"--retry-after: {retry_after!r}: a failed digest is always retried; give "
                         "an interval such as 10m")
    config = ScheduleConfig(ingest_every=parse_interval(every, given_as("--every")),
                            digest_at=parse_clock(digest_at, given_as("--digest-at")), tz=check_zone(tz),
                            period=period, retry_after=retry)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    logger = logging.getLogger("aigcwatch")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    if not config.ingest_every and _typed("sources_file", "old_sources_file"):
        # only the ingest reads it (each run, afresh): with none, a typo or a file meant for
        # another scheduler would go unnoticed (the variable, every command's, is not refused)
        raise InputError(f"--sources-file is read by the ingest alone: ingest is off ({given_as('--every')} "
                         "off); drop --sources-file or give --every")
    if config.ingest_every:
        check_enabled(load_sources(sources_file), sources_file,   # a bad sources file stops us
                      hint="or --every off for no ingest")          # now, not at 3 a.m.
        fetch_settings(setting)                    # and so does a bad AIGCWATCH_TIMEOUT or _WORKERS
        check_aliases()                            # or a bad AIGCWATCH_ALIASES file
    if with_alerts:
        from report.alert_send import alert_targets

        if not config.ingest_every:
            raise ConfigError(f"--alerts runs after every ingest: ingest is off ({given_as('--every')} off)")
        langs_of(setting("digest_lang"))           # a bad AIGCWATCH_DIGEST_LANG stops us now
        a_emails, _, _, a_hooks = alert_targets(setting)
        if not a_emails and not a_hooks:
            raise ConfigError("--alerts: nothing to send to: set AIGCWATCH_ALERT_TO or AIGCWATCH_DIGEST_TO "
                              "and SMTP, or AIGCWATCH_WEBHOOKS")
    do_digest = config.digest_at is not None
    if do_digest:
        langs_of(setting("digest_lang"))           # a bad AIGCWATCH_DIGEST_LANG stops us now
        emails, _, _, webhooks = delivery_config(setting)
        if not emails and not webhooks:
            if config.ingest_every:                # else the error below says it, once
                logger.warning("digest off: nothing to send to (set AIGCWATCH_DIGEST_TO and SMTP, or "
                               "AIGCWATCH_WEBHOOKS; or AIGCWATCH_DIGEST_AT=off to silence this)")
            do_digest = False
    if not config.ingest_every and not do_digest:  # it logged "nothing to schedule" and exited 0
        why = (f"{given_as('--digest-at')} off" if config.digest_at is None else
               "nowhere to send it: set AIGCWATCH_DIGEST_TO and SMTP, or AIGCWATCH_WEBHOOKS")
        raise ConfigError(f"nothing to schedule: ingest is off ({given_as('--every')} off) and so is "
                          f"the digest ({why})")
    engine = dbe.ensure_schema(dbe.database_url(database_url))
    sched = Scheduler(
        config,
        ingest=ingest_job(engine, setting, sources_file=sources_file) if config.ingest_every else None,
        digest=digest_job(engine, setting, tz=config.tz, period=period, base=base) if do_digest else None,
        alerts=alerts_job(engine, setting, tz=config.tz, base=base) if with_alerts else None)

    def on_signal(signum, _frame):
        if sched.stopping:                         # a second signal: stop now
            raise SystemExit(128 + signum)
        logger.info("%s received: stopping after the current job", signal.Signals(signum).name)
        sched.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        sched.run()
    finally:
        engine.dispose()
