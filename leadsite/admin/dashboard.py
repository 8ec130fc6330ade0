"""The dashboard: how many people signed up for what, where the waitlist stands,
sign-ups and post views per day. Charts are drawn on the server (see `charts`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, render_template
from sqlalchemy import Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from ..models import Purpose, Subscription, SubscriptionStatus, utcnow
from ..models.admin import PostViewDay
from ..outbox.cap import capped_waiting
from ..posts import library
from ..postviews import counter
from . import charts
from .blueprint import bp
from .launch import waitlist_by_state
from .leads import day_start
from .messages import inbox_counts
from .spam import held_count

DAYS = 90


class utc_day(FunctionElement):  # noqa: N801  (reads like the SQL function it is)
    """The UTC calendar day of a stored timestamp, in SQL, on either database."""

    type = Date()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return f"CAST(timezone('UTC', {compiler.process(element.clauses, **kw)}) AS DATE)"


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def totals() -> dict[str, dict[str, int]]:
    """Sign-ups per kind and status: {"newsletter": {"pending": 3, ...}, ...}."""
    found = {p.value: {s.value: 0 for s in SubscriptionStatus} for p in Purpose}
    rows = db.session.execute(
        select(
            Subscription.purpose, Subscription.status, func.count(Subscription.id)
        ).group_by(Subscription.purpose, Subscription.status)
    )
    for purpose, status, count in rows:
        found.setdefault(purpose, {})[status] = count
    return found


def last_days(today: date, days: int = DAYS) -> list[date]:
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def signups_per_day(today: date) -> list[tuple[date, int]]:
    """New sign-ups of every kind per day, the last `DAYS` days, gaps as zero."""
    days = last_days(today)
    day = utc_day(Subscription.created_at)
    rows = db.session.execute(
        select(day, func.count(Subscription.id))
        .where(Subscription.created_at >= day_start(days[0]))
        .group_by(day)
    )
    counts = {as_date(d): n for d, n in rows}
    return [(d, counts.get(d, 0)) for d in days]


def views_per_day(today: date) -> list[tuple[date, int]]:
    days = last_days(today)
    rows = db.session.execute(
        select(PostViewDay.day, func.sum(PostViewDay.views))
        .where(PostViewDay.day >= days[0])
        .group_by(PostViewDay.day)
    )
    counts = {as_date(d): int(n) for d, n in rows}
    return [(d, counts.get(d, 0)) for d in days]


def top_posts(today: date, limit: int = 10) -> list[tuple[str, str, int]]:
    """(slug, title, views) of the most read posts in the last `DAYS` days."""
    total = func.sum(PostViewDay.views)
    rows = db.session.execute(
        select(PostViewDay.slug, total)
        .where(PostViewDay.day >= today - timedelta(days=DAYS - 1))
        .group_by(PostViewDay.slug)
        .order_by(total.desc(), PostViewDay.slug)
        .limit(limit)
    )
    titles = {post.slug: post.title for post in library().all_posts()}
    return [(slug, titles.get(slug, slug), int(views)) for slug, views in rows]


@bp.get("/")
def dashboard():
    """The owner's overview of her list, her waitlist and her readers."""
    db.session.commit()  # end this request's read first: on SQLite it holds the lock
    counter().flush()  # this process's latest views, so the numbers are fresh
    today = utcnow().date()
    settings = current_app.extensions["site"].settings
    waitlist = sorted(waitlist_by_state().items(), key=lambda item: (-item[1], item[0]))
    waitlist_rows = [(settings.state_name(code), n) for code, n in waitlist]
    signups = signups_per_day(today)
    views = views_per_day(today)
    return render_template(
        "admin/dashboard.html",
        totals=totals(),
        messages=inbox_counts(),
        held=held_count(),
        capped=capped_waiting(),
        waitlist=waitlist_rows,
        waitlist_chart=charts.bar_chart(
            waitlist_rows,
            "waitlist-chart",
            "Confirmed waitlist entries per state",
        ),
        signups=signups,
        signups_chart=charts.day_chart(
            signups, "signups-chart", f"New sign-ups per day, last {DAYS} days"
        ),
        views=views,
        views_chart=charts.day_chart(
            views, "views-chart", f"Blog post views per day, last {DAYS} days"
        ),
        top_posts=top_posts(today),
        days=DAYS,
    )
