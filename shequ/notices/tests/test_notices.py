from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role
from shequ.notices import selectors, services
from shequ.notices.models import Channel, Notice
from shequ.notifications.models import Notification


def post(world, *, place, channel=Channel.COMMUNITY, author=None, party=None, title="停水通知", **kw):
    return services.notice_create(
        author=author or world.rc_staff,
        party=party or world.rc,
        channel=channel,
        place=place,
        title=title,
        body="明天上午9点到12点停水。",
        **kw,
    )


def feed_ids(user):
    return [n.pk for n in selectors.feed_for(user=user)]


# ---- scope rules ----------------------------------------------------------------------------------------


def test_notice_for_building_not_in_other_buildings_feed(world):
    n = post(world, place=world.building_a1)
    assert n.pk in feed_ids(world.resident_a)
    assert n.pk not in feed_ids(world.resident_a2)  # building A2
    assert n.pk not in feed_ids(world.resident_b)  # compound B


def test_feed_holds_exactly_building_compound_community_and_street(world, other_street):
    street, community2, compound_c, building_c = other_street
    mine = [
        post(world, place=world.building_a1, title="本楼"),
        post(world, place=world.compound_a, title="本小区"),
        post(world, place=world.community, title="本社区"),
        post(
            world, place=world.street, title="本街道", author=world.street_leader, party=world.street_office
        ),
    ]
    post(world, place=world.building_a2, title="别的楼")
    post(world, place=world.compound_b, title="别的小区")
    so2 = dparties.party_create(kind=PartyKind.STREET_OFFICE, name="别的街道办", code="so2", places=[street])
    head2 = dparties.membership_create(user=world.outsider, party=so2, role=Role.HEAD).user
    post(world, place=street, title="别的街道", author=head2, party=so2)
    post(world, place=building_c, title="别的街道的楼", author=head2, party=so2)
    assert sorted(feed_ids(world.resident_a)) == sorted(n.pk for n in mine)


def test_feed_order_pinned_first_then_newest(world):
    t0 = clock.now()
    with clock.frozen(t0 - timedelta(hours=3)):
        old_pinned = post(world, place=world.community, is_pinned=True, title="置顶旧")
    with clock.frozen(t0 - timedelta(hours=2)):
        older = post(world, place=world.community, title="旧")
    with clock.frozen(t0 - timedelta(hours=1)):
        newer = post(world, place=world.community, title="新")
    assert feed_ids(world.resident_a) == [old_pinned.pk, newer.pk, older.pk]


def test_scheduled_and_expired_are_not_in_feed(world):
    now = clock.now()
    later = post(world, place=world.community, publish_at=now + timedelta(days=1), title="定时")
    soon_gone = post(world, place=world.community, expires_at=now + timedelta(hours=1), title="将过期")
    assert later.pk not in feed_ids(world.resident_a)
    assert soon_gone.pk in feed_ids(world.resident_a)
    with clock.frozen(now + timedelta(days=2)):
        world.resident_a._shequ_roles = None
        ids = feed_ids(world.resident_a)
    assert later.pk in ids and soon_gone.pk not in ids


def test_private_notice_only_for_verified_residents(world):
    from shequ.accounts.models import Residency

    n = post(world, place=world.building_a1, is_public=False)
    pending = world.outsider
    Residency.objects.create(user=pending, household=world.household_a, relation="tenant")
    assert n.pk in feed_ids(world.resident_a)
    assert n.pk not in feed_ids(pending)
    public = post(world, place=world.building_a1, title="公开")
    assert public.pk in feed_ids(pending)
    with pytest.raises(Forbidden):
        selectors.access_notice(user=pending, notice_id=n.pk)


def test_expiry_before_publish_is_invalid(world):
    now = clock.now()
    with pytest.raises(Invalid):
        post(
            world,
            place=world.community,
            publish_at=now + timedelta(days=2),
            expires_at=now + timedelta(days=1),
        )


# ---- channel permissions --------------------------------------------------------------------------------


def test_company_x_posts_property_only_for_what_it_serves(world):
    ok = post(
        world, place=world.compound_a, channel=Channel.PROPERTY, author=world.handler_x, party=world.company_x
    )
    post(
        world,
        place=world.building_a1,
        channel=Channel.PROPERTY,
        author=world.handler_x,
        party=world.company_x,
    )
    assert ok.party == world.company_x
    with pytest.raises(Forbidden) as e:
        post(
            world,
            place=world.compound_b,
            channel=Channel.PROPERTY,
            author=world.handler_x,
            party=world.company_x,
        )
    assert e.value.code == "scope_not_served"
    with pytest.raises(Forbidden):  # a community is not a property company's scope
        post(
            world,
            place=world.community,
            channel=Channel.PROPERTY,
            author=world.handler_x,
            party=world.company_x,
        )
    with pytest.raises(Forbidden):  # and not its channel
        post(
            world,
            place=world.compound_a,
            channel=Channel.COMMUNITY,
            author=world.handler_x,
            party=world.company_x,
        )
    with pytest.raises(Forbidden):  # not a member of company Y
        post(
            world,
            place=world.compound_b,
            channel=Channel.PROPERTY,
            author=world.handler_x,
            party=world.company_y,
        )


def test_channel_rules_for_other_parties(world):
    post(
        world,
        place=world.community,
        channel=Channel.PARTY,
        author=world.party_secretary,
        party=world.party_org,
    )
    post(
        world, place=world.community, channel=Channel.POLICE, author=world.police_officer, party=world.police
    )
    owners_head = dparties.membership_create(
        user=world.resident_a, party=world.owners_committee, role=Role.HEAD
    ).user
    post(
        world,
        place=world.compound_a,
        channel=Channel.OWNERS,
        author=owners_head,
        party=world.owners_committee,
    )
    with pytest.raises(Forbidden):
        post(
            world,
            place=world.compound_b,
            channel=Channel.OWNERS,
            author=owners_head,
            party=world.owners_committee,
        )
    with pytest.raises(Forbidden):  # residents' committee cannot post in 党建园地
        post(world, place=world.community, channel=Channel.PARTY)
    with pytest.raises(Forbidden):  # nor for the whole street
        post(world, place=world.street)
    with pytest.raises(Forbidden):  # observers never post
        post(world, place=world.street, author=world.observer, party=world.street_office)
    with pytest.raises(Forbidden):  # a building leader only for their own building
        post(world, place=world.building_a2, author=world.building_leader)
    post(world, place=world.building_a1, author=world.building_leader)


# ---- read tracking -------------------------------------------------------------------------------------


def test_read_count_and_unread_households(world, client):
    n = post(world, place=world.compound_a)
    client.force_login(world.building_leader)
    url = reverse("notices:unread", args=[n.pk, world.building_a1.pk])
    r = client.get(url)
    assert r.status_code == 200 and "101" in r.content.decode()
    client.force_login(world.resident_a)
    client.get(reverse("notices:detail", args=[n.pk]))
    client.get(reverse("notices:detail", args=[n.pk]))  # twice counts once
    n.refresh_from_db()
    assert n.read_count == 1
    client.force_login(world.building_leader)
    rows = selectors.unread_households(user=world.building_leader, notice=n, building=world.building_a1)
    assert rows == []
    assert (
        "全部都已阅读" in client.get(url).content.decode()
        or "所有住户都已阅读" in client.get(url).content.decode()
    )
    # the building leader of A1 may not see A2's list; a resident may not see any
    assert client.get(reverse("notices:unread", args=[n.pk, world.building_a2.pk])).status_code == 403
    client.force_login(world.resident_a2)
    assert client.get(url).status_code == 403


def test_unread_lists_households_with_residents(world):
    n = post(world, place=world.community)
    rows = selectors.unread_households(user=world.rc_staff, notice=n, building=world.building_a2)
    assert [(r.household.name, r.residents) for r in rows] == [("201", ["张小三"])]


def test_new_notice_reaches_residents_inbox(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = post(world, place=world.building_a1)
    assert Notification.objects.filter(recipient=world.resident_a, key=f"notice:{n.pk}").exists()
    assert not Notification.objects.filter(recipient=world.resident_b, key=f"notice:{n.pk}").exists()


# ---- attachments ----------------------------------------------------------------------------------------


def test_attachments_checked_and_served_with_permission(world, client, png_bytes):
    img = SimpleUploadedFile("a.png", png_bytes, content_type="image/png")
    pdf = SimpleUploadedFile("b.pdf", b"%PDF-1.4\n%fake\n", content_type="application/pdf")
    n = post(world, place=world.building_a1, is_public=False, files=[img, pdf])
    atts = list(n.attachments.all())
    assert [a.kind for a in atts] == ["image", "pdf"]
    url = reverse("notices:attachment", args=[n.pk, atts[0].pk])
    client.force_login(world.resident_a)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"  # re-encoded by the one image policy
    client.force_login(world.resident_b)
    assert client.get(url).status_code == 403
    with pytest.raises(Invalid):
        post(
            world,
            place=world.community,
            files=[SimpleUploadedFile("x.png", b"<script>", content_type="image/png")],
        )
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 + 1))
    with pytest.raises(Invalid):
        post(world, place=world.community, files=[big])


# ---- pages ---------------------------------------------------------------------------------------------


def test_create_page_posts_notice(world, client):
    client.force_login(world.handler_x)
    r = client.get(reverse("notices:create"))
    assert r.status_code == 200
    body = r.content.decode()
    assert "甲小区" in body and "乙小区" not in body
    r = client.post(
        reverse("notices:create"),
        {
            "right": f"{world.company_x.pk}:property",
            "place": world.compound_b.pk,
            "title": "越权",
            "body": "x",
            "is_public": "on",
        },
    )
    assert r.status_code == 422
    r = client.post(
        reverse("notices:create"),
        {
            "right": f"{world.company_x.pk}:property",
            "place": world.compound_a.pk,
            "title": "电梯检修",
            "body": "周三",
            "is_public": "on",
        },
    )
    assert r.status_code == 302
    assert Notice.objects.get(title="电梯检修").place == world.compound_a


def test_atom_feed_lists_public_notices_only(world, client):
    post(world, place=world.community, title="公开通知")
    post(world, place=world.building_a1, title="内部通知", is_public=False)
    r = client.get(reverse("notices:atom", args=[world.community.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    body = r.content.decode()
    assert "公开通知" in body and "内部通知" not in body


def test_withdraw(world, client):
    n = post(world, place=world.community)
    client.force_login(world.resident_a)
    assert client.post(reverse("notices:withdraw", args=[n.pk])).status_code == 403
    assert client.post(reverse("notices:pin", args=[n.pk]), {"pinned": "1"}).status_code == 403
    client.force_login(world.rc_staff)
    assert client.post(reverse("notices:pin", args=[n.pk]), {"pinned": "1"}).status_code == 302
    n.refresh_from_db()
    assert n.is_pinned
    asked = client.post(reverse("notices:withdraw", args=[n.pk]))  # the first POST only asks
    assert asked.status_code == 200 and "确定撤回" in asked.content.decode()
    n.refresh_from_db()
    assert not n.is_withdrawn and n.pk in feed_ids(world.resident_a)
    assert client.post(reverse("notices:withdraw", args=[n.pk]), {"confirmed": "1"}).status_code == 302
    assert n.pk not in feed_ids(world.resident_a)
    page = client.get(reverse("notices:detail", args=[n.pk])).content.decode()
    assert "恢复公告" in page
    client.force_login(world.resident_a)
    assert (
        client.post(reverse("notices:restore", args=[n.pk])).status_code == 404
    )  # withdrawn: not theirs to see
    client.force_login(world.rc_staff)
    assert client.post(reverse("notices:restore", args=[n.pk])).status_code == 302  # undo
    assert n.pk in feed_ids(world.resident_a)


def test_feed_query_count_is_pinned(world, client, django_assert_max_num_queries):
    for i in range(25):
        post(world, place=world.community, title=f"通知{i}")
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(10):
        r = client.get(reverse("notices:feed"))
    assert r.status_code == 200 and "通知24" in r.content.decode()
    assert client.get(reverse("notices:feed") + "?page=2").status_code == 200


def test_home_notices_selector_and_partial(world):
    from django.template.loader import render_to_string

    post(world, place=world.building_a1, title="首页公告")
    items = selectors.home_notices(user=world.resident_a)
    assert [n.title for n in items] == ["首页公告"]
    html = render_to_string("notices/_home.html", {"notices": items})
    assert "首页公告" in html


def test_staff_and_outsiders_do_not_count_as_readers(world):
    n = post(world, place=world.building_a1)
    assert services.notice_mark_read(notice=n, user=world.rc_staff) is False
    assert services.notice_mark_read(notice=n, user=world.resident_b) is False  # public, but not addressed
    assert services.notice_mark_read(notice=n, user=world.resident_a) is True
    n.refresh_from_db()
    assert n.read_count == 1


def test_home_section_hook_renders_on_portal_home(world, client, settings):
    settings.SHEQU_HOME_SECTIONS = ["shequ.notices.home.section"]
    post(world, place=world.building_a1, title="楼里的公告")
    client.force_login(world.resident_a)
    r = client.get("/")
    assert r.status_code == 200 and "楼里的公告" in r.content.decode()


def test_staff_feed_defaults_to_their_organisation(world, client):
    later = post(world, place=world.community, title="定时的", publish_at=clock.now() + timedelta(days=1))
    client.force_login(world.rc_staff)
    html = client.get(reverse("notices:feed")).content.decode()
    assert "定时的" in html  # scheduled notices are listed for their publisher
    client.force_login(world.resident_a)
    assert "定时的" not in client.get(reverse("notices:feed")).content.decode()
    assert later.pk


def test_create_form_places_follow_the_chosen_right(world, client):
    client.force_login(world.party_secretary)  # party org: 社区公告 and 党建园地 for the community
    dparties.membership_create(user=world.party_secretary, party=world.street_office, role=Role.HEAD)
    world.party_secretary._shequ_roles = None
    r = client.get(reverse("notices:create") + f"?right={world.street_office.pk}:party")
    assert "测试街道" in r.content.decode()
    r = client.get(reverse("notices:create") + f"?right={world.party_org.pk}:party")
    html = r.content.decode()
    assert 'id="field-place"' in html and ">测试街道<" not in html and "甲小区" in html
