"""The lead pages' blueprint; `views` and `links` add their routes to it."""

from flask import Blueprint

bp = Blueprint("leads", __name__)
