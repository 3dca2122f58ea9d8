"""The spike alert job shared by `aigcwatch alerts` and `schedule --alerts`: find today's spikes,
each at its escalation level, and send each to every target not yet served at that level
(report.alert_log); send yesterday's undelivered ones late to the targets owed them
(report.alert_catchup); all under the `alerts` lock."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from db.engine import session_factory
from db.filters import ItemFilter
from db.locks import named_lock
from report import alert_render as ar
from report.alert_catchup import late_alerts
from report.alert_log import AlertLog, level_of
from report.alerts import Alert, find_alerts
from report.delivery import Message, Outcome, Target, deliver
from report.focus import focus_key
from report.mail import DeliveryError, SmtpSettings
from report.send import delivery_config, langs_of
from report.webhooks import Webhook

LOCK_WAIT_S = 0.0       # another alerts run is sending the same alerts: this one stops (exit 5)


def alert_targets(get: Callable[[str], str | None], to: Sequence[str] = ()
                  ) -> tuple[tuple[str, ...], str | None, SmtpSettings | None, list[Webhook]]:
    """The digest's targets (report.send.delivery_config), the email addresses from `--to`, else
    AIGCWATCH_ALERT_TO, else AIGCWATCH_DIGEST_TO."""
    if to:
        return delivery_config(get, to)
    alert_to = [a.strip() for a in (get("alert_to") or "").split(",") if a.strip()]
    if alert_to:
        return delivery_config(get, alert_to, what="AIGCWATCH_ALERT_TO")
    return delivery_config(get)


def short(a: Alert) -> str:
    return a.key + ar.state(a)


@dataclass
class AlertRun:
    alerts: list[Alert]
    outcomes: list[tuple[Alert, Outcome]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for _, o in self.outcomes)

    @property
    def failed(self) -> list[tuple[Alert, Outcome]]:
        return [(a, o) for a, o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        """"1 sent (kling), 0 failed" (and how many were already sent, when any); a follow-up reads
        "kling rising 1", yesterday's sent late "kling late"."""
        sent_keys = list(dict.fromkeys(short(a) for a, o in self.outcomes if o.status == "sent"))
        line = f"{self.count('sent')} sent" + (f" ({', '.join(sent_keys)})" if sent_keys else "")
        line += f", {self.count('failed')} failed"
        if self.failed:
            a, o = self.failed[0]
            line += f" ({short(a)}: {o.target.channel} {o.target.recipient}: {o.error})"
        skipped = self.count("skipped")
        return line + (f"; {skipped} already sent" if skipped else "")

    def error(self) -> DeliveryError | None:
        """The run's failure, one line (None when every delivery went out or was already sent)."""
        if not self.failed:
            return None
        days = ", ".join(sorted({a.day.isoformat() for a, _ in self.failed}))   # yesterday's late ones too
        return DeliveryError(f"alerts {days}: {len(self.failed)} of "
                             f"{len(self.outcomes)} deliveries failed (recorded; the next run retries); "
                             + self.summary())


def log_of(a: Alert) -> AlertLog:
    return AlertLog(a.day, a.dim, a.key, focus_key(a.filters), a.spike["count"], a.level)


def message(a: Alert, langs: tuple[str, ...]) -> Message:
    """One alert, rendered for every channel and logged in the alert log."""
    by_lang: dict[tuple[str, ...], list] = {}

    def lines_for(lang: str | None):
        key = langs_of(lang) if lang else tuple(langs)
        if key not in by_lang:
            by_lang[key] = ar.chat_lines(a, key)
        return by_lang[key]

    log = log_of(a)
    return Message(day=a.day, period="alert", subject=ar.subject(a, langs), text=ar.text([a], langs),
                   html=ar.html([a], langs), lines_for=lines_for, facts=ar.facts(a, langs), focus=log.focus,
                   log=log, headers={"X-Aigcwatch-Alert": ar.header(a)})


def gather(engine: Engine, *, tz: str, base: ItemFilter | None, now: datetime,
           langs: tuple[str, ...] = ("zh", "en")) -> list[Alert]:
    """Today's spikes, each at its escalation level (what the alert log says was sent)."""
    with session_factory(engine)() as session:
        found = find_alerts(session, base, tz=tz, now=now, langs=langs)
        out = []
        for a in found:
            level, previous = level_of(a.spike["count"], log_of(a).sent(session))
            out.append(replace(a, level=level, previous=previous))
        return out


def preview(engine: Engine, *, tz: str, base: ItemFilter | None, day: date,
            langs: tuple[str, ...] = ("zh", "en")) -> list[Alert]:
    """The spikes of an earlier local `day` as they stood at its end, as first alerts: what
    `alerts --date DAY --dry-run` shows (the alert log is neither read nor written)."""
    end = datetime.combine(day + timedelta(days=1), time.min, ZoneInfo(tz)) - timedelta(microseconds=1)
    with session_factory(engine)() as session:
        return [replace(a, preview=True) for a in find_alerts(session, base, tz=tz, now=end, day=day, langs=langs)]


def owed(engine: Engine, *, tz: str, base: ItemFilter | None, now: datetime,
         langs: tuple[str, ...] = ("zh", "en")) -> list[tuple[Alert, frozenset[Target]]]:
    with session_factory(engine)() as session:
        return late_alerts(session, base, tz=tz, now=now, langs=langs)


def still_owed(to: frozenset[Target], emails: Sequence[str], webhooks: Sequence[Webhook]
               ) -> tuple[list[str], list[Webhook]]:
    """The email addresses and webhooks among `emails` and `webhooks` that `to` names."""
    return ([e for e in emails if Target("email", e) in to],
            [h for h in webhooks if Target(h.channel, h.name) in to])


def send_alerts(engine: Engine, *, tz: str = "UTC", langs: tuple[str, ...] = ("zh", "en"),
                base: ItemFilter | None = None, emails: Sequence[str] = (), sender: str | None = None,
                smtp: SmtpSettings | None = None, webhooks: Sequence[Webhook] = (), force: bool = False,
                on_outcome: Callable[[Alert, Outcome], None] | None = None,
                lock_wait: float = LOCK_WAIT_S, now: datetime | None = None) -> AlertRun:
    """Send yesterday's alerts that failed, late, to the targets owed them (never again once sent;
    --force does not widen them), then each of today's spikes (in `tz`, until `now`) to every
    target not yet served at its level. Every target is tried and logged; `AlertRun.error()` says
    whether any failed. LockBusy when another alerts run holds the lock."""
    now = now or datetime.now(timezone.utc)
    with named_lock(engine, "alerts", wait=lock_wait):
        sends = [(a, *still_owed(to, emails, webhooks), False) for a, to in owed(engine, tz=tz, base=base, now=now, langs=langs)]
        sends = [s for s in sends if s[1] or s[2]]          # a target no longer configured: not sent
        sends += [(a, emails, webhooks, force) for a in gather(engine, tz=tz, base=base, now=now, langs=langs)]
        run = AlertRun([s[0] for s in sends])
        for a, a_emails, a_hooks, a_force in sends:
            def done(o: Outcome, a: Alert = a) -> None:
                run.outcomes.append((a, o))
                if on_outcome:
                    on_outcome(a, o)

            with session_factory(engine)() as session:
                deliver(session, message(a, langs), emails=a_emails, sender=sender, smtp=smtp,
                        webhooks=a_hooks, force=a_force, on_outcome=done, now=now)
    return run
