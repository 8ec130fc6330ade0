"""The Pictures page and the upload endpoint the editor's script calls.

`POST /admin/media` takes a picture (`file`, `alt`) as a plain form (answered with a
redirect to the list) or from `static/js/admin/pictures.js` (answered with JSON:
id, url, alt, width, height, markdown). Its request may be as large as
`PICTURE_MAX_BYTES`, for this endpoint only: the limit is raised before the body is
read, then the CSRF check runs (token in the `X-CSRFToken` header or the
`csrf_token` field), so a request without a valid token is refused as anywhere in
the admin.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import csrf, db
from ..media import PictureError, as_json, import_remote_picture, save_picture
from ..media.forms import ALT_HINT, DescribeForm, ImportForm, UploadForm
from ..media.images import PictureTooLarge
from ..media.store import clean_alt, picture_url, size_limit, too_large_message
from ..models import Picture
from .blueprint import bp
from .forms import ButtonForm
from .paging import Page, page_number

PER_PAGE = 30
FORM_OVERHEAD = 64 * 1024  # the alt text, the token and the multipart framing


def wants_json() -> bool:
    """The editor's script asks for JSON; a browser's form asks for a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def pictures_page(upload: UploadForm | None = None, status: int = 200):
    total = db.session.scalar(select(func.count(Picture.id)))
    page = Page(page_number(), PER_PAGE, total)
    pictures = db.session.scalars(
        select(Picture)
        .order_by(Picture.created_at.desc(), Picture.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    )
    return render_template(
        "admin/pictures.html",
        pictures=list(pictures),
        page=page,
        upload=upload or UploadForm(formdata=None),
        alt_hint=ALT_HINT,
        limit_mb=size_limit() / (1024 * 1024),
        picture_url=picture_url,
    ), status


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]


def refused(message: str, status: int, form: UploadForm | None = None):
    if wants_json():
        return jsonify(error=message), status
    form = form or UploadForm(formdata=None)
    form.file.errors = [message]
    return pictures_page(form, status)


@bp.get("/media")
def pictures():
    """Every uploaded picture, newest first, with the upload form; pictures without
    a description are flagged."""
    return pictures_page()


def saved(picture: Picture):
    db.session.commit()
    if wants_json():
        return jsonify(as_json(picture)), 201
    note = "" if picture.alt else " Please add its description before you use it."
    flash(f"Picture uploaded.{note}", "success")
    return redirect(url_for("admin.pictures", _anchor=f"picture-{picture.id}"))


@bp.post("/media")
@csrf.exempt  # checked below, once the larger size limit is in place
def upload_picture():
    """Store an upload: upright, without metadata, resized (see `leadsite.media`)."""
    request.max_content_length = size_limit() + FORM_OVERHEAD
    try:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        form = UploadForm()
    except RequestEntityTooLarge:
        return refused(too_large_message(), 413)
    except CSRFError:
        if wants_json():
            return jsonify(error="The page had been open too long. Reload it."), 400
        raise
    if not form.validate():
        if wants_json():
            return jsonify(error=first_error(form)), 400
        return pictures_page(form, 400)
    upload = form.file.data
    try:
        picture = save_picture(upload.read(), upload.filename or "", form.alt.data)
    except PictureError as error:
        db.session.rollback()
        status = 413 if isinstance(error, PictureTooLarge) else 400
        return refused(str(error), status, form)
    return saved(picture)


@bp.post("/media/import")
def import_picture():
    """Fetch a picture from another site's address and store it like an upload."""
    form = ImportForm()
    try:
        if not form.validate():
            raise PictureError(first_error(form))
        picture = import_remote_picture(form.url.data.strip(), form.alt.data)
    except PictureError as error:
        db.session.rollback()
        if wants_json():
            return jsonify(error=str(error)), 400
        flash(str(error), "error")
        return redirect(url_for("admin.pictures"))
    return saved(picture)


@bp.post("/media/<int:picture_id>/alt")
def describe_picture(picture_id: int):
    """Change a picture's description (alt text)."""
    picture = db.session.get(Picture, picture_id) or abort(404)
    form = DescribeForm()
    if not form.validate():
        flash(first_error(form), "error")
    else:
        picture.alt = clean_alt(form.alt.data)
        db.session.commit()
        flash(
            "Description saved." if picture.alt else "Description removed.", "success"
        )
    return redirect(url_for("admin.pictures", _anchor=f"picture-{picture.id}"))


@bp.route("/media/<int:picture_id>/delete", methods=["GET", "POST"])
def delete_picture(picture_id: int):
    """Ask, then delete a picture and its copies for good."""
    picture = db.session.get(Picture, picture_id) or abort(404)
    form = ButtonForm()
    if request.method == "POST" and form.validate():
        db.session.delete(picture)
        db.session.commit()
        flash("Picture deleted.", "success")
        return redirect(url_for("admin.pictures"))
    return render_template(
        "admin/pictures_delete.html",
        picture=picture,
        form=form,
        picture_url=picture_url,
    )
