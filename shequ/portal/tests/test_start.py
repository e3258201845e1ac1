"""Start pages: each kind of staff gets their own, residents keep theirs, people who are both can switch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import checks
from django.urls import reverse

from shequ.appeals.models import Category
from shequ.appeals.services import appeal_create
from shequ.conftest import make_user
from shequ.directory import parties as dparties
from shequ.directory.models import Role
from shequ.portal import start as start_pages
from shequ.portal.start import DEPARTMENT, DISPATCHER, HANDLER, STREET, SUPERVISOR, start_for


def _blocks(html: str) -> list[str]:
    import re

    return re.findall(r'id="start-([a-z]+)"', html)


@pytest.fixture
def lift_appeal(world):
    return appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=world.household_a,
        text="1号楼电梯停在5楼",
    )


class TestDesks:
    def test_each_role_has_its_desk(self, world):
        assert start_for(user=world.handler_x).desks == [HANDLER]
        assert start_for(user=world.rc_staff).desks == [DISPATCHER]
        assert start_for(user=world.env_director).desks == [SUPERVISOR]
        assert start_for(user=world.party_secretary).desks == [SUPERVISOR]
        assert start_for(user=world.street_leader).desks == [STREET]
        assert start_for(user=world.police_officer).desks == [HANDLER]

    def test_department_desk(self, world):
        officer = make_user("13900000077", "部门")
        dparties.membership_create(user=officer, party=world.dept_housing, role=Role.STAFF)
        assert start_for(user=officer).desks == [DEPARTMENT]

    def test_observer_is_read_only(self, world):
        start = start_for(user=world.observer)
        assert start.desks == [STREET] and start.read_only

    def test_volunteers_and_residents_have_no_desk(self, world):
        assert start_for(user=world.resident_a).desks == []
        assert start_for(user=world.building_leader).desks == []
        assert start_for(user=world.volunteer).desks == []


class TestPages:
    def test_resident_keeps_the_resident_home(self, client, world):
        client.force_login(world.resident_a)
        html = client.get(reverse("portal:home")).content.decode()
        assert "report-button" in html and not _blocks(html)

    def test_handler_lands_on_the_queue(self, client, world, lift_appeal, django_assert_max_num_queries):
        client.force_login(world.handler_x)
        with django_assert_max_num_queries(16):  # +2: the meetings block (open action items, meetings)
            response = client.get(reverse("portal:home"))
        html = response.content.decode()
        assert _blocks(html) == ["queue"]
        assert "我要反映" not in html.split("<main")[1].split("</main>")[0]
        assert f"?selected={lift_appeal.pk}" in html  # the next due item
        assert 'data-tab="workbench"' in html and "工作台</a>" in html

    def test_dispatcher_sees_the_unrouted_queue_first(self, client, world, django_assert_max_num_queries):
        Category.objects.create(code="mystery", name="神秘事项")
        appeal_create(
            reporter=world.resident_b,
            kind="suggestion",
            category=Category.objects.get(code="mystery"),
            place=world.household_b,
            text="建议",
        )
        client.force_login(world.rc_staff)
        with django_assert_max_num_queries(18):  # +2: the meetings block (open action items, meetings)
            html = client.get(reverse("portal:home")).content.decode()
        assert _blocks(html)[0] == "dispatch"
        assert "去派单（1）" in html and "神秘事项" in html

    def test_street_leader_sees_kpis(self, client, world, lift_appeal, django_assert_max_num_queries):
        client.force_login(world.street_leader)
        client.get(reverse("portal:home"))  # the first read brings the analytics rollups up to date
        # session, user, roles (3), streets, 4 counts, communities, rates, league, unread …
        with django_assert_max_num_queries(21):  # +2: the meetings block (open action items, meetings)
            html = client.get(reverse("portal:home")).content.decode()
        assert _blocks(html) == ["street"]
        assert "未办结" in html and "响应率" in html
        assert reverse("analytics:street_dashboard") in html

    def test_observer_gets_read_only_links(self, client, world):
        client.force_login(world.observer)
        html = client.get(reverse("portal:home")).content.decode()
        assert _blocks(html) == ["street"] and "只读" in html

    def test_bottom_bar_marks_the_current_tab(self, client, world):
        client.force_login(world.rc_staff)
        html = client.get(reverse("appeals:workbench") + "?status=submitted").content.decode()
        assert 'data-tab="desk" aria-current="page"' in html.replace(' class="tab-primary"', "")
        client.force_login(world.resident_a)
        html = client.get(reverse("appeals:mine")).content.decode()
        assert 'data-tab="mine" aria-current="page"' in html


def _header_tabs(html: str) -> dict[str, bool]:
    """The header's tabs: data-tab -> marked current."""
    import re

    header = html.split("<header", 1)[1].split("</header>", 1)[0]
    return {
        m.group(2): bool(m.group(3))
        for m in re.finditer(
            r'<a href="([^"]*)" class="topnav-link topnav-tab[^"]*" data-tab="(\w+)"( aria-current="page")?',
            header,
        )
    }


class TestHeader:
    """#14: "bottom bar and header show where you are" — on a desktop the bottom bar is hidden, so the
    header carries 工作台 and the desk's main task, the current one marked; the observer included."""

    def test_staff_header_has_the_workbench_and_the_desk_task(self, client, world):
        client.force_login(world.street_leader)
        assert _header_tabs(client.get(reverse("portal:home")).content.decode()) == {
            "workbench": False,
            "desk": False,
        }
        html = client.get(reverse("analytics:street_dashboard")).content.decode()
        assert _header_tabs(html) == {"workbench": False, "desk": True}
        assert "排名" in html.split("<header", 1)[1].split("</header>", 1)[0]

    def test_observer_header_links_what_the_observer_may_open(self, client, world):
        client.force_login(world.observer)
        html = client.get(reverse("portal:home")).content.decode()
        assert _header_tabs(html) == {"workbench": False, "desk": False}
        html = client.get(reverse("appeals:workbench")).content.decode()
        assert _header_tabs(html)["workbench"] is True

    def test_residents_have_no_staff_tabs_and_queue_workers_keep_the_workbench(self, client, world):
        client.force_login(world.resident_a)
        assert _header_tabs(client.get(reverse("portal:home")).content.decode()) == {}
        leader = start_for(user=world.building_leader)
        assert not leader.desks
        client.force_login(world.building_leader)
        tabs = _header_tabs(client.get(reverse("portal:home")).content.decode())
        assert tabs == ({"workbench": False} if leader.roles.party_ids else {})


class TestSwitch:
    def test_staff_resident_switches_and_back(self, client, world):
        dparties.membership_create(user=world.resident_a, party=world.mutual_aid, role=Role.HEAD)
        client.force_login(world.resident_a)
        assert _blocks(client.get(reverse("portal:home")).content.decode()) == ["queue"]
        client.post(reverse("portal:switch"), {"view": "resident"})
        html = client.get(reverse("portal:home")).content.decode()
        assert "report-button" in html and "切换到工作首页" in html
        client.post(reverse("portal:switch"), {"view": "staff"})
        assert _blocks(client.get(reverse("portal:home")).content.decode()) == ["queue"]

    def test_switch_needs_post_and_login(self, client, world):
        assert client.post(reverse("portal:switch"), {"view": "resident"}).status_code == 302
        client.force_login(world.handler_x)
        assert client.get(reverse("portal:switch")).status_code == 405
        # Without a household the resident view is not offered: the start page stays.
        client.post(reverse("portal:switch"), {"view": "resident"})
        assert _blocks(client.get(reverse("portal:home")).content.decode()) == ["queue"]


class TestRegistry:
    def test_a_broken_block_path_fails_the_system_check(self, monkeypatch):
        monkeypatch.setattr(start_pages, "block_paths", lambda: ["shequ.portal.start_blocks.nope"])
        errors = start_pages.check_start_blocks()
        assert [e.id for e in errors] == ["portal.E001"]
        assert all(isinstance(e, checks.Error) for e in errors)

    def test_every_declared_block_imports(self):
        assert start_pages.check_start_blocks() == []
        assert len(start_pages.block_providers()) >= 5


class TestQueueOrder:
    def test_next_due_is_the_workbench_queue_first(self, world, lift_appeal):
        """The queue block's "next due" comes from the appeals' one order (`due_order`, next_due_at):
        an appeal whose accept limit is earlier but whose next_due_at is later is not shown first."""
        from django.test import RequestFactory

        from shequ.appeals import selectors as appeal_selectors
        from shequ.appeals.models import Appeal
        from shequ.portal import start_blocks

        other = appeal_create(
            reporter=world.resident_a,
            kind="help",
            category=Category.objects.get(code="lift"),
            place=world.household_a,
            text="2号楼电梯门关不上",
        )
        base = lift_appeal.accept_due_at
        # lift_appeal: earlier accept limit, but already escalated, so it next falls due later.
        Appeal.objects.filter(pk=lift_appeal.pk).update(
            accept_due_at=base, next_due_at=base + timedelta(hours=9)
        )
        Appeal.objects.filter(pk=other.pk).update(
            accept_due_at=base + timedelta(hours=1), next_due_at=base + timedelta(hours=1)
        )
        queue = appeal_selectors.appeal_list(user=world.handler_x, scope="assigned", status="open")
        assert queue.first() == other
        request = RequestFactory().get("/")
        request.user = world.handler_x
        block = start_blocks.queue(request, start_for(user=world.handler_x))
        assert block is not None and block.items
        assert block.items[0].url.endswith(f"?selected={other.pk}")


class TestStreetCounts:
    def test_observer_and_leader_see_the_same_escalated_count(self, world, lift_appeal):
        """升级到街道 counts for the street's parties, not the viewer's acting roles: the read-only
        observer's tile says what the leader's says for the same data."""
        from django.test import RequestFactory

        from shequ.appeals.models import Appeal
        from shequ.portal import start_blocks

        Appeal.objects.filter(pk=lift_appeal.pk).update(escalation_level=3, escalated_to=world.street_office)

        def escalated(user) -> object:
            request = RequestFactory().get("/")
            request.user = user
            block = start_blocks.street(request, start_for(user=user))
            assert block is not None
            return next(t.value for t in block.tiles if t.label == "升级到街道")

        assert escalated(world.street_leader) == escalated(world.observer) == 1

    def test_street_block_lists_the_worst_companies_with_enough_ratings(self, world):
        """The street leader's "worst-performing parties": by the league table's rule — 乙物业, rated three
        times, is listed with its composite; 甲物业, one accepted appeal and no rating, has no composite
        (样本不足) and is not named as worst (nor as good)."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from django.test import RequestFactory

        from shequ.appeals.services import appeal_transition
        from shequ.core import clock
        from shequ.portal import start_blocks

        t0 = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        lift = Category.objects.get(code="lift")
        with clock.frozen(t0):
            a = appeal_create(
                reporter=world.resident_a, kind="help", category=lift, place=world.household_a, text="电梯"
            )
            appeal_transition(appeal=a, actor=world.handler_x, action="accept")
            for rating in ("satisfied", "basically", "unsatisfied"):
                b = appeal_create(
                    reporter=world.resident_b,
                    kind="help",
                    category=lift,
                    place=world.household_b,
                    text="电梯",
                )
                b = appeal_transition(appeal=b, actor=world.handler_y, action="accept")
                b = appeal_transition(appeal=b, actor=world.handler_y, action="resolve", text="修好了")
                appeal_transition(appeal=b, actor=world.resident_b, action="rate", solved=True, rating=rating)
        with clock.frozen(t0 + timedelta(days=1)):
            request = RequestFactory().get("/")
            request.user = world.street_leader
            block = start_blocks.street(request, start_for(user=world.street_leader))
        assert block is not None
        assert [i.title for i in block.items] == ["乙物业"]
        assert block.items[0].chip.endswith("%") and block.note == "本月表现最差的物业公司"
        assert block.items[0].url == reverse("analytics:party", args=[world.company_y.pk])


class TestNothingToDo:
    def test_empty_police_start_page_says_nothing_to_do(self, client, world):
        """All-zero tiles are not a message: an empty queue says so in words (translatable)."""
        for user in (world.doctor, world.police_officer):
            client.force_login(user)
            html = client.get(reverse("portal:home")).content.decode()
            assert "queue" in _blocks(html)
            assert 'class="start-note start-empty">没有待办的工单。' in html
        client.cookies["django_language"] = "en"
        html = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "没有待办的工单" not in html
