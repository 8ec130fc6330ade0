"""The floors the site is measured against: bare Flask apps doing the least work
that still does the job, under the site's own gunicorn.conf.py.

- `render_app` answers `/blog/<slug>` by rendering templates/public/blog_post.html
  through Jinja with the same data the site renders it with: the same post object,
  the same site settings, comments section and forms, loaded once when the worker
  starts by the site's own code. Per request it only renders: no middleware, no
  database, no after-request work. The bench checks it sends the site's bytes.
- `insert_app` answers `POST /signup` by inserting one row (the email sent) into
  `bench_floor` in BENCH_FLOOR_DATABASE_URL, then redirecting as the site does: the
  cheapest possible signup on that database, with the site's SQLite settings.

`gunicorn -c gunicorn.conf.py bench.floor:render_app`, with the site's environment
(the render floor builds the site once to load its data).
"""

from __future__ import annotations

import os

from flask import Flask, redirect, render_template, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

from leadsite.config import normalise_database_url
from leadsite.database import configure_engine, engine_options

POST_SLUG = os.environ.get("BENCH_POST_SLUG", "what-to-bring-to-an-iep-meeting")


def post_page_floor(slug: str) -> Flask:
    """A minimal app with the site's template folder, URL rules (for `url_for`),
    Jinja filters and globals, whose one view renders the post page from data the
    site loaded once."""
    from leadsite import assets, create_app
    from leadsite.comments.forms import COMMENT_MAX
    from leadsite.comments.views import section_for
    from leadsite.consent import CONSENT
    from leadsite.leads.forms import SubscribeForm, fill_source
    from leadsite.leads.mail import what_for
    from leadsite.leads.views import FOOTER
    from leadsite.posts import library
    from leadsite.posts.seed import seed_once
    from leadsite.seo import article_data, share_links

    site = create_app()
    with site.test_request_context(f"/blog/{slug}", base_url=site.config["SITE_URL"]):
        seed_once()  # a new database gets the posts, as at the site's first visit
        post = library().get(slug)
        context = {"post": post, "article": article_data(post)}
        context["share_links"] = share_links(post)
        footer = SubscribeForm(prefix=FOOTER, formdata=None)
        fill_source(footer)
        section = section_for(slug)
        # Every value the site's context processors give a page, worked out once.
        shared: dict = {}
        site.update_template_context(shared)
    for name in ("request", "session", "g", "config"):  # these come per request
        shared.pop(name, None)
    shared.update(
        {
            "site": site.extensions["site"].settings,
            "footer_form": lambda: footer,
            "consent": CONSENT,
            "what_for": what_for,
            "comments_for": lambda _slug: section,
            "comment_max": COMMENT_MAX,
        }
    )

    app = Flask(
        "bench_render", template_folder=site.template_folder, static_folder=None
    )
    app.config["SITE_URL"] = site.config["SITE_URL"]
    app.extensions[assets.EXTENSION] = site.extensions[assets.EXTENSION]
    app.jinja_env.filters.update(site.jinja_env.filters)
    own = app.jinja_env.globals
    own.update({k: v for k, v in site.jinja_env.globals.items() if k not in own})
    app.extensions["site"] = site.extensions["site"]  # helpers read the settings
    app.add_template_global(assets.static_url)
    app.context_processor(lambda: shared)
    for rule in site.url_map.iter_rules():  # no views: only for url_for
        app.add_url_rule(rule.rule, rule.endpoint, methods=rule.methods)

    def post_page(slug: str):
        return render_template("public/blog_post.html", **context)

    app.view_functions["blog.post"] = post_page
    return app


render_app = post_page_floor(POST_SLUG) if os.environ.get("BENCH_RENDER") else None


metadata = MetaData()
floor_rows = Table(
    "bench_floor",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
)

insert_app = Flask("bench_insert")
engine = None
if os.environ.get("BENCH_FLOOR_DATABASE_URL"):
    url = normalise_database_url(os.environ["BENCH_FLOOR_DATABASE_URL"])
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)  # WAL, busy timeout, BEGIN IMMEDIATE on SQLite


@insert_app.post("/signup")
def signup():
    with engine.begin() as connection:
        connection.execute(floor_rows.insert().values(email=request.form["email"]))
    return redirect("/thanks", code=302)
