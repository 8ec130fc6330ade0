"""Friendly error pages."""

from flask import Flask, render_template


def register(app: Flask) -> None:
    """Render 404 and 500 with the site's look and no technical detail."""

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/500.html"), 500
