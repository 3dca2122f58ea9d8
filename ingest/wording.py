"""Counts in messages with their noun in the right number: "1 item", "3 items", "1,024 pages".

Every layer's one-line messages (ingest warnings, CLI summaries, progress lines) use this, so none
writes "item(s)"."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """"1 row", "2 rows", "1,024 items", counted(2, "entry", "entries") -> "2 entries"."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
