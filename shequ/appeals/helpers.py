"""大手拉小手: the 环物会 asks another property company to do the work, the first party staying
accountable; the door-fee waiver for residents aged 60+ living alone. The `assign_helper` action of
the transition function (`h_assign_helper`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from shequ.accounts.selectors import user_roles
from shequ.appeals.access import acting_party_ids
from shequ.appeals.models import Appeal
from shequ.appeals.records import checked_text as _text
from shequ.appeals.step import Step
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid
from shequ.directory.models import Party, PartyKind, PartyPlace

FEE_WAIVER_AGE = 60


def fee_waiver_eligible(*, user, today: date | None = None) -> bool:
    """Residents aged 60 or more who live alone pay no door-to-door fee."""
    year = (today or clock.now().date()).year
    return bool(user.lives_alone and user.birth_year and year - user.birth_year >= FEE_WAIVER_AGE)


def _acting_env_committee(*, actor, appeal: Appeal) -> Party | None:
    """The 环物会 the actor acts for that serves the appeal's place (or the appeal reached)."""
    roles = user_roles(user=actor)
    acting = acting_party_ids(roles)
    committees = [
        m.party
        for m in roles.memberships
        if m.party_id in acting and m.party.kind == PartyKind.ENV_PROPERTY_COMMITTEE
    ]
    reached = [p for p in committees if p.pk == appeal.escalated_to_id]
    if reached:
        return reached[0]
    serving = set(
        PartyPlace.objects.filter(party__in=committees, place_id__in=appeal.place.ancestor_ids()).values_list(
            "party_id", flat=True
        )
    )
    return next((p for p in committees if p.pk in serving), None)


def h_assign_helper(step: Step, target: str) -> None:
    """The 环物会 asks another property company to do the work; the first party stays accountable.
    data: company (Party or id), fee_waived (None decides from the reporter: 60+ and living alone;
    True requires that), note."""
    appeal = step.appeal
    env = _acting_env_committee(actor=step.actor, appeal=appeal) if step.actor is not None else None
    if env is None:
        raise Forbidden(
            "只有环物会可以安排大手拉小手。",
            "Only the environment-and-property committee may assign a helper company.",
            code="helper_forbidden",
        )
    company: Any = step.data.get("company")
    if not isinstance(company, Party):
        try:
            company = Party.objects.filter(pk=int(company)).first()
        except (TypeError, ValueError):
            company = None
    if company is None or company.kind != PartyKind.PROPERTY_COMPANY or not company.is_active:
        raise Invalid(
            "请选择一家物业服务企业。",
            "Choose a property company.",
            code="company_invalid",
            fields={"company": "invalid"},
        )
    if company.pk in (appeal.responsible_party_id, appeal.first_party_id):
        raise Invalid(
            "协助企业不能是原责任企业。",
            "The helper must be another company.",
            code="company_same",
            fields={"company": "same"},
        )
    note = _text(step.data.get("note"), field_name="note", required=False, zh="", en="")[:500]
    eligible = fee_waiver_eligible(user=appeal.reporter)
    asked = step.data.get("fee_waived")
    if asked and not eligible:
        raise Invalid(
            "只有60岁以上独居老人可以免收上门费。",
            "Only residents aged 60+ who live alone have the door fee waived.",
            code="fee_waiver_not_eligible",
            fields={"fee_waived": "not eligible"},
        )
    waived = eligible if asked is None else bool(asked)
    step.set("helper_party", company)
    step.set("fee_waived", waived)
    first = appeal.first_party.name if appeal.first_party is not None else ""
    step.event_text = note or f"{company.name} 协助处理，{first}仍为首接负责主体。"
    step.event_party = env
    step.event_data.update(
        {
            "helper_party": company.pk,
            "helper_name": company.name,
            "fee_waived": waived,
            "first_party": appeal.first_party_id,
        }
    )
