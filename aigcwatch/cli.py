"""Thin command group. Turns library errors into one-line messages and exit codes; only place that prints."""
from __future__ import annotations

import sys
from datetime import timezone

import click
from rich.markup import escape
from rich.table import Column, Table

from aigcwatch import __version__
from aigcwatch.consoles import EXIT_ALL_FAILED, EXIT_OK, console, err_console, stdout_to_devnull
from aigcwatch.errors import AigcwatchError
from aigcwatch.ingest_report import cell, run_and_report
from aigcwatch.options import setting_option, sources_file_option
from ingest.wording import counted

class Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AigcwatchError as e:
            err_console.print(f"[red]error:[/red] {escape(e.one_line())}", markup=True, highlight=False,
                              soft_wrap=True)
            sys.exit(e.exit_code)
        except BrokenPipeError:
            # The reader of stdout went away (`aigcwatch export ... | head`): stop quietly with
            # success, as command-line tools do (click would turn it into a silent exit 1).
            stdout_to_devnull()
            sys.exit(EXIT_OK)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aigcwatch")
def main() -> None:
    """aigcwatch: monitor how Chinese and English media and social posts discuss AI video-generation
    models (Sora, Kling/可灵, Veo, Runway, Hailuo/海螺, Jimeng/即梦 ...).

    Settings come from environment variables (see `aigcwatch settings`)."""


def _open_db(url: str | None = None):
    from db import engine as dbe

    eng = dbe.ensure_schema(dbe.database_url(url))
    return eng, dbe.session_factory(eng)


@main.command()
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
def init(database_url: str | None) -> None:
    """Create the database or upgrade it to the current schema (Alembic)."""
    from db import engine as dbe

    url = dbe.database_url(database_url)
    engine = dbe.ensure_schema(url)
    console.print(f"database ready: {dbe.safe_url(url)}", markup=False, highlight=False)
    from db import openings

    with dbe.session_factory(engine)() as session:
        todo = openings.pending(session)
    engine.dispose()
    if todo:
        console.print(f"{counted(todo, 'item')} {'was' if todo == 1 else 'were'} indexed before opening keys: run `aigcwatch reindex` "
                      "so later truncated summaries find their articles", markup=False, highlight=False)


@main.command()
def settings() -> None:
    """List settings: environment variable, current value, default and meaning."""
    from aigcwatch.config import SETTINGS, derived_default, setting

    # a path in value or default is folded onto the next line, never cut with "…"
    table = Table("variable", Column("value", overflow="fold"), Column("default", overflow="fold"), "meaning")
    for s in SETTINGS:
        default = s.default or derived_default(s.name)    # where the files are when unset
        value = setting(s.name) or default
        if s.name == "database_url" and value:
            from db.engine import safe_url
            value = safe_url(value)
        if s.secret and value:
            value = "******** (set)"
        table.add_row(s.env, escape(value or ""), escape(default or ""), s.help)
    console.print(table)


def _fetch_settings():
    from aigcwatch.config import fetch_settings

    return fetch_settings()


def _workers_option(value: str) -> int:
    """The --workers option ("auto" or a whole number); ConfigError names the option, or
    AIGCWATCH_WORKERS when the value came from it."""
    from aigcwatch.errors import ConfigError
    from aigcwatch.options import given_as
    from ingest.offload import parse_workers

    try:
        return parse_workers(value)
    except ValueError as e:
        raise ConfigError(f"{given_as('workers')}: {e}") from None


def _select(sources, ids, sources_file=None):
    """The sources named by --source (enabled: named, they are asked), else all of them."""
    from dataclasses import replace

    from aigcwatch.config import check_unknown_ids

    if not ids:
        return list(sources)
    check_unknown_ids(sources, ids, sources_file)
    known = {s.id: s for s in sources}
    return [replace(known[i], enabled=True) for i in ids]


@main.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable).")
@sources_file_option
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
@click.option("--force", is_flag=True, help="Fetch sources even while they are backing off after failures.")
@click.option("--no-tag", is_flag=True, help="Skip tagging and the relevance filter (store everything).")
@click.option("-q", "--quiet", is_flag=True, help="Only the summary table.")
@click.option("--wait", type=click.FloatRange(0), default=0, show_default=True, metavar="SECONDS",
              help="When another ingest is running, wait up to this long for it (0: exit at once).")
@setting_option("--workers", setting="workers", metavar="N|auto",
              help="Processes that parse, tag and sign items while this one stores them (auto: as many "
                   "as the CPUs, one fewer with --no-tag, at most 4; 0: all in this process).")
def ingest(source_ids, sources_file, database_url, force, no_tag, quiet, wait, workers) -> None:
    """Fetch every enabled source once, store new items about AI video, print a summary per source.

    Exit code 0 when the run completed (individual source failures are listed), 4 when every
    source failed, 2 for bad configuration, 3 when the database is unusable, 5 when another
    ingest is running (on any machine using this database) and --wait ran out."""
    from aigcwatch.config import check_enabled, load_sources
    from db.locks import named_lock

    from dataclasses import replace

    settings = replace(_fetch_settings(), workers=_workers_option(workers))
    sources = _select(load_sources(sources_file), source_ids, sources_file)
    check_enabled(sources, sources_file)
    if not no_tag:
        from aigcwatch.config import check_aliases
        check_aliases()
    engine, sf = _open_db(database_url)
    with named_lock(engine, "ingest", wait=wait):
        code = run_and_report(sf, sources, fetch_settings=settings, tagging=not no_tag,
                              force=force, quiet=quiet, force_option="--force")
    sys.exit(code)


@main.group()
def sources() -> None:
    """List or check the configured sources."""


@sources.command("list")
@sources_file_option
def sources_list(sources_file) -> None:
    """Show the configured sources (validates the file)."""
    from aigcwatch.config import load_sources, sources_path

    srcs = load_sources(sources_file)
    table = Table("id", "name", "kind", "lang", "category", "topical", "enabled",
                  Column("url", overflow="fold"),          # whole, folded: never cut with "…"
                  title=str(sources_path(sources_file)))
    for s in srcs:
        kind = s.kind + (" +full text" if s.full_text else "")
        table.add_row(s.id, escape(s.name), kind, s.lang, s.category, "yes" if s.topical else "",
                      "yes" if s.enabled else "no", escape(s.url))
    console.print(table)
    console.print(f"{counted(len(srcs), 'source')}, {sum(s.enabled for s in srcs)} enabled")


@sources.command("check")
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Only this source (repeatable).")
@sources_file_option
def sources_check(source_ids, sources_file) -> None:
    """Fetch and parse each source now (nothing is stored) and report what works."""
    from aigcwatch.config import check_enabled, load_sources
    from ingest.connectors import CONNECTORS
    from ingest.fetch import fetch_all
    from ingest.pipeline import classify_parse_error
    from ingest.parse import parse_feed
    from ingest.types import FetchState

    srcs = _select(load_sources(sources_file), source_ids, sources_file)
    check_enabled(srcs, sources_file)
    srcs = [s for s in srcs if s.enabled]
    table = Table("source", "result", "http", "entries", "ms", "problem")
    bad = 0
    kinds = {s.id: s.kind for s in srcs}
    for r in fetch_all([(s, FetchState()) for s in srcs], _fetch_settings()):
        entries, problem, result = "", r.error or "", r.status
        if r.ok:
            try:
                if kinds[r.source_id] in CONNECTORS:   # one page of a JSON API
                    page = CONNECTORS[kinds[r.source_id]].parse_page(
                        r.source_id, r.body or b"", r.final_url or r.url, r.link)
                    n = len(page.entries)
                else:
                    n = len(parse_feed(r.source_id, r.body or b"", content_type=r.content_type,
                                       base_url=r.final_url).entries)
                entries = str(n)
                result = "ok"                  # no entries (a search with no hit today) works too
                if not n:
                    problem = "empty: feed has no entries" if kinds[r.source_id] not in CONNECTORS \
                        else "empty: the first page holds no posts"
            except Exception as e:  # noqa: BLE001
                result, problem = classify_parse_error(e).value, " ".join(str(e).split())
        else:
            result = r.error_class.value if r.error_class else r.status
        bad += result not in ("ok", "not_modified")
        table.add_row(r.source_id, result, str(r.http_status or ""), entries, str(r.elapsed_ms),
                      escape(cell(problem)))
    console.print(table)
    console.print(f"{len(srcs) - bad} of {counted(len(srcs), 'source')} "
                  f"{'works' if len(srcs) == 1 else 'work'}")
    sys.exit(EXIT_ALL_FAILED if srcs and bad == len(srcs) else EXIT_OK)


@main.command()
@click.option("--no-dashboard", is_flag=True, help="Stop after the ingest (for scripts).")
@click.option("--database-url", metavar="URL",
              help="SQLAlchemy URL (default: a fresh SQLite file demo.db in the data directory; "
                   "AIGCWATCH_DATABASE_URL is not read, so the generated stories never reach your own database).")
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Dashboard port.")
def demo(no_dashboard, database_url, port) -> None:
    """Offline demo through the real path: serve bundled sample feeds on loopback, ingest them into a
    fresh database, print the summary, then open the dashboard."""
    from aigcwatch.demo import run_demo

    from dataclasses import replace

    settings = replace(_fetch_settings(), page_interval_s=0.02)   # every demo page is on loopback
    sys.exit(run_demo(database_url=database_url, dashboard=not no_dashboard, port=port,
                      report=lambda sf, srcs: run_and_report(sf, srcs, fetch_settings=settings),
                      echo=lambda line: console.print(line, markup=False, highlight=False)))


@main.command()
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface; the dashboard has no login).")
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
def dashboard(port, host, database_url) -> None:
    """Serve the analyst dashboard (Streamlit) over the database until Ctrl+C.

    Checks first that the database is reachable (exit 3), and the port, AIGCWATCH_TIMEZONE and the
    events file (exit 2)."""
    from aigcwatch.serve import prepare_dashboard, serve_dashboard
    from db.engine import safe_url

    url = prepare_dashboard(database_url, host=host, port=port)
    console.print(f"dashboard: http://{host}:{port} over {safe_url(url)} (Ctrl+C to stop)", markup=False)
    sys.exit(serve_dashboard(url, host=host, port=port))


@main.command()
@click.option("--input", "input_path", default="-", metavar="FILE",
              help="JSONL file (id, title, text, optional lang), UTF-8; default stdin.")
def tag(input_path) -> None:
    """Tag JSONL items offline: one JSON line per input on stdout (no network, no database)."""
    from aigcwatch.config import check_aliases
    from aigcwatch.errors import InputError
    from ingest.tag.jsonl import tag_stream

    check_aliases()
    # opened here, not by click.File: a file that cannot be read is one line naming it (exit 2),
    # as every other bad input, not click's usage error
    try:
        input_file = click.open_file(input_path, "rb")
    except OSError as e:
        raise InputError(f"{input_path}: cannot read input file ({e.strerror or e})") from None
    # bytes: a line that is not UTF-8 is reported and skipped like any other bad line
    with input_file:
        _, errors = tag_stream(input_file, sys.stdout)
    where = f"{input_path}, " if input_path != "-" else ""
    for e in errors:
        err_console.print(f"error: {where}{e}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(2 if errors else 0)


@main.command("eval")
@click.argument("path", required=False)
@click.option("--public/--no-public", default=True,
              help="Also compare sentiment on the public labelled sets in ../shared/corpus/sentiment.")
@click.option("--limit", type=int, default=None, help="Items per public set (default: the module's sample).")
def eval_cmd(path, public, limit) -> None:
    """Evaluate the tagger on a labelled JSONL set (default: the bundled dev set, then the held-out set
    and the real-text audit test part when its texts are present; a line says when they are not):
    P/R/F1 per theme and model, relevance F1, sentiment macro-F1 and confusion matrix; plus public
    sentiment sets with the VADER and SnowNLP baselines (a line says when they are absent)."""
    from ingest.tag.evaluate import run_eval

    console.print(run_eval(path), markup=False, highlight=False)
    if public:
        from ingest.tag.sentiment_eval import compare_public_sets

        kw = {"limit": limit} if limit else {}
        console.print(compare_public_sets(**kw), markup=False, highlight=False)


@main.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Only items published on or after this UTC date.")
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
@setting_option("--workers", setting="workers", metavar="N|auto",
              help="Processes that tag batches while this one writes (auto: as many as the CPUs, "
                   "at most 4; 0: all in this process).")
def retag(since, database_url, workers) -> None:
    """Re-tag stored items with the current tagger (after the lexicons change)."""
    from aigcwatch.retag import retag_items
    from ingest.offload import resolve

    from aigcwatch.config import check_aliases

    n_workers = resolve(_workers_option(workers))
    check_aliases()
    _, sf = _open_db(database_url)
    since_utc = since.replace(tzinfo=timezone.utc) if since else None
    on_progress, progress = _batch_progress("retag", "item")
    with progress:
        result = retag_items(sf, since=since_utc, workers=n_workers, on_progress=on_progress,
                             on_failure=lambda item_id, why: progress.console.print(
                                 f"error: item {item_id}: cannot tag ({why}); its old tags are kept",
                                 markup=False, highlight=False, soft_wrap=True))
    console.print(f"re-tagged {counted(result.tagged, 'item')}")
    if result.failed:
        err_console.print(f"error: {counted(len(result.failed), 'item')} could not be tagged (listed above)",
                          markup=False, highlight=False)
        sys.exit(2)


@main.command()
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
@click.option("--batch", type=click.IntRange(min=1), default=5000, show_default=True,
              help="Items per chunk (each committed: a stopped run goes on where it was).")
def reindex(database_url, batch) -> None:
    """Add the opening keys of items indexed before story clusters had them (migration 0009), so a
    later truncated summary joins its older article's story. Resumable; a no-op when done."""
    from db import openings

    _, sf = _open_db(database_url)
    on_progress, progress = _batch_progress("reindex", "item")
    with progress, sf() as session:
        done, added = openings.fill(session, batch=batch, on_progress=on_progress)
    console.print(f"opening keys: {added:,} added for {counted(done, 'item')}"
                  + ("" if done else " (every indexed item has its opening key)"), markup=False, highlight=False)
    if added:
        console.print("stories formed before keep their items: `aigcwatch recluster` files them again",
                      markup=False, highlight=False)


@main.command()
@setting_option("--database-url", setting="database_url", help="SQLAlchemy URL (default: SQLite file).")
@click.option("--batch", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Items filed per chunk.")
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              help="Seconds to wait for a running ingest to finish.")
def recluster(database_url, batch, wait) -> None:
    """File every stored item into stories again, in publication order, with the current rules:
    stories formed before (an article indexed before its opening key, an original fetched after
    its copies) become what they would be now. One transaction; a second run changes nothing.
    Exit code 5 when an ingest is running and --wait ran out."""
    from db import recluster as rc
    from db import rollups, store
    from db.locks import named_lock

    engine, sf = _open_db(database_url)
    on_progress, progress = _batch_progress("recluster", "item")
    with named_lock(engine, "ingest", wait=wait), progress, sf() as session:
        zones = rollups.zones(session)
        before = _story_count(session)
        filed, joined = rc.run(session, batch=batch, on_progress=on_progress)
        store.refresh_rollups(session, zones)
        session.commit()
        after = _story_count(session)
    console.print(f"reclustered {counted(filed, 'item')}: {joined:,} in stories of others; "
                  f"{counted(before, 'story', 'stories')} before, {after:,} now", markup=False, highlight=False)


def _story_count(session) -> int:
    from sqlalchemy import func, select

    from db import models as m

    return session.scalar(select(func.count()).select_from(m.Item).where(m.Item.cluster_id.is_(None))) or 0


def _batch_progress(name: str, unit: str):
    """(on_progress(done, total), the Progress to enter) for a long job on stderr: a bar on a
    terminal; otherwise (a log, a pipe, cron) one line per batch, as ingest prints per source."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    live = err_console.is_terminal
    progress = Progress(TextColumn(name), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=not live)
    task = None
    start = time.monotonic()

    def on_progress(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            task = progress.add_task(name, total=total)
        progress.update(task, completed=done)
        if not live:
            err_console.print(f"{name}: {done:,}/{counted(total, unit)}, {time.monotonic() - start:.0f} s",
                              markup=False, highlight=False)

    return on_progress, progress


from report.commands import alerts as _alerts, digest as _digest, export as _export, schedule as _schedule  # noqa: E402

main.add_command(_export)
main.add_command(_digest)
main.add_command(_alerts)
main.add_command(_schedule)

if __name__ == "__main__":  # pragma: no cover
    main()
