"""Pages of 邻里交流: boards, topics, replies, likes, reports, moderation."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.models import User
from shequ.core import clock
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.views import domain_errors, error_text
from shequ.forum import selectors, services
from shequ.forum.models import Like, PostStatus


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme  # noqa: PLC0415

    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return redirect(target)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    services.boards_ensure_for(user=request.user)
    boards = selectors.boards_for(user=request.user)
    if len(boards) == 1:
        return redirect("forum:board", pk=boards[0].pk)
    return render(request, "forum/index.html", {"boards": boards})


@login_required
@domain_errors
def board(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.access_board(user=request.user, board_id=pk)
    page = Paginator(selectors.topics_for(user=request.user, board=b), 20).get_page(request.GET.get("page"))
    try:
        selectors.check_can_post(user=request.user, board=b)
        can_post, why_not = True, ""
    except Forbidden as exc:
        can_post, why_not = False, error_text(exc)
    return render(
        request,
        "forum/board.html",
        {
            "board": b,
            "page": page,
            "can_post": can_post,
            "why_not": why_not,
            "is_moderator": selectors.is_moderator(user=request.user, board=b),
            "boards": selectors.boards_for(user=request.user),
        },
    )


@login_required
@domain_errors
def topic_new(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.access_board(user=request.user, board_id=pk)
    errors, data = [], {"title": "", "body": ""}
    if request.method == "POST":
        data = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            topic = services.topic_create(author=request.user, board=b, **data)
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            errors = [error_text(exc)] + [
                f"{v}" for v in exc.fields.values() if exc.code == "sensitive_blocked"
            ]
        else:
            if topic.status == PostStatus.HELD:
                messages.warning(request, _("您的话题含有需要审核的内容，审核通过后大家才能看到。"))
            else:
                messages.success(request, _("话题已发布。"))
            return redirect("forum:topic", pk=topic.pk)
    else:
        selectors.check_can_post(user=request.user, board=b)
    return render(
        request,
        "forum/topic_new.html",
        {"board": b, "errors": errors, "data": data},
        status=422 if errors else 200,
    )


@login_required
@domain_errors
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.access_topic(user=request.user, topic_id=pk)
    replies = list(selectors.replies_for(user=request.user, topic=t))
    t.liked = Like.objects.filter(  # type: ignore[attr-defined]  # read by the topic template
        user=cast(User, request.user), topic=t, reply__isnull=True
    ).exists()
    try:
        selectors.check_can_post(user=request.user, board=t.board)
        can_post = True
    except Forbidden:
        can_post = False
    return render(
        request,
        "forum/topic.html",
        {
            "topic": t,
            "replies": replies,
            "can_post": can_post,
            "is_moderator": selectors.is_moderator(user=request.user, board=t.board),
        },
    )


@login_required
@require_POST
@domain_errors
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.access_topic(user=request.user, topic_id=pk)
    try:
        r = services.reply_create(author=request.user, topic=t, body=request.POST.get("body", ""))
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, error_text(exc))
    else:
        if r.status == PostStatus.HELD:
            messages.warning(request, _("您的回复含有需要审核的内容，审核通过后大家才能看到。"))
    return redirect("forum:topic", pk=t.pk)


def _target(request: HttpRequest, kind: str, pk: int):
    if kind == "topic":
        return selectors.access_topic(user=request.user, topic_id=pk)
    if kind == "reply":
        return selectors.access_reply(user=request.user, reply_id=pk)
    raise NotFound("没有找到。", "Not found.")


def _topic_id(target) -> int:
    return target.pk if kind_of(target) == "topic" else target.topic_id


def kind_of(target) -> str:
    return "topic" if target.__class__.__name__ == "Topic" else "reply"


@login_required
@require_POST
@domain_errors
def like(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = _target(request, kind, pk)
    liked = services.like_toggle(user=request.user, target=target)
    if request.headers.get("HX-Request"):
        target.refresh_from_db(fields=["like_count"])
        target.liked = liked
        return render(request, "forum/_like.html", {"obj": target, "kind": kind})
    return _back(request, f"/forum/topic/{_topic_id(target)}/")


@login_required
@require_POST
@domain_errors
def report(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = _target(request, kind, pk)
    try:
        services.report_create(user=request.user, target=target, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已收到您的举报，管理员会尽快处理。"))
    return _back(request, f"/forum/topic/{_topic_id(target)}/")


@login_required
@require_POST
@domain_errors
def moderate(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    target = _target(request, kind, pk)
    try:
        services.post_moderate(
            moderator=request.user,
            target=target,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已处理。"))
    return _back(request, f"/forum/topic/{_topic_id(target)}/")


@login_required
@domain_errors
def moderation(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.access_board(user=request.user, board_id=pk)
    queue = selectors.moderation_queue(user=request.user, board=b)
    return render(request, "forum/moderation.html", {"board": b, **queue})


@login_required
@require_POST
@domain_errors
def ban(request: HttpRequest, pk: int) -> HttpResponse:
    b = selectors.access_board(user=request.user, board_id=pk)
    target = get_object_or_404(get_user_model(), pk=request.POST.get("user_id") or 0)
    days = request.POST.get("days") or ""
    until = clock.now() + timedelta(days=int(days)) if days.isdigit() and int(days) > 0 else None
    try:
        if request.POST.get("action") == "unban":
            services.user_unban(
                moderator=request.user, board=b, user=target, reason=request.POST.get("reason", "")
            )
        else:
            services.user_ban(
                moderator=request.user,
                board=b,
                user=target,
                reason=request.POST.get("reason", ""),
                until=until,
            )
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已处理。"))
    return _back(request, f"/forum/board/{b.pk}/moderation/")


@login_required
@require_POST
@domain_errors
def mute(request: HttpRequest, user_id: int) -> HttpResponse:
    other = selectors.access_author(user=request.user, user_id=user_id)
    try:
        now_muted = services.user_mute_toggle(user=request.user, other=other)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已屏蔽，您将不再看到此人的发言。") if now_muted else _("已取消屏蔽。"))
    return _back(request, "/forum/")
