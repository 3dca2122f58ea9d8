"""The spike alerts' delivery log (`alert_deliveries`): one row per (local day, spike dim, spike
key, focus, channel, recipient, level). Level 0 is a spike's first alert of the day; level n a
follow-up once its count reached 2**n times the first alert's (`level_of`). A target served at a
level (or a higher one) is spared later runs at that level (unless forced); a failure is recorded
(status `failed`, the error, attempts counted) and retried by the next runs, that day and, sent
late, the next one (`late_targets`). Each attempt is committed on its own."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from report.delivery import Target, note_attempt


@dataclass(frozen=True, slots=True)
class AlertLog:
    day: date
    dim: str
    key: str
    focus: str = ""
    count: int = 0             # the spike's stories, kept with each attempt until one is sent
    level: int = 0

    def _where(self):
        a = m.AlertDelivery
        return (a.alert_date == self.day, a.dim == self.dim, a.key == self.key, a.focus == self.focus)

    def served(self, session: Session, t: Target, now: datetime) -> bool:
        a = m.AlertDelivery
        return session.scalar(select(a.id).where(*self._where(), a.channel == t.channel, a.recipient == t.recipient,
                                                 a.level >= self.level, a.status == "sent").limit(1)) is not None

    def record(self, session: Session, t: Target, *, ok: bool, error: str | None, subject: str | None,
               now: datetime) -> None:
        a = m.AlertDelivery
        row = session.scalar(select(a).where(*self._where(), a.channel == t.channel, a.recipient == t.recipient,
                                             a.level == self.level))
        if row is None:
            row = m.AlertDelivery(alert_date=self.day, dim=self.dim, key=self.key, focus=self.focus,
                                  channel=t.channel, recipient=t.recipient, level=self.level, attempts=0,
                                  status="failed", count=self.count, first_attempt_at=now, last_attempt_at=now)
            session.add(row)
        if row.sent_at is None:
            # the count a sent alert said stays its level's: a forced resend of the day's first
            # alert, sent or failed, must not move the count its follow-ups double from (`level_of`)
            row.count = self.count
        note_attempt(row, ok=ok, error=error, subject=subject, now=now)
        session.commit()

    def sent(self, session: Session) -> list[tuple[int, int]]:
        """(level, count) of each alert of this spike sent to some target (a forced resend that
        failed since does not unsend it)."""
        a = m.AlertDelivery
        return [tuple(r) for r in session.execute(select(a.level, a.count).where(*self._where(),
                                                                                  a.sent_at.is_not(None)))]


def level_of(count: int, sent: Sequence[tuple[int, int]]) -> tuple[int, int | None]:
    """A spike's escalation level at `count` stories, given the (level, count) of its alerts sent
    so far, and the count its last alert below that level said (None at level 0). Level n once
    `count` is at least 2**n times the count of its first alert (the smallest sent at level 0):
    14 first, then a follow-up from 28, the next from 56. Nothing sent yet: level 0."""
    first = min((c for lvl, c in sent if lvl == 0), default=0)
    if first <= 0:
        return 0, None
    level = 0
    while count >= first * 2 ** (level + 1):
        level += 1
    if level == 0:
        return 0, None
    top = max(lvl for lvl, _ in sent if lvl < level)
    return level, min(c for lvl, c in sent if lvl == top)


@dataclass(frozen=True, slots=True)
class Missed:
    """A spike's alert a day's runs could not deliver: the targets whose last alert of it failed
    (at `level`) and the last of those attempts."""

    dim: str
    key: str
    level: int
    targets: frozenset[Target]
    failed_at: datetime


def late_targets(session: Session, day: date, focus: str) -> list[Missed]:
    """The alerts of `day` (within `focus`) still owed: for each spike and target, its row of the
    highest level when that one failed and was never sent (a target later served at a higher
    level, or whose forced resend of a sent alert failed, is owed nothing)."""
    a = m.AlertDelivery
    top: dict[tuple[str, str, str, str], m.AlertDelivery] = {}
    for row in session.scalars(select(a).where(a.alert_date == day, a.focus == focus)):
        k = (row.dim, row.key, row.channel, row.recipient)
        if k not in top or row.level > top[k].level:
            top[k] = row
    owed: dict[tuple[str, str, int], list[m.AlertDelivery]] = {}
    for row in top.values():
        if row.status == "failed" and row.sent_at is None:    # not a forced resend of a sent one
            owed.setdefault((row.dim, row.key, row.level), []).append(row)
    return [Missed(dim, key, level, frozenset(Target(r.channel, r.recipient) for r in rows),
                   max(r.last_attempt_at for r in rows))
            for (dim, key, level), rows in sorted(owed.items())]
