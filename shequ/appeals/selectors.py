"""Reads of appeals: what a user may see (the rules are in `shequ.appeals.access`), the lists and
queues built from them, the timeline and photos, categories, places to report about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from shequ.accounts.selectors import primary_household
from shequ.appeals.access import (
    Viewer,
    actor_capacity,
    allowed_actions,
    claim_q,
    events_q,
    photos_q,
    sees_internal_events,
    viewer_for,
    volunteer_q,
)
from shequ.appeals.deadlines import overdue_q
from shequ.appeals.models import (
    OPEN_STATUSES,
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    Kind,
    Status,
)
from shequ.core import clock, readcache
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.directory.models import Place, Spot
from shequ.directory.selectors import serving

SCOPES = ("mine", "assigned", "public", "all")
# Every to-one relation a list row shows (the place with its community, compound, building and unit,
# the spot, the category, the reporter and the three parties).
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
# Of them, joined into the rows' query: the place and its ancestors, the spot, the reporter. The
# category (with its parent) and the parties come from the cached tables (`attach_list_rows`): the
# rows' query joined 12 tables, which PostgreSQL planned in 3–9 ms for 2 ms of execution (1M bench),
# and a page of 25 rows built 325 model instances, 100 of them copies of the same few categories and
# parties.
LIST_JOINED = (
    "place",
    "place__community",
    "place__compound",
    "place__building",
    "place__unit",
    "spot",
    "reporter",
)
_CACHED_PARTIES = ("responsible_party", "first_party", "escalated_to")

# Columns of the joined rows no list row shows: the places' timestamps, codes, areas and addresses,
# the spot's and the reporter's own (a list page's 25 rows carried ≈500 timestamps it never prints).
_PLACE_UNSHOWN = ("created_at", "updated_at", "code", "sort", "floor_area", "floor", "address")
LIST_DEFERRED = (
    *(f"{rel}__{col}" for rel in LIST_JOINED if rel.startswith("place") for col in _PLACE_UNSHOWN),
    "spot__created_at",
    "spot__updated_at",
    "reporter__password",
    "reporter__last_login",
    "reporter__date_joined",
)


def with_list_rows(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """What every list's rows load in their query: LIST_JOINED, without the columns no row shows; the
    presenter fills the rest of LIST_RELATED from the cached tables (`attach_list_rows`)."""
    return qs.select_related(*LIST_JOINED).defer(*LIST_DEFERRED)


def _load_all_categories() -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.select_related("parent")}


# Every category (inactive ones too: old appeals keep theirs) by id, with its parent, read once for the
# process (`shequ.core.readcache`); shared by every request, never changed.
CATEGORIES = readcache.Table("appeals.categories_by_id", load=_load_all_categories, models=(Category,))


def attach_list_rows(rows: list[Appeal]) -> None:
    """Fill the relations of LIST_RELATED that `with_list_rows` does not join — the category and the
    responsible, first and escalated-to parties — from the cached tables (no query). The filled
    instances are shared by the process's requests: read them, never change them. A relation already
    loaded is kept; one the tables do not hold (written a moment ago in another process) loads as usual."""
    if not rows:
        return
    categories_by_id = CATEGORIES.get()
    parties = serving().parties
    category_field = cast(Any, Appeal._meta.get_field("category"))
    party_fields = [cast(Any, Appeal._meta.get_field(name)) for name in _CACHED_PARTIES]
    for row in rows:
        if not category_field.is_cached(row):
            category = categories_by_id.get(row.category_id)
            if category is not None:
                category_field.set_cached_value(row, category)
        for f in party_fields:
            if f.is_cached(row):
                continue
            party_id = getattr(row, f.attname)
            if party_id is None:
                f.set_cached_value(row, None)
            elif party_id in parties:
                f.set_cached_value(row, parties[party_id])


# ---------------------------------------------------------------- querysets


def _mine_q(viewer: Viewer) -> Q:
    uid = viewer.user.pk
    if uid is None:  # an anonymous viewer has no appeals of its own
        return Q(pk__in=[])
    followed = Appeal.followers.through.objects.filter(user_id=uid).values("appeal_id")
    q = Q(reporter_id=uid) | Q(filed_by_id=uid) | Q(pk__in=followed)
    if viewer.household_ids:  # the household's appeals, not the claims of someone it has not verified
        q |= Q(household_id__in=viewer.household_ids) & ~claim_q()
    return q


def _mine_union_q(viewer: Viewer) -> Q:
    """The same rows as `_mine_q`, as a UNION of indexed lookups (reporter → appeal_reporter, filed by →
    its FK index, followed → the followers table's user index, household → appeal_household): an OR
    across these columns and a subquery reads the whole table; each branch reads only its own rows."""
    uid = cast(int, viewer.user.pk)  # an authenticated user (appeals_visible_to returns none() otherwise)
    branches = [
        Appeal.objects.filter(reporter_id=uid).values("pk"),
        Appeal.objects.filter(filed_by_id=uid).values("pk"),
        Appeal.followers.through.objects.filter(user_id=uid).values("appeal_id"),
    ]
    if viewer.household_ids:
        branches.append(
            Appeal.objects.filter(household_id__in=viewer.household_ids).exclude(claim_q()).values("pk")
        )
    sql: list[str] = []
    params: list[Any] = []
    for branch in branches:
        text, args = branch.order_by().query.sql_with_params()
        sql.append(text)  # no ORDER BY or LIMIT: plain SELECTs unite on SQLite and PostgreSQL
        params.extend(args)
    return Q(pk__in=RawSQL(f"SELECT * FROM ({' UNION '.join(sql)}) AS mine", params))


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
    return (
        ~Q(kind=Kind.CONSULT)
        & (Q(street_id__in=ids) | Q(community_id__in=ids) | Q(compound_id__in=ids) | Q(building_id__in=ids))
        & ~claim_q()
    )


def _public_q(viewer: Viewer) -> Q:
    ids = viewer.community_ids | viewer.area_ids
    if not ids:
        return volunteer_q(viewer)
    # The communities a resident lives in are communities: `community_id IN …` alone, one index-only
    # scan of appeal_public_list. Only supervised areas (streets or communities) add the street arm; an
    # OR of both made PostgreSQL build a bitmap of the whole community (737,000 rows) to count 10,001.
    where = Q(community_id__in=ids)
    if viewer.area_ids:
        where |= Q(street_id__in=viewer.area_ids)
    public = Q(is_public=True) & ~Q(kind=Kind.CONSULT) & where & ~claim_q()
    return public | volunteer_q(viewer) if viewer.volunteer_place_ids else public


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
        q = _mine_union_q(viewer)
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


def _statuses(status: str | list[str] | None) -> list[str]:
    statuses = status if isinstance(status, list) else [x for x in (status or "").split(",") if x]
    if "open" in statuses:
        statuses = [x for x in statuses if x != "open"] + sorted(OPEN_STATUSES)
    return statuses


def due_order() -> tuple:
    """Work in the order it falls due: `next_due_at` (the current limit, overdue on top; kept by the
    transitions, indexed by appeal_due_sweep); paused and private ones, which cannot fall due, last."""
    return (F("next_due_at").asc(nulls_last=True), "-id")


def search_q(term: str) -> Q:
    """The queue's search box: an appeal number (exact), or words in the text."""
    term = term.strip()[:50]
    return Q(number=term) | Q(text__icontains=term)


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
    q: str | None = None,
) -> QuerySet[Appeal]:
    """THE list and queue selector (my appeals, the public list, the workbench queue and the API's
    `GET /appeals` all come from here): filters, search, the order, and everything the rows need
    (constant query count). Only open statuses → due-time order (the workbench queue); else newest first."""
    qs = appeals_visible_to(user=user, scope=scope)
    statuses = _statuses(status)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if category:
        qs = qs.filter(category_id__in=category_ids(code=category))
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
    if q and q.strip():
        qs = qs.filter(search_q(q))
    by_due = bool(statuses) and set(statuses) <= set(OPEN_STATUSES)
    return with_list_rows(qs).order_by(*(due_order() if by_due else ("-created_at", "-id")))


def resolved_public_appeals(*, user, party_id: int, limit: int = 5) -> list[Appeal]:
    """The newest public appeals a party resolved, as this user may see them (物业之窗)."""
    qs = appeals_visible_to(user=user, scope="public").filter(
        responsible_party_id=party_id, status__in=[Status.RESOLVED, Status.CLOSED]
    )
    return list(qs.order_by("-resolved_at")[:limit])


def my_consultations(*, user, category_codes: tuple[str, ...], limit: int = 20) -> list[Appeal]:
    """The user's own consultations in these categories (家庭医生, 警民直通车 pages)."""
    qs = appeals_visible_to(user=user, scope="mine").filter(
        kind=Kind.CONSULT, category__code__in=category_codes
    )
    return list(qs.order_by("-id")[:limit])


DETAIL_RELATED = (*LIST_RELATED, "dispatcher", "helper_party", "filed_by", "handler", "merged_into")


def attach_related(rows: list, paths: tuple[str, ...]) -> None:
    """Fill the to-one relations `paths` of `rows` (foreign keys; "place__community" through one already
    filled) as `select_related(*paths)` would, with one query per related model and depth instead of
    one query joining them all: PostgreSQL spent 18–37 ms planning the 17 joins of an appeal's row (for
    under 1 ms of execution, 1M bench); a lookup by primary keys plans in a fraction of a millisecond."""
    by_depth: dict[int, list[list[str]]] = {}
    for path in paths:
        parts = path.split("__")
        by_depth.setdefault(len(parts), []).append(parts)
    for depth in sorted(by_depth):
        groups: dict[Any, list[tuple[list, Any]]] = {}
        for parts in by_depth[depth]:
            holders = list(rows)
            for name in parts[:-1]:  # relations filled at the depth before: no query
                holders = [held for h in holders if (held := getattr(h, name)) is not None]
            if holders:
                field = holders[0]._meta.get_field(parts[-1])
                groups.setdefault(field.related_model, []).append((holders, field))
        for model, items in groups.items():
            ids = {getattr(h, f.attname) for holders, f in items for h in holders} - {None}
            found = model._base_manager.in_bulk(ids) if ids else {}
            for holders, f in items:
                for h in holders:
                    value = getattr(h, f.attname)
                    if value is None or value in found:
                        f.set_cached_value(h, found.get(value))


def access_appeal(*, user, appeal_id: int, for_action: bool = False) -> Appeal:
    """The appeal if the user may see it (else NotFound); with for_action, Forbidden unless they have a
    part in it (reporter, responsible, dispatcher, supervisor …) — whether the action fits the current
    status is the transition's business (409)."""
    try:
        appeal_id = int(appeal_id)
    except (TypeError, ValueError):
        raise NotFound("没有找到这条诉求。", "Appeal not found.")
    appeal = appeals_visible_to(user=user, scope="all").filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("没有找到这条诉求。", "Appeal not found.")
    attach_related([appeal], DETAIL_RELATED)
    if for_action and not actor_capacity(appeal=appeal, actor=user).capacities:
        raise Forbidden(
            "您可以查看，但不能办理这条诉求。",
            "You may see this appeal but not act on it.",
            code="action_forbidden",
        )
    return appeal


def appeal_actions(*, appeal: Appeal, user) -> list[str]:
    return allowed_actions(appeal=appeal, actor=user)


def appeal_timeline(
    *, appeal: Appeal, user, with_photos: bool = True, written: list[AppealEvent] | None = None
) -> list[AppealEvent]:
    """Events in order, with their photos; internal ones only for acting staff involved in the appeal.
    `with_photos=False` when the caller knows there are none (an appeal just filed without photos);
    `written`: every event the appeal has, in order, with actor and party, as the filing just wrote them
    (no photos) — the same rule applied to them without reading them back."""
    if written is not None and not with_photos:
        internal = sees_internal_events(appeal=appeal, user=user)
        for event in written:
            event._prefetched_objects_cache = {"photos": AppealPhoto.objects.none()}  # type: ignore[attr-defined]
        return [e for e in written if internal or e.is_public]
    photos = (
        AppealPhoto.objects.order_by("id") if with_photos else AppealPhoto.objects.none()
    )  # none: no query
    qs = appeal.events.select_related("actor", "party").prefetch_related(Prefetch("photos", queryset=photos))
    return list(qs.filter(events_q(appeal=appeal, user=user)).order_by("created_at", "id"))


def _photos_q(*, appeal: Appeal, user) -> QuerySet[AppealPhoto]:
    return AppealPhoto.objects.filter(photos_q(appeal=appeal, user=user), appeal=appeal)


def appeal_photos(*, appeal: Appeal, user) -> list[AppealPhoto]:
    """The photos this user may see (those of events they may see), oldest first."""
    return list(_photos_q(appeal=appeal, user=user).order_by("created_at", "id"))


def access_photo(*, user, appeal_id: int, photo_id: int) -> AppealPhoto:
    """One photo, for the page and the API alike: NotFound unless the user may see it."""
    appeal = access_appeal(user=user, appeal_id=appeal_id)
    photo = _photos_q(appeal=appeal, user=user).filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("没有找到这张照片。", "Photo not found.")
    return photo


def categories(*, active_only: bool = True) -> list[Category]:
    qs = Category.objects.select_related("parent").order_by("sort", "id")
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


@dataclass(frozen=True)
class CategoryGroup:
    """A top-level category and its children (none for a category that stands alone)."""

    category: Category
    children: list[Category]


def category_tree(items: list[Category] | None = None) -> list[CategoryGroup]:
    """THE category tree (the report page's buttons, the staff form's groups, the filters): top-level
    categories in order, each with its children in order. `items` defaults to the active ones."""
    items = categories(active_only=True) if items is None else items
    children: dict[int, list[Category]] = {}
    for c in items:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [CategoryGroup(c, children.get(c.pk, [])) for c in items if not c.parent_id]


def category_ids(*, code: str) -> list[int]:
    """A category and its children (a parent category covers its children), by code."""
    ids = Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True)
    return list(ids) or [0]


def _load_categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.select_related("parent").filter(is_active=True)}


# The active categories by code, read once for the process (`shequ.core.readcache`); shared by every
# request, never changed.
ACTIVE_CATEGORIES = readcache.Table("appeals.categories", load=_load_categories, models=(Category,))


def category_by_code(*, code: str) -> Category:
    """An active category (with its parent) by code — the filing's category, from the cached table."""
    category = ACTIVE_CATEGORIES.get().get(code)
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
