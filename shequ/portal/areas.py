"""关注区域: the page where a resident or staff member follows a building, compound or community.

The rule (who may follow which place, who is told) is `shequ.appeals.area_alerts`; the channels are
the person's 消息设置 for the verbs `area.*`. Works without JavaScript: plain forms, POST-redirect-GET.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.appeals import area_alerts
from shequ.core.errors import DomainError
from shequ.core.views import error_text
from shequ.directory.models import PlaceKind

TOPIC_LABELS = {
    "new_appeals": gettext_lazy("新诉求"),
    "resolved": gettext_lazy("诉求办结"),
    "notices": gettext_lazy("新公告"),
}


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                watch_id = _int(request.POST.get("watch"))
                if watch_id is not None:
                    area_alerts.area_watch_remove(user=request.user, watch_id=watch_id)
                messages.success(request, _("已取消关注。"))
            else:
                watch = area_alerts.area_watch_set(
                    user=request.user,
                    place_id=_int(request.POST.get("place")),
                    topics=request.POST.getlist("topics"),
                )
                messages.success(request, _("已关注%(place)s。") % {"place": watch.place.scope_name()})
            return redirect("portal:areas")
        except DomainError as exc:
            messages.error(request, error_text(exc))
            status = exc.status
    choices = area_alerts.watch_choices(user=request.user)
    groups = [
        (PlaceKind(kind).label, list(places)) for kind, places in groupby(choices, key=lambda p: p.kind)
    ]
    return render(
        request,
        "portal/areas.html",
        {
            "watches": area_alerts.watches_of(user=request.user),
            "groups": groups,
            "topics": list(TOPIC_LABELS.items()),
        },
        status=status,
    )
