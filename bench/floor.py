"""The floors the site is measured against: bare Flask apps doing the least work.

- `page_app` answers `/blog/<slug>` with the bytes in BENCH_PAGE_FILE (the post
  page the site served, saved by the bench), and with BENCH_PAGE_HEADERS also the
  site's response headers: what serving that page costs Flask and gunicorn when
  rendering and tokens cost nothing.
- `insert_app` answers `POST /signup` by inserting one row (the email sent) into
  `bench_floor` in BENCH_FLOOR_DATABASE_URL, then redirecting as the site does: the
  cheapest possible signup on that database, with the site's SQLite settings.

Run under the site's own gunicorn.conf.py: `gunicorn -c gunicorn.conf.py
bench.floor:page_app`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask, Response, redirect, request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

from leadsite.config import normalise_database_url
from leadsite.database import configure_engine, engine_options

page_app = Flask("bench_page")
PAGE = Path(os.environ.get("BENCH_PAGE_FILE", os.devnull)).read_bytes()
# Optionally the site's own response headers too (ETag, caching, security), as a
# JSON list of [name, value]: the same response, not only the same body.
HEADERS = [("Content-Type", "text/html; charset=utf-8")]
if os.environ.get("BENCH_PAGE_HEADERS"):
    HEADERS = [
        tuple(h) for h in json.loads(Path(os.environ["BENCH_PAGE_HEADERS"]).read_text())
    ]


@page_app.get("/blog/<slug>")
def page(slug: str) -> Response:
    return Response(PAGE, headers=HEADERS)


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
