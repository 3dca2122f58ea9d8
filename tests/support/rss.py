"""RSS 2.0 documents for the ingest tests, written here: `feed(entry(...), ...)`."""
from __future__ import annotations


def entry(guid: str, link: str, title: str, description: str, date: str) -> str:
    """One <item>; `description` goes in as written (wrap HTML in CDATA yourself or use `cdata`)."""
    return (f"<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>"
            f"<pubDate>{date}</pubDate><description>{description}</description></item>")


def cdata(html: str) -> str:
    return f"<![CDATA[{html}]]>"


def june_10(hour: int) -> str:
    """An RFC 822 date on 10 June 2025 at `hour`:00 GMT (the clustering tests' day)."""
    return f"Tue, 10 Jun 2025 {hour:02d}:00:00 GMT"


def feed(*entries: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>f</title>'
            '<link>https://f.example/</link><description>d</description>'
            + "".join(entries) + "</channel></rss>")
