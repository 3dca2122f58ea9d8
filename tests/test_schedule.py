"""aigcwatch.schedule and `aigcwatch schedule`: pure timing rules, the loop with failing jobs and a
clean stop, and real processes (loopback feeds, SQLite, aiosmtpd, a second process, SIGTERM);
plus two `aigcwatch ingest` at once."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aigcwatch.cli import main
from aigcwatch.errors import AigcwatchError, ConfigError
from aigcwatch.schedule import (ScheduleConfig, Scheduler, digest_day_for, first_digest, following_digest,
                                next_digest, next_ingest, parse_clock, parse_interval)
from db import models as m
from db.engine import make_engine
from tests.support.scripted_server import Reply, scripted_server
from tests.support.smtp import free_port, smtp_server
from tests.test_pipeline import ZH_NEWS

ROOT = Path(__file__).resolve().parent.parent
UTC = timezone.utc


# --- pure timing --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, seconds", [("90s", 90), ("30m", 1800), ("2h", 7200), ("1.5h", 5400),
                                           ("15", 900), (" 45 min ", 2700)])
def test_intervals_read_as_written(text, seconds):
    assert parse_interval(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["off", "OFF", ""])
def test_an_interval_can_be_off(text):
    assert parse_interval(text) is None


@pytest.mark.parametrize("text", ["0", "0m", "0s", "0.0h"])
def test_a_zero_interval_is_refused_and_points_to_off(text):
    # Before: a bare 0 quietly meant off (no ingest at all), while 0m was "shorter than a second".
    with pytest.raises(ConfigError) as e:
        parse_interval(text, "--every")
    assert str(e.value) == (f"--every: {text!r} is no interval (0 would mean no pause): "
                            "write off to turn it off, or an interval such as 30m")


@pytest.mark.parametrize("every, retry, message", [
    ("0", "10m", "error: --every: '0' is no interval (0 would mean no pause): write off to turn it off"),
    ("off", "off", "error: --retry-after: 'off': a failed digest is always retried; give an interval"),
])
def test_the_scheduler_refuses_a_zero_interval_and_a_retry_that_is_off(tmp_path, every, retry, message):
    # Before: --every 0 ran a scheduler that never ingested; --retry-after off meant 10 minutes.
    result = CliRunner().invoke(main, ["schedule", "--every", every, "--retry-after", retry,
                                       "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("text", ["30 minutes please", "-5m", "0.5s", "1d"])
def test_a_bad_interval_names_the_setting(text):
    with pytest.raises(ConfigError, match="AIGCWATCH_INGEST_EVERY"):
        parse_interval(text)


@pytest.mark.parametrize("variable, value", [("AIGCWATCH_TIMEOUT", "0"), ("AIGCWATCH_WORKERS", "two")])
def test_a_bad_fetch_setting_stops_the_scheduler_at_start(tmp_path, monkeypatch, variable, value):
    # Before, it was found only by each ingest, which logged it and the scheduler ran on for ever.
    monkeypatch.setenv(variable, value)
    src = sources_toml(tmp_path, "http://127.0.0.1:9/zh.xml")
    result = CliRunner().invoke(main, ["schedule", "--digest-at", "off", "--sources-file", str(src),
                                       "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and f"{variable}: not a valid" in result.output
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("variable, value, message", [
    ("AIGCWATCH_INGEST_EVERY", "5x", "error: AIGCWATCH_INGEST_EVERY: '5x' is not an interval"),
    ("AIGCWATCH_DIGEST_AT", "25:00", "error: AIGCWATCH_DIGEST_AT: '25:00' is not a time of day"),
    # Before, click's usage error named --period, in three lines.
    ("AIGCWATCH_DIGEST_PERIOD", "month", "error: AIGCWATCH_DIGEST_PERIOD: 'month' is not day or week")])
def test_a_bad_schedule_setting_from_the_environment_is_named_as_the_variable(tmp_path, monkeypatch,
                                                                              variable, value, message):
    # Before, the scheduler named the option (--every, --digest-at) the user never typed.
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(main, ["schedule", "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and result.output.startswith(message)


def test_a_bad_digest_language_stops_the_scheduler_at_start(tmp_path):
    # Before, AIGCWATCH_DIGEST_LANG=fr was taken as both, silently, by every digest it sent.
    hooks = tmp_path / "hooks.toml"
    hooks.write_text('[[webhook]]\nname = "ops"\nkind = "generic"\nurl = "http://127.0.0.1:9/hook"\n',
                     encoding="utf-8")
    env = base_env(tmp_path, f"sqlite:///{tmp_path / 's.db'}", AIGCWATCH_WEBHOOKS=str(hooks),
                   AIGCWATCH_DIGEST_LANG="fr")
    proc = subprocess.Popen([sys.executable, "-m", "aigcwatch.cli", "schedule", "--every", "off"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 2, out
    assert "error: AIGCWATCH_DIGEST_LANG: 'fr' is not zh, en or both" in out


def test_clock_times_and_off():
    assert parse_clock("08:30") == dtime(8, 30) and parse_clock("off") is None
    with pytest.raises(ConfigError, match=r"AIGCWATCH_DIGEST_AT: '24:00' is not a time of day"):
        parse_clock("24:00")


def test_the_digest_time_is_local_to_the_zone():
    now = datetime(2025, 3, 10, 0, 0, tzinfo=UTC)                        # 08:00 in Shanghai
    assert next_digest(now, dtime(8, 30), "Asia/Shanghai", "day") == datetime(2025, 3, 10, 0, 30, tzinfo=UTC)
    later = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)                      # 09:00 in Shanghai: tomorrow
    assert next_digest(later, dtime(8, 30), "Asia/Shanghai", "day") == datetime(2025, 3, 11, 0, 30, tzinfo=UTC)
    # 02:30 does not exist in New York on 2025-03-09 (DST starts): it moves to 03:30 EDT.
    ny = next_digest(datetime(2025, 3, 9, 5, 0, tzinfo=UTC), dtime(2, 30), "America/New_York", "day")
    assert ny == datetime(2025, 3, 9, 7, 30, tzinfo=UTC)


def test_weekly_digests_go_out_on_mondays_for_the_week_ending_sunday():
    tuesday = datetime(2025, 3, 11, 12, 0, tzinfo=UTC)
    monday = next_digest(tuesday, dtime(8, 30), "UTC", "week")
    assert monday == datetime(2025, 3, 17, 8, 30, tzinfo=UTC) and monday.weekday() == 0
    assert digest_day_for(monday, "UTC") == date(2025, 3, 16)


def test_at_start_a_digest_whose_time_passed_today_runs_at_once():
    now = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
    assert first_digest(now, dtime(8, 30), "UTC", "day") == now
    assert first_digest(now, dtime(9, 30), "UTC", "day") == datetime(2025, 3, 10, 9, 30, tzinfo=UTC)
    assert digest_day_for(now, "UTC") == date(2025, 3, 9)      # it reports yesterday
    assert first_digest(datetime(2025, 3, 11, 9, 0, tzinfo=UTC), dtime(8, 30), "UTC", "week") == \
        datetime(2025, 3, 17, 8, 30, tzinfo=UTC)                # Tuesday: wait for Monday


def test_ingest_keeps_its_rhythm_but_never_queues_up_missed_runs():
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    every = timedelta(minutes=30)
    assert next_ingest(t0, t0 + timedelta(minutes=2), every) == t0 + every
    assert next_ingest(t0, t0 + timedelta(minutes=45), every) == t0 + timedelta(minutes=45)


# --- the loop, with jobs of our own --------------------------------------------------------------

def test_digests_missed_while_the_machine_slept_are_sent_in_turn_and_the_latest_is_not_skipped():
    # Before, waking on Wednesday sent Sunday's digest (the one pending) and then waited for
    # Thursday: Monday's and Tuesday's were never sent.
    clock = [datetime(2025, 3, 10, 6, 0, tzinfo=UTC)]          # Monday, before the digest
    days = []

    def digest(day):
        days.append(day)
        return "sent"

    config = ScheduleConfig(ingest_every=None, digest_at=dtime(8, 30), tz="UTC")
    sched = Scheduler(config, ingest=None, digest=digest, now=lambda: clock[0])
    assert sched.next_digest == datetime(2025, 3, 10, 8, 30, tzinfo=UTC)
    clock[0] = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)         # wakes on Wednesday
    t = threading.Thread(target=sched.run)
    t.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(days) < 3:
        time.sleep(0.02)
    time.sleep(0.2)
    sched.stop()
    t.join(5)
    assert days == [date(2025, 3, 9), date(2025, 3, 10), date(2025, 3, 11)]
    assert sched.next_digest == datetime(2025, 3, 13, 8, 30, tzinfo=UTC)
    assert sched.digest_day == date(2025, 3, 12)


def test_digests_missed_longer_ago_than_the_catch_up_are_given_up():
    moment = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    now = datetime(2025, 3, 12, 10, 0, tzinfo=UTC)
    nxt = following_digest(moment, now, dtime(8, 30), "UTC", "day", timedelta(days=3))
    assert nxt == datetime(2025, 3, 10, 8, 30, tzinfo=UTC)     # for the 9th, then 10th, 11th
    assert following_digest(moment, moment, dtime(8, 30), "UTC", "week", timedelta(days=3)) == \
        datetime(2025, 3, 3, 8, 30, tzinfo=UTC)                 # the next Monday



def test_a_failing_job_is_logged_and_retried_and_the_scheduler_keeps_going(caplog):
    calls = {"ingest": 0, "digest": []}

    def ingest():
        calls["ingest"] += 1
        if calls["ingest"] == 1:
            raise AigcwatchError("feed server down")
        if calls["ingest"] == 2:
            raise RuntimeError("a bug in a job")
        return "ok"

    def digest(day):
        calls["digest"].append(day)
        if len(calls["digest"]) == 1:
            raise AigcwatchError("SMTP refused")
        return "sent"

    config = ScheduleConfig(ingest_every=timedelta(seconds=0.2), digest_at=dtime(0, 0), tz="UTC",
                            retry_after=timedelta(seconds=0.3))
    sched = Scheduler(config, ingest=ingest, digest=digest)
    t = threading.Thread(target=sched.run)
    with caplog.at_level("INFO", logger="aigcwatch.schedule"):
        t.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (calls["ingest"] >= 4 and len(calls["digest"]) >= 2):
            time.sleep(0.05)
        sched.stop()
        t.join(5)
    assert not t.is_alive()
    assert calls["ingest"] >= 4 and len(calls["digest"]) == 2
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assert calls["digest"] == [yesterday, yesterday]           # the retry is for the same day
    assert sched.runs[:2] == [("ingest", False), ("digest", False)]   # ingest first on a tie
    text = caplog.text
    assert "ingest failed: feed server down" in text and "ingest failed: RuntimeError: a bug in a job" in text
    assert f"digest {yesterday} failed: SMTP refused" in text and f"digest {yesterday}: sent" in text
    assert "scheduler stopped" in text


def test_stop_waits_for_the_running_job_to_finish():
    started, finished = threading.Event(), threading.Event()

    def slow_ingest():
        started.set()
        time.sleep(0.6)
        finished.set()
        return "done"

    sched = Scheduler(ScheduleConfig(ingest_every=timedelta(seconds=30), digest_at=None),
                      ingest=slow_ingest, digest=None)
    t = threading.Thread(target=sched.run)
    t.start()
    assert started.wait(5)
    sched.stop()
    t.join(5)
    assert finished.is_set() and sched.runs == [("ingest", True)]


# --- real processes -----------------------------------------------------------------------------

def sources_toml(tmp_path: Path, url: str) -> Path:
    p = tmp_path / "sources.toml"
    p.write_text(f'[[source]]\nid = "zh-news"\nname = "zh"\nurl = "{url}"\nlang = "zh"\n', encoding="utf-8")
    return p


def base_env(tmp_path: Path, db: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIGCWATCH_")}
    env.update(PYTHONPATH=str(ROOT), AIGCWATCH_DATABASE_URL=db, AIGCWATCH_HOME=str(tmp_path / "home"),
               AIGCWATCH_TIMEOUT="10", **extra)
    return env


def start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "aigcwatch.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def wait_for(predicate, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}" + (f"; log:\n{log.read_text()}" if log else ""))


def runs(db: str) -> list:
    engine = make_engine(db)
    try:
        with engine.connect() as c:
            return c.execute(select(m.IngestRun.id, m.IngestRun.status, m.IngestRun.started_at,
                                    m.IngestRun.finished_at).order_by(m.IngestRun.id)).all()
    finally:
        engine.dispose()


@pytest.mark.slow
def test_the_scheduler_ingests_sends_the_digest_retries_it_and_stops_on_sigterm(tmp_path):
    db = f"sqlite:///{tmp_path / 'sched.db'}"
    port = free_port()
    log = tmp_path / "schedule.log"
    with scripted_server() as feeds:
        feeds.route("/zh.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        env = base_env(tmp_path, db, AIGCWATCH_SOURCES=str(sources_toml(tmp_path, feeds.url("/zh.xml"))),
                       AIGCWATCH_SMTP_HOST="localhost", AIGCWATCH_SMTP_PORT=str(port),
                       AIGCWATCH_SMTP_CAFILE=str(tmp_path / "smtp-cert.pem"),
                       AIGCWATCH_DIGEST_FROM="digest@example.org", AIGCWATCH_DIGEST_TO="ana@example.org")
        proc = start(["schedule", "--every", "2s", "--digest-at", "00:00", "--tz", "UTC",
                      "--retry-after", "2s"], env, log)
        try:
            wait_for(lambda: "failed: digest" in log.read_text(), 60, "the digest to fail (no SMTP yet)", log)
            with smtp_server(tmp_path, tls="starttls", port=port) as srv:
                wait_for(lambda: srv.messages, 30, "the retried digest to arrive", log)
                wait_for(lambda: len(runs(db)) >= 3, 30, "three ingest runs", log)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(30) == 0, log.read_text()
        finally:
            if proc.poll() is None:
                proc.kill()
    text = log.read_text()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    assert re.search(rf"ERROR digest {yesterday} failed: digest {yesterday} \(day\): 1 of 1 deliveries failed", text)
    assert f"digest {yesterday}: {yesterday} (day) 1 sent, 0 already sent" in text
    assert "SIGTERM received: stopping after the current job" in text and text.rstrip().endswith("scheduler stopped")
    assert srv.messages[0]["Subject"].startswith(f"aigcwatch daily {yesterday}:")
    assert all(r.status in ("ok", "partial") and r.finished_at for r in runs(db))   # none left running
    assert re.search(r"ingest: run 1 ok: 1 new", text)


@pytest.mark.slow
def test_two_schedulers_on_one_database_never_ingest_at_the_same_time(tmp_path):
    db = f"sqlite:///{tmp_path / 'two.db'}"
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with scripted_server() as feeds:
        # Each fetch takes 1.5 s, so each ingest does; both schedulers want one every second.
        feeds.route("/zh.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml", delay_s=1.5))
        env = base_env(tmp_path, db, AIGCWATCH_SOURCES=str(sources_toml(tmp_path, feeds.url("/zh.xml"))))
        make_engine(db).dispose()
        CliRunner().invoke(main, ["init", "--database-url", db])     # schema first: no migration race
        procs = [start(["schedule", "--every", "1s", "--digest-at", "off"], env, log) for log in logs]
        try:
            wait_for(lambda: len(runs(db)) >= 4 and any("skipped: another ingest is running" in lg.read_text()
                                                        for lg in logs),
                     90, "four ingest runs and a skipped one", logs[0])
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p, lg in zip(procs, logs):
                assert p.wait(30) == 0, lg.read_text()
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
    done = runs(db)
    assert all(r.finished_at is not None for r in done)
    for a, b in zip(done, done[1:]):
        assert a.finished_at <= b.started_at, f"runs {a.id} and {b.id} overlap"
    texts = [lg.read_text() for lg in logs]
    assert any("skipped: another ingest is running (held by" in t for t in texts)
    assert sum(t.count("ingest: run") for t in texts) == len(done)


@pytest.mark.slow
def test_a_second_ingest_exits_5_naming_the_first_or_waits_for_it(tmp_path):
    db = f"sqlite:///{tmp_path / 'ing.db'}"
    log = tmp_path / "first.log"
    with scripted_server() as feeds:
        feeds.route("/zh.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml", delay_s=4))
        src = sources_toml(tmp_path, feeds.url("/zh.xml"))
        env = base_env(tmp_path, db, AIGCWATCH_SOURCES=str(src))
        CliRunner().invoke(main, ["init", "--database-url", db])
        first = start(["ingest"], env, log)
        try:
            wait_for(lambda: feeds.requests("/zh.xml"), 60, "the first ingest to fetch", log)
            second = CliRunner().invoke(main, ["ingest", "--database-url", db, "--sources-file", str(src)])
            assert second.exit_code == 5
            line = second.stderr.strip()
            assert "\n" not in line
            assert re.match(r"error: another ingest is running \(held by [^:]+:\d+:\w+ since \d{4}-\d\d-\d\d "
                            r"\d\d:\d\d:\d\d UTC\)$", line), line
            waited = CliRunner().invoke(main, ["ingest", "--database-url", db, "--sources-file", str(src),
                                               "--wait", "60", "--force"])
            assert first.wait(60) == 0, log.read_text()
            assert waited.exit_code == 0, waited.output
        finally:
            if first.poll() is None:
                first.kill()
    done = runs(db)
    assert len(done) == 2 and done[0].finished_at <= done[1].started_at


def test_the_ingest_log_line_names_failing_sources_and_those_backing_off(db_url, tmp_path):
    """The scheduler's one line per ingest is all an unattended run leaves: a broken source is
    named with its class, and on the next runs, while it backs off, it is still named, not dropped
    from the count (\"0 of 1 source(s) failed\" read as all is well)."""
    from aigcwatch.schedule import ingest_job
    from db.engine import ensure_schema

    engine = ensure_schema(db_url)
    with scripted_server() as srv:
        srv.route("/news.xml", Reply(200, body=ZH_NEWS, content_type="application/rss+xml"))
        path = tmp_path / "sources.toml"
        path.write_text("".join(
            f'[[source]]\nid = "{sid}"\nname = "{sid}"\nkind = "rss"\nurl = "{srv.url(p)}"\nlang = "zh"\n\n'
            for sid, p in (("news", "/news.xml"), ("gone", "/gone.xml"))), encoding="utf-8")
        job = ingest_job(engine, {"workers": "0", "timezone": "UTC"}.get, sources_file=str(path))
        first, second = job(), job()
    engine.dispose()
    assert "1 of 2 sources failed (gone: http_status)" in first, first
    assert "0 of 1 source failed, 1 backing off (gone)" in second, second


def test_a_scheduled_ingest_that_asks_no_source_is_logged_as_a_failure(db_url, tmp_path):
    # Before: with its only source backing off, each run logged "run N ok: 0 new" as a success.
    from aigcwatch.errors import AigcwatchError
    from aigcwatch.schedule import ingest_job
    from db.engine import ensure_schema

    engine = ensure_schema(db_url)
    with scripted_server() as srv:
        path = tmp_path / "sources.toml"
        path.write_text(f'[[source]]\nid = "gone"\nname = "gone"\nkind = "rss"\n'
                        f'url = "{srv.url("/gone.xml")}"\nlang = "zh"\n', encoding="utf-8")
        job = ingest_job(engine, {"workers": "0", "timezone": "UTC"}.get, sources_file=str(path))
        with pytest.raises(AigcwatchError, match="every source failed"):
            job()
        with pytest.raises(AigcwatchError) as second:
            job()
    engine.dispose()
    assert str(second.value).startswith("nothing fetched, every source is backing off — run 2 skipped: "), \
        second.value
    assert "0 of 0 sources failed, 1 backing off (gone)" in str(second.value)


def test_a_scheduler_that_would_ingest_no_enabled_source_stops_at_start(tmp_path):
    # Before: it ran an empty "ok" ingest every 30 minutes for ever.
    src = sources_toml(tmp_path, "http://127.0.0.1:9/zh.xml")
    src.write_text(src.read_text(encoding="utf-8") + "enabled = false\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["schedule", "--digest-at", "off", "--sources-file", str(src),
                                       "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {src}: no source is enabled: set enabled = true on one (`aigcwatch sources list "
        f"--sources-file {src}` "
        "shows them), or --every off for no ingest")
    assert not (tmp_path / "s.db").exists()


@pytest.mark.parametrize("given", [["--sources-file"], ["--sources"]])
def test_a_sources_file_given_to_a_scheduler_without_ingest_is_refused(tmp_path, monkeypatch, given):
    # Before: `--every off --sources-file typo.toml` started a digest-only scheduler that never
    # read the file: a typo in it, or the file meant for another scheduler, went unnoticed.
    from tests.test_mail import smtp_env

    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
    missing = tmp_path / "typo.toml"
    missing.write_text("not [ toml\n", encoding="utf-8")       # never read: no ingest would read it
    url = "sqlite:////nonexistent-dir/s.db"         # reached only when the combination passes
    result = CliRunner().invoke(main, ["schedule", "--every", "off", "--digest-at", "08:00",
                                       *given, str(missing), "--database-url", url])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1] == (
        "error: --sources-file is read by the ingest alone: ingest is off (--every off); drop "
        "--sources-file or give --every")
    # the variable (every command's sources file) is no request of this command: not refused
    monkeypatch.setenv("AIGCWATCH_SOURCES", str(missing))
    env_only = CliRunner().invoke(main, ["schedule", "--every", "off", "--digest-at", "08:00",
                                         "--database-url", url])
    assert env_only.exit_code == 3 and "sources" not in env_only.output, env_only.output


@pytest.mark.parametrize("args, why", [
    (["--digest-at", "off"], "(--digest-at off)"),
    ([], "(nowhere to send it: set AIGCWATCH_DIGEST_TO and SMTP, or AIGCWATCH_WEBHOOKS)")])
def test_a_scheduler_with_nothing_to_do_is_a_configuration_error(tmp_path, monkeypatch, args, why):
    # Before: it logged "nothing to schedule" and exited 0, which a supervisor reads as done.
    for name in ("AIGCWATCH_DIGEST_TO", "AIGCWATCH_WEBHOOKS", "AIGCWATCH_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["schedule", "--every", "off", *args,
                                       "--database-url", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2
    assert result.output.strip() == ("error: nothing to schedule: ingest is off (--every off) and so "
                                     f"is the digest {why}")
    assert not (tmp_path / "s.db").exists()
