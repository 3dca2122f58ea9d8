"""Yesterday's spike alerts that could not be delivered (SMTP down, a webhook failing), sent late:
once, to the targets still owed one (report.alert_log.late_targets), by the runs of the next
local day only. The spike as the whole day ended it; one that no longer stands as a spike over the
whole day is sent as it stood when its alert last failed."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from db.buckets import local_day
from db.filters import ItemFilter
from report.alert_log import late_targets
from report.alerts import Alert, find_alerts
from report.delivery import Target
from report.focus import focus_key

CATCH_UP_DAYS = 1     # how far back a failed alert is still sent: the previous local day


def late_alerts(session: Session, base: ItemFilter | None, *, tz: str, now: datetime,
                langs: tuple[str, ...] = ("zh", "en")) -> list[tuple[Alert, frozenset[Target]]]:
    """Each of yesterday's (in `tz`, at `now`) spike alerts owed within the focus `base`, marked
    late, with the targets owed it."""
    day = local_day(now, tz) - timedelta(days=CATCH_UP_DAYS)
    missed = late_targets(session, day, focus_key(base or ItemFilter()))
    if not missed:
        return []
    wanted = {(x.dim, x.key) for x in missed}
    found = {(a.dim, a.key): a for a in find_alerts(session, base, tz=tz, now=now, day=day, keys=wanted, langs=langs)}
    lost = wanted - found.keys()
    if lost:
        at = max(x.failed_at for x in missed if (x.dim, x.key) in lost)
        found |= {(a.dim, a.key): a for a in find_alerts(session, base, tz=tz, now=at, day=day, keys=lost, langs=langs)}
    return [(replace(found[(x.dim, x.key)], level=x.level, late=True), x.targets)
            for x in missed if (x.dim, x.key) in found]
