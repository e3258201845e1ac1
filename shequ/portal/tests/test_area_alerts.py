"""关注区域 (issue #14): who may follow which place, who is told, privacy, channels, the page."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.accounts.models import Residency
from shequ.appeals import services
from shequ.appeals.area_alerts import area_watch_set, may_watch
from shequ.appeals.jobs import notify_events_now
from shequ.appeals.models import AppealEvent, Category, EventKind
from shequ.conftest import make_user
from shequ.notices import services as notice_services
from shequ.notices.models import Channel
from shequ.notifications.models import AreaWatch, Delivery, Notification, Preference

ALL = ("new_appeals", "resolved", "notices")


@pytest.fixture(autouse=True)
def _jobs_run_after_commit(monkeypatch):
    """Jobs run inline after commit; the test's transaction never commits, so run them at once."""
    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


def _file(world, *, reporter=None, place=None, **kw):
    return services.appeal_create(
        reporter=reporter or world.resident_a2,
        kind=kw.pop("kind", "help"),
        category=Category.objects.get(code=kw.pop("category", "lift")),
        place=place or world.household_a2,
        text="2号楼电梯停了",
        **kw,
    )


def _alerts(user, verb="area.appeal_new"):
    return list(Notification.objects.filter(recipient=user, verb=verb).values_list("title", flat=True))


def test_who_may_follow_which_place(world):
    w = world
    assert all(may_watch(user=w.resident_a, place=p) for p in (w.building_a1, w.compound_a, w.community))
    assert not may_watch(user=w.resident_a, place=w.building_b1)  # a neighbour's building elsewhere
    assert not may_watch(user=w.resident_a, place=w.household_a)  # households are not areas
    assert may_watch(user=w.handler_x, place=w.compound_a) and may_watch(
        user=w.handler_x, place=w.building_a2
    )
    assert not may_watch(user=w.handler_x, place=w.compound_b)  # company X has no contract there
    assert not may_watch(user=w.handler_x, place=w.community)
    assert may_watch(user=w.rc_staff, place=w.community) and may_watch(user=w.rc_staff, place=w.building_b1)
    assert may_watch(user=w.building_leader, place=w.building_a1)
    assert not may_watch(user=w.building_leader, place=w.building_a2)
    assert not may_watch(user=w.outsider, place=w.community)


def test_new_and_resolved_public_appeals_alert_the_area(world):
    area_watch_set(user=world.resident_a, place_id=world.compound_a.pk, topics=ALL)
    area_watch_set(user=world.handler_y, place_id=world.compound_b.pk, topics=ALL)  # elsewhere
    area_watch_set(user=world.resident_a2, place_id=world.compound_a.pk, topics=ALL)  # the reporter
    appeal = _file(world)
    assert _alerts(world.resident_a) == [f"甲小区有新诉求：电梯 {appeal.number}"]
    assert _alerts(world.handler_y) == [] and _alerts(world.resident_a2) == []
    appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="修好了")
    resolved = _alerts(world.resident_a, "area.appeal_resolved")
    assert len(resolved) == 1 and resolved[0].startswith("甲小区的诉求已办结")


def test_private_appeals_and_consultations_never_alert(world):
    area_watch_set(user=world.resident_a, place_id=world.compound_a.pk, topics=ALL)
    area_watch_set(user=world.rc_staff, place_id=world.community.pk, topics=ALL)
    _file(world, is_public=False)
    _file(world, kind="consult", category="health")
    assert not Notification.objects.filter(verb__startswith="area.").exists()


def test_a_watcher_who_moved_out_hears_nothing(world):
    area_watch_set(user=world.resident_a, place_id=world.building_a1.pk, topics=ALL)
    Residency.objects.filter(user=world.resident_a).update(status=Residency.Status.REJECTED)
    _file(world, place=world.building_a1)
    assert _alerts(world.resident_a) == []


def test_notices_alert_watchers_once_and_never_when_private(world):
    area_watch_set(user=world.handler_x, place_id=world.compound_a.pk, topics=ALL)
    area_watch_set(user=world.resident_a, place_id=world.compound_a.pk, topics=ALL)
    n = notice_services.notice_create(
        author=world.rc_staff,
        party=world.rc,
        channel=Channel.COMMUNITY,
        place=world.compound_a,
        title="停水通知",
        body="明天停水。",
    )
    assert _alerts(world.handler_x, "area.notice") == ["甲小区有新公告：停水通知"]
    # a resident of the place already gets the notice itself; no second message
    assert _alerts(world.resident_a, "area.notice") == []
    assert Notification.objects.filter(recipient=world.resident_a, key=f"notice:{n.pk}").exists()
    notice_services.notice_create(
        author=world.rc_staff,
        party=world.rc,
        channel=Channel.COMMUNITY,
        place=world.compound_a,
        title="内部通知",
        body="只给本小区住户。",
        is_public=False,
    )
    assert _alerts(world.handler_x, "area.notice") == ["甲小区有新公告：停水通知"]


def test_alerts_use_the_persons_channel_choices(world):
    area_watch_set(user=world.rc_staff, place_id=world.community.pk, topics=["new_appeals"])
    Preference.objects.create(user=world.rc_staff, verb="area.appeal_new", channel="sms", enabled=True)
    _file(world)
    note = Notification.objects.get(recipient=world.rc_staff, verb="area.appeal_new")
    assert list(Delivery.objects.filter(notification=note).values_list("channel", flat=True)) == ["sms"]


def test_fan_out_is_batched_whatever_the_number_of_watchers(world):
    def watchers(n, start):
        for i in range(n):
            u = make_user(f"1370000{start + i:04d}", f"邻居{start + i}")
            Residency.objects.create(
                user=u, household=world.household_a, relation="family", status=Residency.Status.VERIFIED
            )
            area_watch_set(user=u, place_id=world.community.pk, topics=ALL)

    def fan_out_queries():
        appeal = _file(world)
        event = AppealEvent.objects.get(appeal=appeal, kind=EventKind.DISPATCHED)
        Notification.objects.filter(key__startswith=f"area-new_appeals-{appeal.pk}-").delete()
        with CaptureQueriesContext(connection) as ctx:
            notify_events_now([event.pk])
        return len(ctx.captured_queries)

    watchers(3, 0)
    few = fan_out_queries()
    watchers(30, 100)
    many = fan_out_queries()
    assert many == few, (few, many)
    assert Notification.objects.filter(verb="area.appeal_new").count() == 3 + 3 + 30


def test_subscription_page(world, client, django_assert_max_num_queries):
    url = reverse("portal:areas")
    assert client.get(url).status_code == 302  # login first
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "甲小区 1号楼" in html and "乙小区 1号楼" not in html
    add = {"action": "add", "place": world.building_a1.pk, "topics": ["new_appeals", "notices"]}
    assert client.post(url, add).status_code == 302
    assert client.post(url, add).status_code == 302  # a retried submission does not duplicate
    watch = AreaWatch.objects.get(user=world.resident_a)
    assert (watch.new_appeals, watch.resolved, watch.notices) == (True, False, True)
    assert "取消关注" in client.get(url).content.decode()
    refused = client.post(url, {"action": "add", "place": world.building_b1.pk, "topics": ["notices"]})
    assert refused.status_code == 403 and "只能关注您住的或您负责的" in refused.content.decode()
    none = client.post(url, {"action": "add", "place": world.building_a1.pk})
    assert none.status_code == 422 and "请至少选择一项提醒内容" in none.content.decode()
    bad = client.post(url, {"action": "add", "place": "x", "topics": ["notices"]})
    assert bad.status_code == 404
    client.cookies["django_language"] = "en"
    english = client.post(url, {"action": "add", "place": world.building_b1.pk, "topics": ["notices"]})
    english = english.content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "You may follow only" in english and "只能关注" not in english
    assert client.post(url, {"action": "remove", "watch": watch.pk}).status_code == 302
    assert not AreaWatch.objects.filter(user=world.resident_a).exists()
    # the preferences page leads here
    assert url in client.get(reverse("notifications:preferences")).content.decode()
