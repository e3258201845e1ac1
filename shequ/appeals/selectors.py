"""Reads of appeals, with the permission rules (who sees what) and masking for public display.

Visibility (contract):
* a resident sees the appeals they filed or follow, those of their household, and the public ones of
  their community (masked);
* staff (any role, observers included) of the responsible / first / helper party see them; staff of
  the dispatcher (residents' committee) and of the party it was escalated to, and of the party
  organisation / street office / 环物会 / residents' committee serving the place, see every
  non-consultation appeal there;
* consultations are visible only to the reporter's household and the consulted party.
Unmasked data (names, phones, household) only for the reporter's side and acting staff involved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shequ.accounts.selectors import primary_household, user_roles, verified_reporter_q
from shequ.appeals import services
from shequ.appeals.models import (
    AWAITING_ACCEPT,
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    Kind,
)
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.core.masking import mask_name, mask_phone, mask_text
from shequ.directory.models import PartyKind, PartyPlace, Place, Spot

SCOPES = ("mine", "assigned", "public", "all")
AREA_KINDS = (
    PartyKind.PARTY_ORG,
    PartyKind.STREET_OFFICE,
    PartyKind.ENV_PROPERTY_COMMITTEE,
    PartyKind.RESIDENTS_COMMITTEE,
)
LIST_RELATED = (
    "category",
    "category__parent",
    "place",
    "place__community",
    "place__compound",
    "place__building",
    "place__unit",
    "spot",
    "reporter",
    "responsible_party",
    "first_party",
    "escalated_to",
)


@dataclass
class Viewer:
    """Everything needed to decide visibility and masking for one user, loaded once per request."""

    user: object
    acting_party_ids: set[int] = field(default_factory=set)
    party_ids: set[int] = field(default_factory=set)  # every membership, observers included
    household_ids: set[int] = field(default_factory=set)  # verified households
    community_ids: set[int] = field(default_factory=set)  # communities the user lives in
    area_ids: set[int] = field(default_factory=set)  # places supervised by the user's parties
    acting_area_ids: set[int] = field(default_factory=set)

    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False))

    def reporter_side(self, appeal: Appeal) -> bool:
        uid = getattr(self.user, "pk", None)
        return uid is not None and (
            appeal.reporter_id == uid
            or appeal.filed_by_id == uid
            or appeal.household_id in self.household_ids
        )

    def _in_area(self, appeal: Appeal, ids: set[int]) -> bool:
        return not appeal.is_consultation and bool(
            {appeal.street_id, appeal.community_id, appeal.compound_id, appeal.building_id} & ids
        )

    def staff_of(self, appeal: Appeal, ids: set[int]) -> bool:
        direct = {appeal.responsible_party_id, appeal.first_party_id, appeal.helper_party_id}
        if not appeal.is_consultation:
            direct |= {appeal.dispatcher_id, appeal.escalated_to_id}
        direct.discard(None)
        return bool(direct & ids)

    def is_staff_for(self, appeal: Appeal) -> bool:
        """Acting staff involved in (or supervising) this appeal: sees internal events and real names."""
        return self.staff_of(appeal, self.acting_party_ids) or self._in_area(appeal, self.acting_area_ids)

    def sees_full(self, appeal: Appeal) -> bool:
        return self.reporter_side(appeal) or self.is_staff_for(appeal)


def viewer_for(*, user) -> Viewer:
    cached = getattr(user, "_shequ_appeal_viewer", None)
    if cached is not None:
        return cached
    viewer = Viewer(user=user)
    if getattr(user, "is_authenticated", False):
        roles = user_roles(user=user)
        viewer.acting_party_ids = set(roles.party_ids)
        viewer.party_ids = set(roles.observed_party_ids)
        viewer.household_ids = {h.pk for h in roles.verified_households}
        viewer.community_ids = {r.household.community_id for r in roles.residencies if r.status != "rejected"}
        viewer.community_ids.discard(None)
        area_parties = {m.party_id: m.role for m in roles.memberships if m.party.kind in AREA_KINDS}
        if area_parties:
            rows = PartyPlace.objects.filter(party_id__in=area_parties).values_list("party_id", "place_id")
            for party_id, place_id in rows:
                viewer.area_ids.add(place_id)
                if party_id in viewer.acting_party_ids:
                    viewer.acting_area_ids.add(place_id)
        user._shequ_appeal_viewer = viewer  # type: ignore[attr-defined]
    return viewer


# ---------------------------------------------------------------- querysets


def _mine_q(viewer: Viewer) -> Q:
    uid = viewer.user.pk
    followed = Appeal.followers.through.objects.filter(user_id=uid).values("appeal_id")
    q = Q(reporter_id=uid) | Q(filed_by_id=uid) | Q(pk__in=followed)
    if viewer.household_ids:  # the household's appeals, not those of someone it has not verified
        q |= Q(household_id__in=viewer.household_ids) & verified_reporter_q()
    return q


def _staff_q(ids: set[int]) -> Q:
    if not ids:
        return Q(pk__in=[])
    q = Q(responsible_party_id__in=ids) | Q(first_party_id__in=ids) | Q(helper_party_id__in=ids)
    # Departments summoned by a whistle (吹哨报到) see the appeal they were called to. The reverse
    # relation is named by the supervision app; a subquery keeps list rows unique.
    summoned = Q(pk__in=Appeal.objects.filter(whistles__summonses__department_id__in=ids).values("pk"))
    return q | (~Q(kind=Kind.CONSULT) & (Q(dispatcher_id__in=ids) | Q(escalated_to_id__in=ids) | summoned))


def _area_q(ids: set[int]) -> Q:
    if not ids:
        return Q(pk__in=[])
    return ~Q(kind=Kind.CONSULT) & (
        Q(street_id__in=ids) | Q(community_id__in=ids) | Q(compound_id__in=ids) | Q(building_id__in=ids)
    )


def _public_q(viewer: Viewer) -> Q:
    ids = viewer.community_ids | viewer.area_ids
    if not ids:
        return Q(pk__in=[])
    return Q(is_public=True) & ~Q(kind=Kind.CONSULT) & (Q(community_id__in=ids) | Q(street_id__in=ids))


def appeals_visible_to(*, user, scope: str = "all") -> QuerySet[Appeal]:
    """Appeals a user may see, by scope: mine (filed, followed, household), assigned (their parties'
    queue, including escalations and helper work), public (public appeals of their community or
    area), all (everything visible)."""
    if scope not in SCOPES:
        raise Invalid(
            "范围只能是 mine、assigned、public。",
            "scope must be mine, assigned or public.",
            code="scope_invalid",
            fields={"scope": "invalid"},
        )
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    viewer = viewer_for(user=user)
    if scope == "mine":
        q = _mine_q(viewer)
    elif scope == "assigned":
        ids = viewer.party_ids
        if not ids:
            return Appeal.objects.none()
        q = (
            Q(responsible_party_id__in=ids)
            | Q(helper_party_id__in=ids)
            | (~Q(kind=Kind.CONSULT) & Q(escalated_to_id__in=ids))
        )
    elif scope == "public":
        q = _public_q(viewer)
    else:
        q = _mine_q(viewer) | _staff_q(viewer.party_ids) | _area_q(viewer.area_ids) | _public_q(viewer)
    return Appeal.objects.filter(q)


def appeal_list(
    *,
    user,
    scope: str,
    status: str | list[str] | None = None,
    category: str | None = None,
    place_id: int | None = None,
    compound_id: int | None = None,
    urgency: str | None = None,
    overdue: bool | None = None,
    kind: str | None = None,
) -> QuerySet[Appeal]:
    """A filtered, ordered list with everything the list rows need (constant query count)."""
    qs = appeals_visible_to(user=user, scope=scope)
    if status:
        statuses = status if isinstance(status, list) else [s for s in status.split(",") if s]
        if "open" in statuses:
            statuses = [s for s in statuses if s != "open"] + list(OPEN_STATUSES)
        qs = qs.filter(status__in=statuses)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    if place_id:
        qs = qs.filter(
            Q(place_id=place_id)
            | Q(building_id=place_id)
            | Q(compound_id=place_id)
            | Q(community_id=place_id)
            | Q(street_id=place_id)
        )
    if compound_id:
        qs = qs.filter(compound_id=compound_id)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue is not None:
        late = overdue_q(now=clock.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    return qs.select_related(*LIST_RELATED).order_by("-created_at", "-id")


def overdue_q(*, now: datetime) -> Q:
    """Open appeals past their accept limit (not yet accepted) or resolve limit (not paused)."""
    return (Q(status__in=AWAITING_ACCEPT) & Q(accept_due_at__lt=now)) | (
        Q(status__in=OPEN_STATUSES) & ~Q(status="paused") & Q(resolve_due_at__lt=now)
    )


def access_appeal(*, user, appeal_id: int, for_action: bool = False) -> Appeal:
    """The appeal if the user may see it (else NotFound); with for_action, Forbidden unless they have a
    part in it (reporter, responsible, dispatcher, supervisor …) — whether the action fits the current
    status is the transition's business (409)."""
    try:
        appeal_id = int(appeal_id)
    except (TypeError, ValueError):
        raise NotFound("没有找到这条诉求。", "Appeal not found.")
    appeal = (
        appeals_visible_to(user=user, scope="all")
        .select_related(*LIST_RELATED, "dispatcher", "helper_party", "filed_by", "handler", "merged_into")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise NotFound("没有找到这条诉求。", "Appeal not found.")
    if for_action and not services.actor_capacity(appeal=appeal, actor=user).capacities:
        raise Forbidden(
            "您可以查看，但不能办理这条诉求。",
            "You may see this appeal but not act on it.",
            code="action_forbidden",
        )
    return appeal


def appeal_actions(*, appeal: Appeal, user) -> list[str]:
    return services.allowed_actions(appeal=appeal, actor=user)


def appeal_timeline(*, appeal: Appeal, user) -> list[AppealEvent]:
    """Events in order; internal ones only for acting staff involved in the appeal."""
    viewer = viewer_for(user=user)
    qs = appeal.events.select_related("actor", "party").prefetch_related(
        Prefetch("photos", queryset=AppealPhoto.objects.order_by("id"))
    )
    if not viewer.is_staff_for(appeal):
        qs = qs.filter(is_public=True)
    return list(qs.order_by("created_at", "id"))


def appeal_photos(*, appeal: Appeal, user) -> list[AppealPhoto]:
    return list(AppealPhoto.objects.filter(appeal=appeal).order_by("created_at", "id"))


def access_photo(*, user, appeal_id: int, photo_id: int) -> AppealPhoto:
    appeal = access_appeal(user=user, appeal_id=appeal_id)
    photo = AppealPhoto.objects.filter(appeal=appeal, pk=photo_id).first()
    if photo is None:
        raise NotFound("没有找到这张照片。", "Photo not found.")
    return photo


def categories(*, active_only: bool = True) -> list[Category]:
    qs = Category.objects.select_related("parent").order_by("sort", "id")
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


def category_by_code(*, code: str) -> Category:
    category = Category.objects.select_related("parent").filter(code=code, is_active=True).first()
    if category is None:
        raise Invalid(
            "请选择有效的分类。",
            "Choose a valid category.",
            code="category_invalid",
            fields={"category": "invalid"},
        )
    return category


# A place a resident may report about: (choice key "p<place id>"/"s<spot id>", label, place, spot or None).
ReportPlace = tuple[str, str, Place, Spot | None]


def report_places_for(*, user) -> tuple[Place | None, list[ReportPlace]]:
    """Where a resident may report: their home, their building, their compound, the spots there, and the
    shared spots of their community. Returns their household (None if they have none) and the choices."""
    household = primary_household(user=user)
    if household is None:
        return None, []
    ids = [i for i in (household.building_id, household.compound_id, household.unit_id) if i]
    near = Place.objects.in_bulk(ids)
    building = near.get(household.building_id)
    compound = near.get(household.compound_id)
    unit = near.get(household.unit_id)
    home = " ".join(p.name for p in (compound, building, unit) if p) + f" {household.name}"
    options: list[ReportPlace] = [
        (f"p{household.pk}", _("我家（%(home)s）") % {"home": home.strip()}, household, None)
    ]
    if building:
        options.append((f"p{building.pk}", _("我住的楼（%(b)s）") % {"b": building.name}, building, None))
    spots = list(
        Spot.objects.filter(place_id__in=ids).select_related("place").order_by("place_id", "kind", "name")
    )
    for spot in spots:
        if spot.place_id in (building and building.pk, unit and unit.pk):
            options.append(
                (f"s{spot.pk}", _("%(b)s %(s)s") % {"b": spot.place.name, "s": spot.name}, spot.place, spot)
            )
    if compound:
        options.append((f"p{compound.pk}", _("小区公共区域（%(c)s）") % {"c": compound.name}, compound, None))
    for spot in spots:
        if compound and spot.place_id == compound.pk:
            options.append(
                (f"s{spot.pk}", _("%(c)s %(s)s") % {"c": compound.name, "s": spot.name}, compound, spot)
            )
    if household.community_id:
        # Shared spots of the whole community (a bike shed on the street, the activity room).
        for spot in (
            Spot.objects.filter(place_id=household.community_id)
            .select_related("place")
            .order_by("kind", "name")
        ):
            options.append((f"s{spot.pk}", _("社区 %(s)s") % {"s": spot.name}, spot.place, spot))
    return household, options


# ---------------------------------------------------------------- display (masking)


def place_label(*, appeal: Appeal, masked: bool) -> str:
    """Full place (community … household) for the reporter's side and staff; compound + building only
    for everyone else (no household number)."""
    place = appeal.place
    parts: list[str] = []
    for node in (place.community, place.compound, place.building):
        if node is not None and node.name not in parts:
            parts.append(node.name)
    if not masked:
        for node in (place.unit, place):
            if (
                node is not None
                and node.kind not in ("district", "street", "grid")
                and node.name not in parts
            ):
                if node.pk not in (place.community_id, place.compound_id, place.building_id):
                    parts.append(node.name)
    elif place.kind in ("community", "compound", "building") and not parts:
        parts.append(place.name)
    if appeal.spot_id and appeal.spot is not None:
        parts.append(appeal.spot.name)
    return " ".join(parts)


def reporter_label(*, appeal: Appeal, masked: bool) -> dict:
    user = appeal.reporter
    if masked:
        return {"name": mask_name(user.real_name), "phone": mask_phone(user.phone)}
    return {"name": user.real_name, "phone": user.phone}


def display_text(text: str, *, masked: bool) -> str:
    return mask_text(text) if masked else text


def actor_label(*, event: AppealEvent, masked: bool) -> str:
    if event.actor_id is None:
        return "系统"
    name = event.actor.real_name
    return mask_name(name) if masked else name


def local_iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None
