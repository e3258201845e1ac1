"""Checks for notice attachments: images go through the product's one image policy (shequ.core.uploads:
type by content, size, pixel count, re-encoded without EXIF/GPS); PDFs must start with the PDF magic bytes."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from shequ.core.errors import Invalid
from shequ.core.uploads import image_clean

IMAGE_MAX_BYTES = 5 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 6


@dataclass
class CheckedFile:
    upload: UploadedFile | ContentFile
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
    try:
        clean = image_clean(upload, max_bytes=IMAGE_MAX_BYTES, prefix="image", field="files")
    except Invalid as exc:
        if exc.code != "image_not_image":
            raise
        raise Invalid(
            "附件只能是图片（JPG、PNG、GIF、WEBP）或PDF文件。",
            "Attachments must be images (JPG, PNG, GIF, WEBP) or PDF files.",
            code="file_type",
        )
    stem = (upload.name or "image").rsplit(".", 1)[0][:180] or "image"
    return CheckedFile(
        upload=ContentFile(clean.data, name=f"{stem}.jpg"), kind="image", content_type="image/jpeg"
    )


def check_attachments(uploads: list[UploadedFile]) -> list[CheckedFile]:
    if len(uploads) > MAX_FILES:
        raise Invalid(
            f"最多上传{MAX_FILES}个附件。", f"At most {MAX_FILES} attachments.", code="too_many_files"
        )
    return [check_attachment(u) for u in uploads]
