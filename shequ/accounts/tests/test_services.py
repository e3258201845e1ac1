from __future__ import annotations

import pytest

from shequ.accounts import services
from shequ.accounts.models import Residency, User
from shequ.accounts.selectors import pending_residencies_for, user_roles, verify_reason
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PartyKind, PlaceKind, Role
from shequ.notifications.models import Notification

GOOD_PASSWORD = "huayuan-2024"


def register(world, phone="13700000001", household=None, relation="family", name="王五"):
    return services.user_register(
        phone=phone,
        real_name=name,
        password=GOOD_PASSWORD,
        household=household or world.household_a,
        relation=relation,
    )


def pending_of(user):
    return Residency.objects.get(user=user)


class TestRegister:
    def test_creates_user_and_pending_residency(self, world):
        user = register(world)
        assert user.check_password(GOOD_PASSWORD)
        residency = pending_of(user)
        assert residency.status == Residency.Status.PENDING
        assert residency.household == world.household_a
        assert residency.relation == "family"

    def test_tells_committee_staff_and_the_owner(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            register(world)
        told = set(
            Notification.objects.filter(verb="residency_requested").values_list("recipient_id", flat=True)
        )
        assert world.rc_staff.pk in told
        assert world.resident_a.pk in told  # verified owner of household_a
        assert world.resident_b.pk not in told
        assert world.building_leader.pk not in told

    def test_phone_is_normalised_and_checked(self, world):
        user = services.user_register(
            phone="137 0000-0002",
            real_name="王五",
            password=GOOD_PASSWORD,
            household=world.household_a,
            relation="tenant",
        )
        assert user.phone == "13700000002"
        with pytest.raises(Invalid) as exc:
            register(world, phone="12345")
        assert exc.value.fields["phone"]

    def test_duplicate_phone(self, world, django_capture_on_commit_callbacks):
        """Nothing created or changed for a phone that has an account; its owner is told instead."""
        with django_capture_on_commit_callbacks(execute=True):
            assert register(world, phone=world.resident_a.phone) is None
        assert User.objects.filter(phone=world.resident_a.phone).count() == 1
        world.resident_a.refresh_from_db()
        assert world.resident_a.check_password("shequ-test-pass") and world.resident_a.real_name != "王五"
        assert Notification.objects.filter(
            recipient=world.resident_a, verb="account.register_attempt"
        ).exists()

    def test_weak_password(self, world):
        with pytest.raises(Invalid) as exc:
            services.user_register(
                phone="13700000003",
                real_name="王五",
                password="12345678",
                household=world.household_a,
                relation="owner",
            )
        assert "password" in exc.value.fields
        assert not User.objects.filter(phone="13700000003").exists()

    def test_household_must_be_a_household(self, world):
        with pytest.raises(Invalid):
            register(world, household=world.building_a1)

    def test_relation_must_be_known(self, world):
        with pytest.raises(Invalid):
            register(world, relation="landlord")


class TestVerify:
    def test_committee_staff_of_the_community_verifies(self, world, django_capture_on_commit_callbacks):
        user = register(world)
        with django_capture_on_commit_callbacks(execute=True):
            residency = services.residency_verify(residency=pending_of(user), actor=world.rc_staff)
        assert residency.status == Residency.Status.VERIFIED
        assert residency.verified_by == world.rc_staff
        assert residency.verified_at is not None
        assert Notification.objects.filter(recipient=user, verb="residency_verified").exists()

    def test_verified_owner_of_the_household_verifies(self, world):
        user = register(world)
        assert verify_reason(user=world.resident_a, residency=pending_of(user)) == "owner"
        services.residency_verify(residency=pending_of(user), actor=world.resident_a)
        assert pending_of(user).status == Residency.Status.VERIFIED

    def test_committee_of_another_community_cannot(self, world):
        other = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=world.street)
        other_rc = dparties.party_create(
            kind=PartyKind.RESIDENTS_COMMITTEE, name="别的居委会", code="o-rc", places=[other]
        )
        stranger = User.objects.create_user(phone="13600000001", password="x", real_name="外社区")
        dparties.membership_create(user=stranger, party=other_rc, role=Role.STAFF)
        user = register(world)
        with pytest.raises(Forbidden):
            services.residency_verify(residency=pending_of(user), actor=stranger)
        assert list(pending_residencies_for(user=stranger)) == []

    def test_owner_of_another_household_cannot(self, world):
        user = register(world)
        with pytest.raises(Forbidden):
            services.residency_verify(residency=pending_of(user), actor=world.resident_b)

    def test_tenant_cannot(self, world):
        tenant = register(world, phone="13700000009", relation="tenant", name="租客甲")
        services.residency_verify(residency=pending_of(tenant), actor=world.rc_staff)
        newcomer = register(world)
        with pytest.raises(Forbidden):
            services.residency_verify(residency=pending_of(newcomer), actor=User.objects.get(pk=tenant.pk))

    def test_unverified_owner_cannot(self, world):
        owner = register(
            world, phone="13700000008", relation="owner", household=world.household_b, name="新业主"
        )
        family = register(world, household=world.household_b)
        with pytest.raises(Forbidden):
            services.residency_verify(residency=pending_of(family), actor=owner)

    def test_building_leader_and_handler_cannot(self, world):
        user = register(world)
        for actor in (world.building_leader, world.handler_x, world.party_secretary, world.outsider):
            with pytest.raises(Forbidden):
                services.residency_verify(residency=pending_of(user), actor=actor)

    def test_observer_cannot(self, world):
        dparties.membership_create(user=world.observer, party=world.rc, role=Role.OBSERVER)
        user = register(world)
        assert user_roles(user=User.objects.get(pk=world.observer.pk)).is_observer
        with pytest.raises(Forbidden):
            services.residency_verify(
                residency=pending_of(user), actor=User.objects.get(pk=world.observer.pk)
            )

    def test_nobody_verifies_themselves(self, world):
        staff_home = services.residency_request(
            user=world.rc_staff, household=world.household_a2, relation="tenant"
        )
        with pytest.raises(Forbidden):
            services.residency_verify(residency=staff_home, actor=world.rc_staff)

    def test_decided_once(self, world):
        user = register(world)
        services.residency_verify(residency=pending_of(user), actor=world.rc_staff)
        with pytest.raises(Conflict):
            services.residency_reject(residency=pending_of(user), actor=world.resident_a, reason="不对")

    def test_reject_needs_a_reason(self, world, django_capture_on_commit_callbacks):
        user = register(world)
        with pytest.raises(Invalid):
            services.residency_reject(residency=pending_of(user), actor=world.rc_staff, reason="  ")
        with django_capture_on_commit_callbacks(execute=True):
            residency = services.residency_reject(
                residency=pending_of(user), actor=world.rc_staff, reason="房号不对，请重新选择"
            )
        assert residency.status == Residency.Status.REJECTED
        assert residency.reject_reason == "房号不对，请重新选择"
        note = Notification.objects.get(recipient=user, verb="residency_rejected")
        assert "房号不对" in note.body

    def test_rejected_can_ask_again(self, world):
        user = register(world)
        services.residency_reject(residency=pending_of(user), actor=world.rc_staff, reason="不对")
        again = services.residency_request(user=user, household=world.household_a, relation="owner")
        assert again.status == Residency.Status.PENDING and again.reject_reason == ""
        with pytest.raises(Conflict):
            services.residency_request(user=user, household=world.household_a, relation="owner")

    def test_queue_scopes(self, world):
        a = register(world)
        b = register(world, phone="13700000005", household=world.household_b)
        assert {r.user_id for r in pending_residencies_for(user=world.rc_staff)} == {a.pk, b.pk}
        assert {r.user_id for r in pending_residencies_for(user=world.resident_a)} == {a.pk}
        assert {r.user_id for r in pending_residencies_for(user=world.resident_b)} == {b.pk}
        assert list(pending_residencies_for(user=world.handler_x)) == []


class TestPassword:
    def test_change(self, world):
        user = services.user_password_change(
            user=world.resident_a, old_password="shequ-test-pass", new_password="new-secret-77"
        )
        assert user.check_password("new-secret-77")

    def test_wrong_old_password(self, world):
        with pytest.raises(Invalid) as exc:
            services.user_password_change(
                user=world.resident_a, old_password="nope", new_password="new-secret-77"
            )
        assert "old_password" in exc.value.fields

    def test_weak_or_same(self, world):
        with pytest.raises(Invalid):
            services.user_password_change(
                user=world.resident_a, old_password="shequ-test-pass", new_password="123"
            )
        with pytest.raises(Invalid):
            services.user_password_change(
                user=world.resident_a, old_password="shequ-test-pass", new_password="shequ-test-pass"
            )


class TestPasswordReset:
    def test_committee_of_the_community(self, world):
        temporary = services.user_password_reset(user=world.resident_b, actor=world.rc_staff)
        world.resident_b.refresh_from_db()
        assert world.resident_b.check_password(temporary) and len(temporary) >= 8

    def test_others_cannot(self, world):
        other = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=world.street)
        other_rc = dparties.party_create(
            kind=PartyKind.RESIDENTS_COMMITTEE, name="别的居委会", code="o-rc2", places=[other]
        )
        stranger = User.objects.create_user(phone="13600000001", password="x", real_name="外社区")
        dparties.membership_create(user=stranger, party=other_rc, role=Role.STAFF)
        from shequ.core.errors import NotFound

        for actor in (stranger, world.resident_a, world.building_leader):
            with pytest.raises((NotFound, Forbidden)):
                services.user_password_reset(user=world.resident_b, actor=actor)
        world.resident_b.refresh_from_db()
        assert world.resident_b.check_password("shequ-test-pass")
