"""Photo uploads: images only (checked by Pillow), size-limited, re-encoded without EXIF/GPS, thumbnailed.

`prepare()` validates and re-encodes uploads before any database write, so a bad file fails the whole
request with a 422 and nothing is half-saved. Services store the prepared files.
Photos are served only through the permission-checked API/page views, never from a public media URL.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.http import FileResponse
from PIL import Image, ImageOps, UnidentifiedImageError

from shequ.appeals.models import AppealPhoto
from shequ.core.errors import Invalid, NotFound

MAX_PHOTOS = 9
MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs
MAX_SIDE = 2048
THUMB_SIDE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


@dataclass
class PreparedPhoto:
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    size: int


def _invalid(zh: str, en: str, code: str) -> Invalid:
    return Invalid(zh, en, code=code, fields={"photos": en})


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    # No exif= / icc_profile=: the re-encoded file carries no metadata at all (EXIF, GPS, maker notes).
    img.save(buf, format="JPEG", quality=85, optimize=True)
    return buf.getvalue()


def prepare_one(upload) -> PreparedPhoto:
    size = getattr(upload, "size", None)
    if size is None:
        data = upload.read()
        size = len(data)
        upload = io.BytesIO(data)
    if size > MAX_BYTES:
        raise _invalid("每张照片不能超过8MB。", "Each photo must be at most 8 MB.", "photo_too_large")
    if size == 0:
        raise _invalid("照片文件是空的。", "The photo file is empty.", "photo_empty")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            if probe.width * probe.height > MAX_PIXELS:
                raise _invalid("照片分辨率过大。", "The photo has too many pixels.", "photo_too_many_pixels")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the visible orientation, then drop the EXIF
            if img.mode not in ("RGB", "L"):
                background = Image.new("RGB", img.size, (255, 255, 255))
                rgba = img.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                img = background
            elif img.mode == "L":
                img = img.convert("RGB")
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            main = _jpeg(img)
            width, height = img.size
            thumb_img = img.copy()
            thumb_img.thumbnail((THUMB_SIDE, THUMB_SIDE))
            thumb = _jpeg(thumb_img)
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _invalid(
            "只能上传图片（JPG、PNG、WEBP等）。",
            "Only image files (JPEG, PNG, WEBP …) are accepted.",
            "photo_not_image",
        )
    if fmt not in ALLOWED_FORMATS:
        raise _invalid(
            "只能上传图片（JPG、PNG、WEBP等）。",
            "Only image files (JPEG, PNG, WEBP …) are accepted.",
            "photo_not_image",
        )
    return PreparedPhoto(
        image=ContentFile(main, name="photo.jpg"),
        thumbnail=ContentFile(thumb, name="thumb.jpg"),
        width=width,
        height=height,
        size=len(main),
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
