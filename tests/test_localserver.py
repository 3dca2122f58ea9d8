"""The loopback server: content types, validators, 304, gzip, 404 — over real HTTP."""
from __future__ import annotations

import gzip
import os
import urllib.error
import urllib.request
from email.utils import formatdate
from pathlib import Path

import pytest

from aigcwatch.localserver import serve_directory

GBK_FEED = '<?xml version="1.0" encoding="GBK"?><rss version="2.0"><channel><title>演示</title></channel></rss>'


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    (tmp_path / "feed.xml").write_bytes(GBK_FEED.encode("gbk"))
    (tmp_path / "page.html").write_text("<html><body>oops</body></html>", encoding="utf-8")
    (tmp_path / "big.xml").write_text("<rss>" + "<item>x</item>" * 2000 + "</rss>", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.xml").write_text("<feed/>", encoding="utf-8")
    return tmp_path


def test_serves_bytes_with_given_content_type_and_validators(site: Path) -> None:
    types = {"feed.xml": "application/rss+xml; charset=GBK"}
    with serve_directory(site, content_types=types) as base:
        assert base.startswith("http://127.0.0.1:") and not base.endswith("/")
        status, headers, body = get(f"{base}/feed.xml")
    assert status == 200
    assert body == GBK_FEED.encode("gbk")
    assert headers["Content-Type"] == "application/rss+xml; charset=GBK"
    assert headers["ETag"].startswith('"') and headers["ETag"].endswith('"')
    assert headers["Last-Modified"].endswith("GMT")
    assert headers["Content-Length"] == str(len(body))


def test_default_content_types_by_suffix(site: Path) -> None:
    with serve_directory(site) as base:
        assert get(f"{base}/page.html")[1]["Content-Type"].startswith("text/html")
        assert get(f"{base}/sub/a.xml")[1]["Content-Type"] == "application/xml"


def test_if_none_match_gets_304_and_changed_file_gets_200(site: Path) -> None:
    with serve_directory(site) as base:
        _, headers, _ = get(f"{base}/feed.xml")
        etag = headers["ETag"]
        status, headers304, body = get(f"{base}/feed.xml", {"If-None-Match": etag})
        assert (status, body) == (304, b"")
        assert headers304["ETag"] == etag
        assert get(f"{base}/feed.xml", {"If-None-Match": '"other"'})[0] == 200
        (site / "feed.xml").write_bytes(b"<rss version='2.0'><channel/></rss>")
        status, headers, _ = get(f"{base}/feed.xml", {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag


def test_if_modified_since(site: Path) -> None:
    path = site / "feed.xml"
    os.utime(path, (1_750_000_000, 1_750_000_000))
    with serve_directory(site) as base:
        _, headers, _ = get(f"{base}/feed.xml")
        assert headers["Last-Modified"] == formatdate(1_750_000_000, usegmt=True)
        assert get(f"{base}/feed.xml", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
        older = formatdate(1_749_000_000, usegmt=True)
        assert get(f"{base}/feed.xml", {"If-Modified-Since": older})[0] == 200
        assert get(f"{base}/feed.xml", {"If-Modified-Since": "not a date"})[0] == 200


def test_gzip_only_when_asked(site: Path) -> None:
    raw = (site / "big.xml").read_bytes()
    with serve_directory(site) as base:
        status, headers, body = get(f"{base}/big.xml", {"Accept-Encoding": "gzip, deflate"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(body) == raw and len(body) < len(raw)
        _, plain_headers, plain = get(f"{base}/big.xml")
        assert "Content-Encoding" not in plain_headers and plain == raw
        _, refused, _ = get(f"{base}/big.xml", {"Accept-Encoding": "gzip;q=0, identity"})
        assert "Content-Encoding" not in refused
        assert plain_headers["ETag"] == headers["ETag"]


def test_missing_files_and_escapes_are_404(site: Path) -> None:
    (site.parent / "secret.txt").write_text("no", encoding="utf-8")
    with serve_directory(site / "sub") as base:
        assert get(f"{base}/nope.xml")[0] == 404
        assert get(f"{base}/")[0] == 404
        assert get(f"{base}/../secret.txt")[0] == 404
        assert get(f"{base}/%2e%2e/%2e%2e/secret.txt")[0] == 404
        assert get(f"{base}/a.xml?x=1")[0] == 200


def test_quiet_and_stops(site: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with serve_directory(site) as base:
        get(f"{base}/feed.xml")
        get(f"{base}/missing.xml")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base}/feed.xml", timeout=2)
