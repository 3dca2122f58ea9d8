"""The real-text audit set: labels and hashes in git, texts in a git-ignored file.

`tests/data/audit/audit.jsonl` holds, per excerpt of a public article or post: id, address (url),
lang, kind, split (tune | test), the labels (relevant, models, themes, sentiment, spam) and three
fingerprints of the exact text -- never the text itself (third-party writing):

- `sha256`: of the text exactly as labelled (title, a newline, then the body when titled);
- `alnum_sha256`: of its letters and digits only (casefolded), which survives re-encoded
  punctuation and white space;
- `units`: the text cut into clauses at clause punctuation and line breaks; per clause the number
  of its letters and digits and the first 8 hex digits of their sha256, plus the separators
  between clauses (punctuation and white space only). The excerpt is a selection of clauses of the
  page, so the clauses are found again in a re-fetched copy of the page by their fingerprints and
  the text is rebuilt from the page's own characters.

`fill(source_texts)` rebuilds each text from candidate source texts for its address (for example
the stored page excerpt fetched again, or the page's text), checks the hashes and returns the texts
that verify. `python -m ingest.tag.audit` does that from a JSONL file of {url, text} lines and
prints the figures (aigcwatch eval on the tune and test parts).
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import unquote

REPO_ROOT = Path(__file__).resolve().parents[2]
AUDIT_DIR = REPO_ROOT / "tests" / "data" / "audit"
AUDIT_FILE = AUDIT_DIR / "audit.jsonl"
TEXTS_FILE = AUDIT_DIR / "texts.jsonl"          # git-ignored
QUERIES_FILE = AUDIT_DIR / "queries.jsonl"      # per id, a stored-page search query that finds its page
LABEL_FIELDS = ("relevant", "models", "themes", "sentiment", "spam")
# the tune part's round kept out of the learned layers' training: the latest natural sample, which
# decides whether a refit replaces a shipped layer (ingest.tag.*_train), reported by eval. Round 8
# held that place until round 9 came: the shipped relevance layer had been chosen on it, so its
# figure there flattered the layer that any refit had to beat.
CHECK_ROUND = 9

# clause separators: line breaks and clause punctuation (a "." only when a space or the end follows,
# so "2.5" and "Gen-4.5" stay inside a clause)
_SEP = re.compile(r"(?:\s*(?:[\n,，。!！?？;；:：、…]|\.(?=\s|$))\s*)+")
_WS = re.compile(r"\s+")


def _alnum(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _h8(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:8]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical(text: str) -> str:
    """The text as stored: each white-space run one space (or one line break when it holds one),
    trimmed. `rebuild` of a record made from canonical(t) gives canonical(t) back exactly."""
    units, seps = _split(text)
    return _join(units, seps)


def _split(text: str) -> tuple[list[str], list[str]]:
    """Clauses and the separators around them (seps[0] before the first clause, seps[i+1] after
    clause i). A clause runs from its first to its last letter or digit; everything else --
    clause punctuation, line breaks, quotes or dashes at a clause's edges -- is separator."""
    text = _ws(text.strip())
    units: list[str] = []
    seps: list[str] = []
    pending = ""
    pos = 0
    pieces = []
    for m in _SEP.finditer(text):
        pieces.append((text[pos:m.start()], m.group()))
        pos = m.end()
    pieces.append((text[pos:], ""))
    for piece, sep in pieces:
        idx = [i for i, c in enumerate(piece) if c.isalnum()]
        if not idx:
            pending += piece + sep
            continue
        a, b = idx[0], idx[-1] + 1
        seps.append(pending + piece[:a])
        units.append(piece[a:b])
        pending = piece[b:] + sep
    seps.append(pending)
    return units, seps


def _ws(s: str) -> str:
    return _WS.sub(lambda m: "\n" if "\n" in m.group() else " ", s)


def _join(units: list[str], seps: list[str]) -> str:
    out = [seps[0]]
    for u, s in zip(units, seps[1:]):
        out.append(u)
        out.append(s)
    return "".join(out)


def fingerprint(text: str) -> dict[str, Any]:
    """The committed fingerprints of a text (see the module docstring)."""
    text = canonical(text)
    units, seps = _split(text)
    return {
        "sha256": sha256(text),
        "alnum_sha256": sha256(_alnum(text)),
        "chars": len(text),
        "units": [[len(_alnum(u)), _h8(_alnum(u))] for u in units],
        "seps": seps,
    }


@dataclass(frozen=True)
class Filled:
    text: str
    exact: bool         # sha256 of the rebuilt text matches (else only its letters and digits do)


def rebuild(record: Mapping[str, Any], source: str) -> Filled | None:
    """Rebuild a record's text from `source` (a page or excerpt holding its clauses), or None."""
    src = source
    letters: list[str] = []
    where: list[int] = []
    for i, c in enumerate(src):
        for d in c.casefold():
            if d.isalnum():
                letters.append(d)
                where.append(i)
    stream = "".join(letters)
    index: dict[int, dict[str, list[int]]] = {}
    cursor = 0
    units: list[str] = []
    for n, h in record["units"]:
        if n == 0:
            units.append("")
            continue
        table = index.get(n)
        if table is None:
            table = index[n] = {}
            for i in range(0, len(stream) - n + 1):
                table.setdefault(_h8(stream[i:i + n]), []).append(i)
        hits = table.get(h)
        if not hits:
            return None
        start = next((i for i in hits if i >= cursor), hits[0])
        cursor = start + n
        a, b = where[start], where[start + n - 1] + 1
        units.append(_ws(src[a:b]))
    text = _join(units, list(record["seps"]))
    if sha256(text) == record["sha256"]:
        return Filled(text, True)
    if sha256(_alnum(text)) == record["alnum_sha256"]:
        return Filled(text, False)
    return None


def load_records(path: Path = AUDIT_FILE) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_texts(path: Path = TEXTS_FILE) -> dict[str, dict[str, str]]:
    if not path.is_file():
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                out[d["id"]] = d
    return out


def split_title(record: Mapping[str, Any], text: str) -> tuple[str, str]:
    if record.get("titled"):
        title, _, body = text.partition("\n")
        return title, body
    return "", text


def url_key(url: str) -> str:
    """An address as compared: percent-decoded (a search returns "/%E4%B8%AD…" for "/中…")."""
    return unquote(url.strip())


def fill(records: Iterable[Mapping[str, Any]], sources: Mapping[str, list[str]]
         ) -> tuple[dict[str, Filled], list[str]]:
    """Texts rebuilt from `sources` (url -> candidate texts); and the ids not found."""
    by_key: dict[str, list[str]] = {}
    for url, texts in sources.items():
        by_key.setdefault(url_key(url), []).extend(texts)
    filled: dict[str, Filled] = {}
    missing: list[str] = []
    for rec in records:
        got = None
        for cand in by_key.get(url_key(rec["url"]), []):
            got = rebuild(rec, cand)
            if got is not None:
                break
        if got is None:
            missing.append(rec["id"])
        else:
            filled[rec["id"]] = got
    return filled, missing


def labelled_items(part: str | None = None, records: list[dict[str, Any]] | None = None,
                   texts: Mapping[str, Mapping[str, str]] | None = None) -> list[dict[str, Any]]:
    """Audit records joined with their texts (those whose texts are present), as eval items."""
    records = load_records() if records is None else records
    texts = load_texts() if texts is None else texts
    items = []
    for rec in records:
        if part and rec["split"] != part:
            continue
        t = texts.get(rec["id"])
        if t is None:
            continue
        item = {k: rec[k] for k in ("id", "lang", "kind", "split") + LABEL_FIELDS}
        item["title"], item["text"] = t.get("title", ""), t.get("text", "")
        items.append(item)
    return items


def write_texts(records: Iterable[Mapping[str, Any]], filled: Mapping[str, Filled],
                path: Path = TEXTS_FILE) -> int:
    """Write the filled texts to `path` beside those it holds already (a text filled again
    replaces its earlier copy; nothing filled before is lost), in the set's order. Returns how
    many texts the file holds."""
    have = load_texts(path)
    n = 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for rec in records:
            got = filled.get(rec["id"])
            if got is not None:
                title, body = split_title(rec, got.text)
                row = {"id": rec["id"], "title": title, "text": body}
            elif rec["id"] in have:
                row = have[rec["id"]]
            else:
                continue
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def _read_sources(path: str) -> dict[str, list[str]] | str:
    """url -> candidate texts from a JSONL file of {url, text} lines; or a one-line error."""
    sources: dict[str, list[str]] = {}
    try:
        fh = open(path, encoding="utf-8")
    except OSError as e:
        return f"{path}: cannot read ({e.strerror or e})"
    with fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                sources.setdefault(d["url"], []).append(d["text"])
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                return f"{path}: line {lineno}: not a {{url, text}} object ({e})"
    return sources


def load_queries(path: Path = QUERIES_FILE) -> dict[str, str]:
    """id -> a query of the stored-page search that returned the item's page (when one is known)."""
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        return {d["id"]: d["query"] for d in map(json.loads, filter(str.strip, f))}


def missing_lines(records: Iterable[Mapping[str, Any]], have: Iterable[str], part: str,
                  queries: Mapping[str, str]) -> list[dict[str, Any]]:
    """The records of `part` (tune, test or all) whose texts are absent: id, url, lang, split and
    the known search query (None when none is known)."""
    present = set(have)
    return [{"id": r["id"], "url": r["url"], "lang": r["lang"], "split": r["split"],
             "query": queries.get(r["id"])}
            for r in records if (part == "all" or r["split"] == part) and r["id"] not in present]


def _filled_line(n_file: int, filled: Mapping[str, Filled], total: int) -> str:
    exact = sum(1 for v in filled.values() if v.exact)
    return (f"{len(filled)} text{'s' if len(filled) != 1 else ''} rebuilt ({exact} exact, "
            f"{len(filled) - exact} letters-only); {TEXTS_FILE} now holds {n_file} of {total}")


def _fetch(records: list[dict[str, Any]], args: Any) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ingest.tag import audit_fetch

    have = set(load_texts(TEXTS_FILE))
    todo = [r for r in records if (args.part == "all" or r["split"] == args.part)
            and (args.again or r["id"] not in have)]
    urls = list(dict.fromkeys(r["url"] for r in todo))[:args.limit or None]
    todo = [r for r in todo if r["url"] in set(urls)]
    if not todo:
        print(f"nothing to fetch: every {args.part} text is in {TEXTS_FILE} (--again fetches them anew)")
        return 0
    settings = audit_fetch.default_settings(args.concurrency, args.interval, args.timeout)
    progress = Progress(TextColumn("fetch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        transient=False)

    def on_page(page: Any) -> None:
        if page.error:
            progress.console.print(f"failed: {page.url}: {page.error}", markup=False,
                                   highlight=False, soft_wrap=True)
        progress.advance(task)

    with progress:
        task = progress.add_task("fetch", total=len(urls))
        report = audit_fetch.fetch_and_rebuild(todo, settings, on_page=on_page,
                                               pages_file=audit_fetch.PAGES_FILE)
    n = write_texts(records, report.filled or {}, TEXTS_FILE)
    print(f"{report.pages} page{'s' if report.pages != 1 else ''} fetched for {len(todo)} "
          f"excerpt{'s' if len(todo) != 1 else ''} ({len(report.failed or [])} failed; page texts "
          f"appended to {audit_fetch.PAGES_FILE}); " + _filled_line(n, report.filled or {}, len(records)))
    if report.changed:
        print(f"{len(report.changed)} excerpt{'s' if len(report.changed) != 1 else ''} not found on "
              f"a page that was fetched (the page changed, or shows it only to a browser): "
              + ", ".join(report.changed[:20]) + (" ..." if len(report.changed) > 20 else ""))
    return 0 if report.filled or not todo else 1


def main(argv: list[str] | None = None) -> int:
    """python -m ingest.tag.audit fetch | fill --from FILE | figures | missing"""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m ingest.tag.audit",
                                 description="Fill the audit set's git-ignored texts (fetch the pages "
                                             "again, or rebuild from saved page texts) and print "
                                             "its figures.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("fetch", help="fetch every address again (needs the web), rebuild the "
                                     "excerpts whose hashes verify and add them to the texts file")
    g.add_argument("--part", choices=("test", "tune", "all"), default="all",
                   help="which part's excerpts to fetch (default all)")
    g.add_argument("--limit", type=int, default=0, metavar="N", help="at most N addresses")
    g.add_argument("--again", action="store_true",
                   help="fetch excerpts whose texts are present too")
    g.add_argument("--concurrency", type=int, default=4, metavar="N",
                   help="pages fetched at once (each host one request a --interval)")
    g.add_argument("--interval", type=float, default=1.0, metavar="S",
                   help="seconds between two requests to one host (default 1)")
    g.add_argument("--timeout", type=float, default=20.0, metavar="S", help="per request")
    f = sub.add_parser("fill", help="rebuild texts from a JSONL file of {url, text} lines "
                                    "(a page or stored excerpt per address) and verify their hashes")
    f.add_argument("--from", dest="source", required=True)
    sub.add_parser("figures", help="aigcwatch eval figures of the tune and test parts")
    m = sub.add_parser("missing", help="list the excerpts whose texts are absent (JSON lines: id, url, "
                                       "lang, split and a stored-page search query that found the "
                                       "page before, when one is known)")
    m.add_argument("--part", choices=("test", "tune", "all"), default="test",
                   help="which part (default test)")
    args = ap.parse_args(argv)
    records = load_records(AUDIT_FILE)
    if args.cmd == "fetch":
        if args.concurrency < 1 or args.interval < 0 or args.timeout <= 0 or args.limit < 0:
            ap.error("--concurrency must be 1 or more, --interval and --limit 0 or more, "
                     "--timeout above 0")
        return _fetch(records, args)
    if args.cmd == "missing":
        rows = missing_lines(records, load_texts(TEXTS_FILE), args.part, load_queries(QUERIES_FILE))
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        n_part = sum(1 for r in records if args.part == "all" or r["split"] == args.part)
        known = sum(1 for row in rows if row["query"])
        print(f"{len(rows)} of {n_part} {args.part} texts missing ({known} with a known query)",
              file=sys.stderr)
        return 0
    if args.cmd == "fill":
        sources = _read_sources(args.source)
        if isinstance(sources, str):
            print(f"error: {sources}")
            return 2
        filled, missing = fill(records, sources)
        n = write_texts(records, filled, TEXTS_FILE)
        print(_filled_line(n, filled, len(records)) + f"; {len(missing)} not found in {args.source}")
        return 0
    from ingest.tag.evaluate import evaluate, format_report, predict

    for part in ("tune", "test"):
        items = labelled_items(part, records, load_texts(TEXTS_FILE))
        print(f"== {part} part: {len(items)} texts present")
        if items:
            print(format_report(evaluate(items, predict(items))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
