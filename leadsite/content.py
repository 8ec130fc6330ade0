"""The owner's settings file, `site/settings.toml`: read, checked and explained.

A wrong or missing value stops the site with a message that names the file, the key
and what is expected, because the owner edits this file by hand.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationError,
    field_validator,
)

from .security.domains import DEFAULT_BLOCKED_DOMAINS, normalise_domain
from .states import US_STATES

SETTINGS_FILE = "settings.toml"

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
DOMAIN = re.compile(r"^[^\s@/:]+\.[^\s@/:.]+$")
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteInfo(Strict):
    name: Text
    tagline: Text
    canonical_url: HttpUrl
    language: Text = "en"
    time_zone: Text = "America/New_York"  # the owner's; the admin shows times in it

    @field_validator("time_zone")
    @classmethod
    def known_time_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{name!r} is not a known time zone; use a name such as "
                '"America/New_York", "America/Chicago" or "America/Los_Angeles"'
            ) from None
        return name

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


Optional = Annotated[str, StringConstraints(strip_whitespace=True)]  # "" = not set
MediaPath = Annotated[str, StringConstraints(pattern=r"^(/media/\S+)?$")]


class Owner(Strict):
    """Who writes the site: shown on the home page, on posts and in the author box."""

    name: Text
    role: Text
    bio: Text  # two lines at most: the author box under each post shows it
    headshot: MediaPath = ""  # e.g. /media/alexandra.jpg, a file in site/media/
    headshot_alt: Optional = ""


class Business(Strict):
    """The business the site belongs to: the footer's copyright line names it."""

    name: Text
    logo: MediaPath = ""
    logo_alt: Optional = ""


class Contact(Strict):
    postal_address: Optional = ""  # marketing mail must show one (CAN-SPAM)
    phone: Optional = ""
    reply_time: Text = "within two business days"


class SocialLink(Strict):
    """A profile link in the footer; one without an address is not shown."""

    label: Text
    url: HttpUrl | None = None

    @field_validator("url", mode="before")
    @classmethod
    def empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class Legal(Strict):
    """What a lawyer's site must say; an empty text is not shown."""

    advertising_label: Optional = ""
    disclaimer: Optional = ""
    responsible_lawyer: Optional = ""
    responsible_contact: Optional = ""


class Privacy(Strict):
    """The privacy notice's version: every consent record stores it."""

    version: Annotated[str, StringConstraints(pattern=r"^\S{1,40}$")]


CallToAction = Literal["resource", "waitlist", "contact"]


class PostSettings(Strict):
    """How posts end: the call to action a post gets unless it names its own."""

    call_to_action: CallToAction = "resource"


class MailSettings(Strict):
    sender_name: Text


class Waitlist(Strict):
    states: list[str] = Field(default_factory=lambda: list(US_STATES))

    @field_validator("states")
    @classmethod
    def known_states(cls, codes: list[str]) -> list[str]:
        unknown = [c for c in codes if c.upper() not in US_STATES]
        if unknown:
            raise ValueError(
                f"unknown state code(s) {', '.join(unknown)}; use two-letter codes "
                "such as CA or DC"
            )
        return [c.upper() for c in codes]


class Resource(Strict):
    slug: Slug
    title: Text
    summary: Text
    source: Text  # a Markdown file in site/resources/, typeset into a PDF


class Abuse(Strict):
    """Mail domains the forms refuse; a listed domain blocks its subdomains too."""

    blocked_domains: list[str] = Field(
        default_factory=lambda: list(DEFAULT_BLOCKED_DOMAINS)
    )

    @field_validator("blocked_domains")
    @classmethod
    def plain_domains(cls, domains: list[str]) -> list[str]:
        cleaned = [normalise_domain(d) for d in domains]
        wrong = [
            d for d, c in zip(domains, cleaned, strict=True) if not DOMAIN.match(c)
        ]
        if wrong:
            raise ValueError(
                f"not a domain name: {', '.join(repr(w) for w in wrong)}; write "
                'only the part after the @, such as "mailinator.com"'
            )
        return cleaned

    @cached_property
    def blocked_set(self) -> frozenset[str]:
        """The list as a set, for the check each form makes."""
        return frozenset(self.blocked_domains)


class CommentSettings(Strict):
    """true: a confirmed comment waits for the owner's approval; false: it shows."""

    require_approval: bool = True


class SiteSettings(Strict):
    site: SiteInfo
    owner: Owner
    business: Business
    contact: Contact = Contact()
    social: list[SocialLink] = Field(default_factory=list)
    legal: Legal = Legal()
    privacy: Privacy
    posts: PostSettings = PostSettings()
    mail: MailSettings
    waitlist: Waitlist = Waitlist()
    resources: list[Resource] = Field(default_factory=list)
    abuse: Abuse = Abuse()
    comments: CommentSettings = CommentSettings()

    def state_name(self, code: str) -> str:
        return US_STATES[code]

    def resource(self, slug: str) -> Resource | None:
        return next((r for r in self.resources if r.slug == slug), None)

    @property
    def social_links(self) -> list[SocialLink]:
        """The links to show: those with an address."""
        return [link for link in self.social if link.url]


class SiteError(Exception):
    """A problem in the owner's `site/` folder, worded for the owner."""


@dataclass
class Site:
    """The owner's content folder and its checked settings."""

    path: Path
    settings: SiteSettings


def explain(path: Path, error: ValidationError) -> str:
    """Turn pydantic's report into lines of 'file: key: what is expected'."""
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"]
        if item["type"] == "missing":
            message = "is missing; add it"
        elif item["type"] == "extra_forbidden":
            message = "is not a known setting (check the spelling)"
        lines.append(f"{path}: {key}: {message}")
    return "\n".join(lines)


def load_settings(site_dir: Path) -> SiteSettings:
    """Read and check `settings.toml`; raise SiteError with every problem found."""
    path = site_dir / SETTINGS_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteError(f"{path}: the settings file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteError(f"{path}: not valid TOML: {exc}") from None
    try:
        settings = SiteSettings.model_validate(data)
    except ValidationError as exc:
        raise SiteError(explain(path, exc)) from None
    for resource in settings.resources:
        if not (site_dir / "resources" / resource.source).is_file():
            raise SiteError(
                f"{path}: resources.{resource.slug}.source: the file "
                f"{site_dir / 'resources' / resource.source} does not exist"
            )
    for key, src in (
        ("owner.headshot", settings.owner.headshot),
        ("business.logo", settings.business.logo),
    ):
        if src and not (site_dir / src.lstrip("/")).is_file():
            raise SiteError(
                f"{path}: {key}: the file {site_dir / src.lstrip('/')} does not exist"
            )
    return settings


def load_site(site_dir: Path) -> Site:
    """The whole content folder, checked."""
    return Site(path=site_dir, settings=load_settings(site_dir))
