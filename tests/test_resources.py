"""The free checklist as a PDF: its text, metadata, cache and build command."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from leadsite import resources
from leadsite.content import SiteError, load_settings
from leadsite.resources import resource_pdf

ROOT = Path(__file__).parent.parent
TITLE = "Top three things to do before your first IEP meeting"
MAIN_POINTS = [
    "1. Gather the paperwork and read it ahead of time",
    "2. Write down your child\u2019s story and your priorities",
    "3. Plan the meeting itself",
]


def text_of(path: Path) -> str:
    """Every page's text, with line breaks and runs of spaces made single spaces."""
    reader = PdfReader(path)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def settings(site_dir):
    return load_settings(site_dir)


@pytest.fixture
def checklist(settings):
    return settings.resource("first-iep-meeting-checklist")


@pytest.fixture
def build(site_dir, settings, checklist, tmp_path):
    """Build the checklist (or another resource) as the running app would."""

    def build(resource=checklist):
        return resource_pdf(site_dir, resource, tmp_path / "cache", settings)

    return build


def test_pdf_has_the_title_and_each_main_point(build):
    path = build()
    assert path.read_bytes().startswith(b"%PDF-")
    text = text_of(path)
    assert text.startswith(TITLE)
    for point in MAIN_POINTS:
        assert point in text
    assert "Bring someone with you." in text
    assert "It is not legal advice." in text
    assert "Compliant Content Co. \u00b7 site.test" in text  # the footer
    assert "Page 1 of 1" in text


def test_markdown_becomes_typography_not_symbols(build):
    text = text_of(build())
    # Straight quotes become curly ones; the dash and apostrophes survive.
    assert "child best \u2014 and \u201ca little preparation\u201d goes" in text
    for markup in ("[ ]", "**", "*", "- [", "#"):
        assert markup not in text


def test_metadata_names_the_resource_the_owner_and_the_language(build):
    reader = PdfReader(build())
    assert reader.metadata.title == TITLE
    assert reader.metadata.author == "Alexandra Charnin"
    assert reader.metadata.subject.startswith("A short, printable checklist")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-US"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    title, sections = reader.outline  # bookmarks: the title, its sections inside it
    assert title.title == TITLE
    assert [section.title for section in sections] == MAIN_POINTS
    assert reader.pages[0].mediabox.width == 612  # US Letter: 8.5 by 11 inches
    assert reader.pages[0].mediabox.height == 792


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


def test_without_installed_fonts_helvetica_keeps_the_punctuation(
    build, site_dir, monkeypatch
):
    monkeypatch.setattr(resources, "installed_font", lambda: None)
    source = site_dir / "resources" / "first-iep-meeting-checklist.md"
    source.write_text(
        '# Title\n\nIt\'s "ready" -- see page 2 \u2192 then \u2611 done.\n',
        encoding="utf-8",
    )
    path = build()
    assert b"/BaseFont /Helvetica" in path.read_bytes()
    expected = "It\u2019s \u201cready\u201d \u2013 see page 2 -> then ? done."
    assert expected in text_of(path)


def test_every_real_resource_builds_with_its_disclaimer(tmp_path):
    """The owner's own files in site/, as visitors get them."""
    settings = load_settings(ROOT / "site")
    assert settings.resources, "site/settings.toml lists the free checklist"
    for resource in settings.resources:
        path = resource_pdf(ROOT / "site", resource, tmp_path, settings)
        assert PdfReader(path).metadata.title == resource.title
        assert "It is not legal advice" in text_of(path)
    checklist = settings.resource("first-iep-meeting-checklist")
    text = text_of(resource_pdf(ROOT / "site", checklist, tmp_path, settings))
    for point in MAIN_POINTS:
        assert point in text
    assert text.count("Why it matters:") == 3


@pytest.fixture
def instance(app, tmp_path):
    """Point the app's instance folder at a temporary one for the command's output."""
    app.instance_path = str(tmp_path / "instance")
    return Path(app.instance_path)


def test_build_resources_command_prints_where_each_pdf_went(runner, instance):
    result = runner.invoke(args=["build-resources"])
    assert result.exit_code == 0, result.output
    built = list((instance / "resources").glob("first-iep-meeting-checklist-*.pdf"))
    assert len(built) == 1
    assert result.output == f"{TITLE}: {built[0]}\n"
    assert PdfReader(io.BytesIO(built[0].read_bytes())).metadata.title == TITLE


def test_build_resources_command_names_a_missing_file(runner, instance, site_dir):
    missing = site_dir / "resources" / "first-iep-meeting-checklist.md"
    missing.unlink()
    result = runner.invoke(args=["build-resources"])
    assert result.exit_code == 1
    assert f"{missing}: this file for the resource" in result.output
    assert not (instance / "resources").exists()
