"""The tagging contract: JSONL in, JSONL out (`aigcwatch tag [--input FILE]`).

Input lines: {"id", "title", "text", optional "lang"} (a line without "id" is output with its line
number, counted from 1 as in the problem lines, as its id). Output, one line per good input line:
{"id", "lang", "relevant", "models", "themes", "sentiment", "sentiment_score", "spam", "keywords",
 "evidence": {tag: [str]}} (UTF-8, ensure_ascii=False).

A bad line (not JSON, not an object, missing or non-string title/text) is skipped, never fatal:
its one-line problem ("line 7: not valid JSON (...)") is returned and the other lines are tagged,
so good input is never lost. Blank lines are ignored. Title and text are cleaned as ingest cleans
an entry (`ingest.normalize.clean_text`, `textclean.clean_title`: markup, scripts and entities
out, white space folded), so the tags are those ingest would store; an item left with neither is
an empty item, one problem line.
"""
from __future__ import annotations

import json
from typing import IO, Any

from ingest.normalize import clean_text
from ingest.tag.engine import BATCH, tag_batch_with_lang
from ingest.textclean import clean_title, without_lone_surrogates
from ingest.types import Tags

OUTPUT_FIELDS = ("id", "lang", "relevant", "models", "themes", "sentiment", "sentiment_score",
                 "spam", "keywords", "evidence")


def tags_to_record(item_id: Any, lang: str, tags: Tags) -> dict[str, Any]:
    return {
        "id": item_id,
        "lang": lang,
        "relevant": tags.relevant,
        "models": list(tags.models),
        "themes": list(tags.themes),
        "sentiment": tags.sentiment,
        "sentiment_score": round(float(tags.sentiment_score), 4),
        "spam": tags.spam,
        "keywords": list(tags.keywords),
        # The contract keys evidence by theme or model id only (relevance, sentiment and spam
        # evidence stay in Tags for callers that want them).
        "evidence": {k: list(v) for k, v in tags.evidence.items()
                     if k in tags.models or k in tags.themes},
    }


def parse_line(line: str | bytes, lineno: int) -> tuple[dict[str, Any] | None, str | None]:
    """(item, None) for a good line, (None, problem) for a bad one, (None, None) for a blank.
    A line may be bytes (UTF-8; a BOM on the first line is skipped)."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as e:
            return None, f"line {lineno}: not UTF-8 ({e.reason} at byte {e.start + 1})"
    elif lineno == 1:
        line = line.removeprefix("\ufeff")     # a BOM, as editors on Windows write
    if not line.strip():
        return None, None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return None, f"line {lineno}: not valid JSON ({e.msg} at column {e.colno})"
    if not isinstance(obj, dict):
        return None, f"line {lineno}: expected a JSON object, got {type(obj).__name__}"
    if "\\ud" in line or "\\uD" in line:
        obj = without_lone_surrogates(obj)    # "\ud83d" alone is valid JSON but no character
    for key in ("title", "text"):
        value = obj.get(key, "" if key == "text" else None)
        if value is None and key == "title" and isinstance(obj.get("text"), str):
            obj["title"] = ""
            continue
        if not isinstance(value, str):
            return None, f"line {lineno}: field {key!r} missing or not a string"
    # markup, entities and white space as ingest cleans an entry: "<script>alert(1)</script>" is
    # no text, and a title and text of white space only make an empty item
    obj["title"], obj["text"] = clean_title(obj["title"]), clean_text(obj.get("text", ""))
    if not (obj["title"] or obj["text"]):
        return None, f"line {lineno}: both 'title' and 'text' are empty"
    lang = obj.get("lang")
    if lang is not None and not isinstance(lang, str):
        return None, f"line {lineno}: field 'lang' is not a string"
    if "id" not in obj:
        obj["id"] = lineno
    return obj, None


def _records_or_errors(items: list[dict[str, Any]]) -> list[dict[str, Any] | Exception]:
    """Per parsed item, in order: its contract record, or the exception the tagger raised on it
    (engine.tag_batch_with_lang)."""
    tagged = tag_batch_with_lang([(item.get("title") or "", item.get("text") or "", item.get("lang"))
                                  for item in items])
    return [result if isinstance(result, Exception) else tags_to_record(item.get("id"), *result)
            for item, result in zip(items, tagged)]


def tag_records(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contract records for parsed items, in order (a failing item raises)."""
    out: list[dict[str, Any]] = []
    for record in _records_or_errors(items):
        if isinstance(record, Exception):
            raise record
        out.append(record)
    return out


def tag_stream(infile: IO[str] | IO[bytes], outfile: IO[str]) -> tuple[int, list[str]]:
    """Tag every good line of `infile` (text, or UTF-8 bytes) into `outfile`, in order; return
    (lines tagged, problems in line order). Lines are tagged BATCH at a time."""
    n_ok = 0
    errors: list[tuple[int, str]] = []
    pending: list[tuple[int, dict[str, Any]]] = []

    def flush() -> None:
        nonlocal n_ok
        records = _records_or_errors([item for _, item in pending])
        for (lineno, _), record in zip(pending, records):
            if isinstance(record, Exception):   # one item the tagger cannot read costs only its line
                errors.append((lineno, f"line {lineno}: cannot tag ({type(record).__name__}: "
                                       f"{' '.join(str(record).split())[:160]})"))
                continue
            outfile.write(json.dumps(record, ensure_ascii=False) + "\n")
            n_ok += 1
        pending.clear()

    for lineno, line in enumerate(infile, start=1):
        item, problem = parse_line(line, lineno)
        if problem:
            errors.append((lineno, problem))
        if item is None:
            continue
        pending.append((lineno, item))
        if len(pending) >= BATCH:
            flush()
    flush()
    return n_ok, [problem for _, problem in sorted(errors)]
