"""Directory admin: screens render with bounded queries, saves go through the services, import works."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from shequ.accounts.models import User
from shequ.directory.models import Membership, Party, Place, PlaceKind, ServiceContract, Spot


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(phone="13700000000", password="admin-pass-123")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


CHANGELISTS = [
    "admin:directory_place_changelist",
    "admin:directory_spot_changelist",
    "admin:directory_party_changelist",
    "admin:directory_membership_changelist",
    "admin:directory_servicecontract_changelist",
    "admin:directory_partyregistration_changelist",
    "admin:core_job_changelist",
]


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_render_with_bounded_queries(world, admin_client, django_assert_max_num_queries, name):
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelists_need_staff(world, client, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(world.resident_a)
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_change_forms_render(world, admin_client):
    for url in (
        reverse("admin:directory_place_change", args=[world.compound_a.pk]),
        reverse("admin:directory_place_add"),
        reverse("admin:directory_party_change", args=[world.rc.pk]),
        reverse("admin:directory_servicecontract_add"),
        reverse("admin:directory_spot_change", args=[world.lift_a1.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(
        reverse("admin:directory_place_change", args=[world.compound_a.pk])
    ).content.decode()
    assert reverse("admin:directory_place_import", args=[world.compound_a.pk]) in page


def test_place_search_autocomplete(world, admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "甲", "app_label": "directory", "model_name": "place", "field_name": "parent"},
    )
    assert response.status_code == 200
    assert "甲小区" in response.json()["results"][0]["text"]


def test_adding_a_place_in_admin_fills_ancestor_columns(world, admin_client):
    response = admin_client.post(
        reverse("admin:directory_place_add"),
        {
            "kind": "building",
            "name": "9号楼",
            "parent": world.compound_a.pk,
            "code": "",
            "sort": 9,
            "floor": "",
            "floor_area": "",
            "address": "",
            "spots-TOTAL_FORMS": 0,
            "spots-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    building = Place.objects.get(name="9号楼")
    assert building.building_id == building.pk and building.compound_id == world.compound_a.pk
    assert building.community_id == world.community.pk


def test_admin_rejects_a_bad_parent_as_a_form_error(world, admin_client):
    response = admin_client.post(
        reverse("admin:directory_place_add"),
        {
            "kind": "building",
            "name": "9号楼",
            "parent": world.household_a.pk,
            "sort": 0,
            "spots-TOTAL_FORMS": 0,
            "spots-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "不能建在" in response.content.decode()
    assert not Place.objects.filter(name="9号楼").exists()


def test_moving_a_building_in_admin_updates_its_households(world, admin_client):
    response = admin_client.post(
        reverse("admin:directory_place_change", args=[world.building_a1.pk]),
        {
            "name": "1号楼",
            "parent": world.compound_b.pk,
            "sort": 0,
            "code": "",
            "floor": "",
            "floor_area": "",
            "address": "",
            "spots-TOTAL_FORMS": 1,
            "spots-INITIAL_FORMS": 1,
            "spots-0-id": world.lift_a1.pk,
            "spots-0-place": world.building_a1.pk,
        },
    )
    # 1号楼 already exists in compound B: a form error, nothing moved
    assert response.status_code == 200 and "已有" in response.content.decode()
    response = admin_client.post(
        reverse("admin:directory_place_change", args=[world.building_a1.pk]),
        {
            "name": "5号楼",
            "parent": world.compound_b.pk,
            "sort": 0,
            "code": "",
            "floor": "",
            "floor_area": "",
            "address": "",
            "spots-TOTAL_FORMS": 1,
            "spots-INITIAL_FORMS": 1,
            "spots-0-id": world.lift_a1.pk,
            "spots-0-place": world.building_a1.pk,
        },
    )
    assert response.status_code == 302
    assert Place.objects.get(pk=world.household_a.pk).compound_id == world.compound_b.pk
    assert Spot.objects.get(pk=world.lift_a1.pk).compound_id == world.compound_b.pk


def test_contract_admin_validates_through_the_service(world, admin_client):
    url = reverse("admin:directory_servicecontract_add")
    response = admin_client.post(
        url,
        {
            "company": world.company_x.pk,
            "places": [world.household_a.pk],
            "starts_on": "2024-01-01",
            "number": "",
            "note": "",
        },
    )
    assert response.status_code == 200 and "小区或楼栋" in response.content.decode()
    response = admin_client.post(
        url,
        {
            "company": world.company_x.pk,
            "places": [world.compound_b.pk],
            "starts_on": "2024-01-01",
            "ends_on": "2026-12-31",
            "number": "N-1",
            "note": "",
        },
    )
    assert response.status_code == 302
    contract = ServiceContract.objects.get(number="N-1")
    assert list(contract.places.all()) == [world.compound_b]


def test_party_admin_creates_party_and_members(world, admin_client):
    response = admin_client.post(
        reverse("admin:directory_party_add"),
        {
            "kind": "co_builder",
            "name": "测试小学",
            "code": "t-school",
            "home": world.community.pk,
            "phone": "",
            "address": "",
            "hours": "",
            "description": "",
            "service_promises": "",
            "fee_standard": "",
            "is_active": "on",
            "served-TOTAL_FORMS": 1,
            "served-INITIAL_FORMS": 0,
            "served-0-place": world.community.pk,
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-user": world.outsider.pk,
            "memberships-0-role": "staff",
            "memberships-0-title": "联络人",
            "memberships-0-public_phone": "",
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    party = Party.objects.get(code="t-school")
    assert list(party.places.all()) == [world.community]
    assert Membership.objects.get(party=party).user == world.outsider


def test_registration_admin(world, admin_client):
    url = reverse("admin:directory_partyregistration_add")
    response = admin_client.post(
        url,
        {
            "party": world.company_x.pk,
            "party_org": world.rc.pk,
            "registered_on": "2024-01-02",
            "contact_name": "",
            "note": "",
        },
    )
    assert response.status_code == 200 and "社区党组织" in response.content.decode()
    response = admin_client.post(
        url,
        {
            "party": world.company_x.pk,
            "party_org": world.party_org.pk,
            "registered_on": "2024-01-02",
            "contact_name": "经理",
            "note": "",
        },
    )
    assert response.status_code == 302
    assert world.company_x.registrations.get().party_org == world.party_org


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["楼栋", "单元", "门牌号", "楼层", "专有面积"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_from_the_admin(world, admin_client):
    url = reverse("admin:directory_place_import", args=[world.compound_b.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "批量导入" in page.content.decode()
    upload = SimpleUploadedFile(
        "h.xlsx", _xlsx([["2号楼", "1单元", "101", 1, 70], ["2号楼", "1单元", "102", 1, 71]])
    )
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    assert (
        Place.objects.filter(
            compound=world.compound_b, building__name="2号楼", kind=PlaceKind.HOUSEHOLD
        ).count()
        == 2
    )
    bad = SimpleUploadedFile(
        "h.xlsx", _xlsx([["3号楼", "1单元", "101", 1, 70], ["3号楼", "1单元", "102", 1, "?"]])
    )
    response = admin_client.post(url, {"file": bad})
    text = response.content.decode()
    assert 'id="import-report"' in text and "不是数字" in text
    assert not Place.objects.filter(name="3号楼").exists()
    wrong = SimpleUploadedFile("h.docx", b"x")
    assert "只支持" in admin_client.post(url, {"file": wrong}).content.decode()


def test_import_view_permissions(world, client):
    url = reverse("admin:directory_place_import", args=[world.compound_b.pk])
    client.logout()
    assert client.get(url).status_code == 302  # anonymous → admin login
    client.force_login(world.resident_a)
    assert client.get(url).status_code == 302  # not staff → admin login
    staff = User.objects.create_user(
        phone="13700000001", password="x-pass-1234", real_name="只读", is_staff=True
    )
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff without the add-place permission
    admin = User.objects.create_superuser(phone="13700000002", password="x-pass-1234")
    client.force_login(admin)
    building_url = reverse("admin:directory_place_import", args=[world.building_a1.pk])
    assert client.get(building_url).status_code == 302  # only compounds take an import


def test_job_admin_is_read_only(world, admin_client):
    from shequ.core.models import Job

    job = Job.objects.create(name="x.y", payload={"a": 1})
    assert admin_client.get(reverse("admin:core_job_change", args=[job.pk])).status_code == 200
    assert admin_client.get(reverse("admin:core_job_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:core_job_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    )


def test_spot_admin_moves_a_spot_through_the_service(world, admin_client):
    url = reverse("admin:directory_spot_change", args=[world.lift_a1.pk])
    response = admin_client.post(
        url,
        {
            "place": world.building_b1.pk,
            "kind": "lift",
            "name": "1号电梯",
            "code": "B1-1",
            "install_year": 2008,
        },
    )
    assert response.status_code == 302
    spot = Spot.objects.get(pk=world.lift_a1.pk)
    assert (spot.place_id, spot.compound_id, spot.install_year) == (
        world.building_b1.pk,
        world.compound_b.pk,
        2008,
    )
    response = admin_client.post(
        reverse("admin:directory_spot_add"),
        {
            "place": world.compound_a.pk,
            "kind": "bike_shed",
            "name": "智能车棚",
            "code": "",
            "install_year": 2019,
        },
    )
    assert response.status_code == 302
    assert Spot.objects.get(name="智能车棚").community_id == world.community.pk


def test_party_admin_edits_members(world, admin_client):
    membership = Membership.objects.get(user=world.handler_x)
    response = admin_client.post(
        reverse("admin:directory_party_change", args=[world.company_x.pk]),
        {
            "name": "甲物业（新）",
            "home": world.community.pk,
            "phone": "010-1",
            "address": "",
            "hours": "",
            "description": "",
            "service_promises": "",
            "fee_standard": "",
            "is_active": "on",
            "served-TOTAL_FORMS": 0,
            "served-INITIAL_FORMS": 0,
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 1,
            "memberships-0-id": membership.pk,
            "memberships-0-party": world.company_x.pk,
            "memberships-0-user": world.handler_x.pk,
            "memberships-0-role": "handler",
            "memberships-0-title": "班长",
            "memberships-0-public_phone": "",
            "memberships-0-places": [world.building_a1.pk],
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    membership.refresh_from_db()
    assert membership.title == "班长" and list(membership.places.all()) == [world.building_a1]
    world.company_x.refresh_from_db()
    assert world.company_x.name == "甲物业（新）" and world.company_x.code == "t-x"


def test_import_template_is_a_spreadsheet_that_imports(world, admin_client, client):
    url = reverse("admin:directory_place_import_template")
    response = admin_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    from shequ.directory.importer import places_import

    report = places_import(compound=world.compound_b, file=response.content, filename="template.xlsx")
    assert report.ok and report.households_created == 3
    client.logout()
    assert client.get(url).status_code == 302  # anonymous → admin login
