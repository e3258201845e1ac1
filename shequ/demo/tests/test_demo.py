"""The demo community holds exactly the article's numbers, and every role has a working login."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse

from shequ.accounts.models import Residency, User
from shequ.accounts.selectors import user_roles
from shequ.core import clock
from shequ.demo import data
from shequ.demo.services import demo_accounts, demo_is_loaded, demo_load, demo_unload
from shequ.directory import selectors
from shequ.directory.models import (
    Membership,
    Party,
    PartyKind,
    PartyRegistration,
    Place,
    PlaceKind,
    Spot,
    SpotKind,
)

FAST_HASHER = {"PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"]}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(**FAST_HASHER):
        summary = demo_load()
    yield summary
    with django_db_blocker.unblock():
        demo_unload()  # not `flush`: that would also empty what data migrations seeded for other tests


def place(code: str) -> Place:
    return Place.objects.get(code=code)


def test_loads_fast(demo):
    assert demo.loaded and demo.seconds < 10
    assert 40 <= demo.users <= 70


def test_sigma_has_9_compounds_and_1880_households(db, demo):
    sigma = place("demo-sigma")
    assert (sigma.name, sigma.parent.name, sigma.parent.parent.name) == ("希格玛社区", "中关村街道", "海淀区")
    assert selectors.places_under(place=sigma, kind=PlaceKind.COMPOUND).count() == 9
    assert selectors.places_under(place=sigma, kind=PlaceKind.HOUSEHOLD).count() == 1880
    assert selectors.places_under(place=sigma, kind=PlaceKind.GRID).count() == 3


def test_sigma_is_served_by_11_property_companies_of_varied_size(db, demo):
    sigma = place("demo-sigma")
    companies = list(selectors.property_companies_in(place=sigma))
    assert len(companies) == 11
    households = selectors.places_under(place=sigma, kind=PlaceKind.HOUSEHOLD).select_related(
        "building", "compound"
    )
    # size by contract scope (building contracts beat compound ones, as in property_company_for)
    sizes = Counter()
    by_building = {}
    for company in companies:
        for contract in company.contracts.prefetch_related("places"):
            for p in contract.places.all():
                by_building.setdefault(p.pk, company.pk)
    for household in households:
        company_id = by_building.get(household.building_id) or by_building.get(household.compound_id)
        assert company_id is not None, household.full_name()
        sizes[company_id] += 1
    assert sum(sizes.values()) == 1880 and len(sizes) == 11
    assert max(sizes.values()) >= 5 * min(sizes.values())  # varied size: big and small companies
    split = [
        c
        for c in selectors.places_under(place=sigma, kind=PlaceKind.COMPOUND)
        if selectors.property_companies_in(place=c).count() == 2
    ]
    assert len(split) >= 2  # some compounds are split between two companies by building
    org = Party.objects.get(code="demo-sigma-party")
    assert org.kind == PartyKind.PARTY_ORG and org.name == "希格玛社区党总支"
    registered = set(PartyRegistration.objects.filter(party_org=org).values_list("party_id", flat=True))
    assert registered == {c.pk for c in companies}


def test_environment_and_property_committee_has_9_members(db, demo):
    env = Party.objects.get(code="demo-sigma-env")
    members = list(Membership.objects.filter(party=env).select_related("user"))
    assert len(members) == 9
    roles = Counter(m.role for m in members)
    assert roles == {"head": 1, "deputy": 2, "member": 6}
    director = next(m for m in members if m.role == "head").user
    assert Membership.objects.filter(user=director, party__kind=PartyKind.RESIDENTS_COMMITTEE).exists()
    for deputy in (m.user for m in members if m.role == "deputy"):
        assert Membership.objects.filter(
            user=deputy, party__kind=PartyKind.POLICE_STATION, role="police_officer"
        ).exists()
    for owner in (m.user for m in members if m.role == "member"):
        assert Residency.objects.filter(user=owner, relation="owner", household__community=env.home).exists()


def test_shuguang_has_17_communities_and_shanghecun_56_lifts(db, demo):
    sg = place("demo-sg")
    assert selectors.places_under(place=sg, kind=PlaceKind.COMMUNITY).count() == 17
    shc = Place.objects.get(name="上河村社区", street=sg)
    assert selectors.places_under(place=shc, kind=PlaceKind.COMPOUND).count() == 1
    lifts = Spot.objects.filter(community=shc, kind=SpotKind.LIFT)
    year = clock.now().year
    assert lifts.count() == 56
    assert lifts.filter(install_year__lte=year - 16).count() == 29
    assert lifts.filter(install_year__gte=year - 10).count() == 27
    assert Spot.objects.filter(community=shc, name="红巷生活广场", kind=SpotKind.SQUARE).exists()
    owners = Party.objects.get(code="demo-shc-owners")
    assert owners.kind == PartyKind.OWNERS_COMMITTEE and owners.memberships.exists()
    assert Spot.objects.filter(
        name="星规路智能车棚", kind=SpotKind.BIKE_SHED, community__name="希格玛社区"
    ).exists()


def test_every_household_has_a_floor_area_and_a_readable_name(db, demo):
    households = Place.objects.filter(kind=PlaceKind.HOUSEHOLD)
    assert not households.filter(floor_area__isnull=True).exists()
    sample = households.filter(
        compound__name="知春东里", building__name="3号楼", unit__name="2单元", name="501"
    ).get()
    assert sample.full_name() == "希格玛社区 知春东里 3号楼 2单元 501" and sample.floor == 5


def test_every_party_kind_exists_with_members(db, demo):
    kinds = set(Party.objects.values_list("kind", flat=True))
    assert kinds == set(PartyKind.values)
    without_members = Party.objects.annotate(n=Count("memberships")).filter(n=0)
    assert set(PartyKind.values) == set(
        Party.objects.exclude(pk__in=without_members).values_list("kind", flat=True)
    )
    departments = set(Party.objects.filter(kind=PartyKind.DEPARTMENT).values_list("name", flat=True))
    for word in ("住建委", "房管局", "城管", "市场监管"):
        assert any(word in name for name in departments), word
    assert Party.objects.filter(kind=PartyKind.POLICE_STATION, name__contains="派出所").exists()
    co_builders = set(Party.objects.filter(kind=PartyKind.CO_BUILDER).values_list("name", flat=True))
    assert any("小学" in n for n in co_builders) and any("医院" in n for n in co_builders)
    assert any("公司" in n for n in co_builders)
    assert Party.objects.get(kind=PartyKind.FAMILY_DOCTOR_TEAM, code="demo-sigma-doctors").name.startswith(
        "希格玛社区卫生服务站"
    )


def test_residents_are_fictional_with_owners_tenants_and_elders_alone(db, demo):
    article_names = ("李贞", "胡永珍", "周杨平", "李志勇", "张胜志", "臧得顺", "徐林", "周亮")
    names = set(User.objects.values_list("real_name", flat=True))
    assert not names & set(article_names)
    relations = Counter(Residency.objects.values_list("relation", flat=True))
    assert relations["owner"] >= 10 and relations["tenant"] >= 2
    year = clock.now().year
    alone = User.objects.filter(lives_alone=True, birth_year__lte=year - 60, residencies__isnull=False)
    assert alone.count() >= 3
    assert Residency.objects.filter(status=Residency.Status.PENDING).count() == 1
    leaders = Membership.objects.filter(role="building_leader")
    assert leaders.count() >= 3 and all(m.places.filter(kind=PlaceKind.BUILDING).exists() for m in leaders)
    assert Membership.objects.filter(role="grid_worker", places__kind=PlaceKind.GRID).count() >= 3


# DESIGN §1: every kind of user has at least one demo login.
DESIGN_ROLES = {
    "resident_owner",
    "resident_tenant",
    "building_leader",
    "grid_worker",
    "property_manager",
    "property_handler",
    "env_committee_director",
    "env_committee_member",
    "rc_staff",
    "party_org",
    "owners_committee",
    "department_staff",
    "co_builder",
    "volunteer",
    "family_doctor",
    "community_police",
    "street_leader",
    "observer",
    "admin",
}


def test_demo_accounts_cover_every_role():
    accounts = demo_accounts()
    assert DESIGN_ROLES <= {a["role"] for a in accounts}
    for a in accounts:
        assert set(a) >= {"role", "phone", "password", "name", "party"}
        assert len(a["phone"]) == 11 and a["password"] == data.DEMO_PASSWORD
    assert all(a["party"] is None for a in accounts if a["role"] in ("resident_owner", "resident_tenant"))
    assert len({a["phone"] for a in accounts}) == len(accounts)


# Which party kind and membership role each listed role must really have in the database.
EXPECTED_MEMBERSHIP = {
    "building_leader": (PartyKind.RESIDENTS_COMMITTEE, "building_leader"),
    "grid_worker": (PartyKind.RESIDENTS_COMMITTEE, "grid_worker"),
    "property_manager": (PartyKind.PROPERTY_COMPANY, "manager"),
    "property_handler": (PartyKind.PROPERTY_COMPANY, "handler"),
    "env_committee_director": (PartyKind.ENV_PROPERTY_COMMITTEE, "head"),
    "env_committee_member": (PartyKind.ENV_PROPERTY_COMMITTEE, "member"),
    "rc_staff": (PartyKind.RESIDENTS_COMMITTEE, "dispatcher"),
    "party_org": (PartyKind.PARTY_ORG, "head"),
    "department_staff": (PartyKind.DEPARTMENT, "staff"),
    "co_builder": (PartyKind.CO_BUILDER, "staff"),
    "volunteer": (PartyKind.MUTUAL_AID_STATION, "volunteer"),
    "family_doctor": (PartyKind.FAMILY_DOCTOR_TEAM, "doctor"),
    "community_police": (PartyKind.POLICE_STATION, "police_officer"),
    "street_leader": (PartyKind.STREET_OFFICE, "head"),
    "observer": (PartyKind.STREET_OFFICE, "observer"),
}


def test_every_account_exists_with_its_role_and_password(db, demo):
    for account in demo_accounts():
        user = User.objects.get(phone=account["phone"])
        assert user.real_name == account["name"] and user.check_password(account["password"])
        roles = user_roles(user=user)
        expected = EXPECTED_MEMBERSHIP.get(account["role"])
        if expected:
            assert any(m.party.kind == expected[0] and m.role == expected[1] for m in roles.memberships), (
                account
            )
        if account["role"] in ("resident_owner", "resident_tenant"):
            assert roles.verified_households and not roles.memberships
        if account["role"] == "owners_committee":
            assert any(m.party.kind == PartyKind.OWNERS_COMMITTEE for m in roles.memberships)
        if account["role"] == "observer":
            assert roles.is_observer
        if account["role"] == "admin":
            assert user.is_superuser and user.is_staff


def test_demo_accounts_log_in_with_phone_and_password(db, demo, client):
    seen = set()
    for account in demo_accounts():
        if account["role"] in seen:
            continue
        seen.add(account["role"])
        response = client.post(
            reverse("accounts:login"), {"username": account["phone"], "password": account["password"]}
        )
        assert response.status_code == 302, (account, response.content.decode()[:500])
        assert client.session.get("_auth_user_id") == str(User.objects.get(phone=account["phone"]).pk)
        client.logout()


def test_loading_twice_is_a_no_op(db, demo):
    before = Place.objects.count()
    assert demo_is_loaded()
    assert demo_load().loaded is False
    assert Place.objects.count() == before


def test_demo_accounts_command_json(db, demo, capsys):
    call_command("demo_accounts", "--json")
    accounts = json.loads(capsys.readouterr().out)
    assert accounts == demo_accounts()


@pytest.mark.slow
def test_shequ_demo_accounts_json_subprocess(tmp_path):
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "shequ.cli", "demo-accounts", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    accounts = json.loads(result.stdout)
    assert isinstance(accounts, list) and DESIGN_ROLES <= {a["role"] for a in accounts}
    assert all({"role", "phone", "password", "name", "party"} <= set(a) for a in accounts)


def _snapshot():
    return sorted(
        (p.kind, p.full_name(), str(p.floor_area), p.floor)
        for p in Place.objects.select_related(
            "parent", "parent__parent", "parent__parent__parent", "parent__parent__parent__parent"
        ).filter(kind__in=[PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.COMMUNITY])
    ) + sorted(Place.objects.filter(kind=PlaceKind.HOUSEHOLD).values_list("name", "floor_area", "floor"))


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_reset_loads_the_same_demo_again(db, demo):
    # runs inside the test's transaction: the flush and reload are rolled back afterwards
    before, counts = _snapshot(), _row_counts()
    assert counts["directory.Place"] > 0
    with override_settings(**FAST_HASHER):
        summary = demo_load(reset=True)
    assert summary.loaded and summary.households == 1880 + data.SHC_SPEC.households
    assert _snapshot() == before
    # every table holds as many rows as before: what data migrations seeded came back too
    assert _row_counts() == counts


def test_unload_removes_exactly_the_demo(db, demo):
    counts = _row_counts()
    demo_unload()
    assert not demo_is_loaded() and not Place.objects.exists() and not Party.objects.exists()
    assert not User.objects.exists()
    for label in ("core.Job", "contenttypes.ContentType"):
        assert _row_counts()[label] == counts[label]


def test_sample_content_through_the_apps_services(db, demo):
    from shequ.appeals.models import Appeal
    from shequ.demo.content import demo_content_load
    from shequ.notices.models import Notice

    made = demo_content_load()
    assert made == {"appeals": 6, "notices": 4}
    appeals = {a.reporter.phone: a for a in Appeal.objects.select_related("reporter", "responsible_party")}
    closed = appeals["13800000001"]
    assert (closed.status, closed.rating, closed.solved) == ("closed", "satisfied", True)
    assert closed.responsible_party.code == "demo-pm01"  # 知春东里 3号楼 is served by the big company
    assert appeals["13800000005"].status == "dispatched" and appeals["13800000005"].spot.kind == "lift"
    assert appeals["13800000003"].responsible_party.code == "demo-pm09"
    assert appeals["13800000008"].responsible_party.code == "demo-shc-pm"
    consult = appeals["13800000004"]
    assert consult.kind == "consult" and not consult.is_public
    assert consult.responsible_party.code == "demo-sigma-doctors"
    assert Notice.objects.filter(is_pinned=True).count() == 1
    assert set(Notice.objects.values_list("channel", flat=True)) == {
        "community",
        "party",
        "property",
        "police",
        "owners",  # the 上河村 owners' committee posts its vote's publicity and result (docs/decisions.md)
    }


def test_demo_command_reports_content_problems_without_failing(db, demo, monkeypatch, capsys):
    from shequ.demo import content

    def broken():
        raise RuntimeError("appeals changed")

    monkeypatch.setattr(content, "demo_content_load", broken)
    with override_settings(**FAST_HASHER):
        call_command("demo", "--reset")
    captured = capsys.readouterr()
    assert "demo loaded" in captured.out
    assert "appeals changed" in captured.err
    assert demo_is_loaded()


def test_sigma_uses_grids_with_a_grid_worker_each_and_scoped_volunteers(db, demo, client):
    """Issue #14: 希格玛社区 is divided into grids; each has its grid worker, shown on 谁在管我家 with the
    grid's name; grid workers and the 环物会's elected owners are scoped to their grid / compound."""
    sigma = place("demo-sigma")
    grids = list(Place.objects.filter(kind=PlaceKind.GRID, community=sigma).order_by("sort"))
    assert [g.name for g in grids] == ["第一网格", "第二网格", "第三网格"]
    for grid in grids:
        assert Membership.objects.filter(role="grid_worker", places=grid).count() == 1
        assert Place.objects.filter(kind=PlaceKind.COMPOUND, grid=grid).exists()
    for member in Membership.objects.filter(party__code="demo-sigma-env", role="member"):
        (compound,) = member.places.all()
        assert compound.kind == PlaceKind.COMPOUND
    resident = User.objects.get(phone="13800000001")
    household = Residency.objects.filter(user=resident).first().household
    client.force_login(resident)
    html = client.get(reverse("portal:who")).content.decode()
    grid = Place.objects.get(pk=household.grid_id)
    worker = Membership.objects.get(role="grid_worker", places=grid).user
    assert grid.name in html and worker.real_name in html
