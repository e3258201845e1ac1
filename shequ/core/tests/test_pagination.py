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
