"""One policy for every image uploaded to shequ (appeal photos, notice attachments, …).

An image is accepted only if Pillow recognises its *content* as one of ALLOWED_FORMATS (the name and
the browser's Content-Type are ignored), it is at most `max_bytes` long and MAX_PIXELS large (a
20000×20000 PNG is refused before it is decoded), and it is re-encoded as a fresh JPEG: no EXIF, GPS,
maker notes, ICC profile or anything else the camera wrote survives. The visible orientation is kept.
Every refusal is a 422 in Chinese and English.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shequ.core.errors import Invalid

MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # JPEG, without metadata
    width: int
    height: int
    thumbnail: bytes | None


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    # No exif= / icc_profile=: the re-encoded file carries no metadata at all.
    img.save(buf, format="JPEG", quality=85, optimize=True)
    return buf.getvalue()


def _refuse(kind: str, prefix: str, field: str, *, limit_mb: int = 0) -> Invalid:
    texts = {
        "too_large": (f"图片不能超过{limit_mb}MB。", f"An image may be at most {limit_mb} MB."),
        "empty": ("图片文件是空的。", "The image file is empty."),
        "too_many_pixels": (
            "图片分辨率过大（最多4000万像素）。",
            "The image has too many pixels (40 million at most).",
        ),
        "not_image": (
            "只能上传图片（JPG、PNG、WEBP等）。",
            "Only image files (JPEG, PNG, WEBP …) are accepted.",
        ),
    }
    zh, en = texts[kind]
    return Invalid(zh, en, code=f"{prefix}_{kind}", fields={field: en})


def image_clean(
    upload, *, max_bytes: int, thumb_side: int | None = None, prefix: str = "image", field: str = "file"
) -> CleanImage:
    """Check one uploaded image against the policy and return it re-encoded (see the module doc)."""
    size = getattr(upload, "size", None)
    if size is None:
        raw = upload.read()
        size = len(raw)
        upload = io.BytesIO(raw)
    if size > max_bytes:
        raise _refuse("too_large", prefix, field, limit_mb=max_bytes // (1024 * 1024))
    if size == 0:
        raise _refuse("empty", prefix, field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:  # reads the header only
                fmt = probe.format
                if fmt not in ALLOWED_FORMATS:
                    raise _refuse("not_image", prefix, field)
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse("too_many_pixels", prefix, field)
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as opened:
                opened.load()
                img: Image.Image = ImageOps.exif_transpose(
                    opened
                )  # keep the visible orientation, then drop the EXIF
                if img.mode not in ("RGB", "L"):
                    background = Image.new("RGB", img.size, (255, 255, 255))
                    rgba = img.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    img = background
                elif img.mode == "L":
                    img = img.convert("RGB")
                img.thumbnail((MAX_SIDE, MAX_SIDE))
                data = _jpeg(img)
                thumb = None
                if thumb_side:
                    small = img.copy()
                    small.thumbnail((thumb_side, thumb_side))
                    thumb = _jpeg(small)
                width, height = img.size
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse("too_many_pixels", prefix, field)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse("not_image", prefix, field)
    finally:
        if hasattr(upload, "seek"):
            upload.seek(0)
    return CleanImage(data=data, width=width, height=height, thumbnail=thumb)
