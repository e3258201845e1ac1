"""Registration (issue #9, finding 4): claiming a household does not put one's appeals into the real
residents' "my appeals"; sign-ups are limited per phone and per client address."""

from __future__ import annotations

import json

import pytest

from shequ.accounts import services
from shequ.appeals.selectors import appeals_visible_to
from shequ.core.ratelimit import TooManyRequests


def test_an_unverified_claimants_appeal_is_not_the_households(world):
    from shequ.appeals import services as appeals
    from shequ.appeals.selectors import category_by_code

    claimant = services.user_register(
        phone="13712345601",
        real_name="冒名者",
        password="a-long-pass-99",
        household=world.household_a,
        relation="family",
    )
    appeal = appeals.appeal_create(
        reporter=claimant,
        kind="help",
        category=category_by_code(code="lift"),
        place=world.household_a,
        text="电梯坏了",
    )
    assert appeal in appeals_visible_to(user=claimant, scope="mine")  # their own
    assert appeal not in appeals_visible_to(user=world.resident_a, scope="mine")  # not the real owner's
    residency = claimant.residencies.get()
    services.residency_verify(residency=residency, actor=world.rc_staff)
    world.resident_a.__dict__.pop("_shequ_appeal_viewer", None)
    assert appeal in appeals_visible_to(user=world.resident_a, scope="mine")  # verified: part of the home


def _register(client, phone, ip, household_id):
    return client.post(
        "/api/v1/auth/register",
        json.dumps(
            {
                "phone": phone,
                "real_name": "测试人",
                "password": "a-long-pass-99",
                "household_id": household_id,
                "relation": "owner",
            }
        ),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_sign_ups_are_limited_per_address_and_per_phone(client, world, settings):
    settings.SHEQU_RATE_LIMITS_ENABLED = True
    allowed = settings.SHEQU_RATE_LIMITS["register"]["address"][0]
    statuses = [
        _register(client, f"1371234{i:04d}", "192.0.2.50", world.household_a.pk).status_code
        for i in range(allowed + 2)
    ]
    assert 429 not in statuses[:allowed] and statuses[allowed:] == [429, 429]
    body = _register(client, "13712349999", "192.0.2.50", world.household_a.pk).json()["error"]
    assert body["message_zh"] and body["message_en"]
    per_phone = settings.SHEQU_RATE_LIMITS["register"]["phone"][0]
    with pytest.raises(TooManyRequests):
        for i in range(per_phone + 1):  # the first attempt registers it; later ones tell its owner
            services.user_register(
                phone="13712340000",
                real_name="测试人",
                password="a-long-pass-99",
                household=world.household_a,
                relation="owner",
                client_address=f"198.51.100.{i}",
            )


def test_no_notification_fan_out_from_an_unverified_claimant(world, django_capture_on_commit_callbacks):
    from shequ.appeals import services as appeals
    from shequ.appeals.selectors import category_by_code
    from shequ.notifications.models import Notification

    claimant = services.user_register(
        phone="13712345602",
        real_name="冒名者",
        password="a-long-pass-99",
        household=world.household_a,
        relation="family",
    )
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_create(
            reporter=claimant,
            kind="help",
            category=category_by_code(code="lift"),
            place=world.household_a,
            text="电梯坏了",
            urgency="emergency",
        )
    assert Notification.objects.count() == before  # nobody alerted, no SMS queued
    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_create(
            reporter=world.resident_a,
            kind="help",
            category=category_by_code(code="lift"),
            place=world.household_a,
            text="电梯坏了",
            urgency="emergency",
        )
    assert Notification.objects.count() > before  # a verified resident's appeal does alert the party


def test_an_unverified_claimants_appeal_is_seen_only_by_them_and_the_committee(world):
    from shequ.appeals import services as appeals
    from shequ.appeals.selectors import category_by_code

    claimant = services.user_register(
        phone="13712345603",
        real_name="冒名者",
        password="a-long-pass-99",
        household=world.household_a,
        relation="family",
    )
    appeal = appeals.appeal_create(
        reporter=claimant,
        kind="help",
        category=category_by_code(code="lift"),
        place=world.household_a,
        text="电梯坏了",
        is_public=True,
    )
    assert appeal in appeals_visible_to(user=claimant, scope="all")
    assert appeal in appeals_visible_to(user=world.rc_staff, scope="all")
    seen_by = [
        who
        for who in ("resident_a", "resident_a2", "resident_b", "handler_x", "building_leader")
        if appeal in appeals_visible_to(user=getattr(world, who), scope="all")
    ]
    assert seen_by == []


def test_registration_gives_the_same_answer_for_an_existing_and_an_unknown_phone(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """Finding 10: the answer (status and body) and the work done (one password hash, one job) are the
    same for a phone with an account and a new one; the existing account is not touched, nobody takes
    its phone, and its owner is told by inbox and SMS how to get back in."""
    from django.contrib.auth.hashers import get_hasher

    from shequ.accounts.models import Residency, User
    from shequ.notifications.models import Channel, Delivery, Notification

    hasher = type(get_hasher())
    encode = hasher.encode
    hashes: list[int] = []
    monkeypatch.setattr(hasher, "encode", lambda self, *a, **kw: hashes.append(1) or encode(self, *a, **kw))
    owner = world.resident_b
    with django_capture_on_commit_callbacks(execute=True):
        known = _register(client, owner.phone, "192.0.2.61", world.household_a.pk)
    known_hashes, hashes[:] = len(hashes), []
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _register(client, "13712340124", "192.0.2.62", world.household_a.pk)
    assert (
        (known.status_code, known.content) == (unknown.status_code, unknown.content) == (202, unknown.content)
    )
    assert known_hashes == len(hashes) == 1

    # The phone stays its owner's: no second account, no new residency, the password unchanged.
    assert User.objects.filter(phone=owner.phone).count() == 1
    owner.refresh_from_db()
    assert owner.check_password("shequ-test-pass") and owner.real_name != "测试人"
    assert not Residency.objects.filter(user=owner, household=world.household_a).exists()
    # The owner hears of it (inbox and SMS), with the way back in: log in, or have the password reset.
    note = Notification.objects.get(recipient=owner, verb="account.register_attempt")
    assert "有人尝试用您的手机号注册" in note.title and "原来的密码登录" in note.body and "重置" in note.body
    assert note.url == "/accounts/login/"
    assert Delivery.objects.filter(notification=note, channel=Channel.SMS).exists()
    # ... at most once an hour, however often someone tries.
    with django_capture_on_commit_callbacks(execute=True):
        again = _register(client, owner.phone, "192.0.2.63", world.household_a.pk)
    assert again.status_code == 202
    assert Notification.objects.filter(recipient=owner, verb="account.register_attempt").count() == 1
    # The new phone's registrant logs in with the password they chose; the known phone's cannot.
    login = "/api/v1/auth/login"
    new = client.post(
        login, {"phone": "13712340124", "password": "a-long-pass-99"}, content_type="application/json"
    )
    assert new.status_code == 200
    taken = client.post(
        login, {"phone": owner.phone, "password": "a-long-pass-99"}, content_type="application/json"
    )
    assert taken.status_code == 401
    assert (
        client.post(
            login, {"phone": owner.phone, "password": "shequ-test-pass"}, content_type="application/json"
        ).status_code
        == 200
    )


def test_a_verified_residents_pending_claims_are_routed_like_any_appeal(
    world, django_capture_on_commit_callbacks
):
    """While pending, a claim waits in the committee's dispatch queue; once the household verifies the
    reporter it goes where the routing rules send any appeal (the system dispatches it, the party hears
    of it). One the committee dispatched by hand meanwhile stays where they sent it."""
    from shequ.appeals import routing
    from shequ.appeals import services as appeals
    from shequ.appeals.models import AppealEvent, EventKind, Status
    from shequ.appeals.selectors import category_by_code
    from shequ.notifications.models import Notification

    claimant = services.user_register(
        phone="13712345604",
        real_name="新住户",
        password="a-long-pass-99",
        household=world.household_a,
        relation="family",
    )
    lift = category_by_code(code="lift")

    def file(text):
        with django_capture_on_commit_callbacks(execute=True):
            return appeals.appeal_create(
                reporter=claimant, kind="help", category=lift, place=world.household_a, text=text
            )

    waiting, by_hand = file("电梯坏了"), file("电梯又坏了")
    normal = routing.route(category=lift, place=world.household_a)
    assert normal.dispatched and normal.party != normal.dispatcher  # the rules name a party
    assert (
        waiting.status == by_hand.status == Status.SUBMITTED
        and waiting.responsible_party == normal.dispatcher
    )
    with django_capture_on_commit_callbacks(execute=True):
        appeals.appeal_transition(appeal=by_hand, actor=world.rc_staff, action="dispatch", to_party=world.rc)
    told_before = Notification.objects.filter(verb="appeal.dispatched").count()

    with django_capture_on_commit_callbacks(execute=True):
        services.residency_verify(residency=claimant.residencies.get(), actor=world.rc_staff)

    waiting.refresh_from_db()
    by_hand.refresh_from_db()
    assert (waiting.status, waiting.responsible_party) == (Status.DISPATCHED, normal.party)
    event = AppealEvent.objects.filter(appeal=waiting, kind=EventKind.DISPATCHED).get()
    assert event.actor_id is None  # the system, as at filing
    assert Notification.objects.filter(verb="appeal.dispatched").count() > told_before  # the party is told
    assert (by_hand.status, by_hand.responsible_party) == (Status.DISPATCHED, world.rc)
    assert AppealEvent.objects.filter(appeal=by_hand, kind=EventKind.DISPATCHED).count() == 1
