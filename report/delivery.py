"""Delivering a digest to every target once, with a log that remembers.

The `deliveries` table holds one row per (digest date, period, focus, channel, recipient; the focus
is report.focus's key, "" for the market-wide digest): `sent` rows are
skipped by later runs unless forced; a failure is recorded (status `failed`, the error, attempts
counted) and the next run tries that target again. Each attempt is committed on its own, so a run
that dies midway keeps what it did.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from report.mail import DeliveryError, SmtpSession, SmtpSettings, build_message
from report.webhooks import Line, Webhook, push


@dataclass(frozen=True, slots=True)
class Target:
    channel: str          # "email" | "webhook:<kind>"
    recipient: str        # address | webhook name


@dataclass(frozen=True, slots=True)
class Outcome:
    target: Target
    status: str           # sent | skipped | failed
    error: str | None = None


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _row(session: Session, day: date, period: str, t: Target, focus: str = "") -> m.Delivery | None:
    d = m.Delivery
    return session.scalar(select(d).where(d.digest_date == day, d.period == period, d.focus == focus,
                                          d.channel == t.channel, d.recipient == t.recipient))


def served(status: str, sent_at: datetime | None, ends_at: datetime | None, now: datetime) -> bool:
    """Whether a target's logged delivery of a digest spares it this run's. A digest sent before
    its period ended (a digest of today) held only part of it: it serves the target while the
    period runs, and once the period is over the target is due the whole period's digest."""
    if status != "sent":
        return False
    if ends_at is None or sent_at is None or now < ends_at:
        return True
    return sent_at >= ends_at


def was_sent(session: Session, day: date, period: str, t: Target, *, ends_at: datetime | None = None,
             now: datetime | None = None, focus: str = "") -> bool:
    row = _row(session, day, period, t, focus)
    return row is not None and served(row.status, row.sent_at, ends_at, now or utcnow())


def record(session: Session, day: date, period: str, t: Target, *, ok: bool, error: str | None,
           subject: str | None, now: datetime | None = None, focus: str = "") -> m.Delivery:
    """Write one attempt's result and commit it."""
    now = now or utcnow()
    row = _row(session, day, period, t, focus)
    if row is None:
        row = m.Delivery(digest_date=day, period=period, focus=focus, channel=t.channel, recipient=t.recipient,
                         attempts=0, first_attempt_at=now, status="failed", last_attempt_at=now)
        session.add(row)
    note_attempt(row, ok=ok, error=error, subject=subject, now=now)
    session.commit()
    return row


def note_attempt(row, *, ok: bool, error: str | None, subject: str | None, now: datetime) -> None:
    """One attempt on a log row (a Delivery or an AlertDelivery): counted, its outcome kept."""
    row.attempts += 1
    row.last_attempt_at = now
    row.status = "sent" if ok else "failed"
    row.error = None if ok else (error or "unknown error")[:2000]
    row.subject = subject
    if ok:
        row.sent_at = now


def failed_digests(session: Session, since: date, focus: str = "") -> list[tuple[date, str]]:
    """(date, period) of the digests of `focus` with a failed delivery on or after `since` (the
    scheduler retries those of its own focus)."""
    d = m.Delivery
    rows = session.execute(select(d.digest_date, d.period).where(d.status == "failed", d.digest_date >= since,
                                                                  d.focus == focus)
                           .distinct().order_by(d.digest_date, d.period))
    return [(r.digest_date, r.period) for r in rows]


class Log(Protocol):
    """Where a message's deliveries are logged: whether a target was served, and each attempt."""

    def served(self, session: Session, t: Target, now: datetime) -> bool: ...

    def record(self, session: Session, t: Target, *, ok: bool, error: str | None, subject: str | None,
               now: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class DigestLog:
    """The digest's log: the `deliveries` table, keyed by day, period and focus."""

    day: date
    period: str
    ends_at: datetime | None = None
    focus: str = ""

    def served(self, session: Session, t: Target, now: datetime) -> bool:
        return was_sent(session, self.day, self.period, t, ends_at=self.ends_at, now=now, focus=self.focus)

    def record(self, session: Session, t: Target, *, ok: bool, error: str | None, subject: str | None,
               now: datetime) -> None:
        record(session, self.day, self.period, t, ok=ok, error=error, subject=subject, now=now,
               focus=self.focus)


@dataclass(frozen=True, slots=True)
class Message:
    """One digest (or spike alert), rendered for every channel."""

    day: date
    period: str
    subject: str
    text: str
    html: str
    lines_for: Callable[[str | None], list[Line]]     # chat lines in a language (None: default)
    facts: dict
    ends_at: datetime | None = None                   # the period's end (UTC): sent before it, partial
    focus: str = ""                                   # report.focus key ("" market-wide)
    log: Log | None = None                            # default: the digest's (DigestLog)
    headers: dict[str, str] = field(default_factory=dict)   # the email's own (default: the digest's)

    @property
    def delivery_log(self) -> Log:
        return self.log or DigestLog(self.day, self.period, self.ends_at, self.focus)


def digest_header(msg: Message) -> str:
    """The digest's `X-Aigcwatch-Digest` header, for mail filters: "2025-03-10 day", and its focus
    key when it has one ("2025-03-10 day model=kling"), so a rule can file each focus apart."""
    return " ".join(filter(None, (msg.day.isoformat(), msg.period, msg.focus)))


def deliver(session: Session, msg: Message, *, emails: Sequence[str] = (), sender: str | None = None,
            smtp: SmtpSettings | None = None, webhooks: Sequence[Webhook] = (), force: bool = False,
            on_outcome: Callable[[Outcome], None] | None = None,
            now: datetime | None = None) -> list[Outcome]:
    """Send `msg` to every email address and webhook not yet served (all of them with `force`;
    see `served`), logging each attempt at `now` (default: the current time)."""
    outcomes: list[Outcome] = []
    now = now or utcnow()
    log = msg.delivery_log

    def done(o: Outcome) -> None:
        outcomes.append(o)
        if on_outcome:
            on_outcome(o)

    todo_mail = []
    for addr in emails:
        t = Target("email", addr)
        if not force and log.served(session, t, now):
            done(Outcome(t, "skipped"))
        else:
            todo_mail.append(t)
    if todo_mail:
        _send_mail(session, msg, todo_mail, sender=sender, smtp=smtp, done=done, now=now)
    for hook in webhooks:
        t = Target(hook.channel, hook.name)
        if not force and log.served(session, t, now):
            done(Outcome(t, "skipped"))
            continue
        try:
            push(hook, msg.lines_for(hook.lang), msg.facts)
        except DeliveryError as e:
            _settle(session, msg, t, e.one_line(), done, now)
        else:
            _settle(session, msg, t, None, done, now)
    return outcomes


def _settle(session: Session, msg: Message, t: Target, error: str | None,
            done: Callable[[Outcome], None], now: datetime | None = None) -> None:
    """Log one delivery (sent when `error` is None) and report its outcome."""
    msg.delivery_log.record(session, t, ok=error is None, error=error, subject=msg.subject, now=now or utcnow())
    done(Outcome(t, "sent") if error is None else Outcome(t, "failed", error))


def _send_mail(session: Session, msg: Message, targets: list[Target], *, sender: str | None,
               smtp: SmtpSettings | None, done: Callable[[Outcome], None],
               now: datetime | None = None) -> None:
    def fail_all(error: str) -> None:
        for t in targets:
            _settle(session, msg, t, error, done, now)

    if smtp is None:
        return fail_all("email: AIGCWATCH_SMTP_HOST is not set")
    if not sender:
        return fail_all("email: AIGCWATCH_DIGEST_FROM is not set")
    try:
        conn = SmtpSession(smtp).__enter__()
    except DeliveryError as e:     # no connection: every address fails with the same line
        return fail_all(e.one_line())
    try:
        for t in targets:
            email = build_message(msg.subject, msg.text, msg.html, sender=sender, to=t.recipient,
                                  headers=msg.headers or {"X-Aigcwatch-Digest": digest_header(msg)})
            try:
                conn.send(email)
            except DeliveryError as e:
                _settle(session, msg, t, e.one_line(), done, now)
            else:
                _settle(session, msg, t, None, done, now)
    finally:
        conn.__exit__(None, None, None)
