"""Domain errors carry a machine-readable code and a message in Chinese and English.

Views turn them into pages, the API into JSON with the matching HTTP status.
"""

from __future__ import annotations

from django.utils import translation


def zh(label: object) -> str:
    """A translatable label (a choice's `.label`, a lazy string) in Chinese whatever language is active: for
    the `message_zh` of an error, which must never come out half in English."""
    with translation.override("zh-hans"):
        return str(label)


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(
        self,
        message_zh: str,
        message_en: str = "",
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en or message_zh
        if code:
            self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": self.message_zh,
                "message_zh": self.message_zh,
                "message_en": self.message_en,
                "fields": self.fields,
            }
        }


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"
