"""Documents attached to ballots and fund steps: photos of paper ballots, authorisations, quotes, contracts."""

from __future__ import annotations

from shequ.core.errors import Invalid

MAX_BYTES = 8 * 1024 * 1024
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".pdf", ".heic")


def check_document(upload) -> None:
    """422 unless the upload is a photo or PDF of at most 8 MB."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(EXTENSIONS):
        raise Invalid(
            "只能上传照片（jpg、png）或 PDF 文件。",
            "Upload a photo (jpg, png) or a PDF.",
            code="document_format",
            fields={"document": "格式不支持"},
        )
    if (getattr(upload, "size", 0) or 0) > MAX_BYTES:
        raise Invalid(
            "文件太大（最大 8 MB）。", "The file is too large (8 MB at most).", code="document_too_large"
        )
