"""The resident home shows "my appeals" (newest first) and the newest notices of the building."""

from django.urls import reverse

from shequ.appeals import selectors, services


def test_home_lists_my_newest_appeals_only(client, world, django_assert_max_num_queries):
    lift = selectors.category_by_code(code="lift")
    mine = services.appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=lift,
        place=world.household_a,
        text="电梯停在三楼不动了",
    )
    services.appeal_create(
        reporter=world.resident_b,
        kind="help",
        category=lift,
        place=world.household_b,
        text="乙小区的电梯异响",
    )
    client.force_login(world.resident_a)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("portal:home")).content.decode()
    assert "我的诉求" in page
    assert reverse("appeals:detail", args=[mine.pk]) in page
    assert "乙小区的电梯异响" not in page


def test_home_without_appeals_invites_a_report(client, world):
    client.force_login(world.resident_b)
    page = client.get(reverse("portal:home")).content.decode()
    assert "您还没有反映过问题" in page
