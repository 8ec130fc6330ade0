"""The site with its page cache off, every page rendered on every request: what the
cache saves, for comparison in bench/measure.py. Never deploy this."""

from leadsite import create_app

app = create_app()
app.config["PAGE_CACHE"] = False
