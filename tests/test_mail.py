"""`aigcwatch digest` by email through a real SMTP server (aiosmtpd) on loopback: STARTTLS and
login, the message parsed back (subject, both parts, links, escaping, numbers against the
database), the delivery log (no second send, --force, failures recorded and retried)."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aigcwatch.cli import main
from aigcwatch.config import setting
from db import models as m
from db import queries as q
from db.engine import make_engine, session_factory
from db.filters import ItemFilter, day_window
from report.mail import SmtpSession, build_message, smtp_settings
from tests.support.smtp import free_port, smtp_server
from tests.support.stories import DAY, HOSTILE_TITLE, SYNDICATED_TITLE, TZ, build

PASSWORD = "s3cret-Pa55"


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "digest.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


def fill(url: str) -> None:
    engine = make_engine(url)
    try:
        with session_factory(engine)() as s:
            build(s)
    finally:
        engine.dispose()


def smtp_env(monkeypatch, srv, *, security="starttls", user="digest", password=PASSWORD, cafile=True):
    monkeypatch.setenv("AIGCWATCH_SMTP_HOST", "localhost")
    monkeypatch.setenv("AIGCWATCH_SMTP_PORT", str(srv.port if srv else free_port()))
    monkeypatch.setenv("AIGCWATCH_SMTP_SECURITY", security)
    monkeypatch.setenv("AIGCWATCH_DIGEST_FROM", "aigcwatch <digest@example.org>")
    monkeypatch.delenv("AIGCWATCH_WEBHOOKS", raising=False)
    monkeypatch.delenv("AIGCWATCH_DIGEST_TO", raising=False)
    for name, value in (("AIGCWATCH_SMTP_USER", user), ("AIGCWATCH_SMTP_PASSWORD", password),
                        ("AIGCWATCH_SMTP_CAFILE", str(srv.cafile) if cafile and srv and srv.cafile else None)):
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)


def digest(url, *args):
    return CliRunner().invoke(main, ["digest", "--date", str(DAY), "--tz", TZ, "--database-url", url, *args])


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k in ("href", "src") and v is not None]


def deliveries(url):
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(
                select(m.Delivery.recipient, m.Delivery.status, m.Delivery.attempts, m.Delivery.error)
                .order_by(m.Delivery.recipient))]
    finally:
        engine.dispose()


def test_digest_arrives_over_starttls_and_reads_back_with_the_database_numbers(db_url, session, tmp_path,
                                                                               monkeypatch):
    build(session)
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv)
        res = digest(db_url, "--to", "ana@example.org,ben@example.org")
        assert res.exit_code == 0, res.output
        assert PASSWORD not in res.output
        assert len(srv.messages) == 2 and all(srv.tls_seen) and srv.logins == ["digest"]   # one session
    assert [rcpts for _, rcpts in srv.envelopes] == [["ana@example.org"], ["ben@example.org"]]
    msg = srv.messages[0]
    assert msg["Subject"] == "aigcwatch daily 2025-03-10: Kling spike: 14 stories (usual 1)"
    assert msg["To"] == "ana@example.org" and "digest@example.org" in msg["From"]
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()

    # Numbers: the same as the read side for that local day.
    since, until = day_window(DAY, DAY, TZ)
    flt = ItemFilter(since=since, until=until)
    total = q.count_items(session, flt)
    zh = q.count_items(session, flt.replace(lang=("zh",)))
    en = q.count_items(session, flt.replace(lang=("en",)))
    prev = q.count_items(session, flt.replace(since=since - (until - since), until=since))
    got = re.search(r"Stories: (\d+) \(([+-]\d+)", text)
    assert (int(got[1]), int(got[2])) == (total, total - prev) == (15, 11)
    assert re.search(rf"Chinese: {zh} \(", text) and re.search(rf"English: {en} \(", text)
    assert f">{total}</td>" in html
    # Both languages' sections, and the story carried by three outlets, listed once: under the
    # Kling spike (in the subject's language), not again under its theme in the Chinese section.
    assert "中文报道" in html and "English coverage" in html
    assert text.count(f"- {SYNDICATED_TITLE}\n") == 1 and "3 家媒体" in text      # a Chinese story's line

    # Feed text is escaped in HTML; only http(s) links exist; the javascript: story has no link.
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and HOSTILE_TITLE in text
    parser = Links()
    parser.feed(html)
    assert parser.hrefs and all(h.startswith(("http://", "https://")) for h in parser.hrefs)
    assert "javascript:" not in html and "javascript:" not in text

    rows = deliveries(db_url)
    assert [(r["recipient"], r["status"], r["attempts"]) for r in rows] == [
        ("ana@example.org", "sent", 1), ("ben@example.org", "sent", 1)]


def test_a_digest_is_not_sent_twice_unless_forced(sqlite_url, tmp_path, monkeypatch):
    fill(sqlite_url)
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv)
        monkeypatch.setenv("AIGCWATCH_DIGEST_TO", "ana@example.org")
        assert digest(sqlite_url).exit_code == 0
        again = digest(sqlite_url)
        assert again.exit_code == 0 and "already sent" in again.output
        assert len(srv.messages) == 1
        forced = digest(sqlite_url, "--force")
        assert forced.exit_code == 0 and len(srv.messages) == 2
    assert deliveries(sqlite_url)[0]["attempts"] == 2


def test_a_failed_delivery_exits_6_with_one_line_is_recorded_and_the_next_run_retries(sqlite_url, tmp_path,
                                                                                     monkeypatch):
    fill(sqlite_url)
    port = free_port()   # nothing listens there yet
    monkeypatch.setenv("AIGCWATCH_SMTP_HOST", "localhost")
    smtp_env(monkeypatch, None)
    monkeypatch.setenv("AIGCWATCH_SMTP_PORT", str(port))
    res = digest(sqlite_url, "--to", "ana@example.org")
    assert res.exit_code == 6
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: digest 2025-03-10 (day): 1 of 1 deliveries failed")
    assert f"SMTP localhost:{port} (starttls): cannot connect" in lines[0] and PASSWORD not in res.output
    [row] = deliveries(sqlite_url)
    assert row["status"] == "failed" and "cannot connect" in row["error"]
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD, port=port) as srv:
        smtp_env(monkeypatch, srv)
        retry = digest(sqlite_url, "--to", "ana@example.org")
        assert retry.exit_code == 0, retry.output
        assert len(srv.messages) == 1
    [row] = deliveries(sqlite_url)
    assert (row["status"], row["attempts"], row["error"]) == ("sent", 2, None)


# aiosmtpd counts only STARTTLS as TLS, so AUTH over implicit TLS makes it warn.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_works_and_an_untrusted_certificate_is_refused(sqlite_url, tmp_path, monkeypatch):
    fill(sqlite_url)
    with smtp_server(tmp_path, tls="ssl", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv, security="ssl", cafile=False)
        refused = digest(sqlite_url, "--to", "ana@example.org")
        assert refused.exit_code == 6 and "TLS failed" in refused.stderr
        assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr.upper().replace(" ", "_")
        smtp_env(monkeypatch, srv, security="ssl")
        ok = digest(sqlite_url, "--to", "ana@example.org")
        assert ok.exit_code == 0, ok.output
        assert len(srv.messages) == 1   # over TLS: the untrusted certificate was refused above


def test_starttls_is_required_when_asked_for(sqlite_url, tmp_path, monkeypatch):
    fill(sqlite_url)
    with smtp_server(tmp_path, tls="none") as srv:
        smtp_env(monkeypatch, srv, user=None, password=None)
        res = digest(sqlite_url, "--to", "ana@example.org")
        assert res.exit_code == 6 and "no STARTTLS offered" in res.stderr
        assert srv.messages == []
        monkeypatch.setenv("AIGCWATCH_SMTP_SECURITY", "none")      # a trusted local relay
        assert digest(sqlite_url, "--to", "ana@example.org").exit_code == 0
        assert len(srv.messages) == 1


def test_a_day_without_stories_says_so_plainly(sqlite_url, tmp_path, monkeypatch):
    fill(sqlite_url)
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv)
        res = CliRunner().invoke(main, ["digest", "--date", "2025-06-01", "--tz", TZ, "--database-url",
                                        sqlite_url, "--to", "ana@example.org"])
        assert res.exit_code == 0, res.output
    msg = srv.messages[0]
    assert msg["Subject"] == "aigcwatch daily 2025-06-01: no data"
    text = msg.get_body(("plain",)).get_content()
    assert "No stories were collected for 2025-06-01 (Asia/Shanghai)." in text
    assert "2025-06-01（Asia/Shanghai）没有采集到任何报道。" in text
    assert "The latest stored story was published 2025-03-10" in text


@pytest.mark.parametrize("env, message", [
    ({"AIGCWATCH_SMTP_SECURITY": "tls"}, "AIGCWATCH_SMTP_SECURITY: 'tls' is not one of starttls, ssl, none"),
    ({"AIGCWATCH_SMTP_PORT": "x25"}, "AIGCWATCH_SMTP_PORT: 'x25' is not a port number"),
    ({"AIGCWATCH_SMTP_SECURITY": "none", "AIGCWATCH_SMTP_USER": "u"}, "password would be sent in clear"),
])
def test_bad_smtp_settings_are_named(env, message):
    from aigcwatch.errors import ConfigError

    values = {"smtp_host": "mail.example.org", **{k.removeprefix("AIGCWATCH_").lower(): v for k, v in env.items()}}
    with pytest.raises(ConfigError, match=re.escape(message)):
        smtp_settings(values.get)


def test_settings_lists_smtp_settings_but_never_the_password(monkeypatch):
    monkeypatch.setenv("AIGCWATCH_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("AIGCWATCH_SMTP_HOST", "mail.example.org")
    res = CliRunner().invoke(main, ["settings"])
    assert res.exit_code == 0
    assert PASSWORD not in res.output
    assert "AIGCWATCH_SMTP_PASSWORD" in res.output and "(set)" in res.output
    assert "mail.example.org" in res.output


def test_a_digest_sent_before_its_day_is_over_does_not_stop_the_complete_one(sqlite_url, tmp_path):
    """`aigcwatch digest --date <today>` (a digest of a day not over) is recorded, but once the day
    is over the next run (the scheduler's 08:30 digest of yesterday) still sends the whole day's
    digest to that target; a run while the day is still going does not send the partial one again."""
    from datetime import datetime, timedelta, timezone

    from report.mail import SmtpSettings
    from report.send import send_digest

    fill(sqlite_url)
    since, until = day_window(DAY, DAY, TZ)
    engine = make_engine(sqlite_url)
    try:
        with smtp_server(tmp_path, tls="none") as srv:
            smtp = SmtpSettings(host="127.0.0.1", port=srv.port, security="none")

            def send(now):
                run = send_digest(engine, DAY, tz=TZ, emails=["ana@example.org"], sender="d@example.org",
                                  smtp=smtp, now=now)
                return [o.status for o in run.outcomes]

            assert send(since + timedelta(hours=10)) == ["sent"]            # today, at 10:00 local
            assert send(since + timedelta(hours=15)) == ["skipped"]         # later the same day
            assert send(until + timedelta(hours=8, minutes=30)) == ["sent"]  # the next morning
            assert send(until + timedelta(hours=9)) == ["skipped"]          # and only once
            assert len(srv.messages) == 2
        with engine.connect() as c:
            [row] = c.execute(select(m.Delivery.status, m.Delivery.attempts, m.Delivery.sent_at)).all()
        assert (row.status, row.attempts) == ("sent", 2)
        assert row.sent_at.replace(tzinfo=timezone.utc) == until + timedelta(hours=8, minutes=30)
    finally:
        engine.dispose()


LONG_SUBJECTS = (
    # Python's header folder (3.11-3.14, CPython gh-144156) folded these at a space between two
    # encoded words, where RFC 2047 readers drop it ("可灵 Kling昨日"), or before the first word,
    # so that the subject read back with a leading space.
    "aigcwatch 预警（补发）：可灵 Kling 昨日 (2026-11-29) 报道激增：34 条（常态 7.5），Sora / Veo 也在升温",
    "aigcwatch daily 2025-10-20: Launch / access spike: 7 stories (usual 2.5)",
    "aigcwatch 日报 2025-03-10：可灵 Kling 报道激增：14 条（常态 1）· 可灵 Kling / Sora / Veo，就业 / 版权",
    "aigcwatch weekly 2025-03-10: Kling / Sora / Veo, Jobs / Copyright: 14 stories, and a much longer tail of words",
)


def test_long_subjects_read_back_with_every_space_and_header_lines_stay_short(tmp_path, monkeypatch):
    with smtp_server(tmp_path, tls="starttls", user="digest", password=PASSWORD) as srv:
        smtp_env(monkeypatch, srv)
        settings = smtp_settings(setting)
        with SmtpSession(settings) as session:
            for subject in LONG_SUBJECTS:
                session.send(build_message(subject, "text", "<p>html</p>", sender="aigcwatch <d@example.org>",
                                           to="ana@example.org", headers={"X-Aigcwatch-Digest": subject}))
    assert [msg["Subject"] for msg in srv.messages] == list(LONG_SUBJECTS)
    assert [msg["X-Aigcwatch-Digest"] for msg in srv.messages] == list(LONG_SUBJECTS)
    for raw in srv.raw:
        head = raw.split(b"\r\n\r\n", 1)[0]
        assert all(len(line) <= 78 for line in head.split(b"\r\n")), head
        assert all(len(word) <= 75 for word in re.findall(rb"=\?[^?]+\?[bq]\?[^?]*\?=", head)), head
