"""The appeal page loads the supervision block: whistle/helper buttons for those who may use them,
the public board of summoned departments, and the summoned department may open the appeal."""

from django.urls import reverse

from shequ.appeals.selectors import appeals_visible_to
from shequ.supervision import services

HX = {"HTTP_HX_REQUEST": "true"}


def test_party_org_sees_whistle_button_resident_does_not(client, world, file_appeal):
    appeal = file_appeal()
    url = reverse("supervision:board", args=[appeal.pk])
    client.force_login(world.party_secretary)
    page = client.get(url, **HX).content.decode()
    assert reverse("supervision:whistle", args=[appeal.pk]) in page
    client.force_login(world.resident_a)
    page = client.get(url, **HX).content.decode()
    assert reverse("supervision:whistle", args=[appeal.pk]) not in page
    assert reverse("supervision:helper", args=[appeal.pk]) not in page


def test_env_committee_sees_helper_button(client, world, file_appeal):
    appeal = file_appeal()
    client.force_login(world.env_director)
    page = client.get(reverse("supervision:board", args=[appeal.pk]), **HX).content.decode()
    assert reverse("supervision:helper", args=[appeal.pk]) in page


def test_appeal_page_asks_for_the_block_and_summoned_department_sees_the_appeal(client, world, file_appeal):
    appeal = file_appeal()
    client.force_login(world.resident_a)
    page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert reverse("supervision:board", args=[appeal.pk]) in page
    from shequ.conftest import make_user
    from shequ.directory import parties as dparties

    clerk = make_user("13900000077", "住建委干部")
    dparties.membership_create(user=clerk, party=world.dept_housing, role="staff")
    assert not appeals_visible_to(user=clerk, scope="all").filter(pk=appeal.pk).exists()
    services.whistle_blow(
        appeal=appeal,
        actor=world.party_secretary,
        kind="tough",
        departments=[world.dept_housing],
        reason="电梯老化，需要住建委协调",
    )
    assert appeals_visible_to(user=clerk, scope="all").filter(pk=appeal.pk).exists()
    assert client.get(reverse("supervision:board", args=[appeal.pk]), **HX).status_code == 200
