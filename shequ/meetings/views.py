"""Pages of coordination meetings: list and workbench block, convene, the meeting page (invitations,
agenda, attendance, minutes, decisions, action items, close), the public summary, an action item."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.core.errors import DomainError, Forbidden, Invalid, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.core.widgets import posted
from shequ.core.xlsx import xlsx_response
from shequ.meetings import action_items, exports, selectors, services
from shequ.meetings.forms import ItemDueForm, MeetingTimesForm, int_list, int_or_none
from shequ.meetings.models import Answer, MeetingStatus
from shequ.meetings.options import (
    appeal_choices,
    convening_choices,
    decision_or_none,
    invitable_parties,
    parties_by_ids,
    place_choices,
    slot_choices,
)


def _flash(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    messages.error(request, error_text(exc))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """我的会议与待办: the meetings and open action items of the user's parties."""
    meetings = list(selectors.meetings_visible_to(user=request.user).order_by("-starts_at", "-id")[:50])
    items = list(selectors.action_items_for(user=request.user)[:100])
    return render(
        request,
        "meetings/index.html",
        {
            "meetings": meetings,
            "items": items,
            "can_convene": bool(convening_choices(user=request.user)),
            "now": services.clock.now(),
        },
    )


@login_required
@domain_errors
def create(request: HttpRequest) -> HttpResponse:
    conveners = convening_choices(user=request.user)
    if not conveners:
        raise Forbidden("您不能召集协调会。", "You may not convene a coordination meeting.")
    convener = next(
        (p for p in conveners if str(p.pk) == (request.POST.get("convener") or request.GET.get("convener"))),
        conveners[0],
    )
    places = place_choices(party=convener)
    place_id = int_or_none(request.POST.get("place") or request.GET.get("place"))
    place = next((p for p in places if p.pk == place_id), places[0] if places else None)
    wanted_appeal = int_or_none(request.GET.get("appeal"))
    times = MeetingTimesForm(request.POST if request.method == "POST" else None)
    error: DomainError | None = None
    if request.method == "POST" and place is not None:
        try:
            slot_id = int_or_none(request.POST.get("slot"))
            meeting = services.meeting_create(
                actor=request.user,
                convener=convener,
                place=place,
                topic=request.POST.get("topic", ""),
                starts_at=posted(times, "starts_at"),
                ends_at=posted(times, "ends_at"),
                location=request.POST.get("location", ""),
                slot=next((s for s in slot_choices(place=place) if s.pk == slot_id), None)
                if slot_id
                else None,
                invitees=parties_by_ids(place=place, ids=int_list(request.POST.getlist("invitees"))),
                appeals=appeal_choices(place=place, ids=int_list(request.POST.getlist("appeals"))),
            )
        except DomainError as exc:
            if not isinstance(exc, Invalid):
                _flash(request, exc)
            error = exc  # the form again, with the error and everything picked
        else:
            messages.success(request, _("协调会已创建，邀请已发出。"))
            return redirect("meetings:detail", meeting.pk)
    return render(
        request,
        "meetings/create.html",
        {
            "conveners": conveners,
            "convener": convener,
            "places": places,
            "place": place,
            "slots": slot_choices(place=place) if place else [],
            "invitable": invitable_parties(place=place, convener=convener) if place else [],
            "appeals": appeal_choices(place=place) if place else [],
            "wanted_appeal": wanted_appeal,
            "form": request.POST,
            "times": times,
            "picked": _picked(request, "slot", "appeals", "invitees"),
            "error": error_text(error) if isinstance(error, Invalid) else "",
            "error_fields": error.fields if error else {},
        },
        status=422 if isinstance(error, Invalid) else 200,
    )


def _picked(request: HttpRequest, *names: str) -> dict[str, list[int]]:
    """The ids posted under each name, for a form shown again after an error (checked / selected)."""
    return {name: int_list([v for v in request.POST.getlist(name) if v.isdigit()]) for name in names}


@login_required
@domain_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.access_meeting(user=request.user, meeting_id=pk))


def _detail(
    request: HttpRequest, meeting, *, item: ItemDueForm | None = None, error: DomainError | None = None
) -> HttpResponse:
    """The meeting page; after a refused action item its form comes back with what was typed and picked."""
    meeting = selectors.meeting_detail(meeting=meeting)
    manage = selectors.can_manage(user=request.user, meeting=meeting)
    my_parties = services.rules.staff_party_ids(user=request.user)
    invitations = list(meeting.invitations.all())
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "manage": manage,
            "invitations": invitations,
            "my_invitations": [
                i for i in invitations if i.party_id in my_parties and meeting.status in ("planned", "held")
            ],
            "answers": [
                (Answer.ATTEND, _("参加")),
                (Answer.DECLINE, _("不参加")),
                (Answer.DELEGATE, _("委派他人")),
            ],
            "invitable": invitable_parties(place=meeting.place, convener=meeting.convener) if manage else [],
            "responsible_choices": invitable_parties(place=meeting.place, convener=None) if manage else [],
            "now": services.clock.now(),
            "S": MeetingStatus,
            "item": item or ItemDueForm(),
            "item_post": request.POST if error else {},
            "item_picked": _picked(request, "responsible_party", "decision") if error else {},
            "item_error": error_text(error) if error else "",
            "item_fields": error.fields if error else {},
        },
        status=422 if error else 200,
    )


def _post(request: HttpRequest, pk: int, work) -> HttpResponse:
    meeting = selectors.access_meeting(user=request.user, meeting_id=pk)
    try:
        work(meeting)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return redirect("meetings:detail", pk)


@login_required
@require_POST
@domain_errors
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda m: services.meeting_invite(
            meeting=m,
            actor=request.user,
            parties=parties_by_ids(place=m.place, ids=int_list(request.POST.getlist("invitees"))),
        ),
    )


@login_required
@require_POST
@domain_errors
def answer(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    def work(m):
        invitation = m.invitations.filter(pk=invitation_id).first()
        if invitation is None:
            raise NotFound("没有这份邀请。", "No such invitation.")
        services.invitation_answer(
            invitation=invitation,
            actor=request.user,
            answer=request.POST.get("answer", ""),
            delegate_name=request.POST.get("delegate_name", ""),
        )

    return _post(request, pk, work)


@login_required
@require_POST
@domain_errors
def agenda(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda m: services.agenda_add(meeting=m, actor=request.user, title=request.POST.get("title", "")),
    )


@login_required
@require_POST
@domain_errors
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    def work(m):
        present = []
        parties = {
            p.pk: p
            for p in parties_by_ids(
                place=m.place, ids=int_list(request.POST.getlist("party")), include=[m.convener]
            )
        }
        for party_id, name in zip(request.POST.getlist("party"), request.POST.getlist("name"), strict=False):
            if name.strip() and party_id and request.POST.get(f"present_{party_id}"):
                present.append(services.AttendeeIn(name=name, party=parties.get(int(party_id))))
        for name, label in zip(
            request.POST.getlist("other_name"), request.POST.getlist("other_label"), strict=False
        ):
            if name.strip():
                present.append(services.AttendeeIn(name=name, for_label=label))
        services.attendance_take(meeting=m, actor=request.user, present=present)

    return _post(request, pk, work)


@login_required
@require_POST
@domain_errors
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda m: services.minutes_write(
            meeting=m, actor=request.user, minutes=request.POST.get("minutes", "")
        ),
    )


@login_required
@require_POST
@domain_errors
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        lambda m: services.decision_add(meeting=m, actor=request.user, text=request.POST.get("text", "")),
    )


@login_required
@require_POST
@domain_errors
def action_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting(user=request.user, meeting_id=pk)
    item = ItemDueForm(request.POST)
    try:
        party_id = int_or_none(request.POST.get("responsible_party"))
        parties = parties_by_ids(
            place=meeting.place, ids=[party_id] if party_id else [], include=[meeting.convener]
        )
        services.action_item_create(
            meeting=meeting,
            actor=request.user,
            description=request.POST.get("description", ""),
            responsible_party=parties[0] if parties else None,
            due_at=posted(item, "due_at"),
            decision=decision_or_none(meeting=meeting, decision_id=int_or_none(request.POST.get("decision"))),
        )
    except Invalid as exc:  # the form again, with the error and what was typed
        return _detail(request, meeting, item=item, error=exc)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return redirect("meetings:detail", pk)


@login_required
@require_POST
@domain_errors
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = selectors.access_meeting(user=request.user, meeting_id=pk)
    try:
        services.meeting_transition(meeting=meeting, actor=request.user, action=action)
    except DomainError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request,
            {"close": _("会议已结束，结果已在公告栏公示。"), "cancel": _("会议已取消。")}.get(
                action, _("会议已开始。")
            ),
        )
    return redirect("meetings:detail", pk)


@login_required
@domain_errors
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.access_meeting_summary(user=request.user, meeting_id=pk)
    return render(
        request,
        "meetings/summary.html",
        {"s": selectors.meeting_summary(meeting=meeting), "now": services.clock.now()},
    )


@login_required
@domain_errors
def item(request: HttpRequest, item_id: int) -> HttpResponse:
    row = selectors.access_action_item(user=request.user, item_id=item_id)
    if request.method == "POST":
        try:
            action_items.action_item_transition(
                item=row,
                actor=request.user,
                action=request.POST.get("action", ""),
                text=request.POST.get("text", ""),
            )
        except DomainError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已保存。"))
        return redirect("meetings:item", item_id)
    return render(
        request,
        "meetings/item.html",
        {
            "item": row,
            "events": row.events.select_related("actor", "party"),
            "actions": action_items.item_allowed_actions(item=row, actor=request.user),
            "overdue": action_items.is_overdue(item=row),
        },
    )


@login_required
@domain_errors
def export(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    meeting = selectors.meeting_detail(meeting=selectors.access_meeting(user=request.user, meeting_id=pk))
    sheets = {"attendance": exports.attendance, "minutes": exports.minutes, "items": exports.action_items}
    if kind not in sheets:
        raise NotFound("没有这种导出。", "No such export.")
    return xlsx_response(f"协调会{meeting.pk}-{kind}.xlsx", [sheets[kind](meeting)])


@login_required
def export_my_items(request: HttpRequest) -> HttpResponse:
    items = selectors.action_items_for(user=request.user, open_only=False)
    return xlsx_response("会议任务台账.xlsx", [exports.items_sheet(items)])


@login_required
def appeal_block(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """ "已在协调会…上讨论" on an appeal's page (loaded by the page; empty for a private appeal)."""
    return render(
        request,
        "meetings/_appeal_block.html",
        {"meetings": selectors.meetings_for_appeal(appeal_id=appeal_id)},
    )
