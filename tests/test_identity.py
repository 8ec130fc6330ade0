"""Her site, not a template: her name and business on every public page and no
invented one anywhere, her pages, the notices a lawyer's site must carry, how a post
ends, the sample posts kept out of production, and `flask check-site`'s warnings."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import build_app, close_app, submit_form
from sqlalchemy import select
from test_admin_support import signed_in_client

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import Consent

ROOT = Path(__file__).resolve().parent.parent
INVENTED = re.compile(
    r"Dana|Whitfield|Ready for the IEP|readyfortheiep|Springfield|Example Street"
    r"|linkedin\.com/in/example|instagram\.com/example",
    re.IGNORECASE,
)
PUBLIC_PAGES = [
    "/",
    "/blog/",
    "/blog/what-to-bring-to-an-iep-meeting",
    "/blog/asking-for-changes-to-a-draft-iep",
    "/blog/tag/records",
    "/about",
    "/privacy",
    "/accessibility",
    "/contact",
    "/subscribe",
    "/free-resource",
    "/state-guides",
    "/thanks/subscribe",
    "/thanks/resource",
    "/thanks/waitlist?state=CA",
    "/thanks/contact",
    "/no/such/page",
]
SAMPLES = [
    "/blog/what-to-bring-to-an-iep-meeting",
    "/blog/asking-for-changes-to-a-draft-iep",
]


@pytest.fixture
def real_site(app_config, tmp_path):
    """The app on the real `site/` folder, as she gets it: development first."""
    copy = tmp_path / "real-site"
    shutil.copytree(ROOT / "site", copy)
    apps = []

    def make(**config):
        app = build_app({**app_config, "SITE_DIR": str(copy), **config})
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_app(app)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_is_hers(real_site, path):
    response = real_site().test_client().get(path)
    assert response.status_code == (404 if path == "/no/such/page" else 200)
    html = response.get_data(as_text=True)
    assert "Alexandra Charnin" in html
    assert f"© {date.today().year} Compliant Content Co." in html
    assert not INVENTED.search(html), INVENTED.search(html)


def test_no_invented_person_brand_or_address_in_the_tree():
    """Every tracked file: pages, mails, templates, settings, README, deploy files."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found = []
    for name in files:
        if name == "tests/test_identity.py" or name.endswith(("lock.json", ".png")):
            continue
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        found += [f"{name}: {m.group()}" for m in INVENTED.finditer(text)]
    assert found == []


def test_sample_posts_show_in_development_only_and_never_as_hers(real_site):
    development = real_site().test_client()
    for path in SAMPLES:
        html = development.get(path).get_data(as_text=True)
        assert "By Site team" in html and "A sample post" in html
        assert "About the author" not in html  # her box is for her own posts
    production = real_site(APP_ENV="production", TRUSTED_HOSTS="*").test_client()
    for path in SAMPLES:
        assert production.get(path).status_code == 404
    for path in ("/", "/blog/", "/feed.xml", "/sitemap.xml"):
        text = production.get(path).get_data(as_text=True)
        assert "what-to-bring" not in text and "draft-iep" not in text


def test_post_shows_the_law_it_covers_its_review_date_and_notices(client):
    html = client.get("/blog/meeting-notes").get_data(as_text=True)
    start = html.index("<header>", html.index("<main"))
    header = html[start : html.index("</header>", start)]
    assert '<p class="ad-label">Attorney advertising</p>' in header
    assert "Covers: California law · Last reviewed April 20, 2026" in header
    assert "general information, not legal advice" in html
    feed = client.get("/feed.xml").get_data(as_text=True)
    assert "Covers: California law · Last reviewed April 20, 2026" in feed
    other = client.get("/blog/raw-html-post").get_data(as_text=True)
    assert "Covers:" not in other and "Last reviewed" not in other


def test_notices_are_hidden_when_their_setting_is_empty(app_config, site_dir):
    settings = site_dir / "settings.toml"
    text = settings.read_text()
    text = re.sub(r'advertising_label = ".*"', 'advertising_label = ""', text)
    settings.write_text(re.sub(r'disclaimer = ".*"', 'disclaimer = ""', text))
    app = build_app(app_config)
    try:
        client = app.test_client()
        for path in ("/blog/meeting-notes", "/contact"):
            html = client.get(path).get_data(as_text=True)
            assert "Attorney advertising" not in html
            assert "not legal advice" not in html
    finally:
        close_app(app)


def test_contact_form_carries_the_disclaimer(client):
    html = client.get("/contact").get_data(as_text=True)
    notice = html.index("not create an attorney-client relationship")
    assert notice < html.index("<form")


@pytest.mark.parametrize(
    ("slug", "cta", "link"),
    [
        ("meeting-notes", "A guide for your state", "/state-guides"),  # cta: waitlist
        ("raw-html-post", "Top Three Things", "/free-resource/first-iep"),  # default
    ],
)
def test_post_ends_with_author_box_and_its_call_to_action(client, slug, cta, link):
    html = client.get(f"/blog/{slug}").get_data(as_text=True)
    box = re.search(r'<aside class="author-box".*?</aside>', html, re.S)[0]
    assert 'src="/media/headshot.png" alt="Alexandra Charnin, smiling"' in box
    assert "<strong>Alexandra Charnin</strong>, compliance attorney and writer." in box
    assert '<a href="/about">More about Alexandra</a>' in box
    section = re.search(r'<section class="card cta".*?</section>', html, re.S)[0]
    assert cta in section and f'href="{link}' in section


def test_default_call_to_action_comes_from_the_settings(app_config, site_dir):
    settings = site_dir / "settings.toml"
    settings.write_text(
        settings.read_text().replace(
            'call_to_action = "resource"', 'call_to_action = "contact"'
        )
    )
    app = build_app(app_config)
    try:
        html = app.test_client().get("/blog/raw-html-post").get_data(as_text=True)
        assert "A question about this article?" in html
        assert 'class="button" href="/contact"' in html
    finally:
        close_app(app)


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/about", "About me"),
        ("/privacy", "Privacy notice"),
        ("/accessibility", "Accessibility statement"),
    ],
)
def test_her_pages(client, path, title):
    html = client.get(path).get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html
    assert f'<a href="{path}" aria-current="page">' in html
    if path == "/about":
        assert 'class="headshot" src="/media/headshot.png"' in html


def test_privacy_notice_says_what_how_long_who_and_rights(client):
    html = client.get("/privacy").get_data(as_text=True)
    for words in (
        "deleted after 90 days",  # PURGE_AFTER_DAYS
        "spam filter holds back",
        "Backups",
        "email provider",
        "hosting provider",
        "erase",
        "contact page",
    ):
        assert words in html, words


def test_accessibility_statement_names_the_standard_and_how_to_report(client):
    html = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG) 2.2" in html and "level AA" in html
    assert "Known limits" in html and "Report a problem" in html


@pytest.mark.parametrize(
    "path",
    ["/", "/subscribe", "/free-resource", "/state-guides", "/blog/meeting-notes"],
)
def test_every_consent_wording_links_to_the_privacy_notice(client, path):
    html = client.get(path).get_data(as_text=True)
    wordings = re.findall(r'<p class="consent"[^>]*>(.*?)</p>', html, re.S)
    assert wordings
    for wording in wordings:
        assert '<a href="/privacy">privacy notice</a>' in wording


def test_consent_records_store_the_privacy_notice_version(app, client):
    submit_form(client, "/subscribe", {"email": "v@example.com"})
    submit_form(client, "/free-resource", {"email": "r@example.com"})
    with app.app_context():
        versions = db.session.scalars(select(Consent.privacy_version)).all()
        person_id = db.session.scalars(select(Consent)).first().subscription.person_id
    assert versions == ["2026-11-29", "2026-11-29"]
    page = (
        signed_in_client(app).get(f"/admin/people/{person_id}").get_data(as_text=True)
    )
    assert "privacy notice of 2026-11-29" in page


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/", True),
        ("/blog/meeting-notes", True),
        ("/contact", True),
        ("/subscribe", False),
        ("/free-resource", False),
        ("/state-guides", False),
        ("/thanks/subscribe", False),
        ("/thanks/contact", False),
    ],
)
def test_footer_form_only_where_it_makes_sense(client, path, shown):
    html = client.get(path).get_data(as_text=True)
    assert ('id="footer-signup-title"' in html) is shown


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("maria@@example", "has just one @ sign, and this one has 2"),
        ("maria@example", "the part after the @ needs a dot"),
        ("maria.example.com", "it needs an @ sign"),
        ("@example.com", "the part before the @"),
        ("a@example.com, b@example.com", "Please enter just one email address."),
    ],
)
def test_address_mistakes_are_named(client, email, message):
    response = submit_form(client, "/subscribe", {"email": email})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_a_mistyped_provider_is_suggested_but_not_refused(app, client):
    response = submit_form(client, "/subscribe", {"email": "maria@gmail.con"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/thanks/subscribe?domain=gmail.con"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Did you mean <strong>gmail.com</strong>?" in html
    assert '<a href="/subscribe">send the form again</a>' in html
    with app.app_context():
        [consent] = db.session.scalars(select(Consent)).all()
        assert consent.subscription.person.email == "maria@gmail.con"
    right = submit_form(client, "/subscribe", {"email": "maria@gmail.com"})
    assert right.headers["Location"] == "/thanks/subscribe"
    # The page names only a domain close to a known one: no text of one's choosing.
    html = client.get("/thanks/subscribe?domain=evil.example").get_data(as_text=True)
    assert "evil.example" not in html and "Did you mean" not in html


def test_footer_form_error_links_back_to_the_article(client):
    response = submit_form(
        client,
        "/blog/meeting-notes",
        {"footer-email": "maria@@example", "footer-page": "/blog/meeting-notes"},
    )
    html = response.get_data(as_text=True)
    assert 'class="form-errors" role="alert" tabindex="-1" autofocus' in html
    assert '<a href="/blog/meeting-notes">Back to “Taking notes in an IEP meeting”' in (
        html
    )
    other = submit_form(client, "/contact", {"footer-email": "x@@y"})
    assert '<a href="/contact">Back to the page you were reading</a>' in other.text
    evil = submit_form(
        client, "/", {"footer-email": "x@@y", "footer-page": "//evil.example/"}
    )
    assert "evil.example" not in evil.get_data(as_text=True).split("</form>")[1]


def check_site(app):
    return app.test_cli_runner().invoke(args=["check-site"])


def test_check_site_warns_in_production_about_empty_and_example_values(
    real_site, app_config
):
    site = real_site()
    site.test_client().get("/")  # a new site's first visit stores the samples
    quiet = check_site(site)
    assert quiet.exit_code == 0 and "Warning" not in quiet.output
    live = create_app(  # the same site and database, now live
        {
            **app_config,
            "SITE_DIR": site.config["SITE_DIR"],
            "APP_ENV": "production",
            "SECRET_KEY": "x" * 40,
        }
    )
    result = check_site(live)
    close_app(live)
    assert result.exit_code == 0
    out = result.output
    for key in (
        "owner.headshot: is empty",
        "contact.postal_address: is empty",
        "legal.responsible_contact: is empty",
        "social (LinkedIn): has no address",
        "social (Instagram): has no address",
        "site.canonical_url: is still an example value",
        "what-to-bring-to-an-iep-meeting: is a sample post",
    ):
        assert key in out, key
    assert "warning(s) above" in out


def test_check_site_is_quiet_in_production_once_everything_is_hers(
    app_config, site_dir
):
    settings = site_dir / "settings.toml"
    settings.write_text(
        settings.read_text()
        .replace("site.test", "compliantcontent.co")
        .replace("social.test", "www.linkedin.com")
        .replace('url = ""', 'url = "https://www.instagram.com/compliantcontentco"')
    )
    app = build_app({**app_config, "APP_ENV": "production"})
    try:
        result = check_site(app)
        assert "everything looks right" in result.output, result.output
        assert "Warning" not in result.output
    finally:
        close_app(app)
