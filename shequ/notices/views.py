"""Pages of the notice channels: the feed, a notice, posting, unread households, 物业之窗, 业委连线,
家庭医生 and 警民直通车, and the public Atom feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.http import AuthedRequest
from shequ.accounts.selectors import primary_household, user_roles
from shequ.analytics.rates import party_rates
from shequ.appeals import selectors as appeal_selectors
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.directory import registrations
from shequ.directory.models import (
    Membership,
    Party,
    PartyKind,
    PartyRegistration,
    Place,
    PlaceKind,
    Role,
    ServiceContract,
)
from shequ.directory.selectors import (
    Nearest,
    contracts_active_on,
    members_for_place,
    parties_nearest,
    party_serving,
)
from shequ.notices import selectors, services
from shequ.notices.channels import CHANNEL_RULES
from shequ.notices.forms import NoticeForm
from shequ.notices.models import Channel, NoticeAttachment

PAGE_SIZE = 20


def _channel_param(request: AuthedRequest) -> str | None:
    value = request.GET.get("channel") or None
    return value if value in Channel.values else None


@login_required
def feed(request: AuthedRequest) -> HttpResponse:
    channel = _channel_param(request)
    roles = user_roles(user=request.user)
    # Staff without a home here see their organisation's notices by default.
    wants_mine = request.GET.get("mine", "0" if roles.residencies else "1") == "1"
    mine = wants_mine and bool(roles.observed_party_ids)
    qs = (
        selectors.party_notices(user=request.user, channel=channel)
        if mine
        else selectors.feed_for(user=request.user, channel=channel)
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/feed.html",
        {
            "page": page,
            "channel": channel,
            "channels": Channel.choices,
            "mine": mine,
            "can_post": bool(selectors.posting_rights(user=request.user)),
            "is_staff_member": bool(roles.observed_party_ids),
            "channel_label": Channel(channel).label if channel else _("全部公告"),
            "community": getattr(primary_household(user=request.user), "community", None),
        },
    )


@login_required
@domain_errors
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    services.notice_mark_read(notice=notice, user=request.user)
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "attachments": list(notice.attachments.all()),
            "buildings": selectors.leader_buildings(user=request.user, notice=notice),
            "can_manage": selectors.can_manage(user=request.user, notice=notice),
            "is_live": notice.is_live(),
        },
    )


@login_required
@domain_errors
def create(request: AuthedRequest) -> HttpResponse:
    rights = selectors.posting_rights(user=request.user)
    if not rights:
        raise Forbidden("您没有发布公告的权限。", "You may not post notices.")
    initial: dict[str, str | None] = {}
    if request.GET.get("right"):
        initial["right"] = request.GET["right"]
    elif request.GET.get("channel"):
        initial["right"] = next(
            (f"{r.party.pk}:{r.channel}" for r in rights if r.channel == request.GET["channel"]), None
        )
    form = NoticeForm(request.POST or None, rights=rights, initial=initial)
    if request.method == "POST" and form.is_valid():
        right = form.cleaned_data["right"]
        place = Place.objects.filter(pk=form.cleaned_data["place"]).first()
        try:
            if place is None:
                raise NotFound("地点不存在。", "Place not found.")
            notice = services.notice_create(
                author=request.user,
                party=right.party,
                channel=right.channel,
                place=place,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                is_pinned=form.cleaned_data["is_pinned"],
                is_public=form.cleaned_data["is_public"],
                publish_at=form.cleaned_data["publish_at"],
                expires_at=form.cleaned_data["expires_at"],
                files=request.FILES.getlist("files"),
            )
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            for field, msg in exc.fields.items():
                if field in form.fields:
                    form.add_error(field, msg)
        else:
            messages.success(
                request, _("公告已发布。") if notice.is_live() else _("公告已保存，将按时发布。")
            )
            return redirect("notices:detail", pk=notice.pk)
    return render(request, "notices/create.html", {"form": form}, status=422 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Withdraw in two steps that work without JavaScript: the first POST asks (a real page), the
    second (confirmed=1) withdraws; the publisher can put it back with 恢复公告 (`restore`)."""
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    if request.POST.get("confirmed") != "1":
        services.check_may_manage(actor=request.user, notice=notice)
        return render(
            request,
            "core/confirm.html",
            {
                "title": _("撤回公告"),
                "text": _("确定撤回“%(title)s”吗？撤回后住户不再看到这条公告；需要时可以在公告页恢复。")
                % {"title": notice.title},
                "action": reverse("notices:withdraw", args=[pk]),
                "confirm_label": _("确定撤回"),
                "back_url": reverse("notices:detail", args=[pk]),
            },
        )
    services.notice_withdraw(actor=request.user, notice=notice)
    messages.success(request, _("公告已撤回。需要时可以点“恢复公告”。"))
    return redirect("notices:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def restore(request: AuthedRequest, pk: int) -> HttpResponse:
    """Undo a withdrawal (publisher only). Residents are not told again: the notice keeps its key."""
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    services.notice_restore(actor=request.user, notice=notice)
    messages.success(request, _("公告已恢复。"))
    return redirect("notices:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def pin(request: AuthedRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    services.notice_pin(actor=request.user, notice=notice, pinned=request.POST.get("pinned") == "1")
    messages.success(request, _("已置顶。") if notice.is_pinned else _("已取消置顶。"))
    return redirect("notices:detail", pk=pk)


@login_required
@domain_errors
def unread(request: AuthedRequest, pk: int, building_id: int) -> HttpResponse:
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    building = get_object_or_404(Place, pk=building_id, kind=PlaceKind.BUILDING)
    rows = selectors.unread_households(user=request.user, notice=notice, building=building)
    return render(request, "notices/unread.html", {"notice": notice, "building": building, "rows": rows})


@login_required
@domain_errors
def attachment(request: AuthedRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    notice = selectors.access_notice(user=request.user, notice_id=pk)
    att = get_object_or_404(NoticeAttachment, pk=attachment_id, notice=notice)
    response = FileResponse(
        att.file.open("rb"),
        content_type=att.content_type,
        as_attachment=att.kind != NoticeAttachment.Kind.IMAGE,
        filename=att.name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def atom(request: HttpRequest, community_id: int) -> HttpResponse:
    """Public notices of a community as an Atom feed (no login: only public notices)."""
    community = get_object_or_404(Place, pk=community_id, kind=PlaceKind.COMMUNITY)
    feed = Atom1Feed(
        title=_("%(name)s 公告") % {"name": community.name},
        link=request.build_absolute_uri(reverse("notices:feed")),
        description=_("%(name)s 的公开公告") % {"name": community.name},
        language="zh-hans",
        feed_url=request.build_absolute_uri(),
    )
    for n in selectors.community_public_notices(community=community)[:50]:
        feed.add_item(
            title=n.title,
            link=request.build_absolute_uri(reverse("notices:detail", args=[n.pk])),
            description=n.body,
            pubdate=n.publish_at,
            updateddate=n.updated_at,
            author_name=n.party.name,
            unique_id=f"tag:shequ,notice:{n.pk}",
            categories=[n.get_channel_display(), n.place.name],
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")


# ---- channel pages ---------------------------------------------------------------------------------------


def _household_or_none(request: AuthedRequest) -> Place | None:
    return primary_household(user=request.user)


@login_required
def property_index(request: AuthedRequest) -> HttpResponse:
    household = _household_or_none(request)
    if household is not None:
        company = party_serving(place=household, kind=PartyKind.PROPERTY_COMPANY)
        if company is not None and request.GET.get("all") != "1":
            return redirect("notices:property", party_id=company.pk)
    roles = user_roles(user=request.user)
    # Nearest first: the person's household, else the place of the first party they work for.
    place = household or next((m.party.home for m in roles.memberships if m.party.home_id), None)
    companies = Party.objects.filter(kind=PartyKind.PROPERTY_COMPANY, is_active=True).order_by("name")[:200]
    if place is None:
        nearest = Nearest(near=list(companies), others=[])
    else:
        nearest = parties_nearest(place=place, parties=companies)
    return render(request, "notices/property_index.html", {"nearest": nearest})


@login_required
def property_page(request: AuthedRequest, party_id: int) -> HttpResponse:
    company = get_object_or_404(Party, pk=party_id, kind=PartyKind.PROPERTY_COMPANY, is_active=True)
    contracts = list(
        ServiceContract.objects.filter(contracts_active_on(), company=company)
        .prefetch_related("places")
        .order_by("-starts_on")
    )
    served = [p for c in contracts for p in c.places.all()]
    compound_ids = [p.pk for p in served if p.kind == PlaceKind.COMPOUND]
    buildings = list(
        Place.objects.filter(kind=PlaceKind.BUILDING, compound_id__in=compound_ids)
        .select_related("compound")
        .order_by("compound_id", "sort", "id")
    )
    buildings += [p for p in served if p.kind == PlaceKind.BUILDING]
    contacts = (
        Membership.objects.filter(party=company, is_active=True)
        .exclude(role=Role.OBSERVER)
        .select_related("user")
        .order_by("role", "id")
    )
    return render(
        request,
        "notices/property.html",
        {
            "company": company,
            "contracts": contracts,
            "served": served,
            "buildings": buildings,
            "contacts": [
                m for m in contacts if m.role in (Role.HEAD, Role.MANAGER, Role.DEPUTY) or m.public_phone
            ],
            "rates": _rate_rows(party_rates(party_ids=[company.pk]).get(company.pk)),
            "appeals": appeal_selectors.resolved_public_appeals(user=request.user, party_id=company.pk),
            "notices": selectors.channel_notices(channel=Channel.PROPERTY, party=company, limit=10),
            "registrations": list(
                PartyRegistration.objects.filter(party=company)
                .select_related("party_org")
                .order_by("-registered_on")
            ),
            "may_register": registrations.desk_for(user=request.user).any,
            "can_post": any(
                r.party.pk == company.pk and r.channel == Channel.PROPERTY
                for r in selectors.posting_rights(user=request.user)
            ),
        },
    )


@login_required
def owners_index(request: AuthedRequest) -> HttpResponse:
    household = _household_or_none(request)
    if household is not None:
        committee = party_serving(place=household, kind=PartyKind.OWNERS_COMMITTEE)
        if committee is not None:
            return redirect("notices:owners", party_id=committee.pk)
    return render(request, "notices/owners_none.html", {})


@login_required
def owners_page(request: AuthedRequest, party_id: int) -> HttpResponse:
    committee = get_object_or_404(
        Party, pk=party_id, kind__in=[PartyKind.OWNERS_COMMITTEE, PartyKind.OWNERS_ASSEMBLY], is_active=True
    )
    members = (
        Membership.objects.filter(party=committee, is_active=True)
        .exclude(role=Role.OBSERVER)
        .select_related("user")
        .order_by("role", "id")
    )
    notices = selectors.channel_notices(channel=Channel.OWNERS, party=committee, limit=30)
    attachments = list(NoticeAttachment.objects.filter(notice__in=notices).select_related("notice"))
    return render(
        request,
        "notices/owners.html",
        {
            "committee": committee,
            "members": members,
            "notices": notices,
            "documents": attachments,
            "can_post": any(
                r.party.pk == committee.pk and r.channel == Channel.OWNERS
                for r in selectors.posting_rights(user=request.user)
            ),
        },
    )


@login_required
def doctor_page(request: AuthedRequest) -> HttpResponse:
    household = _household_or_none(request)
    team = party_serving(place=household, kind=PartyKind.FAMILY_DOCTOR_TEAM) if household else None
    members = []
    if team is not None:
        members = list(
            Membership.objects.filter(party=team, is_active=True)
            .exclude(role=Role.OBSERVER)
            .select_related("user")
            .order_by("role", "id")
        )
    return render(
        request,
        "notices/doctor.html",
        {
            "household": household,
            "team": team,
            "members": members,
            "consultations": appeal_selectors.my_consultations(user=request.user, category_codes=("health",)),
        },
    )


@login_required
def police_page(request: AuthedRequest) -> HttpResponse:
    household = _household_or_none(request)
    station = party_serving(place=household, kind=PartyKind.POLICE_STATION) if household else None
    officers = list(members_for_place(place=household, role=Role.POLICE_OFFICER)) if household else []
    notices = list(selectors.feed_for(user=request.user, channel=Channel.POLICE)[:10])
    return render(
        request,
        "notices/police.html",
        {
            "household": household,
            "station": station,
            "officers": officers,
            "notices": notices,
            "consultations": appeal_selectors.my_consultations(user=request.user, category_codes=("safety",)),
        },
    )


def _rate_rows(rates) -> list[tuple[str, str]] | None:
    if rates is None:
        return None
    rows = []
    for attr, label in (
        ("response_rate", _("响应率")),
        ("resolution_rate", _("解决率")),
        ("satisfaction_rate", _("满意率")),
    ):
        value = getattr(rates, attr, None)
        rows.append((label, "—" if value is None else f"{value * 100:.0f}%"))
    return rows


def channel_icon(channel: str) -> str:
    return CHANNEL_RULES[channel].icon
