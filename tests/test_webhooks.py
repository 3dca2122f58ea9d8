"""Chat pushes: a loopback HTTP server plays each platform, checks the payload's shape and verifies
the signature the way the platform does (its own code here, from the platforms' documented rules),
and answers as the platform would."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from aigcwatch.cli import main
from aigcwatch.errors import ConfigError
from db import models as m
from db.engine import make_engine, session_factory
from report.webhooks import Webhook, load_webhooks, request_for, slack_escape
from tests.support.smtp import free_port
from tests.support.stories import DAY, SYNDICATED_TITLE, TZ, build

SECRETS = {"feishu": "feishu-secret", "dingtalk": "SECdingtalk", "generic": "generic-secret"}


class Platform(BaseHTTPRequestHandler):
    """Answers like Slack, Feishu, DingTalk, WeCom and a signed generic receiver."""

    received: list[dict]
    secrets: dict[str, str]

    def log_message(self, *args):
        pass

    def do_POST(self):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        doc = json.loads(body)
        kind = parts.path.strip("/")
        self.received.append({"kind": kind, "query": query, "headers": dict(self.headers), "doc": doc,
                              "raw": body})
        status, answer = 200, {"errcode": 0, "errmsg": "ok"}
        if kind == "slack":
            status, answer = 200, "ok"
        elif kind == "feishu":
            ts = int(doc.get("timestamp", 0))
            key = f"{ts}\n{self.secrets['feishu']}".encode()
            good = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            ok = doc.get("sign") == good and abs(time.time() - ts) < 3600
            answer = {"code": 0, "msg": "success"} if ok else \
                {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        elif kind == "dingtalk":
            ts = query["timestamp"][0]
            secret = self.secrets["dingtalk"]
            mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
            ok = (query.get("access_token") == ["tok123"] and base64.b64decode(query["sign"][0]) == mac
                  and abs(time.time() * 1000 - int(ts)) < 3_600_000)
            answer = {"errcode": 0, "errmsg": "ok"} if ok else {"errcode": 310000, "errmsg": "sign not match"}
        elif kind == "generic":
            ts = self.headers["X-Aigcwatch-Timestamp"]
            mac = hmac.new(self.secrets["generic"].encode(), f"{ts}.".encode() + body, hashlib.sha256)
            if self.headers["X-Aigcwatch-Signature"] != "sha256=" + mac.hexdigest():
                status, answer = 401, {"error": "bad signature"}
            else:
                status, answer = 204, ""
        elif kind == "down":
            status, answer = 503, "maintenance"
        payload = (answer if isinstance(answer, str) else json.dumps(answer)).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and status != 204:
            self.wfile.write(payload)


@contextmanager
def platform(secrets=SECRETS):
    handler = type("H", (Platform,), {"received": [], "secrets": dict(secrets)})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.received
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    path = tmp_path / "hooks.db"
    shutil.copyfile(_sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with session_factory(engine)() as s:
        build(s)
    engine.dispose()
    return f"sqlite:///{path}"


HOOKS_TOML = """
[[webhook]]
name = "team-slack"
kind = "slack"
url_env = "T_SLACK_URL"

[[webhook]]
name = "team-feishu"
kind = "feishu"
url_env = "T_FEISHU_URL"
secret_env = "T_FEISHU_SECRET"
lang = "zh"

[[webhook]]
name = "ops-dingtalk"
kind = "dingtalk"
url_env = "T_DINGTALK_URL"
secret_env = "T_DINGTALK_SECRET"

[[webhook]]
name = "wecom-group"
kind = "wecom"
url_env = "T_WECOM_URL"

[[webhook]]
name = "bi-inbox"
kind = "generic"
url_env = "T_GENERIC_URL"
secret_env = "T_GENERIC_SECRET"
"""


def configure(monkeypatch, tmp_path, base, *, feishu_secret=SECRETS["feishu"], toml=HOOKS_TOML):
    path = tmp_path / "webhooks.toml"
    path.write_text(toml, encoding="utf-8")
    for var in ("AIGCWATCH_SMTP_HOST", "AIGCWATCH_DIGEST_TO", "AIGCWATCH_DIGEST_FROM"):
        monkeypatch.delenv(var, raising=False)
    env = {"AIGCWATCH_WEBHOOKS": str(path), "T_SLACK_URL": f"{base}/slack",
           "T_FEISHU_URL": f"{base}/feishu", "T_FEISHU_SECRET": feishu_secret,
           "T_DINGTALK_URL": f"{base}/dingtalk?access_token=tok123", "T_DINGTALK_SECRET": SECRETS["dingtalk"],
           "T_WECOM_URL": f"{base}/wecom?key=k1", "T_GENERIC_URL": f"{base}/generic",
           "T_GENERIC_SECRET": SECRETS["generic"]}
    for k, v in env.items():
        monkeypatch.setenv(k, v)


def digest(url, *args):
    return CliRunner().invoke(main, ["digest", "--date", str(DAY), "--tz", TZ, "--database-url", url, *args])


def test_every_platform_gets_its_shape_and_a_signature_it_accepts(sqlite_url, tmp_path, monkeypatch):
    with platform() as (base, received):
        configure(monkeypatch, tmp_path, base)
        res = digest(sqlite_url)
        assert res.exit_code == 0, res.output
    by = {r["kind"]: r for r in received}
    assert set(by) == {"slack", "feishu", "dingtalk", "wecom", "generic"}

    slack = by["slack"]["doc"]
    assert slack["text"].startswith("aigcwatch daily 2025-03-10: Kling spike")
    assert slack["blocks"][0]["text"]["type"] == "mrkdwn"
    assert f"|{SYNDICATED_TITLE} — 中文科技>" in slack["blocks"][0]["text"]["text"]

    feishu = by["feishu"]["doc"]
    assert feishu["msg_type"] == "post" and feishu["sign"] and feishu["timestamp"].isdigit()
    post = feishu["content"]["post"]["zh_cn"]
    assert post["title"] == "aigcwatch 日报 2025-03-10: 可灵 Kling 报道激增：14 条（常态 1）"   # lang = "zh"
    links = [el for row in post["content"] for el in row if el["tag"] == "a"]
    assert links and all(el["href"].startswith("https://") for el in links)

    ding = by["dingtalk"]
    assert ding["doc"]["msgtype"] == "markdown" and ding["doc"]["markdown"]["text"].startswith("### ")
    assert set(ding["query"]) == {"access_token", "timestamp", "sign"}

    wecom = by["wecom"]["doc"]
    assert wecom["msgtype"] == "markdown" and len(wecom["markdown"]["content"].encode()) <= 4096

    generic = by["generic"]
    assert generic["headers"]["X-Aigcwatch-Signature"].startswith("sha256=")
    doc = generic["doc"]
    assert doc["event"] == "aigcwatch.digest" and doc["date"] == "2025-03-10" and doc["time_zone"] == TZ
    assert doc["stories"]["current"] == 15 and doc["by_lang"]["zh"]["current"] == 8
    assert doc["spikes"][0]["key"] == "kling" and doc["spikes"][0]["leader"] == "zh"

    engine = make_engine(sqlite_url)
    with engine.connect() as c:
        rows = c.execute(select(m.Delivery.channel, m.Delivery.recipient, m.Delivery.status)).all()
    engine.dispose()
    assert sorted(rows) == sorted([("webhook:slack", "team-slack", "sent"), ("webhook:feishu", "team-feishu", "sent"),
                                   ("webhook:dingtalk", "ops-dingtalk", "sent"), ("webhook:wecom", "wecom-group", "sent"),
                                   ("webhook:generic", "bi-inbox", "sent")])


def test_a_signature_the_platform_rejects_fails_that_push_only_and_the_next_run_retries_it(
        sqlite_url, tmp_path, monkeypatch):
    with platform() as (base, received):
        configure(monkeypatch, tmp_path, base, feishu_secret="not-the-bots-secret")
        res = digest(sqlite_url)
        assert res.exit_code == 6
        line = res.stderr.strip()
        assert "\n" not in line and "1 of 5 deliveries failed" in line
        assert "webhook:feishu team-feishu: webhook 'team-feishu' (feishu, 127.0.0.1): platform error 19021" in line
        assert len(received) == 5
        configure(monkeypatch, tmp_path, base)           # the secret fixed
        again = digest(sqlite_url)
        assert again.exit_code == 0, again.output
        assert [r["kind"] for r in received[5:]] == ["feishu"]   # only the failed one is sent again
        assert again.output.count("already sent") == 4


def test_a_down_platform_and_a_dead_port_are_named_without_the_url_token(sqlite_url, tmp_path, monkeypatch):
    toml = ('[[webhook]]\nname = "down"\nkind = "generic"\nurl_env = "T_DOWN"\n\n'
            '[[webhook]]\nname = "dead"\nkind = "wecom"\nurl_env = "T_DEAD"\n')
    with platform() as (base, _):
        configure(monkeypatch, tmp_path, base, toml=toml)
        monkeypatch.setenv("T_DOWN", f"{base}/down?token=SECRET-TOKEN")
        monkeypatch.setenv("T_DEAD", f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send?key=SECRET-KEY")
        res = digest(sqlite_url)
    assert res.exit_code == 6
    assert "SECRET" not in res.output
    assert "webhook 'down' (generic, 127.0.0.1): HTTP 503: maintenance" in res.output
    assert "webhook 'dead' (wecom, 127.0.0.1): ConnectError" in res.output


@pytest.mark.parametrize("toml, env, message", [
    ('[[webhook]]\nname = "a"\nkind = "teams"\nurl = "https://x.example"\n', {}, "webhook 'a', field 'kind'"),
    ('[[webhook]]\nname = "a"\nkind = "slack"\nurl_env = "NOPE_UNSET"\n', {}, "environment variable NOPE_UNSET is not set"),
    ('[[webhook]]\nname = "a"\nkind = "slack"\nurl = "ftp://x"\n', {}, "field 'url': must be an http(s) URL"),
    ('[[webhook]]\nname = "a"\nkind = "slack"\nurl = "https://x"\nurl_env = "U"\n', {"U": "https://y"},
     "give exactly one of url and url_env"),
    ('[[webhook]]\nname = "a"\nkind = "feishu"\nurl = "https://x"\nsecret = "inline"\n', {},
     "field 'secret': unknown field"),
    ('[[webhook]]\nname = "a"\nkind = "slack"\nurl = "https://x"\n[[webhook]]\nname = "a"\nkind = "slack"\n'
     'url = "https://y"\n', {}, "duplicate name"),
])
def test_a_bad_webhooks_file_names_the_file_the_webhook_and_the_field(tmp_path, toml, env, message):
    path = tmp_path / "hooks.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_webhooks(str(path), env)
    assert str(path) in str(info.value) and message in str(info.value)


def test_feed_text_is_escaped_for_each_chat_format():
    hostile = '<!channel> *bold* [x](javascript:alert(1)) & <script>'
    lines = [("title", None), (hostile, "https://ok.example/a"), ("plain " + hostile, None)]
    _, body, _ = request_for(Webhook("s", "slack", "https://h.example/x"), lines, {}, now=0)
    text = json.loads(body)["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&amp;" in text
    assert "<https://ok.example/a|" in text
    assert slack_escape("a<b>&c") == "a&lt;b&gt;&amp;c"


HOSTILE_MD = ['*bold* **strong** _em_ `code` ~~gone~~ [x](javascript:alert(1)) ![i](https://t.example/p.png)',
              '<font color="warning">red</font> <@userid> <https://auto.example> &#91;y&#93;&#40;javascript:z&#41;',
              '# heading', '> quote', '1. item', '- item', '+ item', 'a | b | c', 'back\\slash \\[z\\](https://w.example)']


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_dingtalk_and_wecom_markdown_shows_feed_text_as_text_without_backslashes(kind):
    """DingTalk's and WeCom's robots render a subset of Markdown (headings, bold, italic, links,
    images, lists, quotes; WeCom also <font color> and <@userid>) and document no backslash escapes:
    before, feed text went out as "\\[x\\]\\(javascript:alert\\(1\\)\\)", the backslashes showing to
    readers. Now the markdown-active characters become full-width look-alikes: no link but ours (an
    http(s) one), no emphasis, code, heading, quote, list, table or HTML, and no backslash added."""
    from markdown_it import MarkdownIt

    lines = [("aigcwatch daily 2025-03-10: Kling spike: 14 stories (usual 1)", None),
             ("Stories 15 (+11 vs previous day; 7-day average 1.9)", None)]
    lines += [(t, None) for t in HOSTILE_MD] + [(t, f"https://ok.example/{k}") for k, t in enumerate(HOSTILE_MD)]
    _, body, _ = request_for(Webhook("m", kind, "https://h.example/x"), lines, {}, now=0)
    doc = json.loads(body)["markdown"]
    md = doc.get("text") or doc.get("content")
    assert md.count("\\") == 2 * 3       # the feed's own backslashes (3, twice), none added
    assert "Stories 15 (+11 vs previous day; 7-day average 1.9)" in md     # our own text as it is
    assert "［x］(javascript:alert(1))" in md and "＊bold＊" in md and "＜font color=" in md
    tokens = MarkdownIt("commonmark").enable("table").enable("strikethrough").parse(md)
    blocks = {t.type for t in tokens}
    assert blocks <= {"heading_open", "heading_close", "inline", "bullet_list_open", "bullet_list_close",
                      "list_item_open", "list_item_close", "paragraph_open", "paragraph_close"}, blocks
    assert sum(t.type == "heading_open" for t in tokens) == 1 and sum(t.type == "bullet_list_open" for t in tokens) == 1
    inline = [c for t in tokens for c in (t.children or [])]
    assert {c.type for c in inline} <= {"text", "link_open", "link_close", "softbreak"}, {c.type for c in inline}
    assert [c.attrGet("href") for c in inline if c.type == "link_open"] == \
        [f"https://ok.example/{k}" for k in range(len(HOSTILE_MD))]


def test_a_slack_link_keeps_its_url_whole_and_mentions_out():
    # Before: the story URL went into Slack's <url|text> as stored: an '&' unescaped, and a '|' or
    # '>' (kept in a host as the feed gave it) ended the link early, "<!here>" becoming a mention.
    lines = [("title", None), ("a story", "https://a.example/p?x=1&y=2"), ("b", "https://a.example/x|y")]
    _, body, _ = request_for(Webhook("s", "slack", "https://h.example/x"), lines, {}, now=0)
    text = json.loads(body)["blocks"][0]["text"]["text"]
    assert "<https://a.example/p?x=1&amp;y=2|a story>" in text and "<https://a.example/x%7Cy|b>" in text


@pytest.mark.parametrize("url", ["https://x<!here>.example/a", "https://ev|il.example/", 'https://a"b.example/',
                                 "https://a.example:8x/", "https://[::1/"])
def test_a_link_with_markup_in_its_host_is_never_rendered(url):
    from ingest.normalize import canonical_url
    from report.render import safe_link

    assert canonical_url(url, None) in (url, None)     # the stored form may keep such a host
    assert safe_link(url) is None
    assert safe_link("https://[::1]:8080/a") and safe_link("https://可灵.example/视频") \
        and safe_link("http://127.0.0.1/x")


@pytest.mark.parametrize("kind", ["dingtalk", "wecom"])
def test_markdown_links_keep_their_whole_url(kind):
    """A story URL with parentheses (stored as published) must not end the Markdown link early."""
    from markdown_it import MarkdownIt

    urls = ["https://en.wikipedia.example/wiki/Sora_(model)", "https://a.example/p)%5Bx%5D(javascript:alert(1))",
            "https://a.example/q?x=1)"]
    lines = [("title", None)] + [(f"story {i}", u) for i, u in enumerate(urls)]
    _, body, _ = request_for(Webhook("m", kind, "https://h.example/x"), lines, {}, now=0)
    doc = json.loads(body)["markdown"]
    tokens = MarkdownIt().parse(doc.get("text") or doc.get("content"))
    hrefs = [t.attrGet("href") for block in tokens for t in (block.children or []) if t.type == "link_open"]
    assert [unquote(h) for h in hrefs] == [unquote(u) for u in urls]
    assert not any(c in h for h in hrefs for c in "()[]<>\"'`*_")    # nothing a lax renderer could read as markup


def test_signatures_follow_the_documented_rules():
    hook = Webhook("f", "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", secret="abc")
    _, body, _ = request_for(hook, [("t", None)], {}, now=1_599_360_473)
    doc = json.loads(body)
    key = b"1599360473\nabc"
    assert doc["timestamp"] == "1599360473"
    assert doc["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    hook = Webhook("d", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t", secret="SECx")
    url, _, _ = request_for(hook, [("t", None)], {}, now=1_700_000_000.123)
    q = parse_qs(urlsplit(url).query)
    assert q["timestamp"] == ["1700000000123"] and q["access_token"] == ["t"]
    expected = hmac.new(b"SECx", b"1700000000123\nSECx", hashlib.sha256).digest()
    assert base64.b64decode(unquote_plus(urlsplit(url).query.split("sign=")[1])) == expected


def test_a_webhook_for_both_languages_gets_a_chinese_and_an_english_part(sqlite_url, tmp_path, monkeypatch):
    # Before: lang = "both" (and a digest of both languages) pushed the English lines only, while
    # the email of both languages carries a section in each.
    toml = ('[[webhook]]\nname = "both-wecom"\nkind = "wecom"\nurl_env = "T_WECOM_URL"\nlang = "both"\n\n'
            '[[webhook]]\nname = "both-json"\nkind = "generic"\nurl_env = "T_GENERIC_URL"\n'
            'secret_env = "T_GENERIC_SECRET"\nlang = "both"\n\n'
            '[[webhook]]\nname = "en-json"\nkind = "generic"\nurl = "EN_JSON_URL"\nlang = "en"\n')
    with platform() as (base, received):
        configure(monkeypatch, tmp_path, base, toml=toml.replace("EN_JSON_URL", f"{base}/generic-en"))
        res = digest(sqlite_url, "--lang", "zh")
        assert res.exit_code == 0, res.output
    by = {r["kind"]: r["doc"] for r in received}
    both = [line["text"] for line in by["generic"]["lines"]]
    zh = [k for k, t in enumerate(both) if t.startswith("报道 15 (+11 较前一日")]
    en = [k for k, t in enumerate(both) if t.startswith("Stories 15 (+11 vs previous day")]
    assert zh and en and zh[0] < en[0], both                        # Chinese part first, as in the email
    assert any(t.startswith("异常升温: 可灵 Kling") for t in both) and any(t.startswith("Spikes: Kling") for t in both)
    assert sum(1 for line in by["generic"]["lines"] if line["link"]) == 2   # the story links once
    wecom = by["wecom"]["markdown"]["content"]
    assert "报道 15" in wecom and "Stories 15" in wecom
    only_en = [line["text"] for line in by["generic-en"]["lines"]]
    assert not any("报道" in t for t in only_en) and any(t.startswith("Stories 15") for t in only_en)
