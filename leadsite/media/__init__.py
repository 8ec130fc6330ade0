"""The owner's pictures, stored in the database.

- `images`: what an upload must be, and the upright, metadata-free, resized copies
  made from it.
- `store`: saving an upload, finding a variant by its address, the editor's JSON.
- `remote`: a picture from another site's address, fetched and stored the same way.
- `markup`: `srcset`, `sizes`, `width` and `height` on a post's stored pictures,
  and `missing_descriptions` for the publishing rule (no picture without alt text).
- `views`: the public route, `/media/p/<id>-<digest>-<width>.webp`.

The admin's Pictures page and the upload endpoint are in `leadsite.admin.pictures`.
Pictures in `site/media/` (sample content, the Wix import) keep working beside
these; see `leadsite.posts`.
"""

from .images import HEIC_SUPPORTED, PictureError
from .markup import missing_descriptions, picture_size, responsive_pictures
from .remote import import_remote_picture
from .store import as_json, picture_url, save_picture

__all__ = [
    "HEIC_SUPPORTED",
    "PictureError",
    "as_json",
    "import_remote_picture",
    "missing_descriptions",
    "picture_size",
    "picture_url",
    "responsive_pictures",
    "save_picture",
]
