from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.accounts.models import Residency
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.forum import selectors, services
from shequ.forum.models import ModerationLog, PostStatus, SensitiveWord


@pytest.fixture
def board_a(world):
    return services.board_ensure(place=world.compound_a)


@pytest.fixture
def community_board(world):
    return services.board_ensure(place=world.community)


def topic(world, board, author=None, **kw):
    return services.topic_create(
        author=author or world.resident_a,
        board=board,
        title=kw.pop("title", "健身器材坏了"),
        body=kw.pop("body", "小区健身器材坏了，有谁知道怎么报修？"),
    )


def test_phone_and_id_numbers_are_masked(world, board_a, client):
    t = topic(world, board_a, body="有事请打13812345678，身份证110101199003071234")
    assert "13812345678" not in t.body and "138****5678" in t.body
    assert "110101199003071234" not in t.body
    r = services.reply_create(author=world.resident_a, topic=t, body="我的电话 139-1234-5678")
    assert "139****5678" in r.body
    client.force_login(world.resident_a)
    html = client.get(reverse("forum:topic", args=[t.pk])).content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_only_verified_residents_of_the_place_and_staff_post(world, board_a, community_board):
    with pytest.raises(Forbidden):
        topic(world, board_a, author=world.resident_b)  # lives in compound B
    topic(world, community_board, author=world.resident_b)  # but in the same community
    pending = world.outsider
    Residency.objects.create(user=pending, household=world.household_a, relation="tenant")
    assert selectors.can_read(user=pending, board=board_a)
    with pytest.raises(Forbidden):
        topic(world, board_a, author=pending)
    topic(world, board_a, author=world.rc_staff)  # staff of the community


def test_sensitive_words_block_or_hold(world, board_a, client):
    SensitiveWord.objects.create(word="赌博", action=SensitiveWord.Action.BLOCK)
    SensitiveWord.objects.create(word="维权", action=SensitiveWord.Action.REVIEW)
    with pytest.raises(Invalid) as e:
        topic(world, board_a, body="来赌博吧")
    assert e.value.code == "sensitive_blocked"
    held = topic(world, board_a, body="大家一起维权")
    assert held.status == PostStatus.HELD
    # held posts are seen by their author and moderators only
    assert held.pk not in [t.pk for t in selectors.topics_for(user=world.resident_a2, board=board_a)]
    assert held.pk in [t.pk for t in selectors.topics_for(user=world.resident_a, board=board_a)]
    assert held.pk in [t.pk for t in selectors.topics_for(user=world.rc_staff, board=board_a)]
    client.force_login(world.resident_a2)
    assert client.get(reverse("forum:topic", args=[held.pk])).status_code == 404
    # a moderator approves it
    services.post_moderate(moderator=world.rc_staff, target=held, action="restore", reason="内容无问题")
    assert held.pk in [t.pk for t in selectors.topics_for(user=world.resident_a2, board=board_a)]
    client.force_login(world.resident_a)
    r = client.post(reverse("forum:topic_new", args=[board_a.pk]), {"title": "t", "body": "赌博"})
    assert r.status_code == 422 and "不允许发布" in r.content.decode()


def test_moderation_hide_and_restore_with_reason(world, board_a, client):
    t = topic(world, board_a)
    with pytest.raises(Forbidden):
        services.post_moderate(moderator=world.resident_a2, target=t, action="hide", reason="x")
    with pytest.raises(Invalid):
        services.post_moderate(moderator=world.rc_staff, target=t, action="hide", reason="")
    client.force_login(world.rc_staff)
    r = client.post(reverse("forum:moderate", args=["topic", t.pk]), {"action": "hide", "reason": "广告"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == PostStatus.HIDDEN and t.status_reason == "广告"
    assert t.pk not in [x.pk for x in selectors.topics_for(user=world.resident_a2, board=board_a)]
    services.post_moderate(moderator=world.rc_staff, target=t, action="restore", reason="误判")
    t.refresh_from_db()
    assert t.status == PostStatus.VISIBLE
    assert list(ModerationLog.objects.filter(topic=t).values_list("action", "reason")) == [
        ("restore", "误判"),
        ("hide", "广告"),
    ]
    client.force_login(world.resident_a2)
    assert (
        client.post(
            reverse("forum:moderate", args=["topic", t.pk]), {"action": "hide", "reason": "x"}
        ).status_code
        == 403
    )


def test_auto_hide_after_three_reports(world, board_a, community_board, settings):
    t = topic(world, community_board)
    reporters = [world.resident_a2, world.resident_b, world.rc_staff]
    services.report_create(user=reporters[0], target=t)
    with pytest.raises(Conflict):
        services.report_create(user=reporters[0], target=t)
    services.report_create(user=reporters[1], target=t)
    assert t.status == PostStatus.VISIBLE
    services.report_create(user=reporters[2], target=t)
    assert t.status == PostStatus.HIDDEN
    assert ModerationLog.objects.filter(topic=t, action="auto_hide").exists()
    settings.SHEQU_FORUM_AUTO_HIDE_REPORTS = 1
    r = services.reply_create(
        author=world.resident_b, topic=topic(world, community_board, title="二"), body="回复"
    )
    services.report_create(user=world.resident_a, target=r)
    assert r.status == PostStatus.HIDDEN
    r.topic.refresh_from_db()
    assert r.topic.reply_count == 0


def test_ban_blocks_posting(world, board_a, client):
    t = topic(world, board_a, author=world.resident_a2)
    services.user_ban(moderator=world.rc_staff, board=board_a, user=world.resident_a2, reason="多次骂人")
    with pytest.raises(Forbidden) as e:
        services.reply_create(author=world.resident_a2, topic=t, body="hi")
    assert e.value.code == "banned"
    client.force_login(world.rc_staff)
    r = client.post(
        reverse("forum:ban", args=[board_a.pk]), {"user_id": world.resident_a2.pk, "action": "unban"}
    )
    assert r.status_code == 302
    services.reply_create(author=world.resident_a2, topic=t, body="hi")


def test_like_toggle_and_reply_notifies_author(world, board_a):
    from shequ.notifications.models import Notification

    t = topic(world, board_a)
    assert services.like_toggle(user=world.resident_a2, target=t) is True
    t.refresh_from_db()
    assert t.like_count == 1
    assert services.like_toggle(user=world.resident_a2, target=t) is False
    t.refresh_from_db()
    assert t.like_count == 0
    services.reply_create(author=world.resident_a2, topic=t, body="我也发现了")
    assert Notification.objects.filter(recipient=world.resident_a, verb="forum_reply").count() == 1


def test_pages_permissions(world, board_a, client):
    t = topic(world, board_a)
    urls_get = [
        reverse("forum:index"),
        reverse("forum:board", args=[board_a.pk]),
        reverse("forum:topic", args=[t.pk]),
        reverse("forum:topic_new", args=[board_a.pk]),
    ]
    for url in urls_get:
        assert client.get(url).status_code == 302  # login first
    for url in (
        reverse("forum:mute", args=[world.resident_a.pk]),
        reverse("forum:reply", args=[t.pk]),
        reverse("forum:like", args=["topic", t.pk]),
        reverse("forum:ban", args=[board_a.pk]),
    ):
        assert client.post(url).status_code == 302, url
    client.force_login(world.resident_b)  # other compound
    for url in urls_get[1:]:
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("forum:moderation", args=[board_a.pk])).status_code == 403
    for name in ("like", "report", "moderate"):
        assert client.post(reverse(f"forum:{name}", args=["topic", t.pk])).status_code == 403
    assert client.post(reverse("forum:reply", args=[t.pk]), {"body": "x"}).status_code == 403
    assert (
        client.post(reverse("forum:ban", args=[board_a.pk]), {"user_id": world.resident_a.pk}).status_code
        == 403
    )
    client.force_login(world.resident_a2)
    for url in urls_get[1:]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("forum:moderation", args=[board_a.pk])).status_code == 403
    client.force_login(world.rc_staff)
    assert client.get(reverse("forum:moderation", args=[board_a.pk])).status_code == 200
    client.force_login(world.resident_a)
    r = client.get(reverse("forum:index"))
    assert r.status_code == 200  # two boards: compound and community


def test_board_query_count_pinned(world, board_a, client, django_assert_max_num_queries):
    for i in range(25):
        topic(world, board_a, title=f"话题{i}")
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(14):
        r = client.get(reverse("forum:board", args=[board_a.pk]))
    assert r.status_code == 200 and "话题24" in r.content.decode()
    t = topic(world, board_a, title="多回复")
    for i in range(15):
        services.reply_create(author=world.resident_a2, topic=t, body=f"回复{i}")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("forum:topic", args=[t.pk])).status_code == 200


def test_forum_api(world, board_a, client):
    client.force_login(world.resident_a)
    boards = client.get("/api/v1/forum/boards").json()["items"]
    assert {b["id"] for b in boards} >= {board_a.pk}
    r = client.post(
        f"/api/v1/forum/boards/{board_a.pk}/topics",
        {"title": "找猫", "body": "电话13800001111"},
        content_type="application/json",
    )
    assert r.status_code == 201 and "138****1111" in r.json()["body"]
    tid = r.json()["id"]
    assert r.json()["author"] == "张*"
    client.force_login(world.resident_a2)
    r = client.post(
        f"/api/v1/forum/topics/{tid}/replies", {"body": "看到了"}, content_type="application/json"
    )
    assert r.status_code == 201
    assert client.post(f"/api/v1/forum/topics/{tid}/like").json() == {"liked": True, "like_count": 1}
    assert (
        client.post(
            f"/api/v1/forum/topics/{tid}/report", {"reason": "x"}, content_type="application/json"
        ).json()["report_count"]
        == 1
    )
    r = client.post(
        f"/api/v1/forum/topics/{tid}/moderate",
        {"action": "hide", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    data = client.get(f"/api/v1/forum/boards/{board_a.pk}/topics").json()
    assert data["count"] == 1
    client.force_login(world.rc_staff)
    r = client.post(
        f"/api/v1/forum/topics/{tid}/moderate",
        {"action": "hide", "reason": "广告"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    r = client.post(
        f"/api/v1/forum/boards/{board_a.pk}/bans",
        {"user_id": world.resident_a.pk, "reason": "广告", "days": 3},
        content_type="application/json",
    )
    assert r.status_code == 201
    client.force_login(world.resident_b)
    assert client.get(f"/api/v1/forum/boards/{board_a.pk}/topics").status_code == 403


def test_like_with_htmx_returns_the_button(world, board_a, client):
    t = topic(world, board_a)
    client.force_login(world.resident_a2)
    r = client.post(reverse("forum:like", args=["topic", t.pk]), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert (
        r.status_code == 200 and 'aria-pressed="true"' in html and '<span class="like-count">1</span>' in html
    )


def test_resident_blocks_a_neighbour(world, board_a, client):
    t = topic(world, board_a, author=world.resident_a2, title="烦人的帖子")
    services.reply_create(
        author=world.resident_a2, topic=topic(world, board_a, title="正常"), body="烦人的回复"
    )
    client.force_login(world.resident_a)
    r = client.post(reverse("forum:mute", args=[world.resident_a2.pk]), {"next": "/forum/"})
    assert r.status_code == 302
    assert t.pk not in [x.pk for x in selectors.topics_for(user=world.resident_a, board=board_a)]
    html = client.get(reverse("forum:board", args=[board_a.pk])).content.decode()
    assert "烦人的帖子" not in html and "正常" in html
    assert client.post(f"/api/v1/forum/users/{world.resident_a2.pk}/mute").json() == {"muted": False}
    assert t.pk in [x.pk for x in selectors.topics_for(user=world.resident_a, board=board_a)]
    assert (
        client.post(reverse("forum:mute", args=[world.resident_a.pk])).status_code == 302
    )  # self: message only


def test_moderation_page_lists_flagged_posts(world, board_a, client):
    t = topic(world, board_a, title="被举报的话题")
    r = services.reply_create(author=world.resident_a, topic=t, body="被举报的回复")
    services.report_create(user=world.resident_a2, target=t)
    services.report_create(user=world.resident_a2, target=r)
    client.force_login(world.rc_staff)
    html = client.get(reverse("forum:moderation", args=[board_a.pk])).content.decode()
    assert "被举报的话题" in html and "被举报的回复" in html and html.count("确认禁言") == 2


def test_api_lists_query_counts_pinned(world, board_a, client, django_assert_max_num_queries):
    for i in range(22):
        t = topic(world, board_a, title=f"话题{i}")
    for i in range(10):
        services.reply_create(author=world.resident_a2, topic=t, body=f"回复{i}")
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(10):
        data = client.get(f"/api/v1/forum/boards/{board_a.pk}/topics?page_size=20").json()
    assert data["count"] == 22 and len(data["items"]) == 20
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/forum/topics/{t.pk}/replies").json()["count"] == 10
