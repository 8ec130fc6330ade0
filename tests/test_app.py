"""The app starts, serves the home page and applies its configuration rules."""

import pytest

from leadsite import create_app
from leadsite.config import normalise_database_url


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Compliant Content Co." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_is_normalised(given, expected):
    assert normalise_database_url(given) == expected


def test_production_refuses_development_secret(app_config):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**app_config, "APP_ENV": "production", "SECRET_KEY": None})


def test_production_refuses_missing_site_url(app_config):
    with pytest.raises(RuntimeError, match="SITE_URL"):
        create_app({**app_config, "APP_ENV": "production", "SITE_URL": None})
