"""`aigcwatch schedule`: ingest every N minutes and the digest at a local time, unattended.

- Jobs run one at a time in this process; each takes its database lock (`ingest`, `digest`,
  db.locks), so runs never overlap with another scheduler, a cron job or a manual command, on
  this machine or another one using the same database. An ingest that finds the lock held is
  skipped until its next turn; a digest waits for the lock (the delivery log then skips whatever
  the other run already sent).
- A failing job is logged and retried: ingest at its next turn, the digest after `retry_after`
  (the delivery log sends only what is still missing). The scheduler itself keeps running.
- `stop()` (SIGTERM / Ctrl+C in the CLI) ends the loop between jobs: a job that has started
  finishes first.
- At start, a digest whose time already passed today runs at once (the delivery log makes that
  safe); then at `digest_at` every day (`day`) or every Monday (`week`), for the last complete
  period: yesterday, or the 7 days ending yesterday. Digest moments missed while running (the
  machine slept, a job ran long) are sent in turn, oldest first, back to `catch_up` (3 days).

Timing decisions are pure functions of `now`; the loop only calls them. Library code: it logs
through `logging` and never prints.
"""
from __future__ import annotations

import logging
import re
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from aigcwatch.errors import AigcwatchError, ConfigError

log = logging.getLogger("aigcwatch.schedule")

MAX_SLEEP_S = 30.0            # re-read the clock at least this often
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}


def parse_interval(text: str | None, what: str = "AIGCWATCH_INGEST_EVERY") -> timedelta | None:
    """'90s', '30m', '2h', '1.5h'; a bare number is minutes; 'off' (or empty) is None. A zero is
    refused (a bare 0 quietly meant off), pointing to off."""
    if text is None or text.strip().lower() in ("", "off"):
        return None
    m = _INTERVAL.match(text)
    if not m:
        raise ConfigError(f"{what}: {text!r} is not an interval (e.g. 90s, 30m, 2h, or off)")
    seconds = float(m[1]) * _UNITS[(m[2] or "m").lower()]
    if seconds == 0:
        raise ConfigError(f"{what}: {text!r} is no interval (0 would mean no pause): write off to "
                          "turn it off, or an interval such as 30m")
    if seconds < 1:
        raise ConfigError(f"{what}: {text!r} is shorter than a second")
    return timedelta(seconds=seconds)


def parse_clock(text: str | None, what: str = "AIGCWATCH_DIGEST_AT") -> time | None:
    """'08:30' (24 h, local) or 'off' / empty -> None."""
    if text is None or text.strip().lower() in ("", "off"):
        return None
    m = re.match(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$", text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59:
        raise ConfigError(f"{what}: {text!r} is not a time of day (HH:MM, or off)")
    return time(int(m[1]), int(m[2]), int(m[3] or 0))


# --- pure timing --------------------------------------------------------------------------------

def _is_digest_day(day: date, period: str) -> bool:
    return period == "day" or day.weekday() == 0


def digest_moment(day: date, at: time, tz: str) -> datetime:
    """`at` on local `day` in `tz`, as UTC (a time skipped by a DST change moves forward)."""
    local = datetime.combine(day, at, ZoneInfo(tz))
    return local.astimezone(timezone.utc)


def next_digest(now: datetime, at: time, tz: str, period: str) -> datetime:
    """The first digest moment strictly after `now`."""
    day = now.astimezone(ZoneInfo(tz)).date()
    for k in range(0, 9):
        d = day + timedelta(days=k)
        moment = digest_moment(d, at, tz)
        if moment > now and _is_digest_day(d, period):
            return moment
    raise AssertionError("unreachable: a digest day comes within 8 days")


def first_digest(now: datetime, at: time, tz: str, period: str) -> datetime:
    """At start: now, when today's digest moment has passed (catch up), else the next moment."""
    today = now.astimezone(ZoneInfo(tz)).date()
    if _is_digest_day(today, period) and digest_moment(today, at, tz) <= now:
        return now
    return next_digest(now, at, tz, period)


def following_digest(moment: datetime, now: datetime, at: time, tz: str, period: str,
                     catch_up: timedelta) -> datetime:
    """The digest moment after `moment` (the one just served). One that already passed (the
    machine slept, a job ran for hours) is due at once, so each missed day is sent in turn; those
    older than `catch_up` before `now` are given up."""
    nxt = next_digest(moment, at, tz, period)
    while nxt < now - catch_up:
        nxt = next_digest(nxt, at, tz, period)
    return nxt


def digest_day_for(moment: datetime, tz: str) -> date:
    """The digest sent at `moment` reports the last complete local day (the week ending on it)."""
    return moment.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def next_ingest(started: datetime, finished: datetime, every: timedelta) -> datetime:
    """Every `every` from the start of the last run; right away if that run took longer."""
    return max(started + every, finished)


# --- the loop -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    ingest_every: timedelta | None
    digest_at: time | None
    tz: str = "UTC"
    period: str = "day"
    retry_after: timedelta = timedelta(minutes=10)
    catch_up: timedelta = timedelta(days=3)     # missed digests older than this are given up


IngestJob = Callable[[], str]               # returns a one-line summary; raises on failure
DigestJob = Callable[[date], str]
AlertsJob = Callable[[], str]               # the spike alerts, after each ingest


class Scheduler:
    def __init__(self, config: ScheduleConfig, *, ingest: IngestJob | None, digest: DigestJob | None,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 alerts: AlertsJob | None = None) -> None:
        self.config, self._ingest, self._digest, self._now = config, ingest, digest, now
        self._alerts = alerts
        self._stop = threading.Event()
        start = now()
        self.next_ingest = start if (ingest and config.ingest_every) else None
        self.next_digest = (first_digest(start, config.digest_at, config.tz, config.period)
                            if (digest and config.digest_at) else None)
        self.digest_day = digest_day_for(self.next_digest, config.tz) if self.next_digest else None
        # the regular moment the pending digest belongs to (a catch-up at start: today's)
        self._moment = self.next_digest
        if self.next_digest is not None and self.next_digest == start:
            self._moment = digest_moment(start.astimezone(ZoneInfo(config.tz)).date(),
                                         config.digest_at, config.tz)
        self.runs: list[tuple[str, bool]] = []      # (job, ok) in order, for callers and tests

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _when(self, at: datetime | None) -> str:
        if at is None:
            return "never"
        return at.astimezone(ZoneInfo(self.config.tz)).strftime("%Y-%m-%d %H:%M:%S %Z")

    def run(self) -> None:
        """Run jobs as they fall due until `stop()`."""
        log.info("scheduler started: ingest %s, digest %s (%s, %s); next ingest %s, next digest %s",
                 f"every {self.config.ingest_every}" if self.next_ingest else "off",
                 self.config.digest_at.strftime("%H:%M") if self.next_digest else "off",
                 self.config.period, self.config.tz, self._when(self.next_ingest), self._when(self.next_digest))
        while not self._stop.is_set():
            now = self._now()
            due = [(t, name) for t, name in ((self.next_ingest, "ingest"), (self.next_digest, "digest"))
                   if t is not None and t <= now]
            if not due:
                upcoming = [t for t in (self.next_ingest, self.next_digest) if t is not None]
                if not upcoming:
                    log.info("nothing to schedule (ingest and digest are both off)")
                    return
                wait = min((min(upcoming) - now).total_seconds(), MAX_SLEEP_S)
                self._stop.wait(max(wait, 0.01))
                continue
            # The earliest first; on a tie the ingest, so the digest has fresh data.
            _, job = min(due, key=lambda d: (d[0], d[1] != "ingest"))
            if job == "ingest":
                self._run_ingest()
            else:
                self._run_digest()
        log.info("scheduler stopped")

    def _run_ingest(self) -> None:
        started = self._now()
        ok = False
        try:
            summary = self._ingest()
            ok = True
            log.info("ingest: %s", summary)
        except AigcwatchError as e:
            log.error("ingest failed: %s", e.one_line())
        except Exception as e:  # noqa: BLE001  a job's bug must not stop the scheduler
            log.exception("ingest failed: %s: %s", type(e).__name__, e)
        finished = self._now()
        self.next_ingest = next_ingest(started, finished, self.config.ingest_every)
        self.runs.append(("ingest", ok))
        if self._alerts is not None:       # a failed ingest too: a failed alert is retried
            self._run_alerts()
        log.info("next ingest at %s", self._when(self.next_ingest))

    def _run_alerts(self) -> None:
        ok = False
        try:
            log.info("alerts: %s", self._alerts())
            ok = True
        except AigcwatchError as e:
            log.error("alerts failed: %s", e.one_line())
        except Exception as e:  # noqa: BLE001
            log.exception("alerts failed: %s: %s", type(e).__name__, e)
        self.runs.append(("alerts", ok))

    def _run_digest(self) -> None:
        day = self.digest_day
        ok = False
        try:
            summary = self._digest(day)
            ok = True
            log.info("digest %s: %s", day, summary)
        except AigcwatchError as e:
            log.error("digest %s failed: %s", day, e.one_line())
        except Exception as e:  # noqa: BLE001
            log.exception("digest %s failed: %s: %s", day, type(e).__name__, e)
        now = self._now()
        c = self.config
        regular = following_digest(self._moment, now, c.digest_at, c.tz, c.period, c.catch_up)
        retry = now + c.retry_after
        if not ok and retry < regular:  # retry the same day soon, unless the next digest comes first
            self.next_digest = retry
        else:
            self.next_digest, self._moment = max(regular, now), regular
            self.digest_day = digest_day_for(regular, c.tz)
        self.runs.append(("digest", ok))
        log.info("next digest at %s (for %s)", self._when(self.next_digest), self.digest_day)


# --- the real jobs ------------------------------------------------------------------------------

def _which(summary, most: int = 5) -> str:
    """The failed sources with their class and those still backing off, for the ingest's log line
    (the only trace an unattended run leaves): " (gone: http_status), 1 backing off (old)"."""
    def ids(names: list[str]) -> str:
        return ", ".join(names[:most]) + (f", +{len(names) - most}" if len(names) > most else "")

    failed = [f"{r.source_id}: {r.error_class.value if r.error_class else 'error'}" for r in summary.failed]
    waiting = [r.source_id for r in summary.results if r.status == "skipped"]
    return (f" ({ids(failed)})" if failed else "") + \
        (f", {len(waiting)} backing off ({ids(waiting)})" if waiting else "")


def ingest_job(engine, get: Callable[[str], str | None], *, sources_file: str | None = None) -> IngestJob:
    """An ingest of every enabled source under the `ingest` lock (skipped while someone holds it)."""
    from aigcwatch.config import check_enabled, fetch_settings, load_sources
    from db.engine import session_factory
    from db.locks import LockBusy, named_lock
    from ingest.pipeline import run_ingest

    def run() -> str:
        sources = load_sources(sources_file)       # re-read each time: edits apply without a restart
        check_enabled(sources, sources_file, hint="or --every off for no ingest")
        settings = fetch_settings(get)
        zones = tuple(dict.fromkeys(z for z in (get("timezone"), "UTC") if z))
        t0 = _time.monotonic()
        try:
            with named_lock(engine, "ingest"):
                s = run_ingest(session_factory(engine), sources, settings=settings,
                               rollup_zones=zones)
        except LockBusy as e:
            return f"skipped: {e.one_line()}"
        attempted = [r for r in s.results if r.status != "skipped"]
        from ingest.wording import counted

        line = (f"run {s.run_id} {s.status}: {s.total('new')} new, {s.total('duplicate')} duplicate, "
                f"{len(s.failed)} of {counted(len(attempted), 'source')} failed{_which(s)} "
                f"({_time.monotonic() - t0:.1f} s)")
        if attempted and len(s.failed) == len(attempted):
            raise AigcwatchError(f"every source failed — {line}")
        if s.status == "skipped":
            raise AigcwatchError(f"nothing fetched, every source is backing off — {line}")
        return line

    return run


def digest_job(engine, get: Callable[[str], str | None], *, tz: str, period: str,
               lookback_days: int = 3, base=None) -> DigestJob:
    """Deliver `day`'s digest, and retry any digest of the last few days with a failed delivery.
    With `base` (an ItemFilter: report.focus), a focused digest; only that focus's failures are
    retried (a market-wide or other focus's failure is its own scheduler's or command's)."""
    from db.engine import session_factory
    from report.delivery import failed_digests
    from report.focus import focus_key
    from report.send import delivery_config, focus_note, langs_of, send_digest

    focus = focus_key(base) if base is not None else ""

    def run(day: date) -> str:
        emails, sender, smtp, webhooks = delivery_config(get)
        langs = langs_of(get("digest_lang"))
        with session_factory(engine)() as s:
            todo = [(d, p) for d, p in failed_digests(s, day - timedelta(days=lookback_days), focus)
                    if d != day]
        parts, errors = [], []
        for d, p in [*todo, (day, period)]:
            try:
                result = send_digest(engine, d, period=p, tz=tz, langs=langs, emails=emails,
                                     sender=sender, smtp=smtp, webhooks=webhooks, base=base)
            except AigcwatchError as e:     # tried and logged per target; the others still go
                errors.append(e)
                continue
            counts = {k: sum(o.status == k for o in result.outcomes) for k in ("sent", "skipped")}
            parts.append(f"{d} ({p}{focus_note(result.digest)}) {counts['sent']} sent, "
                         f"{counts['skipped']} already sent")
        if errors:
            raise errors[-1] if len(errors) == 1 else AigcwatchError(
                "; ".join(e.one_line() for e in errors))
        return "; ".join(parts)

    return run


def alerts_job(engine, get: Callable[[str], str | None], *, tz: str, base=None) -> AlertsJob:
    """Send today's spikes (and follow-ups) not sent yet, and yesterday's undelivered ones late
    (report.alert_send; a failure of an earlier run is retried),
    under the `alerts` lock. Returns "1 sent (kling), 0 failed"; raises with that line when a
    delivery failed."""
    from report.alert_send import alert_targets, send_alerts
    from report.send import langs_of

    def run() -> str:
        emails, sender, smtp, webhooks = alert_targets(get)
        result = send_alerts(engine, tz=tz, langs=langs_of(get("digest_lang")), base=base, emails=emails,
                             sender=sender, smtp=smtp, webhooks=webhooks)
        if result.error() is not None:
            raise AigcwatchError(result.summary())
        return result.summary() if result.alerts else "no spike today"

    return run
