"""Stories around the real current time, for the spike alerts (`aigcwatch alerts` looks at today,
until now): a Kling surge in the last hours against a quiet four-week baseline.

`midday_zone(now)` is a fixed-offset IANA zone in which `now` is around noon, so the surge (the last
three hours) lies within today wherever and whenever the tests run.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from db import store
from db.buckets import local_day
from db.filters import day_window
from tests.support.stories import _Writer

HOSTILE_TITLE = '<script>alert("x")</script> Kling & [friends](javascript:1) *bold*'
SYNDICATED_TITLE = "可灵3.0全面开放，创作者排队试用"


def midday_zone(now: datetime) -> str:
    """An Etc/GMT zone in which `now` falls between 11:00 and 13:00."""
    offset = 12 - now.hour          # -11..12 (Etc/GMT signs are inverted)
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass
class Today:
    tz: str
    now: datetime
    kling_today: int        # Kling stories today until now (copies counted once)


def build_today(session: Session, now: datetime, *, surge: bool = True) -> Today:
    tz = midday_zone(now)
    today = local_day(now, tz)
    midnight, _ = day_window(today, today, tz)
    w = _Writer(session)
    for back in range(28, 0, -1):                   # the baseline: Kling every other day at 08:00
        start = midnight - timedelta(days=back)
        if back % 2 == 0:
            w.add("cn-news", start + timedelta(hours=8), f"可灵日常更新 第{back}期", lang="zh",
                  models=("kling",), themes=("launch_access",))
        w.add("en-news", start + timedelta(hours=9), f"Sora daily note {back}", lang="en",
              models=("sora",), themes=("tech",))
    n = 0
    if surge:
        for k in range(3):                          # yesterday evening: Chinese reacts first
            w.add("cn-social", midnight - timedelta(hours=3, minutes=k), f"可灵3.0内测流出 网友实测{k}",
                  lang="zh", models=("kling",), themes=("launch_access",))
        for k in range(8):                          # Chinese first, English follows
            w.add("cn-news", now - timedelta(minutes=170 - k), f"可灵3.0发布 第{k}篇报道", lang="zh",
                  models=("kling",), themes=("launch_access",))
        for k in range(4):
            w.add("en-news", now - timedelta(minutes=90 - k), f"Kling 3.0 launches, take {k}", lang="en",
                  models=("kling",), themes=("launch_access",))
        w.add("en-news", now - timedelta(minutes=60), HOSTILE_TITLE, lang="en", models=("kling",),
              themes=("flaws",), url="javascript:alert(1)")
        text = "快手可灵3.0今日全面开放，创作者排队试用，生成时长提升到十秒，画面稳定性明显改善。" * 2
        w.add("cn-news", now - timedelta(minutes=120), SYNDICATED_TITLE, lang="zh", models=("kling",),
              themes=("creative_industry",), text=text, url="https://cn-news.example.com/kling-open")
        for src in ("cn-mirror", "cn-social"):
            w.add(src, now - timedelta(minutes=110), SYNDICATED_TITLE, lang="zh", models=("kling",),
                  themes=("creative_industry",), text=text, url=f"https://{src}.example.com/copy")
        n = 8 + 4 + 1 + 1
    store.finish_run(session, w.run_id, "ok")
    session.commit()
    return Today(tz=tz, now=now, kling_today=n)
