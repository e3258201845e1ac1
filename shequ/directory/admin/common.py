"""What the directory's admin screens share: a service's error as a form error, adopting a created row."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from shequ.core.errors import DomainError


def as_validation_error(exc: DomainError) -> ValidationError:
    return ValidationError(f"{exc.message_zh} / {exc.message_en}", code=exc.code)


def adopt(obj, created) -> None:
    """Make the admin's unsaved `obj` the row a service just created (the admin redirects on obj.pk)."""
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = created._state.db
