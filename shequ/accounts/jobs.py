"""Tell people about residency changes: the verifying committee and owners when someone asks, the resident when verified or rejected."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.accounts.models import Residency
from shequ.accounts.selectors import VERIFIER_ROLES
from shequ.core.jobs import handler
from shequ.directory.models import Membership, PartyKind
from shequ.notifications.services import notify


@handler("accounts.residency_changed")
def residency_changed(*, residency_id: int, event: str) -> None:
    residency = Residency.objects.select_related("user", "household").filter(pk=residency_id).first()
    if residency is None:
        return
    household = residency.household
    key = f"residency:{residency.pk}:{event}:{residency.updated_at.timestamp():.0f}"
    if event == "requested":
        ancestors = household.ancestor_ids()
        staff = Membership.objects.filter(
            is_active=True,
            party__is_active=True,
            party__kind=PartyKind.RESIDENTS_COMMITTEE,
            role__in=VERIFIER_ROLES,
            party__served__place_id__in=ancestors,
        ).values_list("user_id", flat=True)
        owners = (
            Residency.objects.filter(
                household=household, relation=Residency.Relation.OWNER, status=Residency.Status.VERIFIED
            )
            .exclude(user_id=residency.user_id)
            .values_list("user_id", flat=True)
        )
        notify(
            recipients=set(staff) | set(owners),
            verb="residency_requested",
            title=_("新的住户认证申请：%(name)s") % {"name": residency.user.real_name},
            body=household.full_name(),
            url=reverse("accounts:verify_queue"),
            key=key,
        )
    elif event == "verified":
        notify(
            recipients=[residency.user_id],
            verb="residency_verified",
            title=_("您的住户认证已通过"),
            body=household.full_name(),
            url=reverse("portal:who"),
            key=key,
        )
    elif event == "rejected":
        notify(
            recipients=[residency.user_id],
            verb="residency_rejected",
            title=_("您的住户认证未通过"),
            body=_("原因：%(reason)s") % {"reason": residency.reject_reason},
            url=reverse("accounts:profile"),
            key=key,
        )
