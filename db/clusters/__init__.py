"""Syndication clusters (stories) on the write side: the LSH index in SQL, cluster membership,
reach. One job per module:

- `members`: a newcomer (`NewMember`) and a stored candidate (`Known`), `rank` (which item heads
  a story: its earliest dated article) and `compatible` (published within WINDOW, not naming only
  other video models). Pure.
- `index`: the index in SQL (`item_signatures`, `item_bands`): `candidates` by key, signatures
  read back (`load`, `members_of`), written (`insert_index`, `reindex`) and dropped.
- `matching`: `match` decides, writing nothing, which story each newcomer joins (`best`: the most
  similar compatible candidate that is the same story, ingest.cluster.same_story or
  same_opening_story, and close enough to its story's canonical item), the stories an original
  fetched after its copies merges (`merge`), and the roundups found (db.roundups.find; with the
  items a newcomer or a stored candidate quotes, found by its paragraphs' opening keys: `quoted`).
- `filing`: `assign` (index, match, file), `file_joined` (members pointed at their canonical
  item, re-pointed when an earlier publication arrives) and `split` (roundups out of the stories
  they were filed into).
- `membership`: `leave`, `detach`, `roots_of`, and `refresh_reach` (distinct sources of a story's
  items and of their recorded exact copies; first-seen time, the earliest publication), in SQL.
- `edited`: `misfits` (items whose text changed that their story no longer holds) and
  `move_copies`.
- `backfilling`: `backfill`, the items stored before story clusters existed filed into stories.

A *roundup* (a daily briefing, a newsletter: it lists several stories, each of which it holds
as wholly as a reprint holds its original) is the same story only with a copy of the whole of it
(`best`); db.roundups finds them by what they hold (ingest.roundup by their form) and
`filing.split` takes one found after it was filed out of its story.

Contract with the read side: items.cluster_id is NULL for canonical and standalone items (the
"stories"), the canonical item's id for members; reach and first_seen_at are set on canonical
and standalone items and NULL on members.
"""
from __future__ import annotations

from db.clusters.members import CHUNK, WINDOW, Known, NewMember, chunks, compatible, models_of, rank
from db.clusters.index import (candidates, drop_index, executemany, index_keys, insert_index, load,
                               lookup_keys, members_of, reindex)
from db.clusters.matching import best, match
from db.clusters.membership import detach, leave, refresh_reach, roots_of
from db.clusters.edited import misfits, move_copies
from db.clusters.filing import assign, file, file_joined, split
from db.clusters.backfilling import backfill

__all__ = ["CHUNK", "WINDOW", "Known", "NewMember", "assign", "backfill", "best", "candidates",
           "chunks", "compatible", "detach", "drop_index", "executemany", "file", "file_joined",
           "index_keys", "insert_index", "leave", "load", "lookup_keys", "match", "members_of", "misfits",
           "models_of", "move_copies", "rank", "refresh_reach", "reindex", "roots_of", "split"]
