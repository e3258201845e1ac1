"""The 报到 page: property companies' registration with the community party organisation, for both
sides (the rule is `shequ.directory.registrations`). Plain forms, POST-redirect-GET, no JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequ.core.errors import DomainError, Forbidden
from shequ.core.views import domain_errors, error_text
from shequ.directory import registrations as reg


@login_required
@domain_errors
def registrations(request: HttpRequest) -> HttpResponse:
    desk = reg.desk_for(user=request.user)
    status = 200
    if request.method == "POST":
        try:
            registration = reg.registration_submit(
                actor=request.user,
                company_id=request.POST.get("company"),
                org_id=request.POST.get("org"),
                contact_name=request.POST.get("contact_name", ""),
                note=request.POST.get("note", ""),
                promises=request.POST["promises"] if "promises" in request.POST else None,
            )
        except Forbidden:
            raise
        except DomainError as exc:
            messages.error(request, error_text(exc))
            status = exc.status
        else:
            messages.success(
                request,
                _("%(company)s 已向 %(org)s 报到。")
                % {"company": registration.party.name, "org": registration.party_org.name},
            )
            return redirect("directory:registrations")
    rows = reg.registrations_for(desk=desk)
    if not desk.any and not rows:
        raise Forbidden(
            "报到页面只对物业公司和社区党组织开放。",
            "The registration page is for property companies and party organisations.",
            code="registration_page_forbidden",
        )
    done = {(r.party_id, r.party_org_id): r for r in rows}
    org_sections = [
        {"org": org, "companies": [(c, done.get((c.pk, org.pk))) for c in reg.companies_for_org(org)]}
        for org in desk.orgs
    ]
    company_sections = [
        {"company": c, "orgs": [(o, done.get((c.pk, o.pk))) for o in reg.orgs_for_company(c)]}
        for c in desk.companies
    ]
    return render(
        request,
        "directory/registrations.html",
        {"org_sections": org_sections, "company_sections": company_sections, "rows": rows},
        status=status,
    )
