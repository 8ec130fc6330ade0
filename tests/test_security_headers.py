"""Headers on every response, trusted hosts, no debugger in production, and no
private file served through the static or media routes."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
import werkzeug.serving
from click.testing import CliRunner
from flask.cli import FlaskGroup

from leadsite import create_app
from leadsite.security.hosts import trusted_hosts

PAGES = [
    ("/", 200),
    ("/contact", 200),
    ("/blog/meeting-notes", 200),
    ("/static/css/site.css", 200),
    ("/no-such-page", 404),
]


def assert_hardened(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src == "'self'"
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("path", "status"), PAGES)
def test_every_response_has_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_hardened(response)
    assert "Strict-Transport-Security" not in response.headers  # http SITE_URL


def test_hsts_when_the_site_is_https(app_config):
    app = create_app({**app_config, "SITE_URL": "https://site.test"})
    response = app.test_client().get("/", base_url="https://site.test")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_public_pages_have_no_inline_script_and_styles_only_by_hash(client):
    for path in (
        "/",
        "/contact",
        "/subscribe",
        "/state-guides",
        "/free-resource",
        "/blog/",
        "/blog/meeting-notes",
        "/thanks/contact",
    ):
        response = client.get(path)
        html = response.text
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all('type="application/ld+json"' in attrs for attrs in scripts), path
        assert not re.search(r"<[^>]+\sstyle=", html), path  # CSP would block it
        assert not re.search(r"<[^>]+\son[a-z]+=", html), path
        for css in re.findall(r"<style>(.*?)</style>", html, re.S):
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            assert digest in response.headers["Content-Security-Policy"], path


def test_the_admin_style_block_is_allowed_by_its_hash(client):
    response = client.get("/admin/sign-in")
    css = re.search(r"<style>(.*?)</style>", response.text, re.S)
    if css:
        digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest())
        assert (
            f"'sha256-{digest.decode()}'" in response.headers["Content-Security-Policy"]
        )


def test_media_keeps_its_own_stricter_policy(client, site_dir):
    (site_dir / "media").mkdir(exist_ok=True)
    (site_dir / "media" / "pic.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>"
    )
    response = client.get("/media/pic.svg")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "host", ["attacker.example", "site.test.attacker.example", "evil.example:80"]
)
def test_a_forged_host_gets_a_400_with_headers(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert_hardened(response)
    response = client.post(
        "/subscribe", headers={"Host": host}, data={"email": "a@b.c"}
    )
    assert response.status_code == 400


def test_the_site_s_own_hosts_are_served(client):
    assert client.get("/", headers={"Host": "site.test"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"SITE_URL": "https://a.example", "APP_ENV": "production"}, ["a.example"]),
        (
            {"SITE_URL": "http://127.0.0.1:8000", "APP_ENV": "development"},
            ["127.0.0.1", "localhost"],
        ),
        (
            {
                "SITE_URL": "https://a.example",
                "APP_ENV": "production",
                "TRUSTED_HOSTS": "a.example, www.a.example",
            },
            ["a.example", "www.a.example"],
        ),
        ({"SITE_URL": "https://a.example", "APP_ENV": "x", "TRUSTED_HOSTS": "*"}, None),
    ],
)
def test_trusted_hosts_default_to_site_url(config, expected):
    assert trusted_hosts(config) == expected


@pytest.fixture
def production_config(app_config) -> dict:
    return {**app_config, "APP_ENV": "production", "SITE_URL": "https://site.test"}


def test_no_debug_mode_in_production_even_with_flask_debug(
    production_config, monkeypatch
):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    development = {**production_config, "APP_ENV": "development", "TESTING": False}
    assert create_app(development).debug  # the variable does reach the app
    app = create_app({**production_config, "DEBUG": True, "TESTING": False})
    assert app.debug is False

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/explode", base_url="https://site.test")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert "__debugger__" not in response.text


def test_flask_run_is_refused_in_production(production_config, monkeypatch):
    started = []
    monkeypatch.setattr(
        werkzeug.serving, "run_simple", lambda *a, **k: started.append(k)
    )
    cli = FlaskGroup(create_app=lambda: create_app(production_config))
    result = CliRunner().invoke(cli, ["run", "--debugger"])
    assert result.exit_code != 0
    assert "flask serve" in str(result.exception)
    assert started == []


@pytest.mark.parametrize(
    "path",
    [
        "/static/../instance/site.db",
        "/static/..%2finstance%2fsite.db",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%5c..%5cinstance%5csecret_key",
        "/static//etc/passwd",
        "/media/../settings.toml",
        "/media/..%2fsettings.toml",
        "/media/%2e%2e/%2e%2e/instance/secret_key",
        "/media/.hidden",
        "/media/folder/.secret.svg",
        "/static/.gitkeep",
        "/instance/site.db",
        "/instance/secret_key",
        "/.env",
        "/.git/config",
        "/site.db",
    ],
)
def test_private_files_are_never_served(app, client, site_dir, path):
    media = site_dir / "media"
    (media / "folder").mkdir(parents=True, exist_ok=True)
    (media / ".hidden").write_text("private")
    (media / "folder" / ".secret.svg").write_text("private")
    response = client.get(path, follow_redirects=True)
    assert response.status_code in (404, 400)
    assert b"private" not in response.data and b"SQLite" not in response.data
    key_file = Path(app.instance_path) / "secret_key"
    if key_file.exists():
        assert key_file.read_bytes().strip() not in response.data
