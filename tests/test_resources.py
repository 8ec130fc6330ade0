"""The free checklist as a tagged PDF: its text, tags, fonts, metadata, cache, the
build command and the download."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import submit_form
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from leadsite.content import SiteError, load_settings
from leadsite.outbox import deliver_due
from leadsite.resources import resource_pdf
from leadsite.resources.typeset import MediaOnly

ROOT = Path(__file__).parent.parent
SITE_URL = "https://iep-help.test"
TITLE = "Top Three Things You Need to Do Before Your First IEP Meeting"
MAIN_POINTS = [
    "1. Get the school\u2019s paperwork and read it before the meeting",
    "2. Write down what you know about your child and what you want for them",
    "3. Plan the meeting itself",
]


def text_of(source: Path | bytes) -> str:
    """Every page's text, with line breaks and runs of spaces made single spaces."""
    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def structure_types(reader: PdfReader) -> list[str]:
    """The structure tree's element types (/H1, /P, /L…), in reading order."""
    found = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, DictionaryObject):
            if node.get("/Type") == "/StructElem":
                found.append(node["/S"])
            kids = node.get("/K", [])
            for kid in kids if isinstance(kids, ArrayObject) else [kids]:
                if isinstance(kid, DictionaryObject | IndirectObject):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def fonts_in(reader: PdfReader) -> list[DictionaryObject]:
    """Every font the file draws with, descendant fonts of composite ones included."""
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts.append(font)
            fonts += [d.get_object() for d in font.get("/DescendantFonts", [])]
    return fonts


@pytest.fixture
def app_config(app_config, smtp_server):
    """Apps in this module deliver mail through the real SMTP server."""
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server.port}


@pytest.fixture
def settings(site_dir):
    return load_settings(site_dir)


@pytest.fixture
def checklist(settings):
    return settings.resource("first-iep-meeting-checklist")


@pytest.fixture
def build(site_dir, settings, checklist, tmp_path):
    """Build the checklist (or another resource) as the running app would."""

    def build(resource=checklist, site_url=SITE_URL):
        cache = tmp_path / "cache"
        return resource_pdf(
            site_dir, resource, cache, site_url=site_url, settings=settings
        )

    return build


def test_pdf_has_the_title_each_main_point_and_the_footer(build):
    path = build()
    assert path.read_bytes().startswith(b"%PDF-")
    text = text_of(path)
    assert f"{TITLE} From Alexandra Charnin, Compliant Content Co." in text
    for point in MAIN_POINTS:
        assert point in text
    assert "Bring someone with you." in text
    assert "It is not legal advice." in text
    assert f"Compliant Content Co. \u00b7 {SITE_URL} Page 1 of 1" in text  # the footer
    assert "compliantcontent.example" not in text  # settings' address is not SITE_URL


def test_pdf_is_tagged_in_reading_order(build):
    reader = PdfReader(build())
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"].value is True
    types = structure_types(reader)
    assert types[0] == "/Document"
    for tag in ("/H1", "/H2", "/P", "/L", "/LI", "/LBody", "/Link"):
        assert tag in types, tag
    headings = [t for t in types if re.fullmatch(r"/H\d", t)]
    assert headings == ["/H1", "/H2", "/H2", "/H2"]
    assert types.index("/H1") < types.index("/P") < types.index("/L")
    assert types.count("/LI") == 5  # four checkbox items and one bullet
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # declared PDF/UA-1


def test_every_font_is_embedded(build):
    fonts = fonts_in(PdfReader(build()))
    assert fonts
    for font in fonts:
        if font["/Subtype"] == "/Type0":
            continue  # a composite font: its glyphs are in its descendant font
        descriptor = font["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font
    assert any("Liberation-Sans" in font["/BaseFont"] for font in fonts)


def test_metadata_names_the_resource_the_owner_and_the_language(build):
    reader = PdfReader(build())
    assert reader.metadata.title == TITLE
    assert reader.metadata.author == "Alexandra Charnin"
    assert reader.metadata.subject.startswith("A short, printable checklist")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-US"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title, sections = reader.outline  # bookmarks: the title, its sections inside it
    assert title.title == TITLE
    assert [section.title for section in sections] == MAIN_POINTS
    assert reader.pages[0].mediabox.width == 612  # US Letter: 8.5 by 11 inches
    assert reader.pages[0].mediabox.height == 792


def test_markdown_becomes_typography_boxes_and_full_links(build):
    path = build()
    text = text_of(path)
    # Straight quotes become curly ones; the dash and apostrophes survive.
    assert "child best \u2014 and \u201ca little preparation\u201d goes" in text
    for markup in ("[ ]", "[x]", "**", "*", "- [", "#"):
        assert markup not in text
    [link] = [
        a["/A"]["/URI"]
        for a in PdfReader(path).pages[0]["/Annots"]
        if "/URI" in a.get_object().get("/A", {})
        and urlsplit(a["/A"]["/URI"]).path == "/contact"
    ]
    assert link == f"{SITE_URL}/contact"  # "/contact" in the Markdown


def test_unchanged_source_reuses_the_cached_pdf(build):
    first = build()
    built_at = first.stat().st_mtime_ns
    again = build()
    assert again == first
    assert again.stat().st_mtime_ns == built_at
    assert first.name.startswith("first-iep-meeting-checklist-")


def test_edited_source_builds_a_new_pdf(build, site_dir):
    first = build()
    source = site_dir / "resources" / "first-iep-meeting-checklist.md"
    source.write_text(source.read_text() + "\n## 4. Breathe\n", encoding="utf-8")
    edited = build()
    assert edited != first
    assert "4. Breathe" in text_of(edited)
    assert "4. Breathe" not in text_of(first)


def test_new_title_in_settings_builds_a_new_pdf(build, checklist):
    renamed = checklist.model_copy(update={"title": "Before the IEP meeting"})
    path = build(renamed)
    assert path != build()
    assert PdfReader(path).metadata.title == "Before the IEP meeting"
    assert text_of(path).startswith("Before the IEP meeting From")


def test_new_site_url_builds_a_new_pdf(build):
    moved = build(site_url="https://new-home.test/")
    assert moved != build()
    assert "\u00b7 https://new-home.test Page 1" in text_of(moved)


def test_a_title_line_in_the_markdown_gives_way_to_the_settings_title(build, site_dir):
    source = site_dir / "resources" / "first-iep-meeting-checklist.md"
    source.write_text("# An old title\n\nSome text.\n", encoding="utf-8")
    text = text_of(build())
    assert text.startswith(f"{TITLE} From Alexandra Charnin")
    assert "An old title" not in text


def test_images_come_from_site_media_only(site_dir):
    (site_dir / "media").mkdir(exist_ok=True)
    (site_dir / "media" / "dot.png").write_bytes(b"\x89PNG")
    fetcher = MediaOnly(site_dir, SITE_URL)
    assert fetcher.fetch(f"{SITE_URL}/media/dot.png?v=1").read() == b"\x89PNG"
    for refused in (
        "file:///etc/passwd",
        f"{SITE_URL}/media/../settings.toml",
        f"{SITE_URL}/media/%2E%2E/settings.toml",
        f"{SITE_URL}/static/css/site.css",
        "https://elsewhere.test/media/dot.png",
        f"{SITE_URL}/media/missing.png",
    ):
        with pytest.raises(ValueError, match="only show files of site/media"):
            fetcher.fetch(refused)


def test_concurrent_requests_get_one_whole_pdf(build, tmp_path):
    paths, errors = [], []

    def request():
        try:
            paths.append(build())
        except Exception as exc:  # noqa: BLE001 (reported by the assert below)
            errors.append(exc)

    threads = [threading.Thread(target=request) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(paths)) == 1
    assert TITLE in text_of(paths[0])
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [paths[0].name]


def test_missing_source_names_the_file(build, site_dir):
    (site_dir / "resources" / "first-iep-meeting-checklist.md").unlink()
    with pytest.raises(SiteError, match="first-iep-meeting-checklist.md: this file"):
        build()


def test_every_real_resource_builds_with_its_disclaimer(tmp_path):
    """The owner's own files in site/, as visitors get them."""
    settings = load_settings(ROOT / "site")
    assert settings.resources, "site/settings.toml lists the free checklist"
    for resource in settings.resources:
        path = resource_pdf(
            ROOT / "site", resource, tmp_path, site_url=SITE_URL, settings=settings
        )
        assert PdfReader(path).metadata.title == resource.title
        assert "It is not legal advice" in text_of(path)
    checklist = settings.resource("first-iep-meeting-checklist")
    assert checklist.title == TITLE  # as the owner named it
    path = resource_pdf(
        ROOT / "site", checklist, tmp_path, site_url=SITE_URL, settings=settings
    )
    text = text_of(path)
    assert text.startswith(TITLE)
    for point in MAIN_POINTS:
        assert point in text
    assert text.count("Why it matters:") == 3
    title, sections = PdfReader(path).outline
    assert [section.title for section in sections] == [*MAIN_POINTS, "A last word"]


@pytest.fixture
def instance(app, tmp_path):
    """Point the app's instance folder at a temporary one for the command's output."""
    app.instance_path = str(tmp_path / "instance")
    return Path(app.instance_path)


def test_build_resources_command_prints_where_each_pdf_went(app, runner, instance):
    result = runner.invoke(args=["build-resources"])
    assert result.exit_code == 0, result.output
    built = list((instance / "resources").glob("first-iep-meeting-checklist-*.pdf"))
    assert len(built) == 1
    assert result.output == f"{TITLE}: {built[0]}\n"
    assert PdfReader(built[0]).metadata.title == TITLE
    assert f"\u00b7 {app.config['SITE_URL']} Page 1 of 1" in text_of(built[0])


def test_build_resources_command_names_a_missing_file(runner, instance, site_dir):
    missing = site_dir / "resources" / "first-iep-meeting-checklist.md"
    missing.unlink()
    result = runner.invoke(args=["build-resources"])
    assert result.exit_code == 1
    assert f"{missing}: this file for the resource" in result.output
    assert not (instance / "resources").exists()


def test_mailed_link_downloads_the_tagged_pdf(app, client, smtp_server, instance):
    """The whole way a visitor gets it: the form, the mail, the link, the file,
    built on this first download."""
    data = {"email": "r@example.com", "resource": "first-iep-meeting-checklist"}
    assert submit_form(client, "/free-resource", data).status_code == 302
    with app.app_context():
        deliver_due()
    [mail] = smtp_server.messages
    text = mail.get_body(preferencelist=("plain",)).get_content()
    [link] = re.findall(r"https?://\S+/download/\S+", text)
    assert not (instance / "resources").exists()

    response = client.get(urlsplit(link).path)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "first-iep-meeting-checklist.pdf" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == TITLE
    assert "/H1" in structure_types(reader)
    assert app.config["SITE_URL"] in text_of(response.data)
    assert len(list((instance / "resources").glob("*.pdf"))) == 1
