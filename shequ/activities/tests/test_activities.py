from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from shequ.accounts.models import Residency
from shequ.activities import services
from shequ.activities.models import Booking, Signup
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.notifications.models import Notification


def test_capacity_waitlist_and_promotion_notifies(world, activity):
    a = services.signup_create(user=world.resident_a, activity=activity)
    b = services.signup_create(user=world.resident_a2, activity=activity)
    c = services.signup_create(user=world.resident_b, activity=activity)
    assert [a.status, b.status, c.status] == ["confirmed", "confirmed", "waitlisted"]
    with pytest.raises(Conflict):
        services.signup_create(user=world.resident_a, activity=activity)
    services.signup_cancel(user=world.resident_a, activity=activity)
    c.refresh_from_db()
    assert c.status == Signup.Status.CONFIRMED
    n = Notification.objects.get(recipient=world.resident_b, verb="activity_promoted")
    assert "中秋联欢会" in n.title
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waitlist_count) == (2, 0)
    # a waitlisted person cancelling promotes no one
    again = services.signup_create(user=world.resident_a, activity=activity)
    assert again.status == Signup.Status.WAITLISTED
    services.signup_cancel(user=world.resident_a, activity=activity)
    assert Notification.objects.filter(verb="activity_promoted").count() == 1


def test_only_verified_residents_sign_up(world, activity):
    pending = world.outsider
    Residency.objects.create(user=pending, household=world.household_a, relation="tenant")
    with pytest.raises(Forbidden):
        services.signup_create(user=pending, activity=activity)


def test_checkin_by_code_and_attendance(world, activity, client):
    services.signup_create(user=world.resident_a, activity=activity)
    services.signup_create(user=world.resident_a2, activity=activity)
    with pytest.raises(Conflict):  # too early
        services.checkin(user=world.resident_a, activity=activity, code=activity.checkin_code)
    with clock.frozen(activity.starts_at + timedelta(minutes=5)):
        with pytest.raises(Invalid):
            services.checkin(user=world.resident_a, activity=activity, code="000000x")
        s = services.checkin(user=world.resident_a, activity=activity, code=activity.checkin_code)
        assert s.checked_in_at is not None
        with pytest.raises(Forbidden):
            services.checkin(user=world.resident_b, activity=activity, code=activity.checkin_code)
        client.force_login(world.rc_staff)
        signup = Signup.objects.get(user=world.resident_a2)
        r = client.post(reverse("activities:checkin_by_organiser", args=[activity.pk, signup.pk]))
        assert r.status_code == 302
    assert Signup.objects.filter(activity=activity, checked_in_at__isnull=False).count() == 2
    # the organiser sees the code; residents do not
    assert (
        activity.checkin_code in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    )
    client.force_login(world.resident_a)
    assert (
        activity.checkin_code
        not in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    )


def test_signup_pages(world, activity, client):
    client.force_login(world.resident_a)
    r = client.post(reverse("activities:signup", args=[activity.pk]))
    assert r.status_code == 302
    assert Signup.objects.get(user=world.resident_a).status == "confirmed"
    # the first POST only asks (a real step, no JavaScript needed); nothing changes yet
    r = client.post(reverse("activities:cancel", args=[activity.pk]))
    assert r.status_code == 200 and 'name="confirmed" value="1"' in r.content.decode()
    assert "让给候补" in r.content.decode()
    assert Signup.objects.get(user=world.resident_a).status == "confirmed"
    r = client.post(reverse("activities:cancel", args=[activity.pk]), {"confirmed": "1"})
    assert Signup.objects.get(user=world.resident_a).status == "cancelled"
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert reverse("activities:cancel_undo", args=[activity.pk]) in page
    client.post(reverse("activities:cancel_undo", args=[activity.pk]))
    assert Signup.objects.get(user=world.resident_a).status == "confirmed"


def test_undo_cancel_within_the_window(world, activity):
    """Undo gives the place back when it is free; when the waitlist's first took it, the undoer goes
    back to the old queue place (ahead of later sign-ups); after 10 minutes undo is refused, and a new
    sign-up goes to the back."""
    t0 = activity.starts_at - timedelta(days=3)
    with clock.frozen(t0):
        services.signup_create(user=world.resident_a, activity=activity)
        services.signup_create(user=world.resident_a2, activity=activity)
        services.signup_cancel(user=world.resident_a, activity=activity)
        assert services.signup_cancel_undo(user=world.resident_a, activity=activity).status == "confirmed"
    with clock.frozen(t0 + timedelta(minutes=1)):
        services.signup_create(user=world.resident_b, activity=activity)  # full (2): waitlisted
        services.signup_cancel(user=world.resident_a, activity=activity)  # resident_b promoted
        assert Signup.objects.get(user=world.resident_b).status == "confirmed"
        back = services.signup_cancel_undo(user=world.resident_a, activity=activity)
        assert back.status == "waitlisted" and back.queued_at == t0
        services.signup_cancel(user=world.resident_a, activity=activity)
    with clock.frozen(t0 + timedelta(minutes=12)):
        with pytest.raises(Conflict) as err:
            services.signup_cancel_undo(user=world.resident_a, activity=activity)
        assert err.value.code == "undo_too_late"
        again = services.signup_create(user=world.resident_a, activity=activity)
        assert again.status == "waitlisted" and again.queued_at == t0 + timedelta(minutes=12)


def test_booking_cancel_asks_first(world, slot, client):
    b = services.booking_create(user=world.resident_a, slot=slot, purpose="广场舞")
    client.force_login(world.resident_a)
    r = client.post(reverse("activities:booking_cancel", args=[b.pk]))
    assert r.status_code == 200 and "确定取消预约" in r.content.decode()
    b.refresh_from_db()
    assert b.status != "cancelled"
    client.post(reverse("activities:booking_cancel", args=[b.pk]), {"confirmed": "1"})
    b.refresh_from_db()
    assert b.status == "cancelled"


def test_booking_one_active_per_slot_enforced_by_database(world, slot):
    services.booking_create(user=world.resident_a, slot=slot, purpose="广场舞")
    with pytest.raises(Conflict) as e:
        services.booking_create(user=world.resident_a2, slot=slot, purpose="合唱")
    assert e.value.code == "slot_taken"
    with pytest.raises(IntegrityError), transaction.atomic():  # even bypassing the service's pre-check
        Booking.objects.create(venue=slot.venue, slot=slot, user=world.resident_b, purpose="x")


def test_booking_approval_rejection_frees_slot(world, slot, client):
    b = services.booking_create(user=world.resident_a, slot=slot, purpose="广场舞")
    with pytest.raises(Forbidden):
        services.booking_decide(actor=world.handler_x, booking=b, approve=True)
    client.force_login(world.rc_staff)
    assert client.get(reverse("activities:approvals")).status_code == 200
    r = client.post(reverse("activities:decide", args=[b.pk]), {"decision": "reject", "reason": "当天有活动"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == Booking.Status.REJECTED
    assert Notification.objects.filter(recipient=world.resident_a, verb="booking_decided").exists()
    b2 = services.booking_create(user=world.resident_a2, slot=slot, purpose="合唱")
    services.booking_decide(actor=world.rc_staff, booking=b2, approve=True)
    services.booking_cancel(user=world.resident_a2, booking=b2)
    services.booking_create(user=world.resident_b, slot=slot, purpose="下棋")


def test_booking_api_conflict_is_409_json(world, slot, client):
    client.force_login(world.resident_a)
    url = f"/api/v1/venues/slots/{slot.pk}/bookings"
    r = client.post(url, {"purpose": "广场舞", "people": 20}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "pending"
    client.force_login(world.resident_a2)
    r = client.post(url, {"purpose": "合唱"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["error"]["code"] == "slot_taken"
    assert r.json()["error"]["message_en"]
    slots = client.get(f"/api/v1/venues/{slot.venue_id}/slots").json()["items"]
    assert [s["available"] for s in slots] == [False, True]
    # page: a second booking through the form gets a clear 409 page
    r = client.post(reverse("activities:book", args=[slot.pk]), {"purpose": "合唱"})
    assert r.status_code == 409 and "已被预约" in r.content.decode()


def test_activities_api(world, activity, client):
    client.force_login(world.resident_a)
    data = client.get("/api/v1/activities").json()
    assert data["count"] == 1 and data["items"][0]["title"] == "中秋联欢会"
    r = client.post(f"/api/v1/activities/{activity.pk}/signup", {}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    r = client.post(
        f"/api/v1/activities/{activity.pk}/checkin", {"code": "bad"}, content_type="application/json"
    )
    assert r.status_code == 422
    r = client.post(f"/api/v1/activities/{activity.pk}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    client.force_login(world.rc_staff)
    assert client.get("/api/v1/venues/bookings?scope=approve").status_code == 200


def test_permissions_for_every_url(world, activity, venue, slot, client):
    b = services.booking_create(user=world.resident_a, slot=slot, purpose="广场舞")
    s = services.signup_create(user=world.resident_a, activity=activity)
    gets = [
        reverse("activities:index"),
        reverse("activities:detail", args=[activity.pk]),
        reverse("activities:venues"),
        reverse("activities:venue", args=[venue.pk]),
        reverse("activities:bookings"),
        reverse("activities:approvals"),
        reverse("activities:create"),
    ]
    for url in gets:
        assert client.get(url).status_code == 302, url  # anonymous → login
    # an outsider (no household, no membership) sees nothing of this community
    client.force_login(world.outsider)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 403
    assert client.get(reverse("activities:venue", args=[venue.pk])).status_code == 403
    assert client.get(reverse("activities:approvals")).status_code == 403
    assert client.get(reverse("activities:create")).status_code == 403
    for name, args in (
        ("signup", [activity.pk]),
        ("cancel", [activity.pk]),
        ("checkin", [activity.pk]),
        ("checkin_by_organiser", [activity.pk, s.pk]),
        ("book", [slot.pk]),
    ):
        assert client.post(reverse(f"activities:{name}", args=args)).status_code == 403, name
    assert (
        client.post(reverse("activities:slots_add", args=[venue.pk]), {"day": "2030-01-01"}).status_code
        == 403
    )
    assert client.post(reverse("activities:booking_cancel", args=[b.pk])).status_code == 404
    assert client.post(reverse("activities:decide", args=[b.pk])).status_code == 404
    # a resident of the community
    client.force_login(world.resident_b)
    for url in gets[:5]:
        assert client.get(url).status_code == 200, url
    assert (
        client.post(reverse("activities:checkin_by_organiser", args=[activity.pk, s.pk])).status_code == 403
    )
    assert client.get(reverse("activities:create")).status_code == 403
    assert (
        client.post(
            reverse("activities:slots_add", args=[venue.pk]), {"day": "2030-01-01", "period": "morning"}
        ).status_code
        == 403
    )
    client.force_login(world.rc_staff)
    assert client.get(reverse("activities:create")).status_code == 200
    day = (clock.now() + timedelta(days=4)).date().isoformat()
    r = client.post(
        reverse("activities:slots_add", args=[venue.pk]), {"day": day, "period": ["morning", "evening"]}
    )
    assert r.status_code == 302 and venue.slots.count() == 4
    start = clock.now() + timedelta(days=5)
    r = client.post(
        reverse("activities:create"),
        {
            "organiser": world.rc.pk,
            "place": world.community.pk,
            "kind": "child_care",
            "title": "暑期托管班",
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": "09:00",
            "ends_at_0": start.strftime("%Y-%m-%d"),
            "ends_at_1": "12:00",
            "capacity": 20,
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]


def test_list_query_counts_pinned(world, activity, client, django_assert_max_num_queries):
    start = clock.now() + timedelta(days=1)
    for i in range(20):
        services.activity_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.community,
            kind="volunteer",
            title=f"志愿{i}",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=5,
        )
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("activities:index"))
    assert r.status_code == 200 and "志愿19" in r.content.decode()
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/activities").json()["count"] == 21


def test_organiser_calls_off_and_everyone_is_told(world, activity, client):
    services.signup_create(user=world.resident_a, activity=activity)
    services.signup_create(user=world.resident_a2, activity=activity)
    services.signup_create(user=world.resident_b, activity=activity)  # waitlisted
    client.force_login(world.resident_a)
    assert (
        client.post(reverse("activities:activity_cancel", args=[activity.pk]), {"reason": "x"}).status_code
        == 403
    )
    client.force_login(world.rc_staff)
    r = client.post(reverse("activities:activity_cancel", args=[activity.pk]), {"reason": "台风预警"})
    assert r.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "cancelled"
    assert Notification.objects.filter(verb="activity_cancelled").count() == 3
    services.signup_cancel(user=world.resident_a2, activity=activity)
    with pytest.raises(Conflict):
        services.signup_create(user=world.resident_a2, activity=activity)


def test_booking_lists_query_counts_pinned(world, venue, client, django_assert_max_num_queries):
    day = (clock.now() + timedelta(days=6)).date()
    slots = services.slots_create(
        actor=world.rc_staff, venue=venue, day=day, hours=[(h, h + 1) for h in range(8, 20)]
    )
    for s in slots:
        services.booking_create(user=world.resident_a, slot=s, purpose="练歌")
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("activities:bookings")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/api/v1/venues/bookings").json()["count"] == 12
    with django_assert_max_num_queries(10):
        assert client.get(reverse("activities:venue", args=[venue.pk])).status_code == 200
    client.force_login(world.rc_staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("activities:approvals")).status_code == 200
