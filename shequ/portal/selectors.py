"""Reads for the resident pages: who looks after a household, and their scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shequ.analytics.rates import Rates, party_rates
from shequ.core import clock
from shequ.directory.models import Membership, Party, PartyKind, PartyPlace, Place, Role
from shequ.directory.selectors import property_company_for


@dataclass
class Person:
    name: str
    role: str
    title: str = ""
    phone: str = ""


@dataclass
class Rate:
    label: str | Promise
    value: float | None
    few: bool = False  # the composite below the minimum of rated appeals: 样本不足 (the league table's rule)

    @property
    def percent(self) -> int | None:
        return None if self.value is None else round(self.value * 100)

    @property
    def level(self) -> str:
        """ok / warn / bad, for the chip colour."""
        if self.value is None or self.few:
            return "none"
        return "ok" if self.value >= 0.9 else "warn" if self.value >= 0.7 else "bad"


@dataclass
class WhoEntry:
    key: str  # anchor id on the page and a stable name for tests
    title: str  # what they are to the resident (物业公司, 楼组长 …)
    icon: str  # id in icons.svg
    duty: str  # one line: what to go to them for
    party: Party | None = None
    people: list[Person] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    missing: str = ""  # shown when nobody is set up yet
    via: Party | None = None  # no phone of their own: reach them through this party (the committee)
    consult: str = ""  # appeal category code for a private question (family doctor, police)
    place: str = ""  # the place they look after for this household (the grid of a grid worker)

    @property
    def phone(self) -> str:
        return self.party.phone if self.party else ""

    @property
    def has_rate_data(self) -> bool:
        return any(r.value is not None for r in self.rates)


# The rows of the page, in the order a resident needs them (DESIGN §2).
# (key, party kind or None, person roles shown, title, icon, duty)
ROWS = [
    (
        "property",
        PartyKind.PROPERTY_COMPANY,
        (Role.MANAGER, Role.HEAD),
        _("物业公司"),
        "building",
        _("报修、保洁、绿化、安保、停车等物业服务"),
    ),
    (
        "env_committee",
        PartyKind.ENV_PROPERTY_COMMITTEE,
        (Role.HEAD, Role.DEPUTY),
        _("环物会"),
        "tools",
        _("物业问题协调、物业服务监督"),
    ),
    (
        "building_leader",
        None,
        (Role.BUILDING_LEADER,),
        _("楼组长"),
        "flag",
        _("楼里的大事小情，帮您代办、代反映"),
    ),
    ("grid_worker", None, (Role.GRID_WORKER,), _("网格员"), "pin", _("网格内巡查、上门走访、代为反映")),
    (
        "police",
        PartyKind.POLICE_STATION,
        (Role.POLICE_OFFICER,),
        _("社区民警"),
        "shield",
        _("治安、纠纷、安全隐患，可私下咨询"),
    ),
    (
        "doctor",
        PartyKind.FAMILY_DOCTOR_TEAM,
        (Role.DOCTOR,),
        _("家庭医生"),
        "doctor",
        _("看病、慢病随访、健康咨询，可私下咨询"),
    ),
    (
        "residents_committee",
        PartyKind.RESIDENTS_COMMITTEE,
        (Role.HEAD,),
        _("社区居委会"),
        "people",
        _("住户认证、证明办理、社区事务、没人管的事"),
    ),
    (
        "party_org",
        PartyKind.PARTY_ORG,
        (Role.HEAD,),
        _("社区党组织"),
        "flag",
        _("统筹协调各方，反映久拖不决的问题"),
    ),
    (
        "mutual_aid",
        PartyKind.MUTUAL_AID_STATION,
        (Role.HEAD,),
        _("互助站"),
        "heart",
        _("小修小补、邻里调解、关爱帮扶"),
    ),
    (
        "owners_committee",
        PartyKind.OWNERS_COMMITTEE,
        (Role.HEAD,),
        _("业主委员会"),
        "owners",
        _("业主共同事务、维修资金、业主投票"),
    ),
]

# Private questions go through the appeals engine as consultations (`appeals:report?kind=consult`).
CONSULT_CATEGORY = {"doctor": "health", "police": "safety"}

# Roles whose members are found by the places they look after rather than by their party.
PLACE_ROLES = {Role.BUILDING_LEADER, Role.GRID_WORKER, Role.POLICE_OFFICER, Role.DOCTOR}


def nearest_parties(*, place: Place, kinds: Sequence[str]) -> dict[str, Party]:
    """For each kind, the active party serving the nearest ancestor of `place` (one query)."""
    ancestors = place.ancestor_ids()
    rank = {pid: i for i, pid in enumerate(ancestors)}
    rows = (
        PartyPlace.objects.filter(place_id__in=ancestors, party__is_active=True, party__kind__in=kinds)
        .select_related("party")
        .order_by("party__name", "party_id")
    )
    best: dict[str, tuple[int, Party]] = {}
    for row in rows:
        r = rank.get(row.place_id, 99)
        if row.party.kind not in best or r < best[row.party.kind][0]:
            best[row.party.kind] = (r, row.party)
    return {kind: party for kind, (_, party) in best.items()}


def party_rates_this_month(*, party_ids: list[int]) -> dict[int, Rates]:
    """The three rates of each party this month."""
    if not party_ids:
        return {}
    return party_rates(party_ids=party_ids, month=clock.now().strftime("%Y-%m"))


def _rates_of(rates: object | None) -> list[Rate]:
    if rates is None:
        return []
    shown = [
        Rate(_("响应率"), getattr(rates, "response_rate", None)),
        Rate(_("解决率"), getattr(rates, "resolution_rate", None)),
        Rate(_("满意率"), getattr(rates, "satisfaction_rate", None)),
    ]
    if isinstance(rates, Rates) and any(r.value is not None for r in shown):
        # The composite by the league table's one rule (analytics.rates): a missing rate counts as 0, and
        # below the minimum of rated appeals it is 样本不足, never a 100 % from one accepted appeal.
        shown.append(Rate(_("综合"), rates.composite, few=not rates.sufficient))
    return shown


def who_looks_after(*, household: Place) -> list[WhoEntry]:
    """Every responsible party and person for a household, with how to reach them (about six queries)."""
    kinds = [kind for _, kind, *_ in ROWS if kind and kind != PartyKind.PROPERTY_COMPANY]
    parties = nearest_parties(place=household, kinds=kinds)
    company = property_company_for(place=household)
    if company is not None:
        parties[PartyKind.PROPERTY_COMPANY] = company

    ancestors = household.ancestor_ids()
    covers = Membership.places.through.objects.filter(membership_id=OuterRef("pk"), place_id__in=ancestors)
    party_roles = {Role.HEAD, Role.DEPUTY, Role.MANAGER}
    members = list(
        Membership.objects.filter(is_active=True, user__is_active=True, party__is_active=True)
        .filter(
            Q(role__in=PLACE_ROLES, places__in=ancestors)
            | Q(party_id__in=[p.pk for p in parties.values()], role__in=party_roles)
        )
        .annotate(covers=Exists(covers))
        .select_related("user", "party")
        .distinct()
        .order_by("-covers", "id")
    )

    rates = party_rates_this_month(party_ids=sorted({p.pk for p in parties.values()}))
    # The household's grid (网格), where its community uses grids: the grid worker's card names it.
    grid = Place.objects.filter(pk=household.grid_id).first() if household.grid_id else None
    entries = []
    for key, kind, roles, title, icon, duty in ROWS:
        party = parties.get(kind) if kind else None
        if kind is None or kind in (PartyKind.POLICE_STATION, PartyKind.FAMILY_DOCTOR_TEAM):
            # People found by the places they look after (the building leader of this building …).
            found = [m for m in members if m.role in roles and m.covers]
            if party is not None and kind is not None:
                found = [m for m in found if m.party_id == party.pk] or found
        else:
            found = [m for m in members if party is not None and m.party_id == party.pk and m.role in roles]
            if key == "property":
                managers = [m for m in found if m.role == Role.MANAGER]
                found = [m for m in managers if m.covers] or managers or found
        if kind is None and found:
            party = found[0].party
        people = [
            Person(name=m.user.real_name, role=m.get_role_display(), title=m.title, phone=m.public_phone)
            for m in found[:3]
        ]
        entry = WhoEntry(
            key=key,
            title=str(title),
            icon=icon,
            duty=str(duty),
            party=party,
            people=people,
            rates=_rates_of(rates.get(party.pk)) if party is not None and kind else [],
        )
        entry.consult = CONSULT_CATEGORY.get(key, "")
        if key == "grid_worker" and grid is not None:
            entry.place = grid.name
        if party is None and not people:
            entry.missing = str(_("暂未登记，可先联系社区居委会。"))
        entries.append(entry)
    committee = parties.get(PartyKind.RESIDENTS_COMMITTEE)
    if committee is not None and committee.phone:
        for entry in entries:
            if not entry.phone and not any(p.phone for p in entry.people):
                entry.via = committee
    return entries
