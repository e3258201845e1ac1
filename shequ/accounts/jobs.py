"""Tell people about residency changes: the verifying committee and owners when someone asks, the resident when
verified or rejected; and a phone's owner when someone tried to register it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from shequ.accounts.models import Residency
from shequ.accounts.selectors import VERIFIER_ROLES
from shequ.core.jobs import handler
from shequ.directory.models import Membership, PartyKind
from shequ.notifications.services import notify

# Told by SMS as well as in the inbox unless the person turned it off (accounts.apps registers it).
REGISTER_ATTEMPT_VERB = "account.register_attempt"


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


@handler("accounts.register_attempted")
def register_attempted(*, user_id: int, at: str) -> None:
    """Someone tried to register a phone that already has an account: its owner hears of it (at most once
    an hour), with the way back in — often it is the owner themselves, who forgot they had registered."""
    notify(
        recipients=[user_id],
        verb=REGISTER_ATTEMPT_VERB,
        title=_("有人尝试用您的手机号注册社区账号"),
        body=_(
            "如果是您本人：您已经有账号了，不用再注册，请用原来的密码登录；忘记密码请联系社区居委会重置。"
            "如果不是您，请不用理会，您的账号没有任何变化。"
        ),
        url=reverse("accounts:login"),
        key=f"register_attempt:{user_id}:{at[:13]}",
    )
