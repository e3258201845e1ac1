"""One image policy for the whole product (issue #9, finding 7): notices strip EXIF like appeal photos,
and a 20000×20000 PNG is a clear 422, never a 500."""

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequ.core.errors import Invalid
from shequ.core.uploads import image_clean

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 58.0, 0.0), 3: "E", 4: (116.0, 18.0, 0.0)}  # GPS
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def _huge_png(side: int = 20000) -> bytes:
    """A tiny file that claims side×side pixels (one grey row repeated, deflated)."""
    import struct

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = zlib.compress((b"\x00" + b"\x80" * side) * 50)
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_exif_and_gps_are_gone():
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the camera wrote it
    clean = image_clean(io.BytesIO(original), max_bytes=5 * 1024 * 1024)
    out = Image.open(io.BytesIO(clean.data))
    assert not out.getexif() and b"SpyCam" not in clean.data
    assert (clean.width, clean.height) == (64, 48)


def test_type_is_judged_by_content_not_name():
    with pytest.raises(Invalid) as err:
        image_clean(SimpleUploadedFile("cat.jpg", b"<script>alert(1)</script>"), max_bytes=1024 * 1024)
    assert err.value.code == "image_not_image"


def test_a_20000_pixel_square_is_refused_before_decoding():
    with pytest.raises(Invalid) as err:
        image_clean(io.BytesIO(_huge_png()), max_bytes=5 * 1024 * 1024)
    assert err.value.code == "image_too_many_pixels"
    assert err.value.message_en


def test_notice_attachments_use_the_policy(world):
    from shequ.notices.uploads import check_attachment

    checked = check_attachment(SimpleUploadedFile("lift.jpg", _jpeg_with_gps(), content_type="image/jpeg"))
    data = checked.upload.read()
    assert checked.content_type == "image/jpeg" and b"SpyCam" not in data
    assert not Image.open(io.BytesIO(data)).getexif()
    with pytest.raises(Invalid) as err:
        check_attachment(SimpleUploadedFile("big.png", _huge_png(), content_type="image/png"))
    assert err.value.code == "image_too_many_pixels"


def test_appeal_photos_use_the_policy():
    from shequ.appeals.photos import prepare_one

    with pytest.raises(Invalid) as err:
        prepare_one(SimpleUploadedFile("big.png", _huge_png(), content_type="image/png"))
    assert err.value.code == "photo_too_many_pixels"
