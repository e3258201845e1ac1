from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.accounts.models import Residency, User
from shequ.directory import parties as dparties
from shequ.directory.models import Role

GOOD_PASSWORD = "huayuan-2024"


def login_post(client, phone, password):
    return client.post(
        reverse("accounts:login"), {"username": phone, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


class TestLogin:
    def test_page_has_phone_in_username_field(self, client, db):
        response = client.get(reverse("accounts:login"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="username"' in html and 'name="password"' in html
        assert "住户注册" in html

    def test_logs_in_with_phone_and_password(self, client, world):
        response = login_post(client, world.resident_a.phone, "shequ-test-pass")
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:home")
        assert client.get(reverse("accounts:profile")).status_code == 200

    def test_wrong_password_is_explained(self, client, world):
        response = login_post(client, world.resident_a.phone, "wrong")
        assert response.status_code == 200
        assert "手机号或密码不正确" in response.content.decode()

    def test_sixth_attempt_is_locked_out_even_with_the_right_password(self, client, world):
        codes = [login_post(client, world.resident_a.phone, "wrong").status_code for _ in range(5)]
        assert codes == [200, 200, 200, 200, 429]  # the fifth failure locks the phone
        response = login_post(client, world.resident_a.phone, "shequ-test-pass")
        assert response.status_code == 429
        assert "15分钟" in response.content.decode()
        assert "_auth_user_id" not in client.session
        # another phone from the same address is not locked
        assert login_post(client, world.resident_b.phone, "shequ-test-pass").status_code == 302

    def test_logout_is_post_only(self, client, world):
        client.force_login(world.resident_a)
        assert client.get(reverse("accounts:logout")).status_code == 405
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session

    def test_next_is_kept(self, client, world):
        response = client.get(reverse("portal:who"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        response = client.post(
            response["Location"],
            {
                "username": world.resident_a.phone,
                "password": "shequ-test-pass",
                "next": reverse("portal:who"),
            },
        )
        assert response["Location"] == reverse("portal:who")


class TestRegisterPage:
    def chooser(self, world, **extra):
        return {
            "street": world.street.pk,
            "community": world.community.pk,
            "compound": world.compound_a.pk,
            "building": world.building_a1.pk,
            "unit": world.household_a.unit_id,
            "household": world.household_a.pk,
            **extra,
        }

    def test_steps_through_the_chooser_without_js(self, client, world):
        response = client.get(reverse("accounts:register"))
        html = response.content.decode()
        # One street and one community: chosen for the resident; compounds offered next.
        assert "甲小区" in html and "乙小区" in html
        assert 'name="building"' not in html
        response = client.post(
            reverse("accounts:register"),
            {"compound": world.compound_a.pk, "choose": "1", "phone": "13700000001"},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "1号楼" in html and "2号楼" in html
        assert "此字段" not in html and "errorlist" not in html  # no "required" noise while choosing
        assert 'value="13700000001"' in html

    def test_htmx_partial(self, client, world):
        response = client.get(
            reverse("accounts:register_places"),
            {"compound": world.compound_a.pk, "building": world.building_a1.pk},
            HTTP_HX_REQUEST="true",
        )
        html = response.content.decode()
        assert 'id="place-chooser"' in html and "<html" not in html
        assert "101" in html  # single unit chosen automatically, households offered

    def test_inconsistent_choice_is_dropped(self, client, world):
        response = client.get(
            reverse("accounts:register_places"),
            {"compound": world.compound_b.pk, "building": world.building_a1.pk},
        )
        assert "已选择" not in response.content.decode()

    def test_registers_and_logs_in(self, client, world):
        data = self.chooser(
            world,
            relation="tenant",
            phone="13700000001",
            real_name="王五",
            password=GOOD_PASSWORD,
            password2=GOOD_PASSWORD,
        )
        response = client.post(reverse("accounts:register"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        # Nobody is logged in by registering (the answer is the same for a phone that had an account):
        # the login page is next, and says so.
        assert response["Location"] == reverse("accounts:login") + "?next=" + reverse("accounts:profile")
        login_page = client.get(response["Location"]).content.decode()
        assert "请用这个手机号和刚才设置的密码登录" in login_page and "以前注册过" in login_page
        user = User.objects.get(phone="13700000001")
        assert Residency.objects.get(user=user).status == "pending"
        assert "_auth_user_id" not in client.session
        client.post(
            response["Location"],
            {"username": "13700000001", "password": GOOD_PASSWORD, "next": "/accounts/profile/"},
        )
        page = client.get(reverse("accounts:profile")).content.decode()
        assert "待认证" in page and "甲小区" in page
        # The confirmation says what verification opens, and never promises a vote (owners' register only).
        assert "等待社区居委会或户主认证" in login_page and "投票" not in login_page

    def test_errors_shown_on_fields(self, client, world):
        data = self.chooser(
            world,
            relation="tenant",
            phone=world.resident_b.phone,
            real_name="王五",
            password=GOOD_PASSWORD,
            password2="different-1",
        )
        html = client.post(reverse("accounts:register"), data).content.decode()
        assert "两次输入的密码不一样" in html
        data["password2"] = GOOD_PASSWORD
        response = client.post(reverse("accounts:register"), data)
        # An existing phone gets the answer a new one gets; nothing is created, nobody logged in.
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        assert User.objects.filter(phone=world.resident_b.phone).count() == 1
        assert "_auth_user_id" not in client.session
        assert not Residency.objects.filter(user=world.resident_b, household=world.household_a).exists()

    def test_household_required(self, client, world):
        data = {
            "relation": "owner",
            "phone": "13700000001",
            "real_name": "王五",
            "password": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        }
        html = client.post(reverse("accounts:register"), data).content.decode()
        assert "选到您家的门牌号" in html
        assert not User.objects.filter(phone="13700000001").exists()

    def test_logged_in_user_adds_a_household(self, client, world):
        client.force_login(world.outsider)
        html = client.get(reverse("accounts:register")).content.decode()
        assert 'name="password"' not in html
        response = client.post(reverse("accounts:register"), self.chooser(world, relation="tenant"))
        assert response.status_code == 302
        assert Residency.objects.get(user=world.outsider).status == "pending"


class TestProfileAndPassword:
    def test_anonymous_redirected(self, client, db):
        for name in ("accounts:profile", "accounts:password_change", "accounts:verify_queue"):
            response = client.get(reverse(name))
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        response = client.post(reverse("accounts:verify_decide", args=[1]), {"action": "verify"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_profile_shows_homes_and_roles(self, client, world, django_assert_max_num_queries):
        dparties.membership_create(user=world.resident_a, party=world.mutual_aid, role=Role.VOLUNTEER)
        client.force_login(world.resident_a)
        with django_assert_max_num_queries(12):
            html = client.get(reverse("accounts:profile")).content.decode()
        assert world.resident_a.phone in html
        assert "甲小区 1号楼 1单元 101" in html and "已认证" in html
        assert "测试互助站" in html and "志愿者" in html
        assert reverse("accounts:password_change") in html
        assert reverse("accounts:logout") in html

    def test_observer_profile_says_read_only(self, client, world):
        client.force_login(world.observer)
        html = client.get(reverse("accounts:profile")).content.decode()
        assert "观察员（只读）" in html
        assert "可以查看，不能办理" in html

    def test_password_change(self, client, world):
        client.force_login(world.resident_a)
        url = reverse("accounts:password_change")
        html = client.post(
            url, {"old_password": "bad", "new_password": "new-secret-77", "new_password2": "new-secret-77"}
        ).content.decode()
        assert "原密码不正确" in html
        response = client.post(
            url,
            {
                "old_password": "shequ-test-pass",
                "new_password": "new-secret-77",
                "new_password2": "new-secret-77",
            },
        )
        assert response.status_code == 302
        world.resident_a.refresh_from_db()
        assert world.resident_a.check_password("new-secret-77")
        assert client.get(reverse("accounts:profile")).status_code == 200  # still logged in


@pytest.fixture
def pending(world):
    from shequ.accounts import services

    user = services.user_register(
        phone="13700000001",
        real_name="王五",
        password=GOOD_PASSWORD,
        household=world.household_a,
        relation="family",
    )
    return Residency.objects.get(user=user)


class TestVerifyQueue:
    def test_committee_sees_and_verifies(self, client, world, pending, django_assert_max_num_queries):
        client.force_login(world.rc_staff)
        with django_assert_max_num_queries(12):
            html = client.get(reverse("accounts:verify_queue")).content.decode()
        assert "王五" in html and "13700000001" in html
        response = client.post(reverse("accounts:verify_decide", args=[pending.pk]), {"action": "verify"})
        assert response.status_code == 302
        pending.refresh_from_db()
        assert pending.status == "verified"

    def test_owner_sees_masked_phone_and_rejects(self, client, world, pending):
        client.force_login(world.resident_a)
        html = client.get(reverse("accounts:verify_queue")).content.decode()
        assert "王五" in html and "137****0001" in html and "13700000001" not in html
        client.post(reverse("accounts:verify_decide", args=[pending.pk]), {"action": "reject", "reason": ""})
        pending.refresh_from_db()
        assert pending.status == "pending"
        client.post(
            reverse("accounts:verify_decide", args=[pending.pk]), {"action": "reject", "reason": "不认识"}
        )
        pending.refresh_from_db()
        assert pending.status == "rejected" and pending.reject_reason == "不认识"

    def test_others_cannot(self, client, world, pending):
        client.force_login(world.resident_b)  # owner of another household: an empty queue
        response = client.get(reverse("accounts:verify_queue"))
        assert response.status_code == 200 and "王五" not in response.content.decode()
        for user in (world.resident_b, world.handler_x, world.building_leader, world.outsider):
            client.force_login(user)
            if user != world.resident_b:
                assert client.get(reverse("accounts:verify_queue")).status_code == 403
            response = client.post(reverse("accounts:verify_decide", args=[pending.pk]), {"action": "verify"})
            assert response.status_code == 404
        pending.refresh_from_db()
        assert pending.status == "pending"

    def test_observer_of_the_committee_reads_but_cannot_act(self, client, world, pending):
        dparties.membership_create(user=world.observer, party=world.rc, role=Role.OBSERVER)
        client.force_login(world.observer)
        # An observer membership is not a verifier role: no queue, and no action.
        assert client.get(reverse("accounts:verify_queue")).status_code == 403
        assert (
            client.post(
                reverse("accounts:verify_decide", args=[pending.pk]), {"action": "verify"}
            ).status_code
            == 404
        )

    def test_get_not_allowed_on_decide(self, client, world, pending):
        client.force_login(world.rc_staff)
        assert client.get(reverse("accounts:verify_decide", args=[pending.pk])).status_code == 405


class TestPasswordReset:
    url = "/accounts/password/reset/"

    def test_committee_resets_a_resident_of_their_community(self, client, world):
        for _ in range(5):
            login_post(client, world.resident_a.phone, "wrong")
        assert login_post(client, world.resident_a.phone, "shequ-test-pass").status_code == 429
        client.force_login(world.rc_staff)
        html = client.get(self.url, {"phone": world.resident_a.phone}).content.decode()
        assert "张三" in html and "甲小区 1号楼 1单元 101" in html
        response = client.post(self.url, {"phone": world.resident_a.phone})
        temporary = response.context["temporary"]
        assert temporary and temporary in response.content.decode()
        assert response["Cache-Control"] == "no-store"
        client.logout()
        assert login_post(client, world.resident_a.phone, temporary).status_code == 302  # lock cleared

    def test_unknown_or_outside_phone_is_not_found(self, client, world):
        client.force_login(world.rc_staff)
        for phone in ("13712345678", world.handler_x.phone):
            response = client.post(self.url, {"phone": phone})
            assert response.context["temporary"] is None
            assert "没有找到" in response.content.decode()
        assert world.handler_x.check_password("shequ-test-pass")

    def test_only_committee_staff(self, client, world):
        assert client.get(self.url).status_code == 302  # anonymous → login
        for user in (world.resident_a, world.building_leader, world.observer, world.handler_x):
            client.force_login(user)
            assert client.get(self.url).status_code == 403
            client.post(self.url, {"phone": world.resident_b.phone})
        world.resident_b.refresh_from_db()
        assert world.resident_b.check_password("shequ-test-pass")
