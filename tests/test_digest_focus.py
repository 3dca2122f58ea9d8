"""Focused digests: `aigcwatch digest --model/--theme/--source/--category/-q` counts every number
within the focus, names it (subject, HTML and text, chat, the generic push's facts) and is logged
apart from the market-wide digest (migration 0010); the scheduler sends one too. Real SQLite and
PostgreSQL, aiosmtpd on loopback, a loopback chat platform."""
from __future__ import annotations

import shutil
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import insert, select, text as sql
from sqlalchemy.exc import IntegrityError

from aigcwatch.cli import main
from db import engine as dbe
from db import models as m
from db import queries as q
from db.filters import ItemFilter, day_window
from tests.support.smtp import smtp_server
from tests.support.stories import DAY, TZ, build
from tests.test_mail import PASSWORD, smtp_env
from tests.test_openings import _downgrade

HOSTILE_SEARCH = '<b>x</b> OR kling -"[y](javascript:1)"'


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "focus.db"
    shutil.copyfile(_sqlite_template, path)
    engine = dbe.make_engine(f"sqlite:///{path}")
    with dbe.session_factory(engine)() as s:
        build(s)
    engine.dispose()
    return f"sqlite:///{path}"


def run(*args):
    return CliRunner().invoke(main, list(args))


def digest(url, *args):
    return run("digest", "--date", str(DAY), "--tz", TZ, "--database-url", url, *args)


def logged(url) -> list[tuple]:
    engine = dbe.make_engine(url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(
                select(m.Delivery.focus, m.Delivery.recipient, m.Delivery.status, m.Delivery.attempts)
                .order_by(m.Delivery.focus, m.Delivery.recipient))]
    finally:
        engine.dispose()


# --- options: the export's, reused ----------------------------------------------------------------

def test_a_bad_focus_value_reads_as_the_exports_error(sqlite_url, tmp_path):
    option, value = "--category", "blog"
    exp = run("export", "items", "--database-url", sqlite_url, option, value)
    res = digest(sqlite_url, "--dry-run", str(tmp_path / "d.html"), option, value)
    assert exp.exit_code == res.exit_code != 0
    assert res.stderr == exp.stderr == "error: --category: unknown value 'blog' (use news, social)\n"
    assert not (tmp_path / "d.html").exists()


def test_the_digest_takes_the_same_focus_options_as_the_export():
    from report.commands import digest as digest_cmd, export_items

    def opts(cmd, names):
        return {o for p in cmd.params for o in p.opts if o in names}

    names = {"--model", "--theme", "--source", "--category", "-q", "--search"}
    assert opts(digest_cmd, names) == opts(export_items, names) == names
    helps = lambda cmd: {p.name: p.help for p in cmd.params if set(p.opts) & names}  # noqa: E731
    assert helps(digest_cmd) == helps(export_items)


def test_a_focused_dry_run_counts_within_the_focus_and_names_it(db_url, session, tmp_path):
    # Before: `digest` had no --model (exit 2, "No such option").
    build(session)
    out = tmp_path / "kling.html"
    res = digest(db_url, "--dry-run", str(out), "--model", "可灵", "-q", HOSTILE_SEARCH, "--lang", "both")
    assert res.exit_code == 0, res.output
    html, text = out.read_text(), out.with_suffix(".txt").read_text()
    since, until = day_window(DAY, DAY, TZ)
    flt = ItemFilter(since=since, until=until, model=("kling",), q=HOSTILE_SEARCH)
    total = q.count_items(session, flt)
    assert 0 < total < q.count_items(session, ItemFilter(since=since, until=until))
    assert f"报道 · Stories: {total} (" in text
    assert f">{total}</td>" in html
    # the focus, in both languages, under the header; the search escaped in HTML, as typed in text
    subject = res.output.splitlines()[0]
    assert subject.startswith("subject: aigcwatch daily 2025-03-10 · Kling") and "“<b>x</b> OR kling" in subject
    assert 'Focus: model Kling; search “<b>x</b> OR kling -"[y](javascript:1)"”' in text
    assert '范围：模型 可灵 Kling；搜索 “<b>x</b> OR kling -"[y](javascript:1)"”' in text
    assert "<b>x</b>" not in html and "Focus: model Kling; search “&lt;b&gt;x&lt;/b&gt; OR kling" in html
    assert "范围：模型 可灵 Kling；搜索 “&lt;b&gt;x&lt;/b&gt;" in html


def test_the_market_wide_digest_names_no_focus(sqlite_url, tmp_path):
    out = tmp_path / "all.html"
    res = digest(sqlite_url, "--dry-run", str(out))
    assert res.exit_code == 0, res.output
    assert "Focus" not in out.read_text() and "范围" not in out.with_suffix(".txt").read_text()
    assert res.output.startswith("subject: aigcwatch daily 2025-03-10: ")


# --- delivery log ---------------------------------------------------------------------------------

def test_a_recipient_gets_the_market_wide_and_each_focused_digest_once(db_url, session, tmp_path, monkeypatch):
    # Before: the log's key had no focus: a Kling digest to a recipient who had the day's
    # market-wide one was "already sent", and never went out.
    build(session)
    session.close()
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv)
        monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
        assert digest(db_url).exit_code == 0
        kling = digest(db_url, "--model", "Kling")
        assert kling.exit_code == 0, kling.output
        assert "✓ email ana@example.org: sent" in kling.output
        again = digest(db_url, "--model", "kling")
        assert "already sent" in again.output
        sora = digest(db_url, "-q", "sora  OR 可灵", "--category", "news")
        assert sora.exit_code == 0 and "✓ email" in sora.output
        forced = digest(db_url, "--model", "可灵", "--force")
        assert forced.exit_code == 0 and "✓ email" in forced.output
        assert len(srv.messages) == 4
    subjects = [msg["Subject"] for msg in srv.messages]
    # Before: every digest's X-Aigcwatch-Digest read "2025-03-10 day", focused or not
    assert [msg["X-Aigcwatch-Digest"] for msg in srv.messages] == [
        "2025-03-10 day", "2025-03-10 day model=kling", "2025-03-10 day category=news; q=sora OR 可灵",
        "2025-03-10 day model=kling"]
    assert ": " in subjects[0] and "·" not in subjects[0]
    assert subjects[1].startswith("aigcwatch daily 2025-03-10 · Kling: ")
    assert subjects[2].startswith("aigcwatch daily 2025-03-10 · news, “sora OR 可灵”: ")
    assert logged(db_url) == [("", "ana@example.org", "sent", 1),
                              ("category=news; q=sora OR 可灵", "ana@example.org", "sent", 1),
                              ("model=kling", "ana@example.org", "sent", 2)]


def test_a_failed_focused_delivery_is_retried_on_its_own(sqlite_url, tmp_path, monkeypatch):
    from tests.support.smtp import free_port

    port = free_port()
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_SMTP_PORT", str(port))
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
    assert digest(sqlite_url, "--model", "kling").exit_code == 6
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD, port=port) as srv:
        smtp_env(monkeypatch, srv)
        monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
        assert digest(sqlite_url).exit_code == 0                    # market-wide: its own row
        assert logged(sqlite_url) == [("", "ana@example.org", "sent", 1),
                                      ("model=kling", "ana@example.org", "failed", 1)]
        assert digest(sqlite_url, "--model", "kling").exit_code == 0
    assert logged(sqlite_url)[1] == ("model=kling", "ana@example.org", "sent", 2)
    from report.delivery import failed_digests

    engine = dbe.make_engine(sqlite_url)
    with dbe.session_factory(engine)() as s:
        assert failed_digests(s, DAY) == []
    engine.dispose()


def test_the_focus_key_is_canonical_and_bounded():
    from report.focus import focus_key

    assert focus_key(ItemFilter()) == ""
    assert focus_key(ItemFilter(since=datetime(2025, 1, 1, tzinfo=timezone.utc), lang=("zh",))) == ""
    a = focus_key(ItemFilter(model=("sora", "kling"), q="  sora   OR 可灵 "))
    assert a == focus_key(ItemFilter(model=("kling", "sora"), q="sora OR 可灵")) == \
        "model=kling,sora; q=sora OR 可灵"
    long_ = focus_key(ItemFilter(q="x" * 5000))
    assert len(long_) <= m.Delivery.focus.type.length
    assert long_ != focus_key(ItemFilter(q="x" * 4999))


# --- chat and the generic push --------------------------------------------------------------------

def test_chats_and_the_generic_push_carry_the_focus_escaped(sqlite_url, tmp_path, monkeypatch):
    from tests.test_webhooks import platform

    with platform() as (base, received):
        hooks = tmp_path / "hooks.toml"
        hooks.write_text(f'[[webhook]]\nname = "gen"\nkind = "generic"\nurl = "{base}/generic"\n'
                         f'secret_env = "GEN_SECRET"\n'
                         f'[[webhook]]\nname = "wecom"\nkind = "wecom"\nurl = "{base}/wecom"\n')
        monkeypatch.setenv("GEN_SECRET", "generic-secret")
        monkeypatch.setenv("AIGCWATCH_WEBHOOKS", str(hooks))
        monkeypatch.delenv("AIGCWATCH_DIGEST_TO", raising=False)
        res = digest(sqlite_url, "--model", "可灵", "-q", HOSTILE_SEARCH, "--lang", "en")
        assert res.exit_code == 0, res.output
    gen = next(r["doc"] for r in received if r["kind"] == "generic")
    assert gen["focus"] == {"key": f"model=kling; q={HOSTILE_SEARCH}", "model": ["kling"], "theme": [],
                            "source": [], "category": [], "search": HOSTILE_SEARCH}
    assert gen["title"].startswith("aigcwatch daily 2025-03-10 · Kling, “<b>x</b>")
    assert any(line["text"] == f"Focus: model Kling; search “{HOSTILE_SEARCH}”" for line in gen["lines"])
    md = next(r["doc"] for r in received if r["kind"] == "wecom")["markdown"]["content"]
    assert "Focus: model Kling; search “＜b＞x＜/b＞ OR kling -\"［y］(javascript:1)\"”" in md
    assert "[y]" not in md and "<b>" not in md


def test_the_market_wide_push_has_an_empty_focus(sqlite_url, tmp_path, monkeypatch):
    from tests.test_webhooks import platform

    with platform() as (base, received):
        hooks = tmp_path / "hooks.toml"
        hooks.write_text(f'[[webhook]]\nname = "gen"\nkind = "generic"\nurl = "{base}/generic"\n'
                         f'secret_env = "GEN_SECRET"\n')
        monkeypatch.setenv("GEN_SECRET", "generic-secret")
        monkeypatch.setenv("AIGCWATCH_WEBHOOKS", str(hooks))
        monkeypatch.delenv("AIGCWATCH_DIGEST_TO", raising=False)
        assert digest(sqlite_url).exit_code == 0
    [gen] = [r["doc"] for r in received]
    assert gen["focus"] == {"key": "", "model": [], "theme": [], "source": [], "category": [], "search": ""}


# --- migration 0010 -------------------------------------------------------------------------------

def test_migration_0010_keeps_the_log_and_keys_it_by_focus(empty_db_url):
    dbe.upgrade(empty_db_url, "0009")
    now = datetime(2025, 3, 11, tzinfo=timezone.utc)
    row = {"digest_date": date(2025, 3, 10), "period": "day", "channel": "email", "recipient": "ana@example.org",
           "status": "sent", "attempts": 1, "first_attempt_at": now, "last_attempt_at": now, "sent_at": now}
    engine = dbe.make_engine(empty_db_url)
    table = m.Delivery.__table__
    before = sa.table("deliveries", *[sa.column(c.name, c.type) for c in table.c if c.name not in ("id", "focus")])
    try:
        with engine.begin() as c:
            c.execute(insert(before), [row])
        dbe.upgrade(empty_db_url)
        with engine.begin() as c:
            assert c.execute(sql("SELECT focus, recipient, status FROM deliveries")).all() == [
                ("", "ana@example.org", "sent")]
            c.execute(insert(table), [{**row, "focus": "model=kling"}])      # a second focus: allowed
        with pytest.raises(IntegrityError):
            with engine.begin() as c:
                c.execute(insert(table), [{**row, "focus": "model=kling"}])  # the same one: not
        engine.dispose()
        _downgrade(empty_db_url, "0009")      # back: the market-wide rows stay
        assert "focus" not in {c["name"] for c in sa.inspect(engine).get_columns("deliveries")}
        with engine.connect() as c:
            assert c.execute(sql("SELECT recipient, status FROM deliveries")).all() == [("ana@example.org", "sent")]
    finally:
        engine.dispose()


# --- the scheduler --------------------------------------------------------------------------------

def test_the_scheduled_digest_job_sends_its_focus_and_retries_only_its_own(sqlite_url, tmp_path, monkeypatch):
    from aigcwatch.config import setting
    from aigcwatch.schedule import digest_job
    from tests.support.smtp import free_port

    port = free_port()
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_SMTP_PORT", str(port))
    monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
    assert digest(sqlite_url).exit_code == 6              # a market-wide failure the job must not retry
    engine = dbe.make_engine(sqlite_url)
    try:
        job = digest_job(engine, setting, tz=TZ, period="day", base=ItemFilter(model=("kling",)))
        with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD, port=port) as srv:
            smtp_env(monkeypatch, srv)
            monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
            summary = job(DAY)
        assert summary == f"{DAY} (day, focus model=kling) 1 sent, 0 already sent"
        assert [msg["Subject"][:37] for msg in srv.messages] == ["aigcwatch daily 2025-03-10 · Kling: K"]
    finally:
        engine.dispose()
    assert logged(sqlite_url) == [("", "ana@example.org", "failed", 1), ("model=kling", "ana@example.org", "sent", 1)]


def test_schedule_reads_the_focus_options_and_refuses_a_bad_one(tmp_path, monkeypatch):
    monkeypatch.setenv("AIGCWATCH_HOME", str(tmp_path))
    res = run("schedule", "--every", "off", "--digest-at", "08:00", "--category", "blog")
    assert res.exit_code != 0 and res.stderr == "error: --category: unknown value 'blog' (use news, social)\n"


def test_a_subject_tells_values_of_one_kind_from_kinds_that_all_hold():
    # Before: "可灵 Kling、Sora、就业冲击" read as three things alike; the models are any of them,
    # the theme holds besides.
    from report.focus import focus_short

    flt = ItemFilter(model=("kling", "sora"), theme=("jobs",), q="翻车")
    assert focus_short(flt, "zh") == "可灵 Kling 或 Sora、就业冲击、“翻车”"
    assert focus_short(flt, "en") == "Kling or Sora, Jobs, “翻车”"
    assert focus_short(ItemFilter(), "en") == ""


@pytest.mark.parametrize("flt", [
    ItemFilter(model=("kling", "sora"), theme=("jobs",)),
    ItemFilter(source_id=("kr36",), category=("social",), q='<b>x</b>; model=sora OR "a, b"'),
    ItemFilter(q="x=1; y"),
])
def test_a_logged_focus_key_reads_as_the_subject_does(flt):
    # Before: the Sources page's delivery log showed the key ("model=kling,sora; theme=jobs"),
    # not the focus as the subject names it ("Kling or Sora, Jobs").
    from report.focus import focus_key, focus_reading, focus_short

    for lang in ("zh", "en"):
        assert focus_reading(focus_key(flt), lang) == focus_short(flt, lang) != ""
    assert focus_reading("", "en") == ""


def test_a_cut_or_unknown_focus_key_still_reads_as_much_as_it_holds():
    from report.focus import focus_key, focus_reading

    cut = focus_key(ItemFilter(model=("kling",), q="sora " * 100))
    assert focus_reading(cut, "en").startswith("Kling, “sora sora") and focus_reading(cut, "en").endswith("…")
    long_ids = focus_key(ItemFilter(source_id=tuple(f"source-{i:03}" for i in range(40))))
    assert focus_reading(long_ids, "en").startswith("source-000 or source-001 or ")
    assert focus_reading(long_ids, "en").endswith("…") and "#" not in focus_reading(long_ids, "en")
    assert focus_reading("region=eu", "en") == "region=eu"      # not focus_key's form: as stored


def _rename_source(url: str, source_id: str, name: str) -> None:
    engine = dbe.make_engine(url)
    try:
        with engine.begin() as c:
            c.execute(sa.update(m.Source).where(m.Source.id == source_id).values(name=name))
    finally:
        engine.dispose()


def test_a_source_focus_is_named_by_the_sources_name_escaped(sqlite_url, tmp_path):
    """Before: a digest focused on a source named it by its id ("cn-news") in the subject and the
    focus lines. Now by its name in the sources table, escaped in the HTML."""
    _rename_source(sqlite_url, "cn-news", "中文科技 <b>快讯</b>")
    out = tmp_path / "src.html"
    res = digest(sqlite_url, "--dry-run", str(out), "--source", "cn-news", "--lang", "both")
    assert res.exit_code == 0, res.output
    subject = res.output.splitlines()[0]
    assert "cn-news" not in subject and "· 中文科技 <b>快讯</b>" in subject, subject
    text, html = out.with_suffix(".txt").read_text(), out.read_text()
    assert "Focus: source 中文科技 <b>快讯</b>" in text and "范围：来源 中文科技 <b>快讯</b>" in text
    assert "<b>快讯</b>" not in html and "Focus: source 中文科技 &lt;b&gt;快讯&lt;/b&gt;" in html
    assert "source cn-news" not in text and "来源 cn-news" not in text


def test_a_logged_source_focus_reads_as_its_name_when_names_are_given():
    from report.focus import focus_key, focus_reading

    key = focus_key(ItemFilter(source_id=("cn-news", "gone"), model=("kling",)))
    names = {"cn-news": "中文科技"}
    assert focus_reading(key, "en", names) == "Kling, 中文科技 or gone"      # an unknown id reads as itself
    assert focus_reading(key, "zh", names) == "可灵 Kling、中文科技 或 gone"
    assert focus_reading(key, "en") == "Kling, cn-news or gone"
