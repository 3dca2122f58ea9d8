"""Item filters in one place: every read query (list, count, daily counts) applies the same ones."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select

from db import models as m


@dataclass(frozen=True, slots=True)
class ItemFilter:
    since: datetime | None = None       # published_at >= since (tz-aware)
    until: datetime | None = None       # published_at < until
    lang: str | None = None
    model: str | None = None
    theme: str | None = None
    sentiment: str | None = None
    source_id: str | None = None
    include_spam: bool = False
    include_irrelevant: bool = False    # items tagged relevant=False; untagged (NULL) always count

    def apply(self, stmt: Select) -> Select:
        """`stmt` (which selects from items) narrowed by these filters."""
        it = m.Item
        if self.since is not None:
            stmt = stmt.where(it.published_at >= self.since)
        if self.until is not None:
            stmt = stmt.where(it.published_at < self.until)
        if self.lang:
            stmt = stmt.where(it.lang == self.lang)
        if self.sentiment:
            stmt = stmt.where(it.sentiment == self.sentiment)
        if self.source_id:
            stmt = stmt.where(it.source_id == self.source_id)
        if self.model:
            stmt = stmt.where(it.id.in_(
                select(m.ItemModel.item_id).where(m.ItemModel.model == self.model)))
        if self.theme:
            stmt = stmt.where(it.id.in_(
                select(m.ItemTheme.item_id).where(m.ItemTheme.theme == self.theme)))
        if not self.include_spam:
            stmt = stmt.where(it.spam.is_(False))
        if not self.include_irrelevant:
            stmt = stmt.where(it.relevant.is_not(False))
        return stmt
