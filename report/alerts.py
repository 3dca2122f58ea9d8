"""What a spike alert says: each spike of today (the local day in `tz`, until `now`) as the
Overview and the digest find it (`db.queries.spikes`), with its most widely carried stories; or,
sent late, a spike of yesterday (`day`) whose alert could not be delivered then.

A pure read: nothing here sends or logs (report.alert_send does).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from db import queries as q
from db.buckets import local_day
from db.filters import ItemFilter, day_window
from report.digest import ranked_spike_stories

STORIES_PER_ALERT = 3


@dataclass(frozen=True, slots=True)
class Alert:
    day: date                  # today, in `tz` (yesterday for a late alert)
    tz: str
    spike: dict                # a db.queries.spikes row (count, baseline, by_lang, lead, as_of, ...)
    stories: list[dict]        # its most widely carried stories, with "outlets"
    filters: ItemFilter        # the day's window within the focus
    level: int = 0             # escalation level (report.alert_log.level_of): 0 the first alert
    previous: int | None = None   # a follow-up's: the count the alert before it said
    late: bool = False         # yesterday's alert, sent late (its delivery failed then)
    preview: bool = False      # an earlier day's spike, shown by `alerts --date --dry-run`, never sent
    source_names: dict[str, str] = field(default_factory=dict)   # the focus's sources: id -> name

    @property
    def dim(self) -> str:
        return self.spike["dim"]

    @property
    def key(self) -> str:
        return self.spike["key"]


def today_filter(base: ItemFilter | None, tz: str, now: datetime, day: date | None = None) -> ItemFilter:
    """Today (the local day of `now` in `tz`; or `day`) within the focus `base`, counted until `now`."""
    day = day or local_day(now, tz)
    since, until = day_window(day, day, tz)
    return (base or ItemFilter()).replace(since=since, until=until, as_of=now)


def find_alerts(session: Session, base: ItemFilter | None, *, tz: str, now: datetime,
                per_alert: int = STORIES_PER_ALERT, day: date | None = None,
                keys: Collection[tuple[str, str]] | None = None,
                langs: tuple[str, ...] = ("zh", "en")) -> list[Alert]:
    """Every spike of today (or of the earlier `day`, only those of `keys`: (dim, key) pairs) until
    `now`, strongest first, each with its top `per_alert` stories (those in `langs`, the alert's
    languages, first)."""
    flt = today_filter(base, tz, now, day)
    day = day or local_day(now, tz)
    names = q.source_names(session, flt.source_id) if flt.source_id else {}
    out = []
    for sp in q.spikes(session, flt, tz=tz, now=now):
        if sp["day"] != day or (keys is not None and (sp["dim"], sp["key"]) not in keys):
            continue
        stories = ranked_spike_stories(session, flt, sp, tz, limit=per_alert + 10, langs=langs)[:per_alert]
        out.append(Alert(day=day, tz=tz, spike=sp, stories=stories, filters=flt,
                         source_names=names))
    return out
