"""Micro-project rules: exact money, the account by source summed in the database on random data,
spending beyond received refused, receipts only image or PDF, the street approves what it funds;
the project page in a constant number of queries; the Excel account; the permission of each URL."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.projects import selectors, services
from shequ.projects.models import Funding, Source, Spending

pytestmark = pytest.mark.django_db


def png(name="r.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf(name="r.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", content_type="application/pdf"
    )


@pytest.fixture
def project(world):
    return services.project_create(
        actor=world.rc_staff,
        party=world.rc,
        place=world.compound_a,
        title="智能车棚",
        budget="120000.00",
        description="车棚改造",
    )


@pytest.fixture
def approved(world, project):
    """The project approved by its own committee (no government money: the street need not)."""
    services.project_transition(project=project, actor=world.rc_staff, action="approve")
    return project


@pytest.fixture
def funded(world, approved):
    """An approved project with 1000.00 of social money received and 500.00 of residents' pledged."""
    _fund(world, approved, Source.SOCIAL, "1000.00")
    _fund(world, approved, Source.RESIDENTS, "500.00", received=False)
    return approved


def _spend(world, project, source, amount, *, receipt=None, actor=None, payee="x", description="y"):
    """A spending recorded by the committee's staff (or `actor`), with an image receipt by default."""
    return services.spending_record(
        project=project,
        actor=actor or world.rc_staff,
        source=source,
        amount=amount,
        payee=payee,
        description=description,
        receipt=receipt or png(),
    )


def _fund(world, project, source, amount, received=True):
    f = services.funding_pledge(
        project=project, actor=world.rc_staff, source=source, payer_name="出资方", amount=amount
    )
    if received:
        services.funding_receive(funding=f, actor=world.rc_staff, receipt=png())
    return f


def test_money_is_exact(world, project):
    assert project.budget == Decimal("120000.00")
    for bad in (0.1, "abc", "-1", "0", "1.234", "1e3x"):
        with pytest.raises(Invalid):
            services.money(bad)
    assert services.money("1,000.5") == Decimal("1000.50")


def test_street_approves_what_it_funds(world, project):
    _fund(world, project, Source.GOVERNMENT, "50000", received=False)
    with pytest.raises(Forbidden):
        services.project_transition(project=project, actor=world.rc_staff, action="approve")
    gov = project.fundings.get()
    with pytest.raises(Conflict):
        services.funding_receive(funding=gov, actor=world.rc_staff, receipt=png())
    services.project_transition(project=project, actor=world.street_leader, action="approve")
    services.funding_receive(funding=gov, actor=world.rc_staff, receipt=pdf())
    project.refresh_from_db()
    assert project.approved_by_party_id == world.street_office.pk


def test_receipts_only_image_or_pdf(world, approved):
    project = approved
    f = services.funding_pledge(
        project=project, actor=world.rc_staff, source=Source.RESIDENTS, payer_name="居民", amount="300"
    )
    for bad in (
        SimpleUploadedFile("x.txt", b"hello", content_type="text/plain"),
        SimpleUploadedFile("x.jpg", b"GIF89a-nope", content_type="image/jpeg"),
        None,
    ):
        with pytest.raises(Invalid):
            services.funding_receive(funding=f, actor=world.rc_staff, receipt=bad)
    f.refresh_from_db()
    assert f.status == "pledged"
    services.funding_receive(funding=f, actor=world.rc_staff, receipt=png())
    with pytest.raises(Invalid):
        exe = SimpleUploadedFile("e.exe", b"MZ\x90\x00", content_type="application/pdf")
        _spend(world, project, Source.RESIDENTS, "10", receipt=exe)
    assert not Spending.objects.exists()


def test_spending_beyond_received_refused(world, funded):
    project = funded
    _spend(world, project, Source.SOCIAL, "999.99", payee="车棚厂", description="材料")
    with pytest.raises(Conflict) as exc:
        _spend(world, project, Source.SOCIAL, "0.02", payee="车棚厂", description="材料")
    assert exc.value.code == "beyond_received"
    with pytest.raises(Conflict):  # a pledge is not money received
        _spend(world, project, Source.RESIDENTS, "1")
    _spend(world, project, Source.SOCIAL, "0.01", payee="车棚厂", description="尾款", receipt=pdf())
    assert services.balance_of(project=project, source=Source.SOCIAL) == Decimal("0.00")
    with pytest.raises(Forbidden):
        _spend(world, project, Source.SOCIAL, "1", actor=world.resident_a)


def test_balance_equals_received_minus_spent_by_source_on_random_data(world, approved):
    project = approved
    rnd = random.Random(2026)
    received = {s: Decimal("0") for s in Source.values}
    pledged = {s: Decimal("0") for s in Source.values}
    spent = {s: Decimal("0") for s in Source.values}
    fundings = []
    for _ in range(60):
        source = rnd.choice(Source.values)
        amount = Decimal(rnd.randint(1, 5_000_00)) / 100
        fundings.append(
            Funding(project=project, source=source, payer_name="p", amount=amount, recorded_by=world.rc_staff)
        )
        pledged[source] += amount
        if rnd.random() < 0.7:
            fundings[-1].status, fundings[-1].received_at = "received", project.created_at
            received[source] += amount
    Funding.objects.bulk_create(fundings)
    for _ in range(80):
        source = rnd.choice(Source.values)
        amount = Decimal(rnd.randint(1, 2_000_00)) / 100
        if amount <= received[source] - spent[source]:
            _spend(world, project, source, amount)
            spent[source] += amount
        else:
            with pytest.raises(Conflict):
                _spend(world, project, source, amount)
    account = selectors.project_account(project=project)
    for line in account.lines:
        assert (line.pledged, line.received, line.spent) == (
            pledged[line.source],
            received[line.source],
            spent[line.source],
        )
        assert line.balance == received[line.source] - spent[line.source]
        assert isinstance(line.balance, Decimal)
    assert account.balance == sum(received.values()) - sum(spent.values())


def test_project_page_constant_queries_and_export(client, world, approved, django_assert_max_num_queries):
    project = approved
    client.force_login(world.resident_a)
    url = reverse("projects:detail", args=[project.pk])
    counts = []
    for n in (1, 20):
        for _ in range(n):
            _fund(world, project, Source.COLLECTIVE, "10")
            _spend(world, project, Source.COLLECTIVE, "5")
            services.milestone_add(
                project=project, actor=world.rc_staff, title="进展", progress=10, photo=png()
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(20):
        client.get(url)
    r = client.get(reverse("projects:account_export", args=[project.pk]))
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["账目汇总", "资金来源", "支出"]
    assert wb["账目汇总"]["C3"].value == 210  # collective received
    spending = project.spendings.first()
    r = client.get(reverse("projects:file", args=[project.pk, "spending", spending.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"  # re-encoded by the core image policy
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("projects:file", args=[project.pk, "spending", spending.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_pages_post_through_services(client, world, project):
    client.force_login(world.rc_staff)
    client.post(reverse("projects:transition", args=[project.pk, "approve"]))
    client.post(
        reverse("projects:funding", args=[project.pk]),
        {"source": "social", "payer_name": "共建单位", "amount": "800"},
    )
    f = project.fundings.get()
    client.post(reverse("projects:receive", args=[project.pk, f.pk]), {"receipt": png()})
    r = client.post(
        reverse("projects:spending", args=[project.pk]),
        {"source": "social", "amount": "900", "payee": "x", "description": "y", "receipt": png()},
        follow=True,
    )
    assert "超出已到账资金" in r.content.decode()
    assert not Spending.objects.exists()
    client.force_login(world.resident_a)
    r = client.post(
        reverse("projects:funding", args=[project.pk]), {"source": "social", "payer_name": "x", "amount": "1"}
    )
    assert r.status_code == 403
