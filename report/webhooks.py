"""Chat pushes of the short digest: generic JSON, Slack, Feishu/Lark, DingTalk, WeCom.

Configured in a TOML file named by AIGCWATCH_WEBHOOKS; URLs that embed tokens and signing secrets
come from environment variables the file names, never from the file itself::

    [[webhook]]
    name = "team-feishu"          # unique; the delivery log's recipient
    kind = "feishu"               # generic | slack | feishu | lark | dingtalk | wecom
    url_env = "FEISHU_HOOK_URL"   # or url = "https://..." when the URL holds no secret
    secret_env = "FEISHU_SECRET"  # signing secret (Feishu/Lark, DingTalk; generic: HMAC header)
    lang = "zh"                   # optional: zh | en | both (default: the digest's)

Signing: Feishu/Lark put `timestamp` (seconds) and `sign` = base64(HMAC-SHA256(key =
"{timestamp}\\n{secret}", message = "")) in the body; DingTalk appends `timestamp` (milliseconds)
and `sign` = urlencode(base64(HMAC-SHA256(key = secret, message = "{timestamp}\\n{secret}"))) to
the URL; generic JSON sends `X-Aigcwatch-Timestamp` and `X-Aigcwatch-Signature: sha256=<hex
HMAC-SHA256(secret, "{timestamp}." + body)>`. Slack and WeCom carry their token in the URL.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit

from aigcwatch.errors import ConfigError
from report.mail import DeliveryError

KINDS = ("generic", "slack", "feishu", "lark", "dingtalk", "wecom")
FIELDS = {"name", "kind", "url", "url_env", "secret_env", "lang"}
TIMEOUT_S = 20.0
WECOM_MAX_BYTES = 4096
# DingTalk's and WeCom's robots render a subset of Markdown (headings, bold, italic, links, images,
# lists, quotes; WeCom also <font color> and <@userid>; DingTalk's desktop client HTML) and document
# no backslash escape: an escaped "\\[" would show its backslash. Feed text gets look-alike
# full-width characters instead, which no renderer reads as markup; ( and ) stay (without a
# bracket before them they make no link).
_MD_LOOKALIKE = str.maketrans({"[": "［", "]": "］", "*": "＊", "_": "＿", "`": "｀", "~": "～", "#": "＃",
                               "<": "＜", ">": "＞", "|": "｜"})
_MD_ENTITY = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")          # "&#91;" could be read as "["
_MD_LIST_START = re.compile(r"^(?:([-+])|(\d{1,9})([.)]))(?=\s|$)")
_MD_URL_UNSAFE = re.compile(r"[()\[\]<>\"'`*_{}|^~\\\s]")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

Line = tuple[str, str | None]    # (text, http(s) link or None); the first line is the title


@dataclass(frozen=True, slots=True)
class Webhook:
    name: str
    kind: str
    url: str = field(repr=False)
    secret: str | None = field(default=None, repr=False)
    lang: str | None = None

    @property
    def channel(self) -> str:
        return f"webhook:{self.kind}"

    @property
    def where(self) -> str:
        """Names the webhook without its URL's path or query (they hold tokens)."""
        return f"webhook {self.name!r} ({self.kind}, {urlsplit(self.url).hostname or '?'})"


def load_webhooks(path: str, env: Mapping[str, str] | None = None) -> list[Webhook]:
    """Read and check the webhooks file; errors name the file, the webhook and the field."""
    env = os.environ if env is None else env
    try:
        data = tomllib.loads(open(path, encoding="utf-8").read())
    except OSError as e:
        raise ConfigError(f"cannot read webhooks file ({e.strerror or e})", file=path) from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"invalid TOML: {e}", file=path) from e
    entries = data.get("webhook")
    if set(data) - {"webhook"} or not isinstance(entries, list) or not entries:
        raise ConfigError("expected [[webhook]] tables and nothing else", file=path)
    out, seen = [], set()
    for n, entry in enumerate(entries, 1):
        name = entry.get("name") if isinstance(entry.get("name"), str) else f"#{n}"

        def fail(fld: str, msg: str) -> ConfigError:
            return ConfigError(f"webhook {name!r}, field {fld!r}: {msg}", file=path)

        for key in entry:
            if key not in FIELDS:
                raise fail(key, f"unknown field (allowed: {', '.join(sorted(FIELDS))})")
        if not _NAME.match(name):
            raise fail("name", "1-64 letters, digits, '_', '.', '-'")
        if name in seen:
            raise fail("name", "duplicate name")
        seen.add(name)
        kind = entry.get("kind")
        if kind not in KINDS:
            raise fail("kind", f"must be one of {', '.join(KINDS)}")
        if ("url" in entry) == ("url_env" in entry):
            raise fail("url", "give exactly one of url and url_env")
        url = entry["url"] if "url" in entry else env.get(str(entry["url_env"]), "")
        if not url:
            raise fail("url_env", f"environment variable {entry['url_env']} is not set")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise fail("url_env" if "url_env" in entry else "url", "must be an http(s) URL")
        secret = None
        if "secret_env" in entry:
            secret = env.get(str(entry["secret_env"]), "")
            if not secret:
                raise fail("secret_env", f"environment variable {entry['secret_env']} is not set")
        lang = entry.get("lang")
        if lang not in (None, "zh", "en", "both"):
            raise fail("lang", "must be zh, en or both")
        out.append(Webhook(name=name, kind=kind, url=url, secret=secret, lang=lang))
    return out


# --- signing (pure) -----------------------------------------------------------------------------

def feishu_sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(mac).decode())


def generic_sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


# --- payloads (pure) ----------------------------------------------------------------------------

def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_link(url: str) -> str:
    """A link target inside Slack's <url|text>: its control characters escaped, and a '|' (which
    would start the link's text) percent-encoded."""
    return slack_escape(url).replace("|", "%7C")


def md_plain(text: str) -> str:
    """Text DingTalk and WeCom show as written: markdown-active characters as full-width look-alikes
    (［ ］ ＊ ＿ ｀ ～ ＃ ＜ ＞ ｜), an HTML entity's "&" as "＆", and a list marker at the start
    ("- ", "+ ", "1. ") neutralised the same way; no backslash is added."""
    t = _MD_ENTITY.sub("＆", text).translate(_MD_LOOKALIKE)
    m = _MD_LIST_START.match(t)
    if m:
        t = (("－" if m.group(1) == "-" else "＋") if m.group(1) else
             m.group(2) + ("．" if m.group(3) == "." else "）")) + t[m.end():]
    return t


def _md_url(url: str) -> str:
    """A link destination Markdown keeps whole, which no lax renderer reads as markup: a ')' would
    end the link there, a '_' or '*' could open emphasis; each is percent-encoded (an http(s) URL
    means the same with them encoded)."""
    return _MD_URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url)


def _markdown(lines: list[Line]) -> str:
    title, rest = lines[0][0], lines[1:]
    out = [f"### {md_plain(title)}"]
    for text, link in rest:
        out.append(f"- [{md_plain(text)}]({_md_url(link)})" if link else f"- {md_plain(text)}")
    return "\n".join(out)


def request_for(hook: Webhook, lines: list[Line], facts: dict, *, now: float | None = None
                ) -> tuple[str, bytes, dict[str, str]]:
    """(url, body, headers) of the push for `hook`; `facts` are the numbers the generic JSON adds."""
    now = time.time() if now is None else now
    title = lines[0][0]
    url, headers = hook.url, {"Content-Type": "application/json; charset=utf-8"}
    if hook.kind == "slack":
        body_lines = [f"*{slack_escape(title)}*"] + [
            f"• <{slack_link(link)}|{slack_escape(text).replace('|', '¦')}>" if link else f"• {slack_escape(text)}"
            for text, link in lines[1:]]
        doc = {"text": title, "blocks": [{"type": "section",
                                          "text": {"type": "mrkdwn", "text": "\n".join(body_lines)}}]}
    elif hook.kind in ("feishu", "lark"):
        content = [[{"tag": "a", "text": text, "href": link}] if link else [{"tag": "text", "text": text}]
                   for text, link in lines[1:]]
        doc = {"msg_type": "post", "content": {"post": {"zh_cn": {"title": title, "content": content},
                                                        "en_us": {"title": title, "content": content}}}}
        if hook.secret:
            ts = int(now)
            doc = {"timestamp": str(ts), "sign": feishu_sign(hook.secret, ts), **doc}
    elif hook.kind == "dingtalk":
        doc = {"msgtype": "markdown", "markdown": {"title": title, "text": _markdown(lines)}}
        if hook.secret:
            ts = int(now * 1000)
            url += ("&" if urlsplit(url).query else "?") + f"timestamp={ts}&sign={dingtalk_sign(hook.secret, ts)}"
    elif hook.kind == "wecom":
        text = _markdown(lines)
        while len(text.encode()) > WECOM_MAX_BYTES and "\n" in text:
            text = text.rsplit("\n", 1)[0]
        doc = {"msgtype": "markdown", "markdown": {"content": text}}
    else:
        doc = {"event": "aigcwatch.digest", "title": title,
               "lines": [{"text": t, "link": link} for t, link in lines[1:]], **facts}
    body = json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")
    if hook.kind == "generic" and hook.secret:
        ts = int(now)
        headers["X-Aigcwatch-Timestamp"] = str(ts)
        headers["X-Aigcwatch-Signature"] = generic_sign(hook.secret, ts, body)
    return url, body, headers


def check_response(hook: Webhook, status: int, text: str) -> str | None:
    """None when the platform accepted the push, else why not (one line)."""
    if not 200 <= status < 300:
        return f"HTTP {status}: {' '.join(text.split())[:200]}"
    if hook.kind == "slack":
        return None if text.strip() == "ok" else f"Slack answered {text.strip()[:200]!r}"
    if hook.kind in ("feishu", "lark", "dingtalk", "wecom"):
        try:
            doc = json.loads(text)
        except ValueError:
            return f"not a JSON answer: {text.strip()[:200]!r}"
        code = doc.get("code", doc.get("StatusCode", doc.get("errcode", 0)))
        if code not in (0, "0"):
            msg = doc.get("msg") or doc.get("StatusMessage") or doc.get("errmsg") or ""
            return f"platform error {code}: {msg}"[:240]
    return None


def push(hook: Webhook, lines: list[Line], facts: dict, *, timeout: float = TIMEOUT_S,
         user_agent: str = "aigcwatch") -> None:
    """POST the short digest to `hook`; DeliveryError with one line when it was not accepted."""
    import httpx

    url, body, headers = request_for(hook, lines, facts)
    headers["User-Agent"] = user_agent
    try:
        resp = httpx.post(url, content=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as e:
        why = " ".join(str(e).replace(url, "<url>").replace(hook.url, "<url>").split())
        raise DeliveryError(f"{hook.where}: {type(e).__name__}: {why[:200]}") from None
    problem = check_response(hook, resp.status_code, resp.text)
    if problem:
        raise DeliveryError(f"{hook.where}: {problem}")
