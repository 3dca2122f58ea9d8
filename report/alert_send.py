"""The spike alert job shared by `aigcwatch alerts` and `schedule --alerts`: find today's spikes,
send each to every target not yet served (report.alert_log), all under the `alerts` lock."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Engine

from db.engine import session_factory
from db.filters import ItemFilter
from db.locks import named_lock
from report import alert_render as ar
from report.alert_log import AlertLog
from report.alerts import Alert, find_alerts
from report.delivery import Message, Outcome, deliver
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
        """"1 sent (kling), 0 failed" (and how many were already sent, when any)."""
        sent_keys = list(dict.fromkeys(a.key for a, o in self.outcomes if o.status == "sent"))
        line = f"{self.count('sent')} sent" + (f" ({', '.join(sent_keys)})" if sent_keys else "")
        line += f", {self.count('failed')} failed"
        if self.failed:
            a, o = self.failed[0]
            line += f" ({a.key}: {o.target.channel} {o.target.recipient}: {o.error})"
        skipped = self.count("skipped")
        return line + (f"; {skipped} already sent" if skipped else "")

    def error(self) -> DeliveryError | None:
        """The run's failure, one line (None when every delivery went out or was already sent)."""
        if not self.failed:
            return None
        return DeliveryError(f"alerts {self.alerts[0].day.isoformat()}: {len(self.failed)} of "
                             f"{len(self.outcomes)} deliveries failed (recorded; the next run retries); "
                             + self.summary())


def message(a: Alert, langs: tuple[str, ...]) -> Message:
    """One alert, rendered for every channel and logged in the alert log."""
    by_lang: dict[tuple[str, ...], list] = {}

    def lines_for(lang: str | None):
        key = langs_of(lang) if lang else tuple(langs)
        if key not in by_lang:
            by_lang[key] = ar.chat_lines(a, key)
        return by_lang[key]

    subj = ar.subject(a, langs)
    focus = focus_key(a.filters)
    return Message(day=a.day, period="alert", subject=subj, text=ar.text([a], langs), html=ar.html([a], langs),
                   lines_for=lines_for, facts=ar.facts(a, langs), focus=focus,
                   log=AlertLog(a.day, a.dim, a.key, focus, a.spike["count"]),
                   headers={"X-Aigcwatch-Alert": f"{a.day.isoformat()} {a.dim}:{a.key}"})


def gather(engine: Engine, *, tz: str, base: ItemFilter | None, now: datetime) -> list[Alert]:
    with session_factory(engine)() as session:
        return find_alerts(session, base, tz=tz, now=now)


def send_alerts(engine: Engine, *, tz: str = "UTC", langs: tuple[str, ...] = ("zh", "en"),
                base: ItemFilter | None = None, emails: Sequence[str] = (), sender: str | None = None,
                smtp: SmtpSettings | None = None, webhooks: Sequence[Webhook] = (), force: bool = False,
                on_outcome: Callable[[Alert, Outcome], None] | None = None,
                lock_wait: float = LOCK_WAIT_S, now: datetime | None = None) -> AlertRun:
    """Send each of today's spikes (in `tz`, until `now`) to every target not yet served. Every
    target is tried and logged; `AlertRun.error()` says whether any failed. LockBusy when another
    alerts run holds the lock."""
    now = now or datetime.now(timezone.utc)
    with named_lock(engine, "alerts", wait=lock_wait):
        run = AlertRun(gather(engine, tz=tz, base=base, now=now))
        for a in run.alerts:
            def done(o: Outcome, a: Alert = a) -> None:
                run.outcomes.append((a, o))
                if on_outcome:
                    on_outcome(a, o)

            with session_factory(engine)() as session:
                deliver(session, message(a, langs), emails=emails, sender=sender, smtp=smtp,
                        webhooks=webhooks, force=force, on_outcome=done, now=now)
    return run
