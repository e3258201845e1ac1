"""Photo uploads: images only (checked by Pillow), size-limited, re-encoded without EXIF/GPS, thumbnailed.

`prepare()` validates and re-encodes uploads before any database write, so a bad file fails the whole
request with a 422 and nothing is half-saved. Services store the prepared files.
Photos are served only through the permission-checked API/page views, never from a public media URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.http import FileResponse

from shequ.appeals.models import AppealPhoto
from shequ.core.errors import Invalid, NotFound
from shequ.core.uploads import image_clean

MAX_PHOTOS = 9
MAX_BYTES = 8 * 1024 * 1024
THUMB_SIDE = 320


@dataclass
class PreparedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    size: int


def _invalid(zh: str, en: str, code: str) -> Invalid:
    return Invalid(zh, en, code=code, fields={"photos": en})


def prepare_one(upload) -> PreparedPhoto:
    """The product's one image policy (shequ.core.uploads), plus a thumbnail."""
    clean = image_clean(upload, max_bytes=MAX_BYTES, thumb_side=THUMB_SIDE, prefix="photo", field="photos")
    return PreparedPhoto(
        image=ContentFile(clean.data, name="photo.jpg"),
        thumbnail=ContentFile(clean.thumbnail or b"", name="thumb.jpg"),
        width=clean.width,
        height=clean.height,
        size=len(clean.data),
    )


def prepare(uploads: Iterable, *, already: int = 0) -> list[PreparedPhoto]:
    """Validate and re-encode uploads; `already` = photos the appeal holds (at most 9 in all)."""
    uploads = [u for u in uploads if u is not None]
    if already + len(uploads) > MAX_PHOTOS:
        raise _invalid("每条诉求最多9张照片。", "At most 9 photos per appeal.", "too_many_photos")
    return [prepare_one(u) for u in uploads]


def serve(photo: AppealPhoto, *, thumb: bool) -> FileResponse:
    """The photo's file (the caller has checked who may see it: `selectors.access_photo`)."""
    field = photo.thumbnail if thumb and photo.thumbnail else photo.image
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound("照片文件不存在。", "The photo file is missing.")
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
