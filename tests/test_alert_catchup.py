"""Spike alerts that are not lost: yesterday's failed alert sent late (once, the previous local day
only), and a spike that keeps growing alerted again at each doubling ("still rising: 14 -> 34"),
never twice at one level (migration 0012). Real SQLite and PostgreSQL, aiosmtpd on loopback; the
stories are written around the real current time (tests.support.today)."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from aigcwatch.config import setting
from db import engine as dbe
from db import models as m
from db import store
from db.buckets import local_day
from report.alert_log import late_targets
from report.alert_send import alert_targets, send_alerts
from tests.support.stories import _Writer
from tests.support.today import build_today
from tests.test_alerts import ANA, alerts, kling_mail, mailbox, sqlite_url  # noqa: F401 (a fixture)
from tests.test_mail import smtp_env
from tests.test_openings import _downgrade

CARL = "carl@example.org"


def _build(url, at: datetime):
    engine = dbe.make_engine(url)
    try:
        with dbe.session_factory(engine)() as s:
            return build_today(s, at)
    finally:
        engine.dispose()


def _more_kling(url, start: datetime, n: int) -> None:
    """`n` more Kling stories (English), one a minute from `start`."""
    engine = dbe.make_engine(url)
    try:
        with dbe.session_factory(engine)() as s:
            w = _Writer(s)
            w.n = 10_000 + start.minute * 100           # guids of their own (g-<n>)
            for k in range(n):
                w.add("en-news", start + timedelta(minutes=k), f"Kling 3.0 keeps spreading {start:%H%M}-{k}",
                      lang="en", models=("kling",), themes=("launch_access",))
            store.finish_run(s, w.run_id, "ok")
            s.commit()
    finally:
        engine.dispose()


def _send(url, tz: str, now: datetime, **kw):
    emails, sender, smtp, webhooks = alert_targets(setting)
    engine = dbe.make_engine(url)
    try:
        return send_alerts(engine, tz=tz, emails=kw.get("emails", emails), sender=sender, smtp=smtp,
                           webhooks=webhooks, now=now, force=kw.get("force", False))
    finally:
        engine.dispose()


def kling_log(url) -> list[tuple]:
    engine = dbe.make_engine(url)
    try:
        with engine.connect() as c:
            a = m.AlertDelivery
            return [tuple(r) for r in c.execute(
                select(a.alert_date, a.level, a.recipient, a.status, a.attempts, a.count)
                .where(a.dim == "model", a.key == "kling").order_by(a.alert_date, a.level, a.recipient))]
    finally:
        engine.dispose()


# --- 1. yesterday's failed alert, sent late ---------------------------------------------------------

def test_yesterdays_failed_alert_is_sent_late_once_by_the_next_run(sqlite_url, tmp_path, monkeypatch):
    # Before: `alerts` looked at today's spikes only: an alert that failed (SMTP down) was lost at
    # local midnight, its failed row never retried.
    now = datetime.now(timezone.utc)
    built = _build(sqlite_url, now - timedelta(days=1))
    yesterday = local_day(built.now, built.tz)
    smtp_env(monkeypatch, None)                                   # nothing listens: it fails
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    failed = _send(sqlite_url, built.tz, built.now)
    assert failed.count("failed") >= 1
    assert (yesterday, 0, ANA, "failed", 1, built.kling_today) in kling_log(sqlite_url)

    with mailbox(tmp_path, monkeypatch) as srv:
        late = alerts(sqlite_url, built.tz, "--to", f"{ANA},{CARL}")    # Carl was no target yesterday
        assert late.exit_code == 0, late.output
        again = alerts(sqlite_url, built.tz, "--to", f"{ANA},{CARL}")
        assert again.exit_code == 0, again.output
        mails = kling_mail(srv.messages)
        recipients = [r for env in srv.envelopes for r in env[1]]
    assert len(mails) == 1, [msg["Subject"] for msg in mails]
    assert CARL not in recipients
    mail = mails[0]
    assert mail["Subject"].startswith(f"aigcwatch alert (late): Kling spike yesterday ({yesterday.isoformat()}): ")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "could not be delivered" in text and "补发" in text          # both languages say it is late
    assert "补发" in html and "today until" not in text                  # yesterday is not "today"
    assert mail["X-Aigcwatch-Alert"] == f"{yesterday.isoformat()} model:kling late"
    assert (yesterday, 0, ANA, "sent", 2, built.kling_today) in kling_log(sqlite_url)
    assert "late" in late.output and "no spike today" in again.output


def test_a_run_failing_yesterdays_and_todays_alerts_names_both_days_in_one_line(sqlite_url, monkeypatch):
    # Before: "alerts 2026-11-29: 2 of 2 deliveries failed ..." named only the first alert's day
    # (yesterday's, sent late) though today's spike had failed too.
    now = datetime.now(timezone.utc)
    built = _build(sqlite_url, now - timedelta(days=1))
    yesterday = local_day(built.now, built.tz)
    smtp_env(monkeypatch, None)                                   # nothing listens: it fails
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    _send(sqlite_url, built.tz, built.now)                        # day D: failed
    _more_kling(sqlite_url, now - timedelta(minutes=100), 15)     # D+1: a spike of its own
    result = alerts(sqlite_url, built.tz)                         # SMTP still down
    assert result.exit_code == 6, result.output
    today = local_day(now, built.tz)
    assert [(d, lvl, st) for d, lvl, _, st, *_ in kling_log(sqlite_url)] == [
        (yesterday, 0, "failed"), (today, 0, "failed")]
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert re.search(f"alerts {yesterday.isoformat()}, {today.isoformat()}: "
                     r"(\d+) of \1 deliveries failed", line), line
    assert "kling late" in line, line


def test_dry_run_shows_yesterdays_owed_alert_and_help_says_how_far_back(sqlite_url, monkeypatch, tmp_path):
    from tests.test_alerts import run

    built = _build(sqlite_url, datetime.now(timezone.utc) - timedelta(days=1))
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    _send(sqlite_url, built.tz, built.now)
    shown = alerts(sqlite_url, built.tz, "--dry-run", "-")
    assert shown.exit_code == 0 and "aigcwatch alert (late): Kling spike yesterday" in shown.output
    assert "previous local day only" in " ".join(run("alerts", "--help").output.split())
    assert "late" in " ".join(run("schedule", "--help").output.split())


def test_the_catch_up_reaches_back_one_local_day_only(sqlite_url, tmp_path, monkeypatch):
    now = datetime.now(timezone.utc)
    built = _build(sqlite_url, now - timedelta(days=1))
    day = local_day(built.now, built.tz)
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    _send(sqlite_url, built.tz, built.now)                        # day D: failed
    next_day = _send(sqlite_url, built.tz, now)                   # D+1: SMTP still down, failed again
    assert next_day.count("failed") >= 1 and all(a.late for a, _ in next_day.outcomes)
    assert "(kling late: email ana@example.org: " in next_day.summary()
    with mailbox(tmp_path, monkeypatch) as srv:
        later = _send(sqlite_url, built.tz, now + timedelta(days=1))     # D+2: too late for D
    assert later.outcomes == [] and kling_mail(srv.messages) == []
    assert (day, 0, ANA, "failed", 2, built.kling_today) in kling_log(sqlite_url)


def test_a_late_alert_in_chinese(sqlite_url, tmp_path, monkeypatch):
    now = datetime.now(timezone.utc)
    built = _build(sqlite_url, now - timedelta(days=1))
    day = local_day(built.now, built.tz)
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    _send(sqlite_url, built.tz, built.now)
    with mailbox(tmp_path, monkeypatch, AIGCWATCH_DIGEST_LANG="zh") as srv:
        assert alerts(sqlite_url, built.tz).exit_code == 0
    # the subject as the text part's first line (a folded Subject header loses the space before 昨日)
    firsts = [msg.get_body(("plain",)).get_content().strip().splitlines()[0] for msg in srv.messages]
    late = f"aigcwatch 预警（补发）：可灵 Kling 昨日（{day.isoformat()}）报道激增："
    assert any(s.startswith(late) for s in firsts), firsts


# --- 2. a spike that keeps growing -----------------------------------------------------------------

def test_a_spike_that_doubles_is_alerted_again_once_per_level(db_url, tmp_path, monkeypatch):
    # Before: a spike alerted in the morning was never alerted again that day, however big it grew.
    built = _build(db_url, datetime.now(timezone.utc))
    t0, n0 = built.now, built.kling_today                                  # 14 stories
    with mailbox(tmp_path, monkeypatch) as srv:
        _send(db_url, built.tz, t0)
        _more_kling(db_url, t0 + timedelta(minutes=1), 20)                 # 34: doubled
        t1 = t0 + timedelta(minutes=30)
        _send(db_url, built.tz, t1)
        _send(db_url, built.tz, t1 + timedelta(minutes=1))                 # the same level: nothing
        _more_kling(db_url, t1 + timedelta(minutes=2), 10)                 # 44: not doubled again
        _send(db_url, built.tz, t1 + timedelta(minutes=15))
        _more_kling(db_url, t1 + timedelta(minutes=16), 15)                # 59 >= 4 x 14: level 2
        _send(db_url, built.tz, t1 + timedelta(minutes=35))
        subjects = [msg["Subject"] for msg in kling_mail(srv.messages)]
        rising = kling_mail(srv.messages)[1]
    assert len(subjects) == 3, subjects
    assert subjects[0].startswith(f"aigcwatch alert: Kling spike today: {n0} stories")
    assert subjects[1].startswith(f"aigcwatch alert: Kling still rising today: {n0} → {n0 + 20} stories (usual ")
    assert subjects[2].startswith(f"aigcwatch alert: Kling still rising today: {n0 + 20} → {n0 + 45} stories")
    text = rising.get_body(("plain",)).get_content()
    assert "仍在攀升" in text and f"{n0} → {n0 + 20}" in text
    assert rising["X-Aigcwatch-Alert"].endswith("model:kling rising 1")
    day = local_day(t0, built.tz)
    assert [r[:4] for r in kling_log(db_url)] == [(day, 0, ANA, "sent"), (day, 1, ANA, "sent"),
                                                  (day, 2, ANA, "sent")]


def test_a_forced_resend_of_the_first_alert_keeps_the_count_follow_ups_double_from(sqlite_url, tmp_path,
                                                                                    monkeypatch):
    # Before: `alerts --force` at 20 stories logged the day's first alert again with 20, so the
    # follow-up waited for 40 instead of 28 (twice the 14 the first alert said).
    built = _build(sqlite_url, datetime.now(timezone.utc))
    t0, n0 = built.now, built.kling_today                                  # 14 stories
    with mailbox(tmp_path, monkeypatch) as srv:
        _send(sqlite_url, built.tz, t0)
        _more_kling(sqlite_url, t0 + timedelta(minutes=1), 6)               # 20: still level 0
        _send(sqlite_url, built.tz, t0 + timedelta(minutes=10), force=True)  # resent, forced
        _more_kling(sqlite_url, t0 + timedelta(minutes=11), 10)             # 30 >= 2 x 14
        _send(sqlite_url, built.tz, t0 + timedelta(minutes=30))
        subjects = [msg["Subject"] for msg in kling_mail(srv.messages)]
    assert len(subjects) == 3, subjects
    assert subjects[1].startswith(f"aigcwatch alert: Kling spike today: {n0 + 6} stories")
    assert subjects[2].startswith(f"aigcwatch alert: Kling still rising today: {n0} → {n0 + 16} stories"), subjects
    day = local_day(t0, built.tz)
    assert [r[:4] + r[5:] for r in kling_log(sqlite_url)] == [(day, 0, ANA, "sent", n0),
                                                              (day, 1, ANA, "sent", n0 + 16)]


def test_a_forced_resend_that_fails_keeps_the_first_alerts_count_too(sqlite_url, tmp_path, monkeypatch):
    # Before: the failed resend marked the day's first alert "failed": the log forgot it had been
    # sent at 14, and the next run sent a first alert again, at the new count.
    built = _build(sqlite_url, datetime.now(timezone.utc))
    t0, n0 = built.now, built.kling_today                                  # 14 stories
    with mailbox(tmp_path, monkeypatch) as srv:
        _send(sqlite_url, built.tz, t0)
    _more_kling(sqlite_url, t0 + timedelta(minutes=1), 6)                  # 20
    smtp_env(monkeypatch, None)                                           # SMTP down
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    forced = _send(sqlite_url, built.tz, t0 + timedelta(minutes=10), force=True)
    assert forced.count("failed") >= 1
    engine = dbe.make_engine(sqlite_url)
    with dbe.session_factory(engine)() as s:          # Ana got it: nothing is owed her tomorrow
        assert [x for x in late_targets(s, local_day(t0, built.tz), "") if x.key == "kling"] == []
    engine.dispose()
    _more_kling(sqlite_url, t0 + timedelta(minutes=11), 10)                # 30 >= 2 x 14
    with mailbox(tmp_path, monkeypatch) as srv:
        _send(sqlite_url, built.tz, t0 + timedelta(minutes=30))
        subjects = [msg["Subject"] for msg in kling_mail(srv.messages)]
    assert len(subjects) == 1 and subjects[0].startswith(
        f"aigcwatch alert: Kling still rising today: {n0} → {n0 + 16} stories"), subjects


def test_a_target_added_after_the_first_alert_gets_the_spike_at_its_level(sqlite_url, tmp_path, monkeypatch):
    built = _build(sqlite_url, datetime.now(timezone.utc))
    with mailbox(tmp_path, monkeypatch) as srv:
        _send(sqlite_url, built.tz, built.now)
        _more_kling(sqlite_url, built.now + timedelta(minutes=1), 20)
        _send(sqlite_url, built.tz, built.now + timedelta(minutes=30), emails=[ANA, CARL])
        to = [(env[1][0], msg["Subject"]) for env, msg in zip(srv.envelopes, srv.messages) if "Kling" in msg["Subject"]]
    assert [r for r, _ in to] == [ANA, ANA, CARL] or [r for r, _ in to] == [ANA, CARL, ANA]
    assert all("still rising" in s for r, s in to[1:])      # Carl gets the spike as it is now, once


# --- migration 0012 ---------------------------------------------------------------------------------

def test_migration_0012_keys_the_alert_log_by_level_and_goes_back(empty_db_url):
    dbe.upgrade(empty_db_url, "0011")
    now = datetime(2026, 11, 30, 4, tzinfo=timezone.utc)
    row = dict(alert_date=date(2026, 11, 30), dim="model", key="kling", focus="", channel="email",
               recipient=ANA, status="sent", count=14, attempts=1, first_attempt_at=now, last_attempt_at=now,
               sent_at=now)
    table = m.AlertDelivery.__table__
    before = sa.table("alert_deliveries", *[sa.column(c.name, c.type) for c in table.c
                                            if c.name not in ("id", "level")])
    engine = dbe.make_engine(empty_db_url)
    try:
        with engine.begin() as c:
            c.execute(sa.insert(before), [row])
        dbe.upgrade(empty_db_url)
        with engine.begin() as c:
            assert c.execute(sa.text("SELECT level, recipient, status FROM alert_deliveries")).all() == [
                (0, ANA, "sent")]
            c.execute(sa.insert(table), [{**row, "level": 1, "count": 30}])     # a second level: allowed
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(sa.insert(table), [{**row, "level": 1}])                 # the same one: not
        engine.dispose()
        _downgrade(empty_db_url, "0011")          # back: the first alerts stay
        assert "level" not in {c["name"] for c in sa.inspect(engine).get_columns("alert_deliveries")}
        with engine.connect() as c:
            assert c.execute(sa.text("SELECT count, status FROM alert_deliveries")).all() == [(14, "sent")]
    finally:
        engine.dispose()


# --- the read side ----------------------------------------------------------------------------------

def test_the_delivery_log_read_side_tells_each_level(db_url, tmp_path, monkeypatch):
    # Before: db.queries.latest_deliveries gave a spike's rows of two levels alike ("model:kling").
    from db import queries as q

    built = _build(db_url, datetime.now(timezone.utc))
    with mailbox(tmp_path, monkeypatch):
        _send(db_url, built.tz, built.now)
        _more_kling(db_url, built.now + timedelta(minutes=1), 20)
        _send(db_url, built.tz, built.now + timedelta(minutes=30))
    engine = dbe.make_engine(db_url)
    try:
        with dbe.session_factory(engine)() as s:
            rows = [r for r in q.latest_deliveries(s) if r["spike"] == "model:kling"]
    finally:
        engine.dispose()
    assert [(r["level"], r["status"]) for r in rows] == [(1, "sent"), (0, "sent")]
