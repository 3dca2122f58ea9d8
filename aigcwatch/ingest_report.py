"""One ingest run on the command line: per-source progress lines, the summary table, the exit code
(`aigcwatch ingest`, and the demo's ingest)."""
from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from aigcwatch.consoles import EXIT_ALL_FAILED, EXIT_OK, console, err_console
from ingest.wording import counted


def run_and_report(session_factory, sources, *, fetch_settings, tagging=True, force=False,
                   quiet=False, force_option: str | None = None) -> int:
    """Run one ingest with per-source progress lines and a summary table. Returns the exit code.
    `force_option`: the caller's option that fetches sources backing off, named beside their count."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.pipeline import run_ingest

    progress = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=quiet)
    task = None

    def on_start(jobs):
        nonlocal task
        task = progress.add_task("ingest", total=len(jobs))

    def on_result(r):
        if not quiet:
            line = result_line(r)
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        if task is not None and r.status != "skipped":
            progress.advance(task)

    with progress:
        summary = run_ingest(session_factory, sources, settings=fetch_settings, tagging=tagging,
                             force=force, on_start=on_start, on_result=on_result,
                             rollup_zones=rollup_zones())
    console.print(summary_table(summary))
    attempted = [r for r in summary.results if r.status != "skipped"]
    waiting = len(summary.results) - len(attempted)     # failed before, not asked this time
    t = summary.total
    console.print(f"run {summary.run_id}: {summary.status} — {t('new')} new, {t('updated')} updated, "
                  f"{t('duplicate')} duplicate, "
                  f"{t('irrelevant')} irrelevant, {t('invalid')} invalid, {counted(len(summary.failed), 'source')} failed"
                  + (f", {waiting} backing off" if waiting else "")
                  + (f" ({force_option} fetches {'it' if waiting == 1 else 'them'} now)"
                     if waiting and force_option else ""))
    if summary.status == "skipped":
        console.print("nothing was fetched: every source is backing off after failing")
    if summary.status == "skipped" or (attempted and len(summary.failed) == len(attempted)):
        return EXIT_ALL_FAILED
    return EXIT_OK


def rollup_zones() -> tuple[str, ...]:
    """Zones whose read-side rollups ingest keeps current: the dashboard's default zone and UTC."""
    from aigcwatch.config import zone_setting

    return tuple(dict.fromkeys((zone_setting("timezone"), "UTC")))   # a bad zone: ConfigError, exit 2


def result_line(r) -> str:
    if r.status == "failed":
        return f"✗ {r.source_id}: {r.error_class.value if r.error_class else 'error'} — {r.error}"
    if r.status == "skipped":
        return f"- {r.source_id}: skipped ({r.error})"
    if r.status == "not_modified":
        return f"= {r.source_id}: not modified (304)"
    extra = f" [{r.error_class.value}: {r.error}]" if r.error_class else ""
    more = []
    if r.pages > 1:
        more.append(f"{r.pages} requests")
    if r.refreshed:
        more.append(f"{r.refreshed} engagement refreshed")
    social = f" ({', '.join(more)})" if more else ""
    return (f"✓ {r.source_id}: {counted(r.fetched, 'entry', 'entries')}, {r.new} new, {r.updated} updated, "
            f"{r.duplicate} duplicate, "
            f"{r.irrelevant} irrelevant, {r.invalid} invalid{social}{extra}")


def cell(problem: str, most: int = 400) -> str:
    """A source's problem for a table cell, wrapped there rather than cut: its end is often the
    hint that says what to do (only a runaway message is cut, with an ellipsis)."""
    return problem if len(problem) <= most else problem[:most - 1] + "…"


def summary_table(summary) -> Table:
    table = Table("source", "status", "fetched", "new", "upd", "dup", "irrel", "invalid", "spam", "ms", "problem",
                  title=f"ingest run {summary.run_id}")
    for r in sorted(summary.results, key=lambda r: r.source_id):
        problem = f"{r.error_class.value}: {r.error}" if r.error_class else (r.error or "")
        table.add_row(r.source_id, r.status, str(r.fetched), str(r.new), str(r.updated), str(r.duplicate),
                      str(r.irrelevant), str(r.invalid), str(r.spam), str(r.elapsed_ms), escape(cell(problem)))
    return table
