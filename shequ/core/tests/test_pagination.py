from shequ.core.pagination import fetch_page
from shequ.directory.models import Place, PlaceKind


def test_fetch_page_keeps_order_and_related_rows(world, django_assert_num_queries):
    qs = Place.objects.filter(kind=PlaceKind.HOUSEHOLD).select_related("compound").order_by("-floor_area")
    expected = list(qs[0:2])
    with django_assert_num_queries(2):
        page = fetch_page(qs, 0, 2)
        assert [p.compound.name for p in page] == [p.compound.name for p in expected]
    assert [p.pk for p in page] == [p.pk for p in expected]
    assert fetch_page(qs, 10, 20) == []


def test_a_page_keeps_the_lists_annotations_computed_for_its_rows(world, django_assert_num_queries):
    from django.db.models import Count, Exists, OuterRef

    from shequ.core.pagination import list_page

    households = Place.objects.filter(kind=PlaceKind.HOUSEHOLD)
    qs = (
        Place.objects.filter(kind=PlaceKind.BUILDING)
        .annotate(
            has_household=Exists(households.filter(building_id=OuterRef("pk"))),
            households=Count("children"),
        )
        .order_by("name", "id")
    )
    expected = {p.pk: (p.has_household, p.households) for p in qs}
    assert any(n for _, n in expected.values()), "the world has buildings with households"
    with django_assert_num_queries(3):  # count, keys, rows
        page = list_page(qs, size=2)
    assert page.items and all((p.has_household, p.households) == expected[p.pk] for p in page.items)
    rows = fetch_page(qs, 0, 3)
    assert [(p.has_household, p.households) for p in rows] == [expected[p.pk] for p in rows]


def test_a_page_keeps_the_lists_narrowed_columns(world):
    qs = Place.objects.filter(kind=PlaceKind.HOUSEHOLD).only("id", "name").order_by("id")
    rows = fetch_page(qs, 0, 2)
    assert rows and all("floor_area" in p.get_deferred_fields() for p in rows)
    assert all("name" not in p.get_deferred_fields() for p in rows)
