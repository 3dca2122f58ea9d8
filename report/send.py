"""The digest job shared by `aigcwatch digest` and the scheduler: gather, render, deliver to every
target not yet served, all under the `digest` lock (two runs never send the same digest twice)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from aigcwatch.errors import ConfigError
from db.engine import session_factory
from db.locks import named_lock
from report.delivery import Message, Outcome, deliver
from db.filters import ItemFilter
from report.digest import Digest, build_digest
from report.focus import focus_facts, focus_key
from report.mail import DeliveryError, SmtpSettings
from report.render import Rendered, render, short_lines
from report.webhooks import Webhook

LOCK_WAIT_S = 120.0


def langs_of(value: str | None, what: str = "AIGCWATCH_DIGEST_LANG") -> tuple[str, ...]:
    """The digest's sections for zh, en or both (unset: both); anything else is a ConfigError
    naming `what` (it was read as both, silently)."""
    langs = {"zh": ("zh",), "en": ("en",), "both": ("zh", "en")}.get((value or "both").strip().lower())
    if langs is None:
        raise ConfigError(f"{what}: {value!r} is not zh, en or both")
    return langs


def default_day(tz: str, now: datetime | None = None) -> date:
    """Yesterday in zone `tz`: the last complete local day."""
    now = now or datetime.now(ZoneInfo(tz))
    return now.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def delivery_config(get: Callable[[str], str | None], to: Sequence[str] = (), what: str | None = None
                    ) -> tuple[tuple[str, ...], str | None, SmtpSettings | None, list[Webhook]]:
    """(emails, sender, SMTP settings, webhooks) from `--to` (else AIGCWATCH_DIGEST_TO) and the
    settings read through `get` (aigcwatch.config.setting). ConfigError names what is wrong (`what`:
    where `to` came from, default --to)."""
    from aigcwatch.errors import ConfigError
    from report.mail import check_address, smtp_settings
    from report.webhooks import load_webhooks

    what = what or ("--to" if to else "AIGCWATCH_DIGEST_TO")
    raw = list(to) or [a for a in (get("digest_to") or "").split(",")]
    emails = tuple(dict.fromkeys(check_address(a, what) for a in (x.strip() for x in raw) if a))
    sender = get("digest_from")
    if emails and not sender:
        raise ConfigError("AIGCWATCH_DIGEST_FROM is not set (the digest's From address)")
    if sender:
        check_address(sender, "AIGCWATCH_DIGEST_FROM")
    smtp = smtp_settings(get)
    if emails and smtp is None:
        raise ConfigError("AIGCWATCH_SMTP_HOST is not set: cannot send the digest by email")
    hooks_file = get("webhooks")
    webhooks = load_webhooks(hooks_file) if hooks_file else []
    return emails, sender, smtp, webhooks


def facts(d: Digest, subject: str) -> dict:
    """The numbers of the generic JSON push, and the focus they are counted within."""
    return {
        "date": d.day.isoformat(), "first_day": d.first_day.isoformat(), "period": d.period,
        "time_zone": d.tz, "subject": subject, "focus": focus_facts(d.filters),
        "stories": {"current": d.stories.current, "previous": d.stories.previous,
                    "average": round(d.stories.average, 2)},
        # every language the total counts, with or without a section ("other": undetermined)
        "by_lang": {lang: {"current": c.current, "previous": c.previous} for lang, c in d.by_lang.items()},
        "net_sentiment": {"current": d.net[0], "previous": d.net[1]},
        "as_of": d.as_of.isoformat() if d.as_of else None,   # a period not over: the numbers run to it
        "spikes": [{"dim": s["dim"], "key": s["key"], "day": s["day"].isoformat(), "count": s["count"],
                    "baseline": s["baseline"], "leader": s.get("leader"), "lead": s.get("lead"),
                    "as_of": s["as_of"].isoformat() if s.get("as_of") else None} for s in d.spikes],
    }


def focus_note(d: Digest) -> str:
    """", focus model=kling" in a run's log and error lines ("" for the market-wide digest)."""
    key = focus_key(d.filters)
    return f", focus {key}" if key else ""


@dataclass
class DigestRun:
    digest: Digest
    rendered: Rendered
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def prepare(engine: Engine, day: date, *, period: str, tz: str, langs: tuple[str, ...],
            now: datetime | None = None, base: ItemFilter | None = None) -> DigestRun:
    """The digest gathered (within `base`, the focus: report.focus) and rendered."""
    with session_factory(engine)() as session:
        d = build_digest(session, day, period=period, tz=tz, langs=langs, base=base, now=now)
    return DigestRun(d, render(d))


def send_digest(engine: Engine, day: date, *, period: str = "day", tz: str = "UTC",
                langs: tuple[str, ...] = ("zh", "en"), emails: Sequence[str] = (),
                sender: str | None = None, smtp: SmtpSettings | None = None,
                webhooks: Sequence[Webhook] = (), force: bool = False,
                on_outcome: Callable[[Outcome], None] | None = None,
                lock_wait: float = LOCK_WAIT_S, now: datetime | None = None,
                base: ItemFilter | None = None) -> DigestRun:
    """Build and deliver the digest (focused on `base`, when given: logged under its focus key).
    Raises DeliveryError (one line, after every target was tried
    and logged) when any delivery failed, LockBusy when another digest run holds the lock. A
    digest of a period not over at `now` (default: the current time) serves its targets only
    until the period ends: the run after that sends them the whole period's."""
    now = now or datetime.now(timezone.utc)
    with named_lock(engine, "digest", wait=lock_wait):
        run = prepare(engine, day, period=period, tz=tz, langs=langs, now=now, base=base)
        by_lang: dict[tuple[str, ...], list] = {tuple(langs): short_lines(run.digest)}

        def lines_for(lang: str | None):
            key = langs_of(lang) if lang else tuple(langs)
            if key not in by_lang:
                with session_factory(engine)() as s:
                    by_lang[key] = short_lines(build_digest(s, day, period=period, tz=tz, langs=key,
                                                            base=base, now=now))
            return by_lang[key]

        msg = Message(day=run.digest.day, period=period, subject=run.rendered.subject,
                      text=run.rendered.text, html=run.rendered.html, lines_for=lines_for,
                      facts=facts(run.digest, run.rendered.subject), ends_at=run.digest.until,
                      focus=focus_key(run.digest.filters))
        with session_factory(engine)() as session:
            run.outcomes = deliver(session, msg, emails=emails, sender=sender, smtp=smtp,
                                   webhooks=webhooks, force=force, on_outcome=on_outcome, now=now)
    if run.failed:
        first = run.failed[0]
        raise DeliveryError(
            f"digest {day.isoformat()} ({period}{focus_note(run.digest)}): {len(run.failed)} of "
            f"{len(run.outcomes)} deliveries failed (recorded; the next run retries); {first.target.channel} {first.target.recipient}: "
            f"{first.error}")
    return run
