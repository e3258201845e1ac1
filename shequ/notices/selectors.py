"""Reads of notices: who may post where, a household's feed, who may see a notice, who has not read it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.appeals.access import role_policy
from shequ.core import clock
from shequ.core.errors import Forbidden, NotFound
from shequ.directory.models import Membership, Party, Place, PlaceKind, Role
from shequ.directory.selectors import party_place_ids
from shequ.notices.channels import CHANNEL_RULES, NON_POSTING_ROLES, PLACE_BOUND_ROLES
from shequ.notices.models import Channel, Notice, NoticeRead


@dataclass
class PostingRight:
    party: Party
    channel: str
    place_ids: set[int]  # places (and everything under them) this party may post to in this channel


def _covering_ids(membership: Membership) -> set[int]:
    if membership.role in PLACE_BOUND_ROLES:
        return {p.pk for p in membership.places.all()}
    return party_place_ids(party=membership.party)


def posting_rights(*, user) -> list[PostingRight]:
    """Every (party, channel) this user may post for, with the places it covers (a list in memory: bounded
    by the user's own memberships, not by any history)."""
    rights: dict[tuple[int, str], PostingRight] = {}
    for m in user_roles(user=user).memberships:
        if m.role in NON_POSTING_ROLES:
            continue
        covered = _covering_ids(m)
        if not covered:
            continue
        for channel, rule in CHANNEL_RULES.items():
            if m.party.kind in rule.party_kinds:
                key = (m.party_id, channel)
                if key in rights:
                    rights[key].place_ids |= covered
                else:
                    rights[key] = PostingRight(party=m.party, channel=channel, place_ids=set(covered))
    return list(rights.values())


def check_can_post(*, user, party: Party, channel: str, place: Place) -> None:
    """Raise Forbidden unless the user may post for `party` in `channel` to `place`."""
    if channel not in CHANNEL_RULES:
        raise Forbidden("没有这个频道。", "No such channel.", code="channel_unknown")
    rule = CHANNEL_RULES[channel]
    if place.kind not in rule.scope_kinds:
        raise Forbidden(
            "这个频道不能发布到这一级地点。",
            "This channel cannot post to this kind of place.",
            code="scope_kind_not_allowed",
        )
    for right in posting_rights(user=user):
        if right.party.pk == party.pk and right.channel == channel:
            if set(place.ancestor_ids()) & right.place_ids:
                return
            raise Forbidden(
                "您的单位不负责这个地点，不能向这里发布。",
                "Your organisation does not serve this place.",
                code="scope_not_served",
            )
    raise Forbidden(
        "您无权以该单位名义在这个频道发布。",
        "You may not post in this channel for this organisation.",
        code="channel_not_allowed",
    )


def postable_places(*, right: PostingRight) -> QuerySet[Place]:
    """The places (of the channel's scope kinds) a posting right reaches, for the post form."""
    rule = CHANNEL_RULES[right.channel]
    ids = right.place_ids
    under = (
        Q(pk__in=ids)
        | Q(street_id__in=ids)
        | Q(community_id__in=ids)
        | Q(compound_id__in=ids)
        | Q(building_id__in=ids)
    )
    return (
        Place.objects.filter(under, kind__in=rule.scope_kinds)
        .select_related("parent", "parent__parent", "parent__parent__parent")
        .order_by("street_id", "community_id", "compound_id", "kind", "sort", "id")
    )


def live_q(now=None) -> Q:
    now = now or clock.now()
    return Q(is_withdrawn=False, publish_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def _household_scope(*, user) -> tuple[set[int], set[int]]:
    """(place ids whose private notices the user may see, place ids whose public notices apply)."""
    roles = user_roles(user=user)
    private: set[int] = set()
    public: set[int] = set()
    for r in roles.residencies:
        if r.status == Residency.Status.REJECTED:
            continue
        ids = set(r.household.ancestor_ids())
        public |= ids
        if r.status == Residency.Status.VERIFIED:
            private |= ids
    return private, public


def job_place_ids(*, user, channel: str) -> set[int]:
    """Places whose private notices in `channel` are the user's job to read: those of the parties that
    post in this channel (CHANNEL_RULES) — their staff and observers on the places the party serves,
    building leaders and grid workers on their own places. Not volunteers, schools, departments or
    anyone else who merely serves the place (issue #9, item 5)."""
    rule = CHANNEL_RULES.get(channel)
    if rule is None:
        return set()
    ids: set[int] = set()
    for m in user_roles(user=user).memberships:
        if m.party.kind not in rule.party_kinds or m.role == Role.VOLUNTEER:
            continue
        if role_policy(m) == "volunteer" and m.role not in PLACE_BOUND_ROLES:
            continue  # the 环物会's elected owner members are residents
        ids |= _covering_ids(m)
    return ids


def feed_for(*, user, channel: str | None = None) -> QuerySet[Notice]:
    """What applies to the user's household(s): notices for its building, compound, community and street."""
    private, public = _household_scope(user=user)
    qs = Notice.objects.filter(live_q()).filter(
        Q(place_id__in=private) | Q(place_id__in=public, is_public=True)
    )
    if channel:
        qs = qs.filter(channel=channel)
    return _decorate(qs, user)


def _decorate(qs: QuerySet[Notice], user) -> QuerySet[Notice]:
    return (
        qs.select_related("party", "place")
        .annotate(is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user_id=user.pk)))
        .order_by("-is_pinned", "-publish_at", "-id")
    )


def party_notices(*, user, channel: str | None = None) -> QuerySet[Notice]:
    """Notices of the parties the user acts for, scheduled and expired ones included (the staff's list)."""
    qs = Notice.objects.filter(party_id__in=user_roles(user=user).observed_party_ids)
    if channel:
        qs = qs.filter(channel=channel)
    return _decorate(qs, user)


def home_notices(*, user, limit: int = 5) -> list[Notice]:
    """The newest notices for the resident home page (pinned first)."""
    if not user.is_authenticated:
        return []
    return list(feed_for(user=user)[:limit])


def can_manage(*, user, notice: Notice) -> bool:
    return notice.party_id in user_roles(user=user).party_ids


def access_notice(*, user, notice_id: int) -> Notice:
    notice = Notice.objects.select_related("party", "place", "author").filter(pk=notice_id).first()
    if notice is None:
        raise NotFound("公告不存在。", "Notice not found.")
    roles = user_roles(user=user)
    if notice.party_id in roles.observed_party_ids:
        return notice
    if not notice.is_live():
        raise NotFound("公告不存在或已过期。", "Notice not found or expired.")
    if notice.is_public:
        return notice
    if not user.is_authenticated:
        raise Forbidden("请先登录。", "Please log in.", code="login_required")
    private, _public = _household_scope(user=user)
    if notice.place_id in private:
        return notice
    if set(notice.place.ancestor_ids()) & job_place_ids(user=user, channel=notice.channel):
        return notice
    raise Forbidden(
        "这条公告只对本楼（小区）已认证的居民开放。",
        "This notice is only for verified residents of its place.",
        code="notice_private",
    )


def community_public_notices(*, community: Place) -> QuerySet[Notice]:
    """Public live notices for a community: its own, its compounds' and buildings', and its street's."""
    return (
        Notice.objects.filter(live_q(), is_public=True)
        .filter(Q(community_id=community.pk) | Q(place_id=community.street_id))
        .select_related("party", "place")
        .order_by("-publish_at", "-id")
    )


def channel_notices(
    *, channel: str, party: Party | None = None, place_ids: set[int] | None = None, limit: int = 20
) -> list[Notice]:
    qs = Notice.objects.filter(live_q(), channel=channel, is_public=True).select_related("party", "place")
    if party is not None:
        qs = qs.filter(party=party)
    if place_ids is not None:
        qs = qs.filter(place_id__in=place_ids)
    return list(qs.order_by("-is_pinned", "-publish_at", "-id")[:limit])


@dataclass
class UnreadHousehold:
    household: Place
    residents: list[str]


def leader_buildings(*, user, notice: Notice) -> list[Place]:
    """Buildings within the notice's scope for which the user may see who has not read it."""
    roles = user_roles(user=user)
    in_scope = Place.objects.filter(**{f"{notice.place.kind}_id": notice.place_id}, kind=PlaceKind.BUILDING)
    if any(
        m.party_id == notice.party_id and m.role not in PLACE_BOUND_ROLES | NON_POSTING_ROLES
        for m in roles.memberships
    ):
        return list(in_scope.order_by("compound_id", "sort", "id")[:200])
    led = {p.pk for m in roles.memberships if m.role == Role.BUILDING_LEADER for p in m.places.all()}
    if not led:
        return []
    return list(in_scope.filter(pk__in=led).order_by("compound_id", "sort", "id"))


def unread_households(*, user, notice: Notice, building: Place) -> list[UnreadHousehold]:
    """Households of a building where no one has read the notice — for the building leader to visit (a
    list in memory: bounded by one building's households)."""
    if building.pk not in {b.pk for b in leader_buildings(user=user, notice=notice)}:
        raise Forbidden(
            "只有本楼的楼组长或发布单位可以查看未读名单。",
            "Only the building leader or the publisher may see who has not read it.",
        )
    read_households = NoticeRead.objects.filter(notice=notice, household_id=OuterRef("pk"))
    households = (
        Place.objects.filter(kind=PlaceKind.HOUSEHOLD, building_id=building.pk)
        .annotate(has_read=Exists(read_households))
        .filter(has_read=False)
        .select_related("unit")
        .order_by("unit__sort", "unit_id", "sort", "name")
    )
    rows = list(households)
    residents: dict[int, list[str]] = {}
    for r in Residency.objects.filter(household__in=rows, status=Residency.Status.VERIFIED).select_related(
        "user"
    ):
        residents.setdefault(r.household_id, []).append(r.user.real_name)
    return [UnreadHousehold(household=h, residents=residents.get(h.pk, [])) for h in rows]


def channel_label(channel: str) -> str:
    return str(Channel(channel).label)
