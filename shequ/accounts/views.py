"""Account pages: log in and out, register with a household, profile, password, verification queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts import selectors, services, tokens
from shequ.accounts.forms import (
    AccountFields,
    LoginForm,
    PasswordChangeForm,
    RejectForm,
    RelationForm,
    attach_error,
)
from shequ.accounts.http import AuthedRequest
from shequ.accounts.models import Residency, User
from shequ.core.errors import DomainError, Unauthorized
from shequ.core.net import client_ip
from shequ.core.views import domain_errors, error_text
from shequ.directory.models import Place, PlaceKind


def lockout(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """Shown by django-axes when a phone number has had too many failed logins (JSON for the API)."""
    if request.path.startswith("/api/"):
        err = Unauthorized(
            "尝试次数过多，请15分钟后再试。", "Too many attempts; try again in 15 minutes.", code="locked_out"
        )
        return JsonResponse(err.as_dict(), status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "accounts/lockout.html", status=429)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


login_view = LoginView.as_view()


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out here; with `everywhere`, also end every other web login and every API token."""
    if request.user.is_authenticated and request.POST.get("everywhere"):
        tokens.logins_end_everywhere(user=request.user)
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def logins(request: AuthedRequest) -> HttpResponse:
    """登录设备: where this person is logged in (web and app), each one can be ended."""
    if request.method == "POST":
        try:
            login_id = int(request.POST.get("id", ""))
        except ValueError:
            login_id = 0
        try:
            if request.POST.get("kind") == "api":
                tokens.token_revoke(user=request.user, token_id=login_id)
            else:
                tokens.session_end(user=request.user, session_id=login_id)
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已结束这个登录。"))
        return redirect("accounts:logins")
    items = tokens.logins_for(user=request.user, session_key=request.session.session_key)
    return render(request, "accounts/logins.html", {"items": items})


# --- registration -----------------------------------------------------------------------------------


def _level_labels() -> dict[str, str]:
    return {
        "street": _("街道"),
        "community": _("社区"),
        "compound": _("小区"),
        "building": _("楼栋"),
        "unit": _("单元"),
        "household": _("门牌号"),
    }


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _chooser_context(data) -> dict:
    selected = {level: _int(data.get(level)) for level in selectors.CHOOSER_LEVELS}
    options, chosen = selectors.place_choices(selected=selected)
    labels = _level_labels()
    levels = []
    show = True
    for level in selectors.CHOOSER_LEVELS:
        if not show:
            break
        if not options[level] and level == "unit":
            continue
        levels.append(
            {"name": level, "label": labels[level], "options": options[level], "value": chosen[level]}
        )
        show = chosen[level] is not None
    household = None
    if chosen["household"] is not None:
        household = (
            Place.objects.select_related("unit", "building", "compound", "community")
            .filter(pk=chosen["household"], kind=PlaceKind.HOUSEHOLD)
            .first()
        )
    return {"levels": levels, "chosen_household": household}


def register(request: HttpRequest) -> HttpResponse:
    """Self-registration; a logged-in person uses the same page to add a household to their account.

    The household is chosen level by level. With htmx each select refreshes the chooser in place;
    without JavaScript the "下一步" button posts the form back with nothing saved.
    """
    anonymous = not request.user.is_authenticated
    data = request.POST if request.method == "POST" else request.GET
    chooser = _chooser_context(data)
    # Bound on every POST, even an empty one (an empty form is invalid, not a 500).
    posted = request.POST if request.method == "POST" else None
    account_form = AccountFields(posted, prefix=None) if anonymous else None
    relation_form = RelationForm(posted)
    choosing = request.method == "POST" and "choose" in request.POST
    if request.method == "POST" and not choosing:
        forms_ok = relation_form.is_valid() and (account_form is None or account_form.is_valid())
        household = chooser["chosen_household"]
        if household is None:
            relation_form.add_error(None, _("请一级一级选到您家的门牌号。"))
            forms_ok = False
        if forms_ok:
            relation = relation_form.cleaned_data["relation"]
            try:
                if account_form is not None:  # anonymous: a new account
                    acc = account_form.cleaned_data
                    # The same answer whether or not the phone already had an account (its owner gets
                    # a text message instead), so nobody is logged in here: the login page is next.
                    services.user_register(
                        phone=acc["phone"],
                        real_name=acc["real_name"],
                        password=acc["password"],
                        household=household,
                        relation=relation,
                        client_address=client_ip(request),
                    )
                    messages.success(
                        request,
                        _(
                            "已提交注册。请用这个手机号和刚才设置的密码登录，登录后等待社区居委会或户主认证。"
                            "如果这个手机号以前注册过，我们已给它发了短信：请用原来的密码登录，"
                            "忘记密码请联系社区居委会重置。"
                        ),
                    )
                    login_url = reverse("accounts:login")
                    return redirect(f"{login_url}?next={reverse('accounts:profile')}")
                elif isinstance(request.user, User):
                    services.residency_request(user=request.user, household=household, relation=relation)
            except DomainError as exc:
                attach_error(
                    account_form
                    if account_form is not None and set(exc.fields) & {"phone", "real_name", "password"}
                    else relation_form,
                    exc,
                )
            else:
                messages.success(
                    request,
                    _("已提交，请等待社区居委会或户主认证。认证后即可查看本楼栋公告、报名社区活动。"),
                )
                return redirect("accounts:profile")
    elif choosing:
        # Only the chooser moved on: do not show "required" errors for fields not filled in yet.
        if account_form is not None:
            account_form = AccountFields(initial={k: request.POST.get(k, "") for k in ("phone", "real_name")})
        relation_form = RelationForm(initial={"relation": request.POST.get("relation")})
    context = {"account_form": account_form, "relation_form": relation_form, **chooser}
    return render(request, "accounts/register.html", context)


def register_places(request: HttpRequest) -> HttpResponse:
    """The household chooser alone (htmx partial of the registration page)."""
    return render(request, "accounts/_place_chooser.html", _chooser_context(request.GET))


# --- profile and password ---------------------------------------------------------------------------


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    roles = selectors.user_roles(user=request.user)
    residencies = sorted(roles.residencies, key=lambda r: (r.status != Residency.Status.VERIFIED, r.pk))
    return render(
        request,
        "accounts/profile.html",
        {
            "roles": roles,
            "residencies": residencies,
            "memberships": sorted(roles.memberships, key=lambda m: (m.party.kind, m.party.name)),
            "can_verify": selectors.can_verify_anyone(user=request.user),
        },
    )


@login_required
def password_change(request: AuthedRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except DomainError as exc:
            attach_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改，下次请用新密码登录。"))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


# --- verification -----------------------------------------------------------------------------------


@login_required
def verify_queue(request: AuthedRequest) -> HttpResponse:
    if not selectors.can_verify_anyone(user=request.user):
        return render(request, "accounts/verify_queue.html", {"allowed": False, "items": []}, status=403)
    items = list(selectors.pending_residencies_for(user=request.user)[:200])
    return render(
        request,
        "accounts/verify_queue.html",
        {
            "allowed": True,
            "items": items,
            "is_observer": selectors.user_roles(user=request.user).is_observer,
            "show_phone": selectors.is_committee_verifier(user=request.user),
        },
    )


@login_required
@require_POST
@domain_errors
def verify_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    residency = selectors.access_pending_residency(user=request.user, residency_id=pk)
    action = request.POST.get("action")
    try:
        if action == "verify":
            services.residency_verify(residency=residency, actor=request.user)
            messages.success(request, _("已认证：%(name)s") % {"name": residency.user.real_name})
        elif action == "reject":
            form = RejectForm(request.POST)
            reason = form.data.get("reason", "")
            services.residency_reject(residency=residency, actor=request.user, reason=reason)
            messages.success(request, _("已退回：%(name)s") % {"name": residency.user.real_name})
        else:
            messages.error(request, _("请选择通过或不通过。"))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, error_text(exc))
    return redirect(reverse("accounts:verify_queue"))


@login_required
def password_reset(request: AuthedRequest) -> HttpResponse:
    """Committee staff reset a resident's forgotten password to a temporary one, in person."""
    if not (request.user.is_superuser or selectors.is_committee_verifier(user=request.user)):
        return render(request, "accounts/password_reset.html", {"allowed": False}, status=403)
    data = request.POST if request.method == "POST" else request.GET
    phone = (data.get("phone") or "").strip()
    target = temporary = error = None
    if phone:
        try:
            target = selectors.access_resettable_user(actor=request.user, phone=phone)
        except DomainError as exc:
            error = error_text(exc)
    if request.method == "POST" and target is not None:
        try:
            temporary = services.user_password_reset(user=target, actor=request.user)
        except DomainError as exc:
            error = error_text(exc)
    response = render(
        request,
        "accounts/password_reset.html",
        {
            "allowed": True,
            "phone": phone,
            "target": target,
            "temporary": temporary,
            "error": error,
            "target_roles": selectors.user_roles(user=target) if target is not None else None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response
