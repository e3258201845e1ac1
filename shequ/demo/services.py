"""Load the demo community (deterministic: the same database every time, for a given current year)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

from shequ.accounts.models import Residency, User
from shequ.core import clock
from shequ.demo import data
from shequ.demo.data import Home, PersonSpec
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import PLACE_LEVEL, Party, PartyKind, Place, PlaceKind, ServiceContract, SpotKind

log = logging.getLogger("shequ.demo")


@dataclass
class DemoSummary:
    loaded: bool
    places: int = 0
    households: int = 0
    parties: int = 0
    users: int = 0
    appeals: int = 0
    notices: int = 0
    content_error: str = ""
    seconds: float = 0.0
    history: int = 0


def demo_is_loaded() -> bool:
    return Place.objects.filter(code=data.DEMO_MARKER, kind=PlaceKind.DISTRICT).exists()


def demo_load(reset: bool = False, *, content: bool = False) -> DemoSummary:
    """Load the demo community. `reset` wipes the whole database first (see `database_reset`).

    `content` also files a few appeals and notices through the appeals and notices services; if that
    fails (say, a feature app changed), the community itself stays loaded and the error is reported.
    """
    started = time.monotonic()
    if reset:
        database_reset()
    elif demo_is_loaded():
        return DemoSummary(loaded=False)
    with transaction.atomic():
        summary = _Builder().build()
    if content:
        from shequ.demo.content import demo_content_load  # noqa: PLC0415

        try:
            made = demo_content_load()
        except Exception as exc:  # the community is loaded; say what went wrong and carry on
            log.exception("demo content failed")
            summary.content_error = f"{type(exc).__name__}: {exc}"
        else:
            summary.appeals, summary.notices = made["appeals"], made["notices"]
        if getattr(settings, "SHEQU_DEMO_HISTORY", True):  # a year of appeals for the dashboards
            from shequ.demo.history import demo_history_load  # noqa: PLC0415

            try:
                summary.history = demo_history_load()["appeals"]
            except Exception as exc:  # the community is loaded; say what went wrong and carry on
                log.exception("demo history failed")
                summary.content_error = f"{type(exc).__name__}: {exc}"
    summary.seconds = round(time.monotonic() - started, 2)
    return summary


def database_reset() -> None:
    """Empty every table, then re-run the data migrations (default categories, calendars …).

    `flush` alone would leave the tables that data migrations seeded empty; a fresh `migrate` would not.
    """
    with transaction.atomic():
        call_command("flush", interactive=False, verbosity=0)
        _rerun_data_migrations()


def _rerun_data_migrations() -> None:
    loader = MigrationLoader(connection)
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for key in loader.graph.forwards_plan(leaf):
            if key not in plan:
                plan.append(key)
    # RunPython code gets the historical apps and a schema editor it uses (at most) for `.connection`;
    # a schema editor cannot be entered inside a transaction on SQLite, so this one is never entered.
    editor = connection.schema_editor()
    for key in plan:
        migration = loader.graph.nodes[key]
        if not any(isinstance(op, RunPython) for op in migration.operations):
            continue
        state = loader.project_state(key, at_end=False)
        for operation in migration.operations:
            new_state = state.clone()
            operation.state_forwards(migration.app_label, new_state)
            if isinstance(operation, RunPython):
                operation.database_forwards(migration.app_label, editor, state, new_state)
            state = new_state


def demo_unload() -> None:
    """Remove exactly what `demo_load` created (other data that points at it must be gone first)."""
    with transaction.atomic():
        User.objects.filter(phone__in=[p.phone for p in data.PEOPLE]).delete()
        parties = Party.objects.filter(code__startswith="demo-")
        ServiceContract.objects.filter(company__in=parties).delete()
        parties.delete()
        district = Place.objects.filter(code=data.DEMO_MARKER, kind=PlaceKind.DISTRICT).first()
        if district is None:
            return
        levels = sorted(PLACE_LEVEL.items(), key=lambda item: -item[1])
        for kind, _level in levels:  # children before parents (parents are protected)
            Place.objects.filter(district=district, kind=kind).delete()


def _party_names() -> dict[str, str]:
    names = {p.code: p.name for p in data.PARTIES}
    names.update({key: name for key, (name, _note) in data.PROPERTY_COMPANIES.items()})
    names["shc-pm"] = SHC_COMPANY[0]
    return names


def _home_label(home: Home | None) -> str | None:
    if home is None:
        return None
    spec = next(c for c in (*data.SIGMA_COMPOUND_SPECS, data.SHC_SPEC) if c.key == home.compound)
    community = "上河村社区" if spec is data.SHC_SPEC else "希格玛社区"
    unit = f"{home.unit}单元" if home.unit else ""
    return f"{community} {spec.name} {home.building}号楼{unit}{home.household}"


def demo_password() -> str:
    """The published demo password where the demo runs locally; in production (DEBUG=0, loaded only
    with `shequ demo` or `serve --demo`) a password derived from this installation's SECRET_KEY, so
    that nobody can log in with the one printed in the README. `shequ demo-accounts` shows it."""
    from django.conf import settings

    if getattr(settings, "SHEQU_DEMO_PASSWORD_PUBLIC", True):
        return data.DEMO_PASSWORD
    digest = hmac.new(settings.SECRET_KEY.encode(), b"shequ-demo-password", hashlib.sha256).hexdigest()
    return "demo-" + digest[:16]


def demo_accounts() -> list[dict]:
    """The demo logins: role, phone, password, name, party (None for plain residents) and more."""
    names = _party_names()
    password = demo_password()
    return [
        {
            "role": p.role,
            "role_label": p.label,
            "phone": p.phone,
            "password": password,
            "name": p.name,
            "party": names[p.party] if p.party else None,
            "household": _home_label(p.home),
        }
        for p in data.PEOPLE
    ]


def _public_phone(phone: str, role: str) -> str:
    """People residents may call (grid workers, managers, police …) publish their (fictional) mobile."""
    return "" if role in ("observer", "member") else phone


SHC_COMPANY = ("上河物业服务有限公司", "三年间四换物业后新进驻的物业企业，管理上河村小区")


class _Builder:
    def __init__(self) -> None:
        self.now = clock.now()
        self.year = self.now.year
        self.places: dict[str, Place] = {}
        self.buildings: dict[tuple[str, int], Place] = {}
        self.households: dict[tuple[str, int, int, str], Place] = {}
        self.parties: dict[str, Party] = {}
        self.place_count = 0
        self.household_count = 0

    # --- places ---------------------------------------------------------------------------------------
    def build(self) -> DemoSummary:
        P = PlaceKind
        haidian = self._place("haidian", P.DISTRICT, "海淀区", None, code=data.DEMO_MARKER)
        zgc = self._place("zgc", P.STREET, "中关村街道", haidian, code="demo-zgc")
        sg = self._place("sg", P.STREET, "曙光街道", haidian, code="demo-sg")
        sigma = self._place(
            "sigma", P.COMMUNITY, "希格玛社区", zgc, code="demo-sigma", address="北京市海淀区中关村街道知春路"
        )
        communities = dplaces.places_bulk_create(
            parent=sg,
            kind=P.COMMUNITY,
            rows=[
                {"name": name, "sort": i, "code": f"demo-sg-{i:02d}"}
                for i, name in enumerate(("上河村社区", *data.SHUGUANG_OTHER_COMMUNITIES))
            ],
        )
        self.place_count += len(communities)
        self.places["shanghecun"] = communities[0]
        grids = dplaces.places_bulk_create(
            parent=sigma,
            kind=P.GRID,
            rows=[
                {"name": name, "sort": i, "code": f"demo-sigma-grid{i + 1}"}
                for i, name in enumerate(("第一网格", "第二网格", "第三网格"))
            ],
        )
        self.place_count += len(grids)
        for i, grid in enumerate(grids, start=1):
            self.places[f"grid{i}"] = grid
        shc_grid = self._place("shc-grid", P.GRID, "上河村网格", communities[0])
        for spec in data.SIGMA_COMPOUND_SPECS:
            self._compound(spec, self.places[f"grid{spec.grid}"], low_rise=spec.floors <= 6)
        self._compound(data.SHC_SPEC, shc_grid, low_rise=False)
        self._spots()
        self._parties()
        users = self._people()
        return DemoSummary(
            loaded=True,
            places=self.place_count,
            households=self.household_count,
            parties=len(self.parties),
            users=users,
        )

    def _place(self, key: str, kind: str, name: str, parent: Place | None, **extra) -> Place:
        place = dplaces.place_create(kind=kind, name=name, parent=parent, **extra)
        self.places[key] = place
        self.place_count += 1
        return place

    def _compound(self, spec: data.CompoundSpec, grid: Place, *, low_rise: bool) -> None:
        compound = self._place(spec.key, PlaceKind.COMPOUND, spec.name, grid, code=f"demo-{spec.key}")
        buildings = dplaces.places_bulk_create(
            parent=compound,
            kind=PlaceKind.BUILDING,
            rows=[{"name": f"{b}号楼", "sort": b} for b in range(1, spec.buildings + 1)],
        )
        self.place_count += len(buildings)
        base = 52 if low_rise else 78
        for b, building in enumerate(buildings, start=1):
            self.buildings[(spec.key, b)] = building
            units = dplaces.places_bulk_create(
                parent=building,
                kind=PlaceKind.UNIT,
                rows=[{"name": f"{u}单元", "sort": u} for u in range(1, spec.units + 1)],
            )
            self.place_count += len(units)
            for u, unit in enumerate(units, start=1):
                rows = []
                for floor in range(1, spec.floors + 1):
                    for pos in range(1, spec.per_floor + 1):
                        area = (
                            Decimal(base + (b * 13 + u * 7 + pos * 17) % 45) + Decimal(floor * 37 % 100) / 100
                        )
                        rows.append(
                            {
                                "name": f"{floor}{pos:02d}",
                                "floor": floor,
                                "floor_area": area,
                                "sort": floor * 10 + pos,
                            }
                        )
                created = dplaces.places_bulk_create(parent=unit, kind=PlaceKind.HOUSEHOLD, rows=rows)
                for household in created:
                    self.households[(spec.key, b, u, household.name)] = household
                self.place_count += len(created)
                self.household_count += len(created)

    def _spots(self) -> None:
        sigma, shc = self.places["sigma"], self.places["shc"]
        dplaces.spot_create(
            place=sigma,
            kind=SpotKind.BIKE_SHED,
            name="星规路智能车棚",
            install_year=2019,
            code="SIGMA-SHED-1",
        )
        dplaces.spot_create(
            place=sigma,
            kind=SpotKind.CHARGER,
            name="智能车棚电动自行车充电桩",
            install_year=2019,
            code="SIGMA-SHED-1-C",
        )
        dplaces.spot_create(
            place=sigma, kind=SpotKind.ACTIVITY_ROOM, name="希格玛社区活动室", code="SIGMA-ROOM-1"
        )
        # one lift per unit in the high-rise compounds of 希格玛社区
        for key in ("xgjy", "xgmgy", "zgcdy"):
            spec = next(c for c in data.SIGMA_COMPOUND_SPECS if c.key == key)
            for b in range(1, spec.buildings + 1):
                for u in range(1, spec.units + 1):
                    dplaces.spot_create(
                        place=self.buildings[(key, b)],
                        kind=SpotKind.LIFT,
                        name=f"{u}单元电梯",
                        install_year=2006 + (b + u) % 10,
                        code=f"{key.upper()}-{b:02d}-{u}",
                    )
        # 上河村小区: 56 lifts, the first 29 installed more than 15 years ago
        index = 0
        for b in range(1, data.SHC_SPEC.buildings + 1):
            for n in range(1, data.SHC_LIFTS_PER_BUILDING + 1):
                if index < data.SHC_OLD_LIFTS:
                    year = self.year - 16 - index % 5
                else:
                    year = self.year - 3 - index % 8
                dplaces.spot_create(
                    place=self.buildings[("shc", b)],
                    kind=SpotKind.LIFT,
                    name=f"{n}号电梯",
                    install_year=year,
                    code=f"SHC-{b:02d}-{n}",
                )
                index += 1
        dplaces.spot_create(place=shc, kind=SpotKind.SQUARE, name="红巷生活广场", code="SHC-SQUARE-1")
        dplaces.spot_create(
            place=shc, kind=SpotKind.BOILER_ROOM, name="锅炉房", install_year=2003, code="SHC-BOILER-1"
        )
        dplaces.spot_create(place=shc, kind=SpotKind.ROAD, name="小区主路及路灯", code="SHC-ROAD-1")

    # --- parties --------------------------------------------------------------------------------------
    def _parties(self) -> None:
        for spec in data.PARTIES:
            self.parties[spec.code] = dparties.party_create(
                kind=spec.kind,
                name=spec.name,
                code=spec.code,
                home=self.places[spec.home],
                places=[self.places[k] for k in spec.serves],
                phone=spec.phone,
                address=spec.address,
                hours=spec.hours,
                description=spec.description,
            )
        sigma_org = self.parties["demo-sigma-party"]
        companies = [
            (key, name, note, self.places["sigma"]) for key, (name, note) in data.PROPERTY_COMPANIES.items()
        ]
        companies.append(("shc-pm", *SHC_COMPANY, self.places["shanghecun"]))
        for i, (key, name, note, home) in enumerate(companies):
            self.parties[key] = dparties.party_create(
                kind=PartyKind.PROPERTY_COMPANY,
                name=name,
                code=f"demo-{key}",
                home=home,
                phone=f"010-620007{i:02d}",
                hours="24小时报修",
                description=note,
                service_promises="接到报修30分钟内响应，紧急情况2小时内到场；维修完成后回访。",
                fee_standard="住宅物业费 1.9–3.2 元/平方米·月（以合同为准）；60岁以上独居老人免上门费。",
            )
        by_company: dict[str, list[Place]] = {}
        for compound in (*data.SIGMA_COMPOUND_SPECS, data.SHC_SPEC):
            for key, first, last in compound.companies:
                if first == 1 and last == compound.buildings:
                    scope = [self.places[compound.key]]
                else:
                    scope = [self.buildings[(compound.key, b)] for b in range(first, last + 1)]
                by_company.setdefault(key, []).extend(scope)
        for i, (key, scope) in enumerate(by_company.items()):
            starts = date(self.year - 1 - i % 4, i % 12 + 1, 1)
            dparties.contract_create(
                company=self.parties[key],
                places=scope,
                starts_on=starts,
                ends_on=date(self.year + 2, 12, 31),
                number=f"WY-{starts.year}-{i + 1:03d}",
            )
            org = self.parties["demo-shc-party"] if key == "shc-pm" else sigma_org
            dparties.registration_create(
                party=self.parties[key],
                party_org=org,
                registered_on=starts + timedelta(days=10),
                contact_name="项目经理",
            )

    # --- people ---------------------------------------------------------------------------------------
    def _resolve(self, key: str) -> Place:
        if "/" in key:
            compound, building = key.split("/")
            return self.buildings[(compound, int(building))]
        return self.places[key]

    def _people(self) -> int:
        # The demo password is hashed once and the hash shared: hashing ~60 times would take seconds.
        # Users and residencies are bulk-inserted as seed data (no notifications for a fresh database);
        # memberships go through the directory service.
        password = make_password(demo_password())
        specs: list[PersonSpec] = list(data.PEOPLE)
        users = User.objects.bulk_create(
            [
                User(
                    phone=p.phone,
                    real_name=p.name,
                    password=password,
                    birth_year=p.birth_year,
                    lives_alone=p.lives_alone,
                    is_staff=p.role == "admin",
                    is_superuser=p.role == "admin",
                    date_joined=self.now,
                )
                for p in specs
            ]
        )
        by_phone = {u.phone: u for u in users}
        for spec in specs:
            user = by_phone[spec.phone]
            if spec.party:
                dparties.membership_create(
                    user=user,
                    party=self.parties[spec.party],
                    role=spec.member_role,
                    title=spec.title,
                    places=[self._resolve(k) for k in spec.places],
                    public_phone=_public_phone(spec.phone, spec.member_role),
                )
            for party, role, title in spec.extra:
                dparties.membership_create(
                    user=user,
                    party=self.parties[party],
                    role=role,
                    title=title,
                    public_phone=_public_phone(spec.phone, role),
                )
        verifier = {"sigma": by_phone["13900000003"], "shanghecun": by_phone["13900000112"]}
        residencies = []
        for spec in specs:
            if spec.home is None:
                continue
            h = spec.home
            household = self.households[(h.compound, h.building, h.unit, h.household)]
            community = "shanghecun" if h.compound == "shc" else "sigma"
            residencies.append(
                Residency(
                    user=by_phone[spec.phone],
                    household=household,
                    relation=spec.relation,
                    status=Residency.Status.VERIFIED if spec.verified else Residency.Status.PENDING,
                    verified_by=verifier[community] if spec.verified else None,
                    verified_at=self.now if spec.verified else None,
                )
            )
        Residency.objects.bulk_create(residencies)
        return len(users)
