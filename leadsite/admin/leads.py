"""The leads table (one row per sign-up, filtered and searched) and a person's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import abort, current_app, render_template, request
from sqlalchemy import Select, func, or_, select

from ..consent import CONSENT
from ..extensions import db
from ..models import OutboxMessage, Person, Purpose, Subscription
from ..states import US_STATES
from .blueprint import bp
from .forms import ButtonForm, LeadFilterForm
from .paging import Page, page_number

PER_PAGE = 50
WORDING = {wording.version: wording.text for wording in CONSENT.values()}


@dataclass(frozen=True)
class LeadFilter:
    """Which sign-ups to show or export; empty values mean "any"."""

    purpose: str = ""
    state: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None
    search: str = ""

    @classmethod
    def from_form(cls, form: LeadFilterForm) -> LeadFilter:
        return cls(
            purpose=form.purpose.data or "",
            state=form.state.data or "",
            status=form.status.data or "",
            since=form.since.data,
            until=form.until.data,
            search=(form.q.data or "").strip(),
        )

    def describe(self) -> str:
        """The filter in words, for the audit log."""
        parts = [
            f"{name}={value}"
            for name, value in vars(self).items()
            if value not in ("", None)
        ]
        return ", ".join(parts) or "everyone"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def apply_filter(statement: Select, f: LeadFilter) -> Select:
    """Add the filter's conditions to a select that joins Subscription and Person."""
    if f.purpose:
        statement = statement.where(Subscription.purpose == f.purpose)
    if f.state:
        statement = statement.where(
            Subscription.purpose == Purpose.WAITLIST, Subscription.topic == f.state
        )
    if f.status:
        statement = statement.where(Subscription.status == f.status)
    if f.since:
        statement = statement.where(Subscription.created_at >= day_start(f.since))
    if f.until:
        until = day_start(f.until + timedelta(days=1))
        statement = statement.where(Subscription.created_at < until)
    if f.search:
        needle = f.search.lower()
        statement = statement.where(
            or_(
                func.lower(Person.email).contains(needle, autoescape=True),
                func.lower(Person.name).contains(needle, autoescape=True),
            )
        )
    return statement


def filter_form() -> LeadFilterForm:
    """The filter form, filled from the query string."""
    form = LeadFilterForm(request.args)
    form.state.choices = {"": "All states"} | dict(
        sorted(US_STATES.items(), key=lambda item: item[1])
    )
    return form


def topic_label(subscription: Subscription) -> str:
    """The state's name or the resource's title, as the tables show it."""
    settings = current_app.extensions["site"].settings
    if subscription.purpose == Purpose.WAITLIST:
        return US_STATES.get(subscription.topic, subscription.topic)
    if subscription.purpose == Purpose.RESOURCE:
        resource = settings.resource(subscription.topic)
        return resource.title if resource else subscription.topic
    return ""


@bp.get("/leads")
def leads():
    """Every sign-up with its person, newest first; filter, search, page, export."""
    form = filter_form()
    if request.args and not form.validate():
        return render_template(
            "admin/leads.html", form=form, rows=[], page=None, topic_label=topic_label
        ), 400
    lead_filter = LeadFilter.from_form(form)
    base = apply_filter(select(Subscription).join(Subscription.person), lead_filter)
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    page = Page(page_number(), PER_PAGE, total)
    rows = db.session.scalars(
        base.order_by(Subscription.created_at.desc(), Subscription.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    )
    return render_template(
        "admin/leads.html",
        form=form,
        rows=list(rows),
        page=page,
        topic_label=topic_label,
        filtered=any(request.args.get(k) for k in form.data),
    )


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    """Everything kept about one person: sign-ups with their consent, every mail
    and its delivery, downloads and messages. The erase button starts here."""
    found = db.session.get(Person, person_id) or abort(404)
    mails = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.person_id == found.id)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    return render_template(
        "admin/person.html",
        person=found,
        mails=list(mails),
        wording=WORDING,
        topic_label=topic_label,
        form=ButtonForm(),
    )
