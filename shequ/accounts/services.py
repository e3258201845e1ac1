"""Writes about people: registering, joining a household, being verified, changing a password."""

from __future__ import annotations

import re
import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shequ.accounts.models import ApiToken, Residency, User
from shequ.accounts.selectors import access_resettable_user, user_roles, verify_reason
from shequ.accounts.tokens import logins_end_everywhere
from shequ.core import clock, jobs
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.core.ratelimit import rate_limit
from shequ.directory.models import Place, PlaceKind

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

# The job that tells people about a residency change (shequ.accounts.jobs), enqueued by name.
RESIDENCY_NOTIFY_JOB = "accounts.residency_changed"
# The job that routes a newly verified resident's claims (shequ.appeals.jobs), enqueued by name: accounts
# sits below appeals and does not import it.
CLAIMS_ROUTE_JOB = "appeals.claims_route"


def _notify(residency: Residency, event: str) -> None:
    try:
        jobs.enqueue(RESIDENCY_NOTIFY_JOB, residency_id=residency.pk, event=event)
    except KeyError:  # no handler installed (portal app absent): nothing to tell
        pass


def forget_roles(user: User) -> None:
    """Drop the roles cached on this user object by user_roles() after they changed."""
    try:
        del user._shequ_roles  # type: ignore[attr-defined]
    except AttributeError:
        pass


def check_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE_RE.match(phone):
        raise Invalid(
            "请输入11位手机号码。",
            "Enter an 11-digit mobile number.",
            code="phone_invalid",
            fields={"phone": "请输入11位手机号码。"},
        )
    return phone


def check_password(password: str, *, user: User | None = None, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        text = " ".join(exc.messages)
        raise Invalid(text, "The password is too weak: " + text, code="password_weak", fields={field: text})


def _check_household(household: Place) -> None:
    if household is None or household.kind != PlaceKind.HOUSEHOLD:
        raise Invalid(
            "请选择您家的房屋（户）。",
            "Choose your household.",
            code="household_invalid",
            fields={"household": "请选择您家的房屋（户）。"},
        )


def _check_relation(relation: str) -> None:
    if relation not in Residency.Relation.values:
        raise Invalid(
            "请选择您与这户的关系。",
            "Choose how you relate to the household.",
            code="relation_invalid",
            fields={"relation": "请选择您与这户的关系。"},
        )


def user_register(
    *,
    phone: str,
    real_name: str,
    password: str,
    household: Place,
    relation: str,
    client_address: str | None = None,
) -> User | None:
    """A resident signs up: an account plus a pending residency the committee (or the owner) verifies.
    Limited per phone and per client address (core.ratelimit), so the form cannot be used to try
    phone after phone.

    The answer does not tell whether the phone already has an account (issue #9, finding 10): for such
    a phone nothing is created or changed, and its owner is told instead (inbox and SMS, `REGISTER_ATTEMPT_JOB`)
    that someone tried, with the way back in (log in; a forgotten password is reset by the committee).
    Both ways validate the same, hash the password once and queue one job, so they take about as long.
    Returns the new account, or None for a phone that had one; callers answer the same in both cases
    and log nobody in (the registrant logs in with the password they chose)."""
    phone = check_phone(phone)
    rate_limit("register", phone=phone, address=client_address)
    real_name = (real_name or "").strip()
    if not (2 <= len(real_name) <= 50):
        raise Invalid(
            "请填写真实姓名（2到50个字）。",
            "Enter your real name (2–50 characters).",
            code="name_invalid",
            fields={"real_name": "请填写真实姓名（2到50个字）。"},
        )
    _check_household(household)
    _check_relation(relation)
    check_password(password, user=User(phone=phone, real_name=real_name))
    owner_id = User.objects.filter(phone=phone).values_list("pk", flat=True).first()
    if owner_id is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(phone=phone, password=password, real_name=real_name)
                residency = Residency.objects.create(user=user, household=household, relation=relation)
                _notify(residency, "requested")
            return user
        except IntegrityError:  # the same phone registered a moment ago by another request
            owner_id = User.objects.filter(phone=phone).values_list("pk", flat=True).first()
            if owner_id is None:
                raise
    else:
        make_password(password)  # the work create_user does, so that the answer takes as long
    _tell_owner_of_attempt(owner_id)
    return None


# The job that tells a phone's owner that someone tried to register it (shequ.accounts.jobs).
REGISTER_ATTEMPT_JOB = "accounts.register_attempted"


def _tell_owner_of_attempt(user_id: int) -> None:
    try:
        jobs.enqueue(REGISTER_ATTEMPT_JOB, user_id=user_id, at=clock.now().isoformat())
    except KeyError:  # no handler installed: nothing to tell
        pass


def residency_request(*, user: User, household: Place, relation: str) -> Residency:
    """A logged-in person asks to be recorded as living in a (further) household."""
    _check_household(household)
    _check_relation(relation)
    with transaction.atomic():
        existing = Residency.objects.select_for_update().filter(user=user, household=household).first()
        if existing is not None:
            if existing.status != Residency.Status.REJECTED:
                raise Conflict(
                    "您已经申请过这户。", "You already asked to join this household.", code="residency_exists"
                )
            existing.status = Residency.Status.PENDING
            existing.relation = relation
            existing.reject_reason = ""
            existing.verified_by = None
            existing.verified_at = None
            existing.save(
                update_fields=[
                    "status",
                    "relation",
                    "reject_reason",
                    "verified_by",
                    "verified_at",
                    "updated_at",
                ]
            )
            residency = existing
        else:
            residency = Residency.objects.create(user=user, household=household, relation=relation)
        _notify(residency, "requested")
    forget_roles(user)
    return residency


def _check_may_decide(*, residency: Residency, actor: User) -> None:
    if user_roles(user=actor).is_observer:
        raise Forbidden("观察员只能查看，不能操作。", "Observers may read but not act.", code="observer")
    if verify_reason(user=actor, residency=residency) is None:
        raise Forbidden(
            "您不能认证这户的住户。",
            "You may not verify residents of this household.",
            code="verify_forbidden",
        )


def _lock_pending(residency: Residency) -> Residency:
    locked = Residency.objects.select_for_update().select_related("household", "user").get(pk=residency.pk)
    if locked.status != Residency.Status.PENDING:
        raise Conflict(
            "这条申请已经处理过了。", "This request has already been decided.", code="already_decided"
        )
    return locked


def residency_verify(*, residency: Residency, actor: User) -> Residency:
    """Committee staff of the household's community, or the household's verified owner, confirm a resident."""
    _check_may_decide(residency=residency, actor=actor)
    with transaction.atomic():
        locked = _lock_pending(residency)
        locked.status = Residency.Status.VERIFIED
        locked.verified_by = actor
        locked.verified_at = clock.now()
        locked.reject_reason = ""
        locked.save(update_fields=["status", "verified_by", "verified_at", "reject_reason", "updated_at"])
        _notify(locked, "verified")
        try:  # the appeals they filed while pending are routed like any other (shequ.appeals.jobs)
            jobs.enqueue(CLAIMS_ROUTE_JOB, user_id=locked.user_id, household_id=locked.household_id)
        except KeyError:  # appeals not installed: no claims
            pass
    return locked


def residency_reject(*, residency: Residency, actor: User, reason: str) -> Residency:
    """Turn a request down, always with a reason the resident will read."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            "请写明不通过的原因。",
            "Give a reason for the rejection.",
            code="reason_required",
            fields={"reason": "请写明不通过的原因。"},
        )
    if len(reason) > 200:
        raise Invalid(
            "原因请不要超过200字。",
            "Keep the reason under 200 characters.",
            code="reason_too_long",
            fields={"reason": "原因请不要超过200字。"},
        )
    _check_may_decide(residency=residency, actor=actor)
    with transaction.atomic():
        locked = _lock_pending(residency)
        locked.status = Residency.Status.REJECTED
        locked.verified_by = actor
        locked.verified_at = clock.now()
        locked.reject_reason = reason
        locked.save(update_fields=["status", "verified_by", "verified_at", "reject_reason", "updated_at"])
        _notify(locked, "rejected")
    return locked


def user_password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    keep_session_key: str | None = None,
    keep_token: ApiToken | None = None,
) -> User:
    """Change one's password; every other web session and API token ends (the one in use stays)."""
    if not user.check_password(old_password or ""):
        raise Invalid(
            "原密码不正确。",
            "The current password is wrong.",
            code="old_password_wrong",
            fields={"old_password": "原密码不正确。"},
        )
    if old_password == new_password:
        raise Invalid(
            "新密码不能和原密码相同。",
            "The new password must differ from the current one.",
            code="password_unchanged",
            fields={"new_password": "新密码不能和原密码相同。"},
        )
    check_password(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        logins_end_everywhere(user=user, keep_key=keep_session_key, keep_token=keep_token)
    return user


def user_profile_update(*, user: User, real_name: str | None = None, email: str | None = None) -> User:
    changed = []
    if real_name is not None:
        real_name = real_name.strip()
        if not (2 <= len(real_name) <= 50):
            raise Invalid(
                "请填写真实姓名（2到50个字）。",
                "Enter your real name (2–50 characters).",
                code="name_invalid",
                fields={"real_name": "请填写真实姓名（2到50个字）。"},
            )
        user.real_name = real_name
        changed.append("real_name")
    if email is not None:
        user.email = email.strip()
        changed.append("email")
    if changed:
        user.save(update_fields=changed)
    return user


def user_password_reset(*, user: User, actor: User) -> str:
    """Committee staff (or an administrator) give a resident who forgot their password a temporary one,
    read out to them in person. Clears any login lock on the phone. Returns the temporary password."""
    if user_roles(user=actor).is_observer:
        raise Forbidden("观察员只能查看，不能操作。", "Observers may read but not act.", code="observer")
    access_resettable_user(actor=actor, phone=user.phone)
    temporary = "sq" + "".join(secrets.choice("23456789") for _ in range(6))
    with transaction.atomic():
        user.set_password(temporary)
        user.save(update_fields=["password"])
        logins_end_everywhere(user=user)  # whoever knew the old password is logged out everywhere
    axes_reset(username=user.phone)
    return temporary
