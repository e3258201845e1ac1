"""Registration (报到) of property companies with the community party organisation, as a page for both
sides: one rule for who may see and record a registration, used by the page, the admin and 物业之窗.

* A **company speaks for itself** through its head, deputy, staff or 物业管家 (not handlers, volunteers or
  observers); it registers with the party organisations whose places contain a place it serves under an
  active contract.
* A **party organisation** (head, deputy, staff) records the registration of a company serving inside
  its places, and sees every company serving there, registered or not.
* Members of either party (observers included) read their own registrations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid, NotFound
from shequ.directory import parties
from shequ.directory.models import (
    Membership,
    Party,
    PartyKind,
    PartyPlace,
    PartyRegistration,
    Place,
    Role,
    ServiceContract,
)
from shequ.directory.selectors import contracts_active_on

SPEAKING_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.MANAGER})


@dataclass
class Desk:
    """What one person may do on the 报到 page."""

    companies: list[Party] = field(default_factory=list)  # companies they speak for
    orgs: list[Party] = field(default_factory=list)  # party organisations they speak for
    reading: set[int] = field(default_factory=set)  # every party they are a member of

    @property
    def any(self) -> bool:
        return bool(self.companies or self.orgs)


def desk_for(*, user) -> Desk:
    desk = Desk()
    if not user.is_authenticated:
        return desk
    for m in Membership.objects.filter(user=user, is_active=True, party__is_active=True).select_related(
        "party"
    ):
        desk.reading.add(m.party_id)
        if m.role not in SPEAKING_ROLES:
            continue
        if m.party.kind == PartyKind.PROPERTY_COMPANY and m.party not in desk.companies:
            desk.companies.append(m.party)
        elif m.party.kind == PartyKind.PARTY_ORG and m.party not in desk.orgs:
            desk.orgs.append(m.party)
    return desk


def _area_ids(place_ids) -> set[int]:
    """The places and their communities and streets (where a party organisation's places sit)."""
    out: set[int] = set()
    for pid, community, street in Place.objects.filter(pk__in=place_ids).values_list(
        "pk", "community_id", "street_id"
    ):
        out |= {p for p in (pid, community, street) if p}
    return out


def orgs_for_company(company: Party) -> list[Party]:
    """Party organisations a company registers with: those whose places contain a place it serves."""
    served = ServiceContract.objects.filter(contracts_active_on(), company=company).values_list(
        "places", flat=True
    )
    areas = _area_ids([p for p in served if p])
    org_ids = PartyPlace.objects.filter(place_id__in=areas, party__kind=PartyKind.PARTY_ORG).values_list(
        "party_id", flat=True
    )
    return list(Party.objects.filter(pk__in=org_ids, is_active=True).order_by("name"))


def companies_for_org(org: Party) -> list[Party]:
    """Property companies serving inside a party organisation's places (active contracts)."""
    org_places = list(org.served.values_list("place_id", flat=True))
    within = (
        Q(places__in=org_places)
        | Q(places__compound_id__in=org_places)
        | Q(places__community_id__in=org_places)
        | Q(places__street_id__in=org_places)
    )
    company_ids = (
        ServiceContract.objects.filter(contracts_active_on())
        .filter(within)
        .values_list("company_id", flat=True)
    )
    return list(
        Party.objects.filter(pk__in=company_ids, kind=PartyKind.PROPERTY_COMPANY, is_active=True).order_by(
            "name"
        )
    )


def may_record(*, desk: Desk, company: Party, org: Party) -> bool:
    if company in desk.companies:
        return org in orgs_for_company(company)
    if org in desk.orgs:
        return company in companies_for_org(org)
    return False


def registrations_for(*, desk: Desk) -> list[PartyRegistration]:
    return list(
        PartyRegistration.objects.filter(Q(party_id__in=desk.reading) | Q(party_org_id__in=desk.reading))
        .select_related("party", "party_org")
        .order_by("-registered_on", "-id")
    )


def _party(pk, kind) -> Party:
    try:
        party = Party.objects.filter(pk=int(pk), kind=kind, is_active=True).first()
    except (TypeError, ValueError):
        party = None
    if party is None:
        raise NotFound("没有找到这个单位。", "Organisation not found.", code="party_not_found")
    return party


def registration_submit(
    *, actor, company_id, org_id, contact_name: str, note: str = "", promises: str | None = None
) -> PartyRegistration:
    """Record a company's 报到 (the company itself or the party organisation); the company may set its
    service promises in the same step. Today's date is the registration date."""
    desk = desk_for(user=actor)
    company = _party(company_id, PartyKind.PROPERTY_COMPANY)
    org = _party(org_id, PartyKind.PARTY_ORG)
    if not may_record(desk=desk, company=company, org=org):
        raise Forbidden(
            "只有物业公司负责人或社区党组织工作人员可以登记本辖区的报到。",
            "Only the company's managers or the party organisation's staff may record this registration.",
            code="registration_forbidden",
        )
    contact_name = (contact_name or "").strip()
    if not contact_name or len(contact_name) > 50:
        raise Invalid(
            "请填写负责人姓名（50字以内）。",
            "Enter the contact person's name (up to 50 characters).",
            code="contact_required",
            fields={"contact_name": "required"},
        )
    with transaction.atomic():
        registration = parties.registration_create(
            party=company,
            party_org=org,
            registered_on=timezone.localtime(clock.now()).date(),
            contact_name=contact_name,
            note=(note or "").strip()[:2000],
        )
        if promises is not None and company in desk.companies:
            parties.party_promises_set(party=company, promises=promises)
    return registration
