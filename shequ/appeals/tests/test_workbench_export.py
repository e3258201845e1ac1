"""The workbench queue as an Excel ledger (issue 13, 台账 of every list page): the rows the page lists, with
the page's filters and order, the overdue mark by the one overdue rule, and no personal data."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from django.urls import reverse
from openpyxl import load_workbook

from shequ.appeals.deadlines import overdue_q
from shequ.appeals.models import Appeal
from shequ.core import clock


def _rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows(values_only=True))


def _page_numbers(client, params: dict) -> list[str]:
    html = client.get(reverse("appeals:workbench"), params).content.decode()
    ids = [int(i) for i in re.findall(r'data-appeal="(\d+)"', html)]
    numbers = dict(Appeal.objects.filter(pk__in=ids).values_list("pk", "number"))
    return [numbers[i] for i in dict.fromkeys(ids)]


def test_the_ledger_is_the_queue_with_its_filters_and_order(client, world, file_appeal):
    lift = file_appeal(urgency="emergency")
    file_appeal(category="water", text="停水了")
    file_appeal(reporter=world.resident_b, place=world.household_b, text="乙小区的事")  # not handler_x's
    with clock.frozen(clock.now() - timedelta(days=3)):
        late = file_appeal(category="water", text="三天前停水")
    client.force_login(world.handler_x)
    for params in ({}, {"urgency": "emergency"}, {"category": "water"}, {"overdue": "on"}):
        rows = _rows(client.get(reverse("appeals:workbench_export"), params))
        assert rows[0][:3] == ("编号", "提交时间", "类型") and rows[0][-1] == "已超期"
        assert [r[0] for r in rows[1:]] == _page_numbers(client, params), params
    rows = _rows(client.get(reverse("appeals:workbench_export")))
    by_number = {r[0]: r for r in rows[1:]}
    assert lift.number in by_number and "乙小区的事" not in str(rows)
    # the overdue mark is the one overdue rule
    overdue = set(Appeal.objects.filter(overdue_q(now=clock.now())).values_list("number", flat=True))
    assert late.number in overdue
    assert {n for n, r in by_number.items() if r[-1] == "是"} == overdue & set(by_number)
    # no personal data: neither the reporter's name nor their phone
    text = str(rows)
    assert world.resident_a.phone not in text and world.resident_a.real_name not in text


def test_residents_cannot_export_a_queue(client, world, file_appeal):
    file_appeal()
    client.force_login(world.resident_a)
    assert client.get(reverse("appeals:workbench_export")).status_code == 403
    client.logout()
    r = client.get(reverse("appeals:workbench_export"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))
