from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.accounts.models import Residency
from shequ.directory import parties as dparties
from shequ.directory.models import Role
from shequ.notices import services
from shequ.notices.models import Channel

appeals_services = pytest.importorskip("shequ.appeals.services")
from shequ.appeals import selectors as appeals_selectors  # noqa: E402
from shequ.appeals.models import Category  # noqa: E402


def test_family_doctor_question_visible_only_to_household_and_doctor_team(world, client):
    from shequ.conftest import make_user

    family = make_user("13800000099", "张家人")
    Residency.objects.create(user=family, household=world.household_a, relation="family", status="verified")
    appeal = appeals_services.appeal_create(
        reporter=world.resident_a,
        kind="consult",
        category=Category.objects.get(code="health"),
        place=world.household_a,
        text="老人血压偏高，需要注意什么？",
        is_public=False,
    )
    assert appeal.responsible_party_id == world.doctors.pk
    # the asking household
    for user in (world.resident_a, family):
        client.force_login(user)
        html = client.get(reverse("notices:doctor")).content.decode()
        assert "老人血压偏高" in html, user
        assert "向家庭医生咨询" in html and "kind=consult&amp;category=health" in html
    # the doctor team
    assert (
        appeals_selectors.appeals_visible_to(user=world.doctor, scope="assigned")
        .filter(pk=appeal.pk)
        .exists()
    )
    # nobody else: a neighbour in the same compound, the residents' committee, the property company
    for user in (world.resident_a2, world.resident_b, world.rc_staff, world.handler_x, world.police_officer):
        assert (
            not appeals_selectors.appeals_visible_to(user=user, scope="all").filter(pk=appeal.pk).exists()
        ), user
        client.force_login(user)
        assert "老人血压偏高" not in client.get(reverse("notices:doctor")).content.decode()


def test_police_page_shows_officers_notices_and_consult_button(world, client):
    services.notice_create(
        author=world.police_officer,
        party=world.police,
        channel=Channel.POLICE,
        place=world.community,
        title="防范电信诈骗",
        body="不要轻信陌生来电。",
    )
    client.force_login(world.resident_a)
    html = client.get(reverse("notices:police")).content.decode()
    assert "孙警官" in html and "防范电信诈骗" in html and "category=safety" in html


def test_property_window_page(world, client):
    world.company_x.service_promises = "24小时内上门维修"
    world.company_x.fee_standard = "2.5元/平方米·月"
    world.company_x.save()
    dparties.membership_create(user=world.handler_x, party=world.company_x, role=Role.MANAGER)
    services.notice_create(
        author=world.handler_x,
        party=world.company_x,
        channel=Channel.PROPERTY,
        place=world.compound_a,
        title="电梯年检",
        body="周三。",
    )
    client.force_login(world.resident_a)
    r = client.get(reverse("notices:property_index"))
    assert r.status_code == 302 and r["Location"] == reverse("notices:property", args=[world.company_x.pk])
    html = client.get(r["Location"]).content.decode()
    for text in ("甲物业", "24小时内上门维修", "2.5元", "1号楼", "2号楼", "电梯年检", "响应率", "2020-01-01"):
        assert text in html, text
    assert "乙小区" not in html


def test_owners_page_lists_members_and_decisions(world, client, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    head = dparties.membership_create(
        user=world.resident_a2, party=world.owners_committee, role=Role.HEAD, title="业委会主任"
    ).user
    services.notice_create(
        author=head,
        party=world.owners_committee,
        channel=Channel.OWNERS,
        place=world.compound_a,
        title="关于续聘物业的决定",
        body="业主大会表决通过。",
        files=[SimpleUploadedFile("决议.pdf", b"%PDF-1.4 x")],
    )
    client.force_login(world.resident_a)
    r = client.get(reverse("notices:owners_index"))
    assert r["Location"] == reverse("notices:owners", args=[world.owners_committee.pk])
    html = client.get(r["Location"]).content.decode()
    assert "业委会主任" in html and "关于续聘物业的决定" in html and "决议.pdf" in html
    client.force_login(world.resident_b)  # compound B has no owners' committee
    assert client.get(reverse("notices:owners_index")).status_code == 200


def test_every_notices_url_requires_login_or_permission(world, client):
    n = services.notice_create(
        author=world.rc_staff,
        party=world.rc,
        channel=Channel.COMMUNITY,
        place=world.building_a1,
        title="内部",
        body="x",
        is_public=False,
    )
    urls = [
        reverse("notices:feed"),
        reverse("notices:create"),
        reverse("notices:detail", args=[n.pk]),
        reverse("notices:unread", args=[n.pk, world.building_a1.pk]),
        reverse("notices:property_index"),
        reverse("notices:property", args=[world.company_x.pk]),
        reverse("notices:owners_index"),
        reverse("notices:owners", args=[world.owners_committee.pk]),
        reverse("notices:doctor"),
        reverse("notices:police"),
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url
    assert client.post(reverse("notices:withdraw", args=[n.pk])).status_code == 302
    assert client.post(reverse("notices:pin", args=[n.pk])).status_code == 302
    assert client.get(reverse("notices:atom", args=[world.community.pk])).status_code == 200  # public feed
    client.force_login(world.outsider)
    assert client.get(reverse("notices:create")).status_code == 403
    assert client.get(reverse("notices:detail", args=[n.pk])).status_code == 403
    assert client.get(reverse("notices:unread", args=[n.pk, world.building_a1.pk])).status_code == 403
    assert client.post(reverse("notices:withdraw", args=[n.pk])).status_code == 403
    for url in (
        reverse("notices:feed"),
        reverse("notices:doctor"),
        reverse("notices:police"),
        reverse("notices:property_index"),
        reverse("notices:owners_index"),
    ):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("notices:property", args=[world.police.pk])).status_code == 404


def test_property_window_shows_rates_and_recently_resolved_appeals(world, client):
    appeal = appeals_services.appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="water"),
        place=world.household_a,
        text="厨房水龙头没水了",
    )
    assert appeal.responsible_party_id == world.company_x.pk
    appeals_services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    appeals_services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="已修好")
    client.force_login(world.resident_a2)
    html = client.get(reverse("notices:property", args=[world.company_x.pk])).content.decode()
    assert appeal.number in html
    assert "100%" in html  # accepted within the limit: response rate 100%
    html = client.get(reverse("notices:property", args=[world.company_y.pk])).content.decode()
    assert appeal.number not in html
