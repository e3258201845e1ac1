"""Checks for notice attachments: images must open with Pillow, PDFs must start with the PDF magic bytes."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from shequ.core.errors import Invalid

IMAGE_MAX_BYTES = 5 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 6
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


@dataclass
class CheckedFile:
    upload: UploadedFile
    kind: str
    content_type: str


def check_attachment(upload: UploadedFile) -> CheckedFile:
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    size = upload.size or 0
    if head == b"%PDF-":
        if size > PDF_MAX_BYTES:
            raise Invalid("PDF文件不能超过10MB。", "A PDF may not exceed 10 MB.", code="file_too_large")
        return CheckedFile(upload=upload, kind="pdf", content_type="application/pdf")
    if size > IMAGE_MAX_BYTES:
        raise Invalid("图片不能超过5MB。", "An image may not exceed 5 MB.", code="file_too_large")
    try:
        with Image.open(upload) as img:
            fmt = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(
            "附件只能是图片（JPG、PNG、GIF、WEBP）或PDF文件。",
            "Attachments must be images (JPG, PNG, GIF, WEBP) or PDF files.",
            code="file_type",
        )
    finally:
        upload.seek(0)
    if fmt not in IMAGE_FORMATS:
        raise Invalid(
            "附件只能是图片（JPG、PNG、GIF、WEBP）或PDF文件。",
            "Attachments must be images (JPG, PNG, GIF, WEBP) or PDF files.",
            code="file_type",
        )
    return CheckedFile(upload=upload, kind="image", content_type=IMAGE_FORMATS[fmt])


def check_attachments(uploads: list[UploadedFile]) -> list[CheckedFile]:
    if len(uploads) > MAX_FILES:
        raise Invalid(
            f"最多上传{MAX_FILES}个附件。", f"At most {MAX_FILES} attachments.", code="too_many_files"
        )
    return [check_attachment(u) for u in uploads]
