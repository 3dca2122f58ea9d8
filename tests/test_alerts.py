"""Spike alerts (`aigcwatch alerts`, `schedule --alerts`): today's spikes, until now, sent once per
(day, spike, focus, channel, recipient) by email and to the chat webhooks, failures retried on the
next run. Real SQLite and PostgreSQL, aiosmtpd on loopback, a loopback chat platform; the stories
are written around the real current time (tests.support.today)."""
from __future__ import annotations

import json
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aigcwatch.cli import main
from db import engine as dbe
from db import models as m
from tests.support.smtp import smtp_server
from tests.support.today import HOSTILE_TITLE, SYNDICATED_TITLE, build_today, midday_zone
from tests.test_mail import PASSWORD, smtp_env
from tests.test_webhooks import configure, platform

ANA = "ana@example.org"


def run(*args):
    return CliRunner().invoke(main, list(args))


def alerts(url, tz, *args):
    return run("alerts", "--tz", tz, "--database-url", url, *args)


def logged(url) -> list[tuple]:
    engine = dbe.make_engine(url)
    try:
        with engine.connect() as c:
            a = m.AlertDelivery
            return [tuple(r) for r in c.execute(
                select(a.dim, a.key, a.focus, a.channel, a.recipient, a.status, a.attempts)
                .order_by(a.dim, a.key, a.focus, a.channel, a.recipient))]
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "alerts.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


def _build(url, **kw):
    engine = dbe.make_engine(url)
    try:
        with dbe.session_factory(engine)() as s:
            return build_today(s, datetime.now(timezone.utc), **kw)
    finally:
        engine.dispose()


@contextmanager
def mailbox(tmp_path, monkeypatch, **env):
    """A loopback SMTP server the alerts send through, to ANA unless `env` says otherwise."""
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv)
        for k, v in {"AIGCWATCH_DIGEST_TO": ANA, **env}.items():
            monkeypatch.setenv(k, v)
        yield srv


def kling_mail(messages):
    return [msg for msg in messages if "Kling" in msg["Subject"]]


def test_todays_spike_is_mailed_once_with_count_usual_lead_and_its_stories(db_url, tmp_path, monkeypatch):
    # Before: no `alerts` command (exit 2): a surge reached readers in the next morning's digest.
    today = _build(db_url)
    with mailbox(tmp_path, monkeypatch) as srv:
        first = alerts(db_url, today.tz)
        assert first.exit_code == 0, first.output
        assert "✓ email ana@example.org" in first.output
        second = alerts(db_url, today.tz)
        assert second.exit_code == 0, second.output
        assert "already sent" in second.output
        mails = kling_mail(srv.messages)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"].startswith(f"aigcwatch alert: Kling spike today: {today.kling_today} stories (usual ")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "可灵 Kling" in text or ("可灵" in text and "Kling" in text)      # both languages' names
    assert "Chinese first" in text and "中文先起" in text                   # the lead, as the digest words it
    # its most carried story first, with its link; the hostile one escaped, its javascript: link never
    assert text.index(SYNDICATED_TITLE) < text.index("https://cn-news.example.com/kling-open")
    assert 'href="https://cn-news.example.com/kling-open"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[friends](javascript:1)", "")
    assert ("model", "kling", "", "email", ANA, "sent", 1) in logged(db_url)


def test_no_spike_today_sends_nothing_and_says_so(sqlite_url, tmp_path, monkeypatch):
    today = _build(sqlite_url, surge=False)
    with mailbox(tmp_path, monkeypatch) as srv:
        res = alerts(sqlite_url, today.tz)
    assert res.exit_code == 0, res.output
    assert "no spike today" in res.output
    assert srv.messages == [] and logged(sqlite_url) == []


def test_alert_to_overrides_the_digest_recipients_and_the_subject_follows_the_digest_language(
        sqlite_url, tmp_path, monkeypatch):
    today = _build(sqlite_url)
    with mailbox(tmp_path, monkeypatch, AIGCWATCH_ALERT_TO="desk@example.org", AIGCWATCH_DIGEST_LANG="zh") as srv:
        res = alerts(sqlite_url, today.tz)
    assert res.exit_code == 0, res.output
    assert {r[0] for env in srv.envelopes for r in [env[1]]} == {"desk@example.org"}
    subjects = [msg["Subject"] for msg in srv.messages]
    assert f"aigcwatch 预警：可灵 Kling 今日报道激增：{today.kling_today} 条（常态 " in "\n".join(subjects)
    settings = run("settings")
    assert "AIGCWATCH_ALERT_TO" in settings.output


def test_a_failed_alert_exits_6_and_the_next_run_retries_only_it(sqlite_url, tmp_path, monkeypatch):
    today = _build(sqlite_url)
    smtp_env(monkeypatch, None)                       # nothing listens on that port
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    failed = alerts(sqlite_url, today.tz)
    assert failed.exit_code == 6, failed.output
    assert "retries" in failed.stderr
    assert ("model", "kling", "", "email", ANA, "failed", 1) in logged(sqlite_url)
    with mailbox(tmp_path, monkeypatch) as srv:
        again = alerts(sqlite_url, today.tz)
    assert again.exit_code == 0, again.output
    assert len(kling_mail(srv.messages)) == 1
    assert ("model", "kling", "", "email", ANA, "sent", 2) in logged(sqlite_url)


def test_chat_webhooks_get_a_few_lines_in_their_language_escaped(sqlite_url, tmp_path, monkeypatch):
    today = _build(sqlite_url)
    with platform() as (base, received):
        configure(monkeypatch, tmp_path, base)
        res = alerts(sqlite_url, today.tz, "--model", "kling")
        assert res.exit_code == 0, res.output
        again = alerts(sqlite_url, today.tz, "--model", "Kling")
    assert "already sent" in again.output
    # within the Kling focus, Kling spiked and so did its launch theme: the stronger spike first
    assert len(received) == 10
    by_kind = {r["kind"]: r for r in received[:5]}
    assert set(by_kind) == {"slack", "feishu", "dingtalk", "wecom", "generic"}
    generic = by_kind["generic"]["doc"]
    assert generic["event"] == "aigcwatch.alert"
    assert generic["spike"]["dim"] == "model" and generic["spike"]["key"] == "kling"
    assert generic["spike"]["count"] == today.kling_today and generic["focus"]["key"] == "model=kling"
    feishu = json.dumps(by_kind["feishu"]["doc"], ensure_ascii=False)
    assert "可灵" in feishu and "中文先起" in feishu                       # its lang = "zh"
    slack = by_kind["slack"]["doc"]["blocks"][0]["text"]["text"]
    assert "<script>" not in slack and "&lt;script&gt;" in slack
    assert "javascript:" not in slack.replace("[friends](javascript:1)", "")
    assert "https://cn-news.example.com/kling-open" in slack
    rows = [r for r in logged(sqlite_url) if r[:2] == ("model", "kling")]
    assert len(rows) == 5 and all(r[2] == "model=kling" and r[5:] == ("sent", 1) for r in rows)
    assert received[5]["kind"] == "slack" and "Launch" in received[5]["doc"]["text"]


def test_dry_run_writes_what_would_be_sent_and_logs_nothing(sqlite_url, tmp_path):
    today = _build(sqlite_url)
    out = tmp_path / "alert.html"
    res = alerts(sqlite_url, today.tz, "--dry-run", str(out))
    assert res.exit_code == 0, res.output
    assert "aigcwatch alert: Kling spike today" in res.output and "nothing sent" in res.output
    assert "&lt;script&gt;" in out.read_text() and SYNDICATED_TITLE in out.with_suffix(".txt").read_text()
    stdout = alerts(sqlite_url, today.tz, "--dry-run", "-")
    assert stdout.exit_code == 0 and "aigcwatch alert: Kling spike today" in stdout.output
    assert logged(sqlite_url) == []


def test_a_focus_without_a_spike_alerts_nothing(sqlite_url, tmp_path):
    today = _build(sqlite_url)
    res = alerts(sqlite_url, today.tz, "--dry-run", "-", "--model", "sora")
    assert res.exit_code == 0, res.output
    assert "no spike today" in res.output and "Kling" not in res.output


def test_a_second_alerts_run_exits_5_while_the_lock_is_held(sqlite_url, tmp_path, monkeypatch):
    from db.locks import named_lock

    today = _build(sqlite_url)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", ANA)
    engine = dbe.make_engine(sqlite_url)
    try:
        with named_lock(engine, "alerts"):
            res = alerts(sqlite_url, today.tz)
    finally:
        engine.dispose()
    assert res.exit_code == 5, res.output
    assert "another alerts is running" in res.stderr
    assert logged(sqlite_url) == []


def test_nothing_to_send_to_is_a_configuration_error(sqlite_url, monkeypatch):
    for var in ("AIGCWATCH_DIGEST_TO", "AIGCWATCH_ALERT_TO", "AIGCWATCH_WEBHOOKS", "AIGCWATCH_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    res = alerts(sqlite_url, "UTC")
    assert res.exit_code != 0 and "nothing to send to" in res.stderr


# --- the scheduler --------------------------------------------------------------------------------

def test_the_scheduler_checks_for_alerts_after_every_ingest(caplog):
    from aigcwatch.schedule import ScheduleConfig, Scheduler

    calls = []
    config = ScheduleConfig(ingest_every=timedelta(seconds=0.2), digest_at=None, tz="UTC")
    sched = Scheduler(config, ingest=lambda: calls.append("ingest") or "ok", digest=None,
                      alerts=lambda: calls.append("alerts") or "1 sent (kling), 0 failed")
    t = threading.Thread(target=sched.run)
    with caplog.at_level("INFO", logger="aigcwatch.schedule"):
        t.start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and calls.count("alerts") < 2:
            time.sleep(0.05)
        sched.stop()
        t.join(5)
    assert calls[:4] == ["ingest", "alerts", "ingest", "alerts"]
    assert "alerts: 1 sent (kling), 0 failed" in caplog.text


def test_the_alerts_job_sends_and_sums_up_in_one_line(sqlite_url, tmp_path, monkeypatch):
    from aigcwatch.config import setting
    from aigcwatch.schedule import alerts_job

    today = _build(sqlite_url)
    engine = dbe.ensure_schema(sqlite_url)
    try:
        with mailbox(tmp_path, monkeypatch) as srv:
            job = alerts_job(engine, setting, tz=today.tz)
            first, second = job(), job()
    finally:
        engine.dispose()
    assert first.startswith("1 sent (kling") or "(kling" in first, first
    assert first.endswith("0 failed") and "0 sent" in second, (first, second)
    assert len(kling_mail(srv.messages)) == 1


def test_midday_zone_puts_now_around_noon():
    for hour in range(24):
        now = datetime(2026, 11, 30, hour, 30, tzinfo=timezone.utc)
        assert 11 <= now.astimezone(ZoneInfo(midday_zone(now))).hour <= 13


def test_schedule_alerts_needs_ingest_and_somewhere_to_send(tmp_path, monkeypatch):
    for var in ("AIGCWATCH_DIGEST_TO", "AIGCWATCH_ALERT_TO", "AIGCWATCH_WEBHOOKS", "AIGCWATCH_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    url = f"sqlite:///{tmp_path / 's.db'}"
    off = run("schedule", "--alerts", "--every", "off", "--digest-at", "off", "--database-url", url)
    assert off.exit_code != 0 and "--alerts runs after every ingest: ingest is off (--every off)" in off.stderr
    nowhere = run("schedule", "--alerts", "--every", "30m", "--digest-at", "off", "--database-url", url)
    assert nowhere.exit_code != 0 and "--alerts: nothing to send to" in nowhere.stderr


def test_migration_0011_adds_the_alert_log_with_one_row_per_target_and_goes_back(empty_db_url):
    import sqlalchemy as sa
    from sqlalchemy.exc import IntegrityError

    from tests.test_openings import _downgrade

    engine = dbe.ensure_schema(empty_db_url)
    now = datetime.now(timezone.utc)
    row = dict(alert_date=now.date(), dim="model", key="kling", focus="", channel="email", recipient=ANA,
               status="sent", count=14, attempts=1, first_attempt_at=now, last_attempt_at=now)
    try:
        with engine.begin() as c:
            c.execute(sa.insert(m.AlertDelivery).values(**row))
            c.execute(sa.insert(m.AlertDelivery).values(**{**row, "focus": "model=kling"}))
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(sa.insert(m.AlertDelivery).values(**row))
        _downgrade(empty_db_url, "0010")
        assert "alert_deliveries" not in sa.inspect(engine).get_table_names()
        assert "deliveries" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    dbe.ensure_schema(empty_db_url).dispose()


def test_the_delivery_log_read_side_lists_alerts_beside_digests(sqlite_url, tmp_path, monkeypatch):
    # Before: db.queries.latest_deliveries (the Sources page's table) read the digest's log only.
    from db import queries as q

    today = _build(sqlite_url)
    with mailbox(tmp_path, monkeypatch):
        assert alerts(sqlite_url, today.tz, "--model", "kling").exit_code == 0
    engine = dbe.make_engine(sqlite_url)
    try:
        with dbe.session_factory(engine)() as s:
            rows = q.latest_deliveries(s)
    finally:
        engine.dispose()
    assert {(r["period"], r["spike"], r["focus"], r["recipient"], r["status"]) for r in rows} == {
        ("alert", "model:kling", "model=kling", ANA, "sent"),
        ("alert", "theme:launch_access", "model=kling", ANA, "sent")}
    assert all(r["digest_date"] == today.now.astimezone(ZoneInfo(today.tz)).date() for r in rows)


def test_an_alert_focused_on_sources_names_them_in_its_subject(sqlite_url, tmp_path):
    """Before: the subject and focus line named a focused source by its id ("cn-news")."""
    today = _build(sqlite_url)
    engine = dbe.make_engine(sqlite_url)
    with engine.begin() as c:
        c.execute(m.Source.__table__.update().where(m.Source.id == "cn-news").values(name="中文科技 <i>网</i>"))
    engine.dispose()
    out = tmp_path / "alert.html"
    res = alerts(sqlite_url, today.tz, "--dry-run", str(out), "--source", "cn-news", "--source", "cn-social")
    assert res.exit_code == 0, res.output
    assert "aigcwatch alert · 中文科技 <i>网</i> or 微博搜索: Kling spike today" in res.output, res.output
    assert "cn-news" not in res.output
    html = out.read_text()
    assert "<i>网</i>" not in html and "中文科技 &lt;i&gt;网&lt;/i&gt; or 微博搜索" in html


def test_an_earlier_days_spikes_are_previewed_with_date_and_dry_run_only(sqlite_url, tmp_path):
    # Before: alerts knew only today, so on an archive (the demo's is of 2025) the dry run could
    # only say "no spike today".
    engine = dbe.make_engine(sqlite_url)
    try:
        with dbe.session_factory(engine)() as s:
            then = build_today(s, datetime.now(timezone.utc) - timedelta(days=5))
    finally:
        engine.dispose()
    day = then.now.astimezone(ZoneInfo(then.tz)).date()
    assert "no spike today" in alerts(sqlite_url, then.tz, "--dry-run", "-").output
    shown = alerts(sqlite_url, then.tz, "--date", day.isoformat(), "--dry-run", "-")
    assert shown.exit_code == 0, shown.output
    assert f"aigcwatch alert (preview): Kling spike on {day}: {then.kling_today} stories" in shown.output
    assert f"{day} until " in shown.output and "today" not in shown.output
    assert "javascript:alert" not in shown.output
    quiet = alerts(sqlite_url, then.tz, "--date", (day - timedelta(days=2)).isoformat(), "--dry-run", "-")
    assert quiet.exit_code == 0 and f"no spike on {day - timedelta(days=2)}" in quiet.output
    sending = alerts(sqlite_url, then.tz, "--date", day.isoformat(), "--to", ANA)
    assert sending.exit_code != 0 and sending.output.strip().splitlines() == [
        "error: --date shows an earlier day's spikes with --dry-run; alerts are sent for today only"]
    later = alerts(sqlite_url, then.tz, "--date", (day + timedelta(days=30)).isoformat(), "--dry-run", "-")
    assert later.exit_code != 0 and "has not begun" in later.output
    assert logged(sqlite_url) == []


def test_an_alert_in_both_languages_gives_each_storys_line_in_its_own_language(sqlite_url):
    # Before: under a spike alert of both languages a Chinese story read "… · 3 outlets"; and an
    # English-only alert showed the spike by Chinese stories when they were the most carried
    engine = dbe.make_engine(sqlite_url)
    try:
        with dbe.session_factory(engine)() as s:
            then = build_today(s, datetime.now(timezone.utc) - timedelta(days=5))
    finally:
        engine.dispose()
    day = then.now.astimezone(ZoneInfo(then.tz)).date().isoformat()
    shown = alerts(sqlite_url, then.tz, "--date", day, "--dry-run", "-", "--model", "kling")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    metas = {lines[i - 1].strip()[2:]: line for i, line in enumerate(lines) if i and lines[i - 1].strip().startswith("- ")}
    zh = [m for t, m in metas.items() if t.startswith("可灵") or t == SYNDICATED_TITLE]
    en = [m for t, m in metas.items() if t.startswith("Kling 3.0")]
    assert zh and en, shown.output
    assert all("家媒体" in m for m in zh) and all("outlet" in m and "家媒体" not in m for m in en)
