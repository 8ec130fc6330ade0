"""Commands for the admin: `flask admin ...` (owner accounts) and `flask leads ...`
(export and purge), for the server's shell and for scripts.

A password is read, in this order, from standard input with `--password-stdin`,
from the ADMIN_PASSWORD environment variable, or by asking twice at the prompt.
"""

from __future__ import annotations

import os
import sys

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..models import Purpose, SubscriptionStatus
from ..models.admin import AdminUser
from ..security.bottrap import HOLD_DAYS
from ..states import US_STATES
from . import accounts, audit, throttle
from .export import count_rows, csv_chunks
from .leads import LeadFilter
from .privacy import purge_unconfirmed

COMMAND_LINE = "command line"

admin = AppGroup("admin", help="Owner accounts for the admin pages at /admin/.")
leads = AppGroup(
    "leads", help="Export the list of leads, or purge old unconfirmed ones."
)


def register(app) -> None:
    app.cli.add_command(admin)
    app.cli.add_command(leads)


def read_password(from_stdin: bool) -> str:
    """The new password from stdin, ADMIN_PASSWORD, or the prompt; checked."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get("ADMIN_PASSWORD"):
        password = os.environ["ADMIN_PASSWORD"]
    else:
        password = click.prompt(
            f"New password (at least {accounts.PASSWORD_MIN} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    try:
        return accounts.check_password(password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None


password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input.",
)


@admin.command("create-owner")
@click.argument("email")
@password_stdin
def create_owner(email: str, password_stdin: bool) -> None:
    """Create the owner account EMAIL. The password is read with --password-stdin,
    else from ADMIN_PASSWORD, else asked for twice."""
    password = read_password(password_stdin)
    try:
        user = accounts.create_user(email, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    audit.record("owner-created", user.email, actor=COMMAND_LINE)
    db.session.commit()
    click.echo(f"Created the account {user.email}. Sign in at /admin/sign-in.")


@admin.command("set-password")
@click.argument("email")
@password_stdin
def set_password(email: str, password_stdin: bool) -> None:
    """Give the account EMAIL a new password (read as for create-owner); signs it
    out everywhere."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    accounts.set_password(user, read_password(password_stdin))
    throttle.clear_throttle(throttle.throttle_keys("", user.email)[1:])
    audit.record("password-set", user.email, actor=COMMAND_LINE)
    db.session.commit()
    click.echo(f"The password of {user.email} is changed; it is signed out everywhere.")


@admin.command("unlock")
@click.argument("email", required=False)
@click.option("--ip", "ips", multiple=True, help="Also clear this IP address.")
def unlock(email: str | None, ips: tuple[str, ...]) -> None:
    """Clear the sign-in delay of account EMAIL (and of each --ip address), so the
    next sign-in is tried at once."""
    if not email and not ips:
        raise click.UsageError("Give an account's email address, or --ip ADDRESS.")
    keys = [f"ip:{ip}" for ip in ips]
    if email:
        keys.append(throttle.throttle_keys("", email)[1])
    cleared = throttle.clear_throttle(keys)
    audit.record("unlock", ", ".join(keys), actor=COMMAND_LINE)
    db.session.commit()
    click.echo(f"Cleared {cleared} sign-in delay(s). You can sign in again now.")


@admin.command("two-step")
@click.argument("email")
@click.option("--off", is_flag=True, help="Turn two-step sign-in off again.")
def two_step(email: str, off: bool) -> None:
    """Turn on two-step sign-in for EMAIL: after the password, a 6-digit code from
    an authenticator app on the owner's phone. Asks for a code to check it works."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    if off:
        user.totp_secret = user.totp_last_step = None
        audit.record("two-step-off", user.email, actor=COMMAND_LINE)
        db.session.commit()
        click.echo(f"Two-step sign-in is off for {user.email}.")
        return
    secret = accounts.new_totp_secret()
    site_name = current_app.extensions["site"].settings.site.name
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=site_name)
    click.echo(
        "In the authenticator app, add an account with this key (or open the link "
        "on the phone):\n\n"
        f"  {' '.join(secret[i : i + 4] for i in range(0, len(secret), 4))}\n\n"
        f"  {uri}\n"
    )
    code = click.prompt("Then type the 6-digit code the app shows")
    trial = AdminUser(email=user.email, password_hash="", totp_secret=secret)
    if not accounts.code_ok(trial, code):
        raise click.ClickException("That code does not match; nothing was changed.")
    user.totp_secret, user.totp_last_step = secret, trial.totp_last_step
    audit.record("two-step-on", user.email, actor=COMMAND_LINE)
    db.session.commit()
    click.echo(f"Two-step sign-in is on for {user.email}.")


def state_code(_ctx, _param, value: str | None) -> str:
    if not value:
        return ""
    if value.upper() not in US_STATES:
        raise click.BadParameter("use a two-letter state code, such as CA or DC")
    return value.upper()


@leads.command("export")
@click.option("--purpose", type=click.Choice([p.value for p in Purpose]))
@click.option("--state", callback=state_code, help="Two-letter code, e.g. CA.")
@click.option("--status", type=click.Choice([s.value for s in SubscriptionStatus]))
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option("--search", default="", help="Part of an email address or name.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="CSV file.")
def export(purpose, state, status, since, until, search, output) -> None:
    """Write the leads as CSV (the same file as the admin's Export button), one row
    per sign-up, to FILE or to standard output."""
    lead_filter = LeadFilter(
        purpose=purpose or "",
        state=state,
        status=status or "",
        since=since.date() if since else None,
        until=until.date() if until else None,
        search=search.strip(),
    )
    rows = count_rows(lead_filter)
    audit.record(
        "export",
        f"{rows} rows as CSV; filter: {lead_filter.describe()}",
        actor=COMMAND_LINE,
    )
    db.session.commit()
    if output:
        with open(output, "w", encoding="utf-8", newline="") as file:
            for chunk in csv_chunks(lead_filter):
                file.write(chunk)
        click.echo(f"Wrote {rows} row(s) to {output}.", err=True)
    else:
        stdout = sys.stdout.buffer
        for chunk in csv_chunks(lead_filter):
            stdout.write(chunk.encode("utf-8"))
        stdout.flush()


@leads.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Age in days; PURGE_AFTER_DAYS (90 unless set) if not given.",
)
def purge(days: int | None) -> None:
    """Remove sign-ups never confirmed and contact messages older than DAYS days,
    and the people left with nothing. Confirmed subscribers are never touched."""
    days = days or int(current_app.config["PURGE_AFTER_DAYS"])
    removed = purge_unconfirmed(days, actor=COMMAND_LINE)
    click.echo(
        f"Removed, being older than {days} days: {removed['subscriptions']} "
        f"unconfirmed sign-up(s), {removed['messages']} contact message(s), "
        f"{removed['notices']} copies of those messages in the mail log, "
        f"{removed['held']} suspected-spam form(s) older than {HOLD_DAYS} days and "
        f"{removed['people']} person(s) left with nothing."
    )
