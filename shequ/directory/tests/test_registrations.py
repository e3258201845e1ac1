"""报到 as a page (issue #14): the company and the party organisation record it; 物业之窗 shows it."""

from __future__ import annotations

from django.urls import reverse

from shequ.conftest import make_user
from shequ.directory import parties as ds
from shequ.directory.models import Party, PartyRegistration, Role

URL = "/directory/registrations/"


def _manager(world):
    user = make_user("13900000077", "孙经理")
    ds.membership_create(user=user, party=world.company_x, role=Role.MANAGER)
    return user


def test_url():
    assert reverse("directory:registrations") == URL


def test_the_company_registers_itself_with_its_promises(world, client, django_assert_max_num_queries):
    manager = _manager(world)
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        page = client.get(URL)
    html = page.content.decode()
    assert page.status_code == 200 and world.party_org.name in html and 'name="contact_name"' in html
    form = {
        "company": world.company_x.pk,
        "org": world.party_org.pk,
        "contact_name": "孙经理",
        "promises": "报修30分钟内响应；每周清洗垃圾桶。",
    }
    assert client.post(URL, form).status_code == 302
    r = PartyRegistration.objects.get(party=world.company_x)
    assert (r.party_org_id, r.contact_name) == (world.party_org.pk, "孙经理")
    assert Party.objects.get(pk=world.company_x.pk).service_promises.startswith("报修30分钟内响应")
    retried = client.post(URL, form)  # a retried submission does not duplicate
    assert retried.status_code == 409 and PartyRegistration.objects.filter(party=world.company_x).count() == 1
    # visible on 物业之窗 to residents
    client.force_login(world.resident_a)
    window = client.get(reverse("notices:property", args=[world.company_x.pk])).content.decode()
    assert "已报到" in window and world.party_org.name in window and "孙经理" in window
    assert "报修30分钟内响应" in window


def test_the_party_organisation_sees_every_company_and_records_for_one(world, client):
    client.force_login(world.party_secretary)
    html = client.get(URL).content.decode()
    assert world.company_x.name in html and world.company_y.name in html and "未报到" in html
    form = {"company": world.company_y.pk, "org": world.party_org.pk, "contact_name": "赵经理"}
    assert client.post(URL, form).status_code == 302
    assert PartyRegistration.objects.filter(party=world.company_y, contact_name="赵经理").exists()
    assert "已报到" in client.get(URL).content.decode()


def test_who_may_not(world, client):
    manager = _manager(world)
    assert client.get(URL).status_code == 302  # login first
    for user in (world.resident_a, world.outsider, world.handler_x):  # a handler does not speak for X
        client.force_login(user)
        assert client.get(URL).status_code == 403, user
    client.force_login(world.handler_x)
    form = {"company": world.company_x.pk, "org": world.party_org.pk, "contact_name": "王师傅"}
    assert client.post(URL, form).status_code == 403
    client.force_login(manager)
    other = {"company": world.company_y.pk, "org": world.party_org.pk, "contact_name": "孙经理"}
    refused = client.post(URL, other)  # not their company
    assert refused.status_code == 403 and not PartyRegistration.objects.exists()
    empty = client.post(URL, {"company": world.company_x.pk, "org": world.party_org.pk, "contact_name": " "})
    assert empty.status_code == 422 and "请填写负责人姓名" in empty.content.decode()
    client.cookies["django_language"] = "en"
    english = client.post(URL, {"company": world.company_x.pk, "org": world.party_org.pk}).content.decode()
    assert "contact person" in english and "请填写负责人姓名" not in english
    assert (
        client.post(URL, {"company": "x", "org": world.party_org.pk, "contact_name": "a"}).status_code == 404
    )
    assert not PartyRegistration.objects.exists()
