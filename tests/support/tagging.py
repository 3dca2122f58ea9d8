"""The real tagger, noting what it is asked to tag (in any process: a worker's calls too)."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path


def noting_tagger(log: str, docs: Sequence[tuple[str, str, str | None]]):
    """ingest.tag.engine.tag_batch(docs), after appending each title to the file `log` (one JSON
    line a title). Bind `log` with functools.partial: the result pickles into worker processes."""
    from ingest.tag.engine import tag_batch

    with open(log, "a", encoding="utf-8") as f:
        f.writelines(json.dumps(title, ensure_ascii=False) + "\n" for title, _, _ in docs)
    return tag_batch(docs)


def noted(log: str | Path) -> list[str]:
    path = Path(log)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] \
        if path.exists() else []
