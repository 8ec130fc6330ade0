"""Entry point for gunicorn and `flask`: `gunicorn wsgi:app`."""

from leadsite import create_app

app = create_app()
