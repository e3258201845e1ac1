"""Writes to parties: parties, memberships, property-service contracts and registrations (报到).
Nothing else saves a Party, Membership, ServiceContract or PartyRegistration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from shequ.core import readcache
from shequ.core.errors import Conflict, Invalid
from shequ.directory.models import (
    Membership,
    Party,
    PartyKind,
    PartyPlace,
    PartyRegistration,
    Place,
    PlaceKind,
    Role,
    ServiceContract,
)


def party_create(
    *,
    kind: str,
    name: str,
    code: str,
    home: Place | None = None,
    places: Iterable[Place] = (),
    **fields,
) -> Party:
    with transaction.atomic():
        party = Party.objects.create(kind=kind, name=name, code=code, home=home, **fields)
        PartyPlace.objects.bulk_create([PartyPlace(party=party, place=p) for p in places])
        readcache.changed()  # bulk_create sends no signal: who serves which place changed
    return party


def membership_create(
    *, user, party: Party, role: str, title: str = "", places: Iterable[Place] = (), public_phone: str = ""
) -> Membership:
    if role not in Role.values:
        raise Invalid("角色无效。", "Unknown role.", code="role_invalid")
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(
            user=user, party=party, role=role, defaults={"title": title, "public_phone": public_phone}
        )
        places = list(places)
        if places:
            membership.places.add(*places)
    return membership


def contract_create(
    *,
    company: Party,
    places: Iterable[Place],
    starts_on: date,
    ends_on: date | None = None,
    number: str = "",
    note: str = "",
) -> ServiceContract:
    places = list(places)
    check_contract(company=company, places=places, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        contract = ServiceContract.objects.create(
            company=company, starts_on=starts_on, ends_on=ends_on, number=number, note=note
        )
        contract.places.add(*places)
    return contract


def check_contract(*, company: Party, places: Iterable[Place], starts_on: date, ends_on: date | None) -> None:
    if company.kind != PartyKind.PROPERTY_COMPANY:
        raise Invalid(
            "只有物业服务企业可以签订物业服务合同。",
            "Only a property company can hold a service contract.",
            code="contract_company_invalid",
        )
    places = list(places)
    if not places or any(p.kind not in (PlaceKind.COMPOUND, PlaceKind.BUILDING) for p in places):
        raise Invalid(
            "服务范围必须是小区或楼栋。",
            "A contract covers compounds or buildings.",
            code="contract_places_invalid",
        )
    if ends_on and ends_on < starts_on:
        raise Invalid(
            "结束日期不能早于开始日期。",
            "The contract cannot end before it starts.",
            code="contract_period_invalid",
        )


def contract_update(
    *,
    contract: ServiceContract,
    places: Iterable[Place],
    starts_on: date,
    ends_on: date | None = None,
    number: str = "",
    note: str = "",
) -> ServiceContract:
    places = list(places)
    check_contract(company=contract.company, places=places, starts_on=starts_on, ends_on=ends_on)
    with transaction.atomic():
        contract.starts_on, contract.ends_on, contract.number, contract.note = (
            starts_on,
            ends_on,
            number,
            note,
        )
        contract.save(update_fields=["starts_on", "ends_on", "number", "note", "updated_at"])
        contract.places.set(places)
    return contract


def registration_create(
    *, party: Party, party_org: Party, registered_on: date, contact_name: str = "", note: str = ""
) -> PartyRegistration:
    """A party (typically a property company) registers (报到) with the community party organisation."""
    if party_org.kind != PartyKind.PARTY_ORG:
        raise Invalid(
            "只能向社区党组织报到。",
            "Registration is with a community party organisation.",
            code="registration_org_invalid",
        )
    if party.pk == party_org.pk or party.kind == PartyKind.PARTY_ORG:
        raise Invalid(
            "社区党组织不需要向自己报到。",
            "A party organisation does not register with itself.",
            code="registration_party_invalid",
        )
    registration, created = PartyRegistration.objects.get_or_create(
        party=party,
        party_org=party_org,
        defaults={"registered_on": registered_on, "contact_name": contact_name, "note": note},
    )
    if not created:
        raise Conflict("该单位已经报到。", "This party has already registered.", code="registration_exists")
    return registration


def party_promises_set(*, party: Party, promises: str) -> Party:
    """A party's service promises (服务承诺), shown on 物业之窗 and the 报到 page."""
    promises = (promises or "").strip()
    if len(promises) > 2000:
        raise Invalid(
            "服务承诺请不要超过2000字。",
            "Keep the service promises under 2,000 characters.",
            code="promises_too_long",
            fields={"promises": "too long"},
        )
    if party.service_promises != promises:
        party.service_promises = promises
        party.save(update_fields=["service_promises", "updated_at"])
    return party
