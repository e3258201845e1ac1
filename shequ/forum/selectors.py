"""Reads of the forum: boards a user belongs to, who may read/post/moderate, topic lists."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.core import clock
from shequ.core.errors import Forbidden, NotFound
from shequ.directory.models import PartyKind, Place, Role
from shequ.directory.selectors import party_place_ids
from shequ.forum.models import Ban, Board, Like, Mute, PostStatus, Reply, Topic

MODERATOR_PARTY_KINDS = frozenset({PartyKind.RESIDENTS_COMMITTEE, PartyKind.PARTY_ORG})
MODERATOR_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER})


def _resident_place_ids(user, *, verified_only: bool) -> set[int]:
    ids: set[int] = set()
    for r in user_roles(user=user).residencies:
        if r.status == Residency.Status.VERIFIED or (
            not verified_only and r.status == Residency.Status.PENDING
        ):
            ids |= set(r.household.ancestor_ids())
    return ids


def _staff_place_ids(user, *, acting: bool) -> set[int]:
    ids: set[int] = set()
    roles = user_roles(user=user)
    for m in roles.memberships:
        if acting and m.party_id not in roles.party_ids:
            continue
        ids |= party_place_ids(party=m.party)
    return ids


def _covers(ids: set[int], place: Place) -> bool:
    return bool(ids & set(place.ancestor_ids()))


def can_read(*, user, board: Board) -> bool:
    if not user.is_authenticated:
        return False
    return board.place_id in _resident_place_ids(user, verified_only=False) or _covers(
        _staff_place_ids(user, acting=False), board.place
    )


def is_staff_of(*, user, board: Board) -> bool:
    return _covers(_staff_place_ids(user, acting=True), board.place)


def is_moderator(*, user, board: Board) -> bool:
    roles = user_roles(user=user)
    for m in roles.memberships:
        if (
            m.party.kind in MODERATOR_PARTY_KINDS
            and m.role in MODERATOR_ROLES
            and _covers(party_place_ids(party=m.party), board.place)
        ):
            return True
    return False


def active_ban(*, user, board: Board) -> Ban | None:
    now = clock.now()
    return (
        Ban.objects.filter(user=user, community_id=board.community_id, is_active=True)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .first()
    )


def check_can_post(*, user, board: Board) -> None:
    if not board.is_active:
        raise Forbidden("这个讨论版已关闭。", "This board is closed.", code="board_closed")
    verified = board.place_id in _resident_place_ids(user, verified_only=True)
    if not (verified or is_staff_of(user=user, board=board)):
        raise Forbidden(
            "只有本小区（社区）已认证的居民可以发言。",
            "Only verified residents of this place may post.",
            code="not_verified_resident",
        )
    ban = active_ban(user=user, board=board)
    if ban is not None:
        raise Forbidden(
            f"您已被禁言：{ban.reason}", f"You are blocked from posting: {ban.reason}", code="banned"
        )


def boards_for(*, user) -> list[Board]:
    """Boards of the user's compound(s) and community(ies), and for staff the boards of places they serve."""
    resident = _resident_place_ids(user, verified_only=False)
    staff = _staff_place_ids(user, acting=False)
    q = Q(place_id__in=resident)
    if staff:
        q |= Q(place_id__in=staff) | Q(community_id__in=staff) | Q(place__street_id__in=staff)
    return list(
        Board.objects.filter(q, is_active=True).select_related("place").order_by("community_id", "id")
    )


def access_board(*, user, board_id: int) -> Board:
    board = Board.objects.select_related("place").filter(pk=board_id).first()
    if board is None:
        raise NotFound("讨论版不存在。", "Board not found.")
    if not can_read(user=user, board=board):
        raise Forbidden(
            "只有本小区（社区）的居民和工作人员可以查看。",
            "Only residents and staff of this place may read this board.",
        )
    return board


def _visible_q(user, moderator: bool, prefix: str = "") -> Q:
    """Visible posts (moderators see all, authors their own), minus those of users this user blocked."""
    muted = ~Q(**{f"{prefix}author_id__in": Mute.objects.filter(user_id=user.pk).values("muted_id")})
    if moderator:
        return muted
    return (Q(**{f"{prefix}status": PostStatus.VISIBLE}) | Q(**{f"{prefix}author_id": user.pk})) & muted


def muted_ids(*, user) -> set[int]:
    return set(Mute.objects.filter(user_id=user.pk).values_list("muted_id", flat=True))


def topics_for(*, user, board: Board) -> QuerySet[Topic]:
    moderator = is_moderator(user=user, board=board)
    return (
        Topic.objects.filter(board=board)
        .filter(_visible_q(user, moderator))
        .select_related("author")
        .annotate(
            liked=Exists(Like.objects.filter(topic=OuterRef("pk"), reply__isnull=True, user_id=user.pk))
        )
        .order_by("-is_pinned", "-last_activity_at", "-id")
    )


def access_topic(*, user, topic_id: int) -> Topic:
    topic = Topic.objects.select_related("board", "board__place", "author").filter(pk=topic_id).first()
    if topic is None:
        raise NotFound("话题不存在。", "Topic not found.")
    if not can_read(user=user, board=topic.board):
        raise Forbidden(
            "只有本小区（社区）的居民和工作人员可以查看。",
            "Only residents and staff of this place may read this topic.",
        )
    if (
        topic.status != PostStatus.VISIBLE
        and topic.author_id != user.pk
        and not is_moderator(user=user, board=topic.board)
    ):
        raise NotFound("话题不存在或已被隐藏。", "Topic not found or hidden.")
    return topic


def replies_for(*, user, topic: Topic) -> QuerySet[Reply]:
    moderator = is_moderator(user=user, board=topic.board)
    return (
        Reply.objects.filter(topic=topic)
        .filter(_visible_q(user, moderator))
        .select_related("author")
        .annotate(liked=Exists(Like.objects.filter(reply=OuterRef("pk"), user_id=user.pk)))
        .order_by("created_at", "id")
    )


def access_reply(*, user, reply_id: int) -> Reply:
    reply = (
        Reply.objects.select_related("topic", "topic__board", "topic__board__place")
        .filter(pk=reply_id)
        .first()
    )
    if reply is None:
        raise NotFound("回复不存在。", "Reply not found.")
    access_topic(user=user, topic_id=reply.topic_id)
    if (
        reply.status != PostStatus.VISIBLE
        and reply.author_id != user.pk
        and not is_moderator(user=user, board=reply.topic.board)
    ):
        raise NotFound("回复不存在或已被隐藏。", "Reply not found or hidden.")
    return reply


def moderation_queue(*, user, board: Board) -> dict:
    if not is_moderator(user=user, board=board):
        raise Forbidden(
            "只有社区居委会的工作人员可以管理讨论版。", "Only the residents' committee may moderate."
        )
    flagged = Q(status__in=[PostStatus.HELD, PostStatus.HIDDEN]) | Q(report_count__gt=0)
    return {
        "topics": list(
            Topic.objects.filter(flagged, board=board).select_related("author").order_by("-updated_at")[:100]
        ),
        "replies": list(
            Reply.objects.filter(flagged, topic__board=board)
            .select_related("author", "topic")
            .order_by("-updated_at")[:100]
        ),
        "bans": list(
            Ban.objects.filter(community_id=board.community_id, is_active=True).select_related("user")
        ),
    }


def access_author(*, user, user_id: int):
    """Someone this user may mute: an author of a topic or reply on a board the user can read (or one
    already muted). Anyone else — and an id that does not exist — is the same NotFound, so the
    endpoint cannot be used to learn which user ids exist (issue #9, finding 10)."""
    boards = [b.pk for b in boards_for(user=user)]
    wrote = (
        Topic.objects.filter(board_id__in=boards, author_id=user_id).exists()
        or Reply.objects.filter(topic__board_id__in=boards, author_id=user_id).exists()
        or Mute.objects.filter(user_id=user.pk, muted_id=user_id).exists()
    )
    author = get_user_model().objects.filter(pk=user_id).first() if wrote else None
    if author is None:
        raise NotFound("用户不存在。", "User not found.")
    return author
