"""The demo's neighbourhood life: forum topics, activities with a waitlist, venues with bookings."""

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse

from shequ.accounts.models import User
from shequ.core import clock
from shequ.demo.services import demo_load

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}
RESIDENT = "13800000001"  # 张秀芳, 知春东里 3号楼


@pytest.fixture
def loaded(db):
    # inside the test's transaction: the reset and reload are rolled back afterwards (seeded data stays)
    with override_settings(**FAST_HASHER):
        summary = demo_load(reset=True, content=True)
    assert summary.loaded and not summary.content_error
    return summary


def test_forum_activities_and_venues_after_loading(loaded):
    # one load for three checks: a reset and reload costs a few seconds on PostgreSQL
    _forum_has_topics_replies_likes_and_masked_phone()
    _activities_of_every_kind_one_full_with_a_waitlist()
    _venues_with_slots_a_pending_and_an_approved_booking()


def _forum_has_topics_replies_likes_and_masked_phone():
    from shequ.forum.models import Board, PostStatus, Reply, Topic

    boards = {b.place.name: b for b in Board.objects.select_related("place")}
    assert {"希格玛社区", "知春东里", "星规家园"} <= set(boards)
    topics = Topic.objects.all()
    assert 4 <= topics.count() <= 6
    assert not topics.exclude(status=PostStatus.VISIBLE).exists()
    assert Reply.objects.count() >= 5 and Topic.objects.filter(like_count__gt=0).count() >= 4
    cat = Topic.objects.get(title__contains="寻猫")
    assert "138****5678" in cat.body and "13812345678" not in cat.body
    shed = Topic.objects.get(title__contains="智能车棚")
    assert shed.board == boards["星规家园"] and shed.reply_count == 3
    now = clock.now()
    assert all(t.created_at < now and t.last_activity_at >= t.created_at for t in topics)


def _activities_of_every_kind_one_full_with_a_waitlist():
    from shequ.activities.models import Activity, ActivityKind, Signup

    activities = list(Activity.objects.all())
    assert 4 <= len(activities) <= 5
    assert {a.kind for a in activities} == set(ActivityKind.values)
    now = clock.now()
    assert all(a.starts_at > now and a.status == Activity.Status.OPEN for a in activities)
    full = Activity.objects.get(kind=ActivityKind.CHILD_CARE)
    assert full.confirmed_count == full.capacity and full.waitlist_count == 2
    waiting = Signup.objects.get(activity=full, user__phone=RESIDENT)
    assert waiting.status == Signup.Status.WAITLISTED


def _venues_with_slots_a_pending_and_an_approved_booking():
    from shequ.activities.models import Activity, Booking, Venue

    venues = {v.name: v for v in Venue.objects.select_related("spot", "community")}
    square, room = venues["红巷生活广场"], venues["希格玛社区活动室"]
    assert square.spot is not None and square.spot.name == "红巷生活广场"
    assert square.community.name == "上河村社区"
    assert room.spot is not None and room.community.name == "希格玛社区"
    now = clock.now()
    slots = room.slots.all()
    assert slots.count() >= 14 * 3
    assert all(now < s.starts_at < now + timedelta(days=15) for s in slots)
    assert square.slots.exists()
    pending = Booking.objects.get(venue=room, status=Booking.Status.PENDING)
    assert pending.user.phone == RESIDENT
    approved = Booking.objects.get(venue=room, status=Booking.Status.APPROVED, user__phone="13900000036")
    assert approved.decided_by is not None and approved.decided_at is not None
    # the activities held in a venue took its slot: nobody can book over them
    for activity in Activity.objects.exclude(venue=None):
        held = Booking.objects.get(slot__venue=activity.venue, slot__starts_at=activity.starts_at)
        assert held.status == Booking.Status.APPROVED and held.purpose == activity.title
    assert Booking.objects.filter(venue=square, status=Booking.Status.PENDING).exists()


def test_resident_pages_show_the_demo_life(loaded, client):
    from shequ.activities.models import Activity
    from shequ.forum.models import Topic

    client.force_login(User.objects.get(phone=RESIDENT))
    assert client.get(reverse("portal:home")).status_code == 200
    forum = client.get(reverse("forum:index"))
    assert forum.status_code == 200
    cat = Topic.objects.get(title__contains="寻猫")
    board = client.get(reverse("forum:board", args=[cat.board_id]))
    assert board.status_code == 200 and "寻猫" in board.content.decode()
    page = client.get(reverse("forum:topic", args=[cat.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "138****5678" in html and "13812345678" not in html
    listing = client.get(reverse("activities:index"))
    assert listing.status_code == 200 and "假期儿童托管班" in listing.content.decode()
    full = Activity.objects.get(kind="child_care")
    assert client.get(reverse("activities:detail", args=[full.pk])).status_code == 200
    assert client.get(reverse("activities:venues")).status_code == 200
    assert client.get(reverse("activities:bookings")).status_code == 200


def test_life_loads_quickly(db, django_assert_max_num_queries):
    """Fast by construction, not by the clock of a shared machine: the life content loads in a bounded
    number of queries (797 when this bound was set), plus a wall-clock bound only a pathology breaks."""
    from shequ.activities.models import Activity
    from shequ.demo.life import demo_life_load
    from shequ.forum.models import Topic

    with override_settings(**FAST_HASHER):
        demo_load(reset=True, content=False)
    started = time.monotonic()
    with django_assert_max_num_queries(900):
        made = demo_life_load()
    assert time.monotonic() - started < 30
    assert made["topics"] == Topic.objects.count() and made["activities"] == Activity.objects.count()
    assert made["bookings"] >= 2 and made["slots"] >= 42


def test_a_failure_in_the_life_part_does_not_break_the_demo(db, monkeypatch):
    # one reset per test: PostgreSQL will not TRUNCATE twice in a transaction with pending FK checks
    from shequ.activities.models import Activity, Venue
    from shequ.appeals.models import Appeal
    from shequ.forum.models import Topic

    def broken(**kwargs):
        raise RuntimeError("activities changed")

    monkeypatch.setattr("shequ.activities.services.signup_create", broken)
    # the coordination part files appeals of its own and is tested in test_coordination_demo; leave it out here
    monkeypatch.setattr("shequ.demo.coordination.demo_coordination_load", lambda: {})
    with override_settings(**FAST_HASHER):
        summary = demo_load(reset=True, content=True)
    assert summary.loaded and not summary.content_error
    assert (summary.appeals, summary.notices) == (6, 4) and Appeal.objects.count() == 6
    # the forum and activities part rolled back to its savepoint as a whole
    assert not Topic.objects.exists() and not Activity.objects.exists() and not Venue.objects.exists()
