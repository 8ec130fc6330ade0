"""`flask wix ...`: the commands that bring the blog and the contacts over from Wix."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from .csvfile import CSVError
from .images import WIX_MEDIA_URL

if TYPE_CHECKING:  # the importers load when their command runs, not at start-up
    from .contacts import ContactReport
    from .posts import PostReport

wix = AppGroup("wix", help="Bring the blog and the contacts over from Wix.")

CSV_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@wix.command("import-posts")
@click.argument("csv_file", type=CSV_FILE)
@click.option("--skip-images", is_flag=True, help="Fetch no pictures; list them.")
@click.option(
    "--overwrite",
    is_flag=True,
    help="Import again the posts already there (each change kept as a revision).",
)
@click.option(
    "--categories",
    type=CSV_FILE,
    help="Wix's Categories export, to name the posts' categories.",
)
@click.option("--tags", type=CSV_FILE, help="An export of Wix's tags, same columns.")
@click.option(
    "--author",
    help="The byline for posts whose author Wix gives as a member id "
    "(default: none, so the blog shows the owner).",
)
@click.option(
    "--image-base-url",
    default=WIX_MEDIA_URL,
    show_default=True,
    help="Where the pictures are fetched from, followed by Wix's picture id.",
)
def import_posts_command(
    csv_file: Path,
    skip_images: bool,
    overwrite: bool,
    categories: Path | None,
    tags: Path | None,
    author: str | None,
    image_base_url: str,
) -> None:
    """Store Wix's Blog Posts export (CSV_FILE) as the site's posts.

    Drafts stay drafts; pictures are stored like uploads; old Wix addresses lead
    to the new pages. Posts already there are left as they are unless --overwrite
    is given, and a picture is never stored twice, so running it again changes
    nothing. Nothing is mailed.
    """
    if not image_base_url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "should start with http:// or https://", param_hint="--image-base-url"
        )
    from .posts import ImportOptions
    from .store import import_posts

    options = ImportOptions(
        skip_images=skip_images,
        overwrite=overwrite,
        image_base_url=image_base_url,
        categories=categories,
        tags=tags,
        author=author,
    )
    try:
        report = import_posts(csv_file, options)
    except CSVError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("\n".join(post_report_lines(report)))
    if not report.ok:
        sys.exit(1)


def section(title: str, items: list[str]) -> list[str]:
    return [title, *(f"  {item}" for item in items)] if items else []


def post_report_lines(report: PostReport) -> list[str]:
    """The import's report: counts first, then each thing that needs a look."""
    lines = [
        f"Imported: {len(report.imported)} post(s). "
        f"Already there, left as they were: {len(report.skipped)}.",
        f"Pictures: {len(report.downloaded)} stored, {len(report.kept_images)} "
        f"already there, {len(report.left_out)} left out, "
        f"{len(report.failed_images)} failed.",
    ]
    lines += section("Imported:", report.imported)
    lines += section(
        "Skipped, already there (add --overwrite to replace them):", report.skipped
    )
    lines += section("Pictures stored:", report.downloaded)
    lines += section(
        "Pictures left out (--skip-images); upload them in the admin if you want them:",
        [f"{slug}: {url}" for slug, url in report.left_out],
    )
    lines += section(
        "Pictures that failed (the posts were imported without them; once they can "
        "be fetched, run again with --overwrite):",
        [f"{slug}: {url}: {reason}" for slug, url, reason in report.failed_images],
    )
    lines += section(
        "Content types not converted (their words were kept; check these posts):",
        [
            f"{kind}: {', '.join(slugs)}"
            for kind, slugs in sorted(report.unknown.items())
        ],
    )
    lines += section(
        "Written from the plain text (Wix gave no usable formatted text):",
        report.plain_text,
    )
    lines += section(
        "Pictures without a description; add one between the brackets, ![like this]:",
        [f"{slug}: {address}" for slug, address in report.undescribed],
    )
    lines += section(
        "Covers described by the post's title for now; replace cover alt with a few "
        "words on what the picture shows:",
        report.covers,
    )
    for slug, notes in report.notes.items():
        lines += section(f"Not converted exactly in {slug}:", notes)
    lines += section(
        "Old addresses now leading to the new pages:",
        [f"{old} -> {new}" for old, new in sorted(report.redirects.items())],
    )
    lines += section("Problems (these rows were not imported):", report.problems)
    if report.imported:
        lines.append(
            "Next: read the imported posts in the admin's Posts page; "
            "`flask check-site` lists pictures without a description."
        )
    lines.append("No mail was sent or queued.")
    return lines


@wix.command("import-contacts")
@click.argument("csv_file", type=CSV_FILE)
def import_contacts_command(csv_file: Path) -> None:
    """Record the people in Wix's contacts export (CSV_FILE) and their newsletter
    status. Sends no mail; erased and unsubscribed addresses are never subscribed."""
    from .contacts import import_contacts

    try:
        report = import_contacts(csv_file)
    except CSVError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("\n".join(contact_report_lines(report)))


def contact_report_lines(report: ContactReport) -> list[str]:
    lines = [
        f"New newsletter subscribers (confirmed): {report.subscribed}",
        f"People recorded without a subscription: {report.recorded}",
        f"Marked unsubscribed: {report.unsubscribed}",
        f"Already here, unchanged: {report.unchanged}",
        f"Rows skipped: {len(report.skipped)}",
    ]
    lines += [
        f"  row {number}: {written or '(empty)'}: {reason}"
        for number, written, reason in report.skipped
    ]
    lines += section("Notes:", report.notes)
    lines.append("No mail was sent or queued.")
    return lines
