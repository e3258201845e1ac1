"""Optional links to modules other helpers build (appeals, supervision). Each degrades to None/[] when the
module or function is not there yet, so the channel pages work on their own."""

from __future__ import annotations

import importlib
import importlib.util
import logging

from django.core.exceptions import FieldError

log = logging.getLogger("shequ.notices")
_SOFT_ERRORS = (ImportError, AttributeError, TypeError, FieldError, ValueError, LookupError)


def _module(name: str):
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    return importlib.import_module(name)


def party_rates(*, party_id: int):
    """This month's three rates of a party, or None when analytics is not available / has no data."""
    mod = _module("shequ.analytics.rates")
    if mod is None or not hasattr(mod, "party_rates"):
        return None
    try:
        return mod.party_rates(party_ids=[party_id]).get(party_id)
    except _SOFT_ERRORS:
        log.warning("party_rates unavailable", exc_info=True)
        return None


def resolved_public_appeals(*, user, party_id: int, limit: int = 5) -> list:
    mod = _module("shequ.appeals.selectors")
    if mod is None or not hasattr(mod, "appeals_visible_to"):
        return []
    try:
        qs = mod.appeals_visible_to(user=user, scope="public")
        return list(
            qs.filter(responsible_party_id=party_id, status__in=["resolved", "closed"]).order_by(
                "-resolved_at"
            )[:limit]
        )
    except _SOFT_ERRORS:
        log.warning("public appeals unavailable", exc_info=True)
        return []


def my_consultations(*, user, category_codes: tuple[str, ...], limit: int = 20) -> list | None:
    """The user's own consultations in these categories (None when appeals are not available)."""
    mod = _module("shequ.appeals.selectors")
    if mod is None or not hasattr(mod, "appeals_visible_to"):
        return None
    try:
        qs = mod.appeals_visible_to(user=user, scope="mine")
        return list(qs.filter(kind="consult", category__code__in=category_codes).order_by("-id")[:limit])
    except _SOFT_ERRORS:
        log.warning("consultations unavailable", exc_info=True)
        return None


def appeals_ready() -> bool:
    return _module("shequ.appeals.selectors") is not None
