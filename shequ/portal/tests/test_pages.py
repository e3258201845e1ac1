from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.accounts import services as account_services
from shequ.directory import parties as dparties
from shequ.directory.models import Role


@pytest.fixture
def staffed(world):
    """Give the world the people the who page lists: a manager, a grid worker, public phones."""
    dparties.membership_create(
        user=world.handler_x,
        party=world.company_x,
        role=Role.MANAGER,
        title="大管家",
        places=[world.compound_a],
        public_phone="13911112222",
    )
    grid = dparties.membership_create(
        user=world.volunteer,
        party=world.rc,
        role=Role.GRID_WORKER,
        places=[world.community],
        public_phone="13922223333",
    )
    return grid


class TestPermissions:
    def test_anonymous_redirected_to_login(self, client, db):
        for name in ("portal:home", "portal:who"):
            response = client.get(reverse(name))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:login"))

    def test_someone_elses_household_is_404(self, client, world):
        client.force_login(world.resident_a)
        response = client.get(reverse("portal:who"), {"household": world.household_b.pk})
        assert response.status_code == 404
        response = client.get(reverse("portal:who"), {"household": "abc"})
        assert response.status_code == 404


class TestWho:
    def test_compound_a_gets_company_x(self, client, world, staffed, django_assert_max_num_queries):
        client.force_login(world.resident_a)
        # session, user, roles (2+1), parties, contract (2), people, rates (supervision: 2), unread count,
        # the party branch of SHEQU_WHO_SECTIONS (stations: 1 when the compound has none)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("portal:who"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "甲物业" in html and "乙物业" not in html
        assert (
            'href="tel:010-11110000"'.replace("-", "") in html.replace("-", "") or "tel:01011110000" in html
        )
        assert "王师傅" in html and "大管家" in html and "tel:13911112222" in html
        assert "钱楼长" in html  # building leader of A1
        assert "郑阿姨" in html and "tel:13922223333" in html  # grid worker
        for name in (
            "测试社区环物会",
            "测试派出所",
            "孙警官",
            "测试家庭医生团队",
            "吴医生",
            "测试社区居委会",
            "测试社区党委",
            "测试互助站",
            "甲小区业委会",
        ):
            assert name in html, name
        assert "tel:01012345678" in html  # residents' committee
        assert reverse("appeals:report") + "?kind=consult&amp;category=health" in html

    def test_compound_b_gets_company_y(self, client, world, staffed):
        client.force_login(world.resident_b)
        html = client.get(reverse("portal:who")).content.decode()
        assert "乙物业" in html and "甲物业" not in html
        assert "钱楼长" not in html  # leads building A1 only
        assert "甲小区业委会" not in html  # serves compound A only
        assert "王师傅" not in html

    def test_pending_resident_sees_note(self, client, world):
        user = account_services.user_register(
            phone="13700000001",
            real_name="王五",
            password="huayuan-2024",
            household=world.household_b,
            relation="tenant",
        )
        client.force_login(user)
        html = client.get(reverse("portal:who")).content.decode()
        assert "等待居委会或户主确认" in html
        assert "乙小区 1号楼 1单元 302" in html and "乙物业" in html

    def test_no_household_explained(self, client, world):
        client.force_login(world.outsider)
        html = client.get(reverse("portal:who")).content.decode()
        assert "您还没有登记房屋" in html
        assert reverse("accounts:register") in html

    def test_choose_between_households(self, client, world):
        account_services.residency_request(
            user=world.resident_a, household=world.household_b, relation="tenant"
        )
        client.force_login(world.resident_a)
        html = client.get(reverse("portal:who"), {"household": world.household_b.pk}).content.decode()
        assert "乙物业" in html and 'name="household"' in html

    def test_rates_shown_when_supervision_provides_them(self, client, world, monkeypatch):
        from types import SimpleNamespace

        from shequ.portal import selectors

        def fake(*, party_ids):
            return {
                pid: SimpleNamespace(response_rate=0.95, resolution_rate=0.8, satisfaction_rate=None)
                for pid in party_ids
            }

        monkeypatch.setattr(selectors, "party_rates_this_month", fake)
        client.force_login(world.resident_a)
        html = client.get(reverse("portal:who")).content.decode()
        assert "响应率 95%" in html and "解决率 80%" in html and "满意率 暂无" in html

    def test_real_rates_without_data(self, client, world):
        from shequ.portal.selectors import party_rates_this_month

        rates = party_rates_this_month(party_ids=[world.company_x.pk])
        assert isinstance(rates, dict)
        client.force_login(world.resident_a)
        html = client.get(reverse("portal:who")).content.decode()
        assert "本月还没有可统计的诉求" in html


class TestHome:
    def test_resident_home(self, client, world, settings, django_assert_max_num_queries):
        client.force_login(world.resident_a)
        with django_assert_max_num_queries(14):  # with the blocks other features add (one query each)
            client.get(reverse("portal:home"))
        settings.SHEQU_HOME_SECTIONS = []
        with django_assert_max_num_queries(10):
            response = client.get(reverse("portal:home"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "测试社区" in html and "甲小区 1号楼 1单元 101" in html
        assert reverse("notices:feed") + "?channel=community" in html
        assert reverse("forum:index") in html and reverse("activities:index") in html
        assert reverse("appeals:report") in html
        for label in (
            "社区公告",
            "党建园地",
            "物业之窗",
            "业委连线",
            "警民直通车",
            "家庭医生",
            "邻里交流",
            "社区服务",
        ):
            assert label in html, label
        assert reverse("portal:who") in html and "甲物业" in html
        assert (
            "审核家人的认证申请" in html
        )  # a verified owner reviews family members' requests, not their own

    def test_staff_see_workbench_and_queue(self, client, world):
        client.force_login(world.rc_staff)
        html = client.get(reverse("portal:home")).content.decode()
        assert reverse("accounts:verify_queue") in html
        assert "测试社区居委会" in html

    def test_observer_reads_but_is_not_offered_to_act(self, client, world):
        client.force_login(world.observer)
        html = client.get(reverse("portal:home")).content.decode()
        assert "观察员" in html and "测试街道办事处" in html
        assert "可以查看，不能办理" in html
        assert reverse("appeals:report") not in html

    def test_outsider_told_to_register(self, client, world):
        client.force_login(world.outsider)
        html = client.get(reverse("portal:home")).content.decode()
        assert reverse("accounts:register") in html
        assert reverse("accounts:verify_queue") not in html

    def test_home_sections_hook(self, client, world, settings):
        settings.SHEQU_HOME_SECTIONS = ["shequ.portal.tests.test_pages.sample_section"]
        client.force_login(world.resident_a)
        html = client.get(reverse("portal:home")).content.decode()
        assert "示例区块" in html and "第一条" in html and "/somewhere/" in html


def sample_section(request, household):
    return {
        "template": "portal/_section.html",
        "title": "示例区块",
        "icon": "notice",
        "items": [
            {"title": "第一条", "url": "/somewhere/", "meta": "今天", "chip": "新", "chip_class": "chip-info"}
        ],
    }


def test_who_page_shows_the_composite_by_the_league_tables_rule(client, world):
    """#14: "the same rule in the API and the 谁在管我家 page": a company with one accepted appeal, neither
    resolved nor rated, shows 综合 样本不足 (not 100 %); one with three appeals resolved and rated 满意
    shows its composite; the rule is written under the scores."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from shequ.appeals.models import Category
    from shequ.appeals.services import appeal_create, appeal_transition
    from shequ.core import clock

    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    lift = Category.objects.get(code="lift")

    def file(reporter, place, minutes):
        with clock.frozen(t0 + timedelta(minutes=minutes)):
            return appeal_create(reporter=reporter, kind="help", category=lift, place=place, text="电梯困人")

    a = file(world.resident_a, world.household_a, 0)
    with clock.frozen(t0 + timedelta(minutes=5)):
        appeal_transition(appeal=a, actor=world.handler_x, action="accept")
    for i in range(3):
        b = file(world.resident_b, world.household_b, i)
        with clock.frozen(t0 + timedelta(minutes=10 + i)):
            b = appeal_transition(appeal=b, actor=world.handler_y, action="accept")
            b = appeal_transition(appeal=b, actor=world.handler_y, action="resolve", text="修好了")
            appeal_transition(
                appeal=b, actor=world.resident_b, action="rate", solved=True, rating="satisfied"
            )
    with clock.frozen(t0 + timedelta(days=1)):
        client.force_login(world.resident_a)
        few = client.get(reverse("portal:who")).content.decode()
        client.force_login(world.resident_b)
        enough = client.get(reverse("portal:who")).content.decode()
    property_a = few.split('id="property"', 1)[1].split("</li>", 1)[0]
    assert "响应率 100%" in property_a and "综合 样本不足" in property_a and "综合 100%" not in property_a
    property_b = enough.split('id="property"', 1)[1].split("</li>", 1)[0]
    assert "综合 100%" in property_b and "样本不足" not in property_b
    assert "没有数据的一项按 0 计" in few and "评价少于 3 条" in few
