"""The spike alerts' delivery log (`alert_deliveries`): one row per (local day, spike dim, spike
key, focus, channel, recipient). A `sent` row spares that target later runs (unless forced); a
failure is recorded (status `failed`, the error, attempts counted) and the next run retries it.
Each attempt is committed on its own."""
from __future__ import annotations

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
    count: int = 0             # the spike's stories, kept with each attempt

    def _row(self, session: Session, t: Target) -> m.AlertDelivery | None:
        a = m.AlertDelivery
        return session.scalar(select(a).where(a.alert_date == self.day, a.dim == self.dim, a.key == self.key,
                                              a.focus == self.focus, a.channel == t.channel,
                                              a.recipient == t.recipient))

    def served(self, session: Session, t: Target, now: datetime) -> bool:
        row = self._row(session, t)
        return row is not None and row.status == "sent"

    def record(self, session: Session, t: Target, *, ok: bool, error: str | None, subject: str | None,
               now: datetime) -> None:
        row = self._row(session, t)
        if row is None:
            row = m.AlertDelivery(alert_date=self.day, dim=self.dim, key=self.key, focus=self.focus,
                                  channel=t.channel, recipient=t.recipient, attempts=0, status="failed",
                                  count=self.count, first_attempt_at=now, last_attempt_at=now)
            session.add(row)
        row.count = self.count
        note_attempt(row, ok=ok, error=error, subject=subject, now=now)
        session.commit()
