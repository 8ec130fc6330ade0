"""Public pages: home and the blog. (Placeholder until the blog lands.)"""

from flask import Blueprint, render_template

bp = Blueprint("blog", __name__)


@bp.get("/")
def home():
    """The home page: who the owner is, latest posts, calls to the lead forms."""
    return render_template("public/home.html")
