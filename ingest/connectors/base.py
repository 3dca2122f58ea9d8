"""What every JSON API connector shares: the page object, marks, errors and small pure helpers.

A connector turns one response body into a `Page` (pure): the entries as `RawEntry` objects, a
`Mark` per entry (its position in the newest-first order the API returns), and the address of the
next (older) page. `ingest.paging` walks the pages; nothing here does I/O.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from aigcwatch.errors import SourceError
from ingest.parse import FeedParseError
from ingest.textclean import without_controls, without_lone_surrogates
from ingest.types import FailureClass, RawEntry

__all__ = ["Mark", "Page", "ApiError", "load_json", "data_list", "error_message", "with_params",
           "param", "iso_utc", "epoch_of", "as_int", "as_score", "clean_str", "unusable"]


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """Where an entry sits in a newest-first listing: its time (epoch seconds) and its id."""

    t: float
    id: str

    def at_or_below(self, mark: Mark) -> bool:
        """True when this entry is not newer than `mark` (older, or the mark's own entry).

        Entries of the same second with another id count as newer: reading one twice is harmless
        (the store knows it), missing one is not.
        """
        return self.t < mark.t or self.id == mark.id

    def to_json(self) -> list:
        return [self.t, self.id]

    @staticmethod
    def from_json(value: object) -> Mark | None:
        if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], (int, float))
                and isinstance(value[1], str)):
            return Mark(float(value[0]), value[1])
        return None


@dataclass(frozen=True, slots=True)
class Page:
    entries: tuple[RawEntry, ...]
    marks: tuple[Mark | None, ...]      # one per entry, same order (None: unusable entry)
    next_url: str | None = None         # the next (older) page, None at the end
    deleted: int = 0                    # entries the platform shows as deleted (kept, flagged)


class ApiError(SourceError):
    """The API answered with an error object instead of data (class http_status)."""

    def __init__(self, reason: str, source_id: str | None = None) -> None:
        super().__init__(source_id or "?", f"API error: {reason}", FailureClass.HTTP_STATUS)
        self.reason = " ".join(reason.split())


def load_json(body: bytes, source_id: str) -> object:
    """The decoded JSON document; malformed JSON is a FeedParseError (class parse)."""
    if not body or not body.strip():
        raise FeedParseError("empty body, expected JSON", source_id)
    try:
        text = body.decode("utf-8-sig")
        doc = json.loads(text)
    except UnicodeDecodeError as e:
        raise FeedParseError(f"JSON is not UTF-8 ({e.reason} at byte {e.start})", source_id) from None
    except json.JSONDecodeError as e:
        raise FeedParseError(f"malformed JSON ({e.msg} at line {e.lineno} column {e.colno})",
                             source_id) from None
    # "\ud83d" with no partner (a post cut inside an emoji) decodes to a lone surrogate
    return without_lone_surrogates(doc) if "\\ud" in text or "\\uD" in text else doc


def error_message(doc: object, data_key: str) -> str | None:
    """The message of an API error object ({"error": ..., "message": ...} without `data_key`)."""
    if not isinstance(doc, dict) or data_key in doc:
        return None
    if "error" not in doc and "message" not in doc:
        return None
    parts = [without_controls(str(doc[k])) for k in ("error", "message", "error_description")
             if doc.get(k) not in (None, "")]
    return ": ".join(dict.fromkeys(parts)) or "error"


def with_params(url: str, **params: object) -> str:
    """`url` with these query parameters set (replacing any of the same name); None removes one."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def param(url: str, name: str) -> str | None:
    for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if k == name:
            return v
    return None


def iso_utc(t: float) -> str:
    """Epoch seconds as an ISO 8601 UTC time with milliseconds ("2025-06-12T06:03:00.000Z")."""
    dt = datetime.fromtimestamp(t, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def epoch_of(value: object) -> float | None:
    """Epoch seconds from a number or an ISO 8601 string; None when neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value:
        s = value.strip()
        s = s[:-1] + "+00:00" if s.endswith(("Z", "z")) else s
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            return None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.timestamp()
    return None


def as_int(value: object) -> int | None:
    """A non-negative count, or None when the platform gave none (or nonsense)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)) and value == value:
        return max(0, int(value)) if abs(value) < 2**62 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_score(value: object) -> int | None:
    """A signed score (Reddit comments can sink below zero), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    return int(value) if abs(value) < 2**62 else None


def clean_str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def unusable(source_id: str) -> tuple[RawEntry, None]:
    """Stand-in for an element that is not a post at all: normalisation rejects it (invalid)."""
    return RawEntry(source_id=source_id, guid=None, title=None, link=None, summary=None,
                    content=None, author=None, published=None, updated=None), None


def data_list(doc: object, key: str, source_id: str, what: str) -> list:
    """`doc[key]` as a list. An error object is an ApiError; anything else a parse error."""
    msg = error_message(doc, key)
    if msg is not None:
        raise ApiError(msg, source_id)
    if isinstance(doc, dict) and isinstance(doc.get(key), list):
        return doc[key]
    found = f"keys {sorted(doc)[:6]}" if isinstance(doc, dict) else type(doc).__name__
    raise FeedParseError(f"not {what}: no '{key}' list (found {found})", source_id)
