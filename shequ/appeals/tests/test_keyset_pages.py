"""Keyset (cursor) pages, one shape for the pages and the API: walking a list by `next` and back by
`prev` visits every row once, in the list's order; a deep page costs the queries of the first page;
a bad cursor is a clear zh/en 422, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shequ.appeals import selectors
from shequ.appeals.models import Appeal
from shequ.core import clock
from shequ.core.pagination import list_page

N = 7


@pytest.fixture
def filed(world, file_appeal):
    """N appeals by resident A, two of them with the same filing time (the id breaks the tie)."""
    start = clock.now() - timedelta(hours=1)
    ids = []
    for i in range(N):
        with clock.frozen(start + timedelta(minutes=min(i, 5))):
            ids.append(file_appeal(text=f"楼道灯不亮，第{i}处").pk)
    return ids


def _walk_api(client, url: str, size: int) -> tuple[list[int], list[str]]:
    seen, cursors = [], []
    body = client.get(f"{url}&page_size={size}").json()
    while True:
        seen += [item["id"] for item in body["items"]]
        if not body["next"]:
            return seen, cursors
        cursors.append(body["next"])
        body = client.get(f"{url}&page_size={size}&after={body['next']}").json()


@pytest.mark.parametrize(
    "scope,who", [("mine", "resident_a"), ("public", "resident_b"), ("assigned", "handler_x")]
)
def test_api_walks_every_list_by_cursor_and_back(world, client, filed, scope, who):
    client.force_login(getattr(world, who))
    url = f"/api/v1/appeals?scope={scope}"
    expected = list(selectors.appeal_list(user=getattr(world, who), scope=scope).values_list("pk", flat=True))
    assert set(filed) <= set(expected)
    seen, cursors = _walk_api(client, url, 3)
    assert seen == expected  # every row once, in the list's order
    first = client.get(f"{url}&page_size=3").json()
    assert first["prev"] is None and first["page"] == 1 and first["capped"] is False
    assert first["count"] == len(expected)
    # back from the last page: `prev` gives the page before, exactly
    last = client.get(f"{url}&page_size=3&after={cursors[-1]}").json()
    assert last["next"] is None and last["page"] is None
    back = client.get(f"{url}&page_size=3&before={last['prev']}").json()
    assert [i["id"] for i in back["items"]] == expected[-len(last["items"]) - 3 : -len(last["items"])]


def test_workbench_queue_walks_in_due_order(world, client, filed):
    user = world.handler_x
    qs = selectors.appeal_list(user=user, scope="assigned", status="open")
    expected = list(qs.values_list("pk", flat=True))
    got, page = [], list_page(qs, size=2)
    got += [a.pk for a in page.items]
    while page.next:
        page = list_page(qs, size=2, after=page.next)
        got += [a.pk for a in page.items]
    assert got == expected
    # NULL due times (a paused appeal) sort last and are still reached
    Appeal.objects.filter(pk=filed[0]).update(next_due_at=None)
    expected = list(qs.values_list("pk", flat=True))
    assert expected[-1] == filed[0]
    got, page = [], list_page(qs, size=3)
    got += [a.pk for a in page.items]
    while page.next:
        page = list_page(qs, size=3, after=page.next)
        got += [a.pk for a in page.items]
    assert got == expected
    back = list_page(qs, size=3, before=list_page(qs, size=3, after=page.prev).prev)
    assert [a.pk for a in back.items] == expected[len(expected) - len(page.items) - 6 :][:3]


@pytest.fixture
def many(filed):
    """Enough rows for three HTML pages: copies of a filed appeal (same place, party, reporter)."""
    source = Appeal.objects.get(pk=filed[-1])
    copies = []
    for i in range(45):
        copy = Appeal.objects.get(pk=source.pk)
        copy.pk = None
        copy.number = f"K{i:05d}"
        copy.created_at = source.created_at - timedelta(minutes=i + 1)
        copies.append(copy)
    Appeal.objects.bulk_create(copies)
    return filed


@pytest.mark.parametrize(
    "url,who",
    [
        ("/appeals/mine", "resident_a"),
        ("/appeals/public", "resident_b"),
        ("/appeals/workbench/queue", "handler_x"),
        ("/api/v1/appeals?scope=mine", "resident_a"),
        ("/api/v1/appeals?scope=public", "resident_b"),
        ("/api/v1/appeals?scope=assigned", "handler_x"),
    ],
)
def test_a_deep_page_costs_the_queries_of_the_first(
    world, client, many, django_assert_max_num_queries, url, who
):
    client.force_login(getattr(world, who))
    api = url.startswith("/api/")
    sep = "&" if "?" in url else "?"
    with django_assert_max_num_queries(16) as first:
        r = client.get(url)
        assert r.status_code == 200
    seen = 0
    for _ in range(3):  # the first page, then two deeper ones by cursor
        if api:
            body = r.json()
            seen += len(body["items"])
            cursor = body["next"]
        else:
            html = r.content.decode()
            assert ("before=" in html) == (seen > 0)  # a previous page exactly when there is one
            seen += html.count('data-appeal="') or html.count('class="appeal-item')
            cursor = html.split("after=", 1)[1].split('"', 1)[0] if "after=" in html else None
        if cursor is None:
            break
        with django_assert_max_num_queries(len(first.captured_queries)):
            r = client.get(f"{url}{sep}after={cursor}")
            assert r.status_code == 200
    assert cursor is None or seen >= 40, "walked at least two full pages"


@pytest.mark.parametrize("cursor", ["nonsense", "WyJ4Il0", "W10", "WzEsMiwzXQ"])
def test_a_bad_cursor_is_a_422_in_both_languages(world, client, filed, cursor):
    client.force_login(world.resident_a)
    r = client.get(f"/api/v1/appeals?scope=mine&after={cursor}")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "cursor_invalid" and error["message_zh"] and error["message_en"]
    assert client.get(f"/api/v1/appeals?scope=mine&after={cursor}&before={cursor}").status_code == 422
    page = client.get(f"/appeals/mine?after={cursor}")
    assert page.status_code in (400, 422) and "分页参数无效" in page.content.decode()
