"""The site's code. `create_app` builds the Flask app as a list of small steps."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask

from . import config as cfg
from .database import engine_options
from .extensions import csrf, db, migrate
from .extensions import mail as mail_extension  # `leadsite.mail` is a module

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, content, blueprints, commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    register_config(app, test_config)
    register_extensions(app)
    register_content(app)
    register_blueprints(app)
    register_commands(app)
    register_speed(app)
    register_security(app)  # after speed: its WSGI layers wrap the static files too
    return app


def register_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then the environment, then the tests."""
    os.makedirs(app.instance_path, exist_ok=True)
    if test_config is None:
        load_dotenv(ROOT / ".env")
    app.config.update({name: s.default for name, s in cfg.SETTINGS.items()})
    app.config.update(
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAIL_SUPPRESS_SEND=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    if test_config is None:
        app.config.update(cfg.environment_settings(os.environ))
    else:
        app.config.update(test_config)

    if not app.config["SECRET_KEY"]:
        if app.config["APP_ENV"] == "production":
            app.config["SECRET_KEY"] = None
        else:
            app.config["SECRET_KEY"] = cfg.instance_secret_key(app.instance_path)
    cfg.check_production(app.config)
    if not app.config["SITE_URL"]:
        app.config["SITE_URL"] = f"http://127.0.0.1:{app.config['PORT']}"
    app.config["SITE_URL"] = app.config["SITE_URL"].rstrip("/")
    app.config["SESSION_COOKIE_SECURE"] = app.config["SITE_URL"].startswith("https:")

    url = app.config["DATABASE_URL"] or "sqlite:///" + os.path.join(
        app.instance_path, "site.db"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.normalise_database_url(url)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["SITE_DIR"] = str(Path(app.config["SITE_DIR"] or ROOT / "site"))


def register_extensions(app: Flask) -> None:
    """Bind the extensions and tune the database engine."""
    from . import models  # noqa: F401  (registers the tables on the metadata)
    from .database import configure_engine

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    mail_extension.init_app(app)
    with app.app_context():
        configure_engine(db.engine)


def register_security(app: Flask) -> None:
    """Bot traps, rate limits, trusted proxies and hosts, headers, failure pages."""
    from . import security

    security.init_app(app)


def register_content(app: Flask) -> None:
    """Load and check the owner's settings in `site/`; fail early and clearly."""
    from .content import load_site
    from .postnotes import TEMPLATE_HELPERS

    app.extensions["site"] = load_site(Path(app.config["SITE_DIR"]))
    app.jinja_env.globals.update(TEMPLATE_HELPERS)

    @app.context_processor
    def inject_site():
        """Her settings, and the year for the footer's copyright line."""
        return {
            "site": app.extensions["site"].settings,
            "current_year": date.today().year,
        }


def register_blueprints(app: Flask) -> None:
    """Public pages, lead forms, comments, post views, the admin, errors."""
    from . import (
        admin,
        blog,
        comments,
        errors,
        leads,
        posts,
        postviews,
        redirects,
        seo,
    )

    posts.init_app(app)
    app.register_blueprint(blog.bp)
    app.register_blueprint(seo.bp)
    app.register_blueprint(leads.bp)
    comments.init_app(app)
    postviews.init_app(app)
    app.register_blueprint(redirects.bp)
    app.register_blueprint(admin.bp)
    errors.register(app)


def register_speed(app: Flask) -> None:
    """Public pages that shared caches may keep (ETag and 304 from Flask itself),
    and hashed, compressed static files (WhiteNoise, outside Flask)."""
    from . import assets, sharedcache

    sharedcache.init_app(app)
    assets.init_app(app)


def register_commands(app: Flask) -> None:
    """`flask check-site`, `flask serve` and the other owner commands."""
    from . import cli

    cli.register(app)
