"""JSON API connectors beside RSS: one module per kind, each a set of pure functions.

Every module offers `KIND`, `DEFAULT_INTERVAL_S`, `url_problem(url)`, `first_url(url)`,
`resume_url(url, before)` and `parse_page(source_id, body, url, link)`.
"""
from __future__ import annotations

from types import ModuleType

from ingest.connectors import bluesky, hn, mastodon, reddit

CONNECTORS: dict[str, ModuleType] = {m.KIND: m for m in (hn, reddit, mastodon, bluesky)}
API_KINDS = frozenset(CONNECTORS)


def connector(kind: str) -> ModuleType:
    try:
        return CONNECTORS[kind]
    except KeyError:
        raise ValueError(f"no connector for kind {kind!r}") from None
