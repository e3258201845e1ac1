"""Small helpers the appeal pages share: safe redirects, htmx, one-time form tokens (paging is
`core.pagination.page_of`)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from shequ.accounts.http import AuthedRequest
from shequ.accounts.models import User
from shequ.appeals.access import StaffScope, staff_scope
from shequ.core import idempotency
from shequ.directory.models import Place, Spot

# ---------------------------------------------------------------- errors → pages


def safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def resolve_place(options, value: str) -> tuple[Place, Spot | None, str] | None:
    for key, label, place, spot in options:
        if key == value:
            return place, spot, label
    return None


def once(request: AuthedRequest, *, token: str, work: Callable[[], int]) -> int:
    """Run `work() -> appeal id` once per form token: a double-tapped or resent form files one appeal, not two."""
    try:
        return idempotency.once(user=request.user, key=f"form:{token}", path=request.path, work=work)
    except idempotency.InProgress as exc:
        raise Http404(_("请求正在处理，请刷新页面查看。")) from exc


def require_staff(user: User) -> StaffScope:
    """The workbench scope (`access.staff_scope`, from the role policy) of someone allowed in: staff,
    observers and station helpers of a party, or a volunteer with places; anyone else gets 403."""
    scope = staff_scope(user=user)
    if not scope.is_open:
        raise PermissionDenied(_("工作台只对社区工作人员开放。"))
    return scope
