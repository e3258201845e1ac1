"""Admin screens for parties, memberships, property-service contracts and registrations (报到)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import DomainError
from shequ.directory import parties as dparties
from shequ.directory.admin.common import adopt, as_validation_error
from shequ.directory.models import (
    Membership,
    Party,
    PartyKind,
    PartyPlace,
    PartyRegistration,
    ServiceContract,
)

# --- Parties -----------------------------------------------------------------------------------------


class PartyPlaceInline(admin.TabularInline):
    # A through row (party, place) has no behaviour of its own; the inline formset saves it directly.
    model = PartyPlace
    extra = 0
    autocomplete_fields = ["place"]
    verbose_name = _("服务地点")
    verbose_name_plural = _("服务地点（覆盖其下所有地点）")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "title", "public_phone", "places", "is_active"]
    autocomplete_fields = ["places"]
    raw_id_fields = ["user"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "home", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "phone"]
    autocomplete_fields = ["home"]
    list_select_related = ["home"]
    inlines = [PartyPlaceInline, MembershipInline]
    fields = [
        "kind",
        "name",
        "code",
        "home",
        "phone",
        "address",
        "hours",
        "description",
        "service_promises",
        "fee_standard",
        "is_active",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["kind", "code"] if obj else []

    def save_model(self, request, obj: Party, form, change: bool) -> None:
        if change:
            # Name, contacts, texts and the active flag are simple, non-structural fields: a plain save is fine.
            obj.save()
            return
        data = form.cleaned_data
        extra = {
            k: data.get(k)
            for k in (
                "phone",
                "address",
                "hours",
                "description",
                "service_promises",
                "fee_standard",
                "is_active",
            )
        }
        adopt(
            obj,
            dparties.party_create(
                kind=data["kind"], name=data["name"], code=data["code"], home=data.get("home"), **extra
            ),
        )

    def save_formset(self, request, form, formset, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        forms_by_instance = {id(f.instance): f for f in formset.forms}
        for membership in instances:
            inline_form = forms_by_instance.get(id(membership))
            places = inline_form.cleaned_data.get("places", []) if inline_form else []
            if membership.pk is None:
                created = dparties.membership_create(
                    user=membership.user,
                    party=form.instance,
                    role=membership.role,
                    title=membership.title,
                    places=places,
                    public_phone=membership.public_phone,
                )
                if not membership.is_active:
                    created.is_active = False
                    created.save(update_fields=["is_active", "updated_at"])
            else:
                # Title, phone, active flag and responsible places are non-structural: plain save.
                membership.save()
                membership.places.set(places)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "party", "role", "title", "public_phone", "is_active"]
    list_filter = ["role", "is_active", "party__kind"]
    search_fields = ["user__real_name", "user__phone", "party__name", "title"]
    autocomplete_fields = ["party", "places"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "party"]

    def save_model(self, request, obj: Membership, form, change: bool) -> None:
        if change:
            obj.save()  # title, phone and the active flag are non-structural; places are saved by save_related
            return
        data = form.cleaned_data
        adopt(
            obj,
            dparties.membership_create(
                user=data["user"],
                party=data["party"],
                role=data["role"],
                title=data.get("title") or "",
                places=data.get("places") or (),
                public_phone=data.get("public_phone") or "",
            ),
        )


# --- Contracts and registrations --------------------------------------------------------------------


class ContractForm(forms.ModelForm):
    class Meta:
        model = ServiceContract
        fields = ["company", "places", "starts_on", "ends_on", "number", "note"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("company") and data.get("places") is not None and data.get("starts_on"):
            try:
                dparties.check_contract(
                    company=data["company"],
                    places=data["places"],
                    starts_on=data["starts_on"],
                    ends_on=data.get("ends_on"),
                )
            except DomainError as exc:
                raise as_validation_error(exc)
        return data


@admin.register(ServiceContract)
class ServiceContractAdmin(admin.ModelAdmin):
    form = ContractForm
    list_display = ["company", "number", "starts_on", "ends_on", "scope"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["company__name", "number", "places__name"]
    autocomplete_fields = ["company", "places"]
    list_select_related = ["company"]
    date_hierarchy = "starts_on"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("places")

    def get_readonly_fields(self, request, obj=None):
        return ["company"] if obj else []

    @admin.display(description=_("服务范围"))
    def scope(self, obj: ServiceContract) -> str:
        return "、".join(p.name for p in obj.places.all())

    def save_model(self, request, obj: ServiceContract, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            dparties.contract_update(
                contract=obj,
                places=data["places"],
                starts_on=data["starts_on"],
                ends_on=data.get("ends_on"),
                number=data.get("number") or "",
                note=data.get("note") or "",
            )
        else:
            adopt(
                obj,
                dparties.contract_create(
                    company=data["company"],
                    places=data["places"],
                    starts_on=data["starts_on"],
                    ends_on=data.get("ends_on"),
                    number=data.get("number") or "",
                    note=data.get("note") or "",
                ),
            )

    def save_related(self, request, form, formsets, change: bool) -> None:
        # The service already set the places; only inline formsets (none today) would remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = PartyRegistration
        fields = ["party", "party_org", "registered_on", "contact_name", "note"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        party, org = data.get("party"), data.get("party_org")
        if party and org:
            if org.kind != PartyKind.PARTY_ORG:
                raise ValidationError(_("只能向社区党组织报到。"))
            if party.pk == org.pk or party.kind == PartyKind.PARTY_ORG:
                raise ValidationError(_("社区党组织不需要向自己报到。"))
        return data


@admin.register(PartyRegistration)
class PartyRegistrationAdmin(admin.ModelAdmin):
    form = RegistrationForm
    list_display = ["party", "party_org", "registered_on", "contact_name"]
    list_filter = [("party_org", admin.RelatedOnlyFieldListFilter), "party__kind"]
    search_fields = ["party__name", "party_org__name", "contact_name"]
    autocomplete_fields = ["party", "party_org"]
    list_select_related = ["party", "party_org"]

    def save_model(self, request, obj: PartyRegistration, form, change: bool) -> None:
        if change:
            obj.save()  # date, contact and note are non-structural: a plain save is fine
            return
        data = form.cleaned_data
        try:
            created = dparties.registration_create(
                party=data["party"],
                party_org=data["party_org"],
                registered_on=data["registered_on"],
                contact_name=data.get("contact_name") or "",
                note=data.get("note") or "",
            )
        except DomainError as exc:  # already registered (unique together is checked by the form too)
            raise as_validation_error(exc)
        adopt(obj, created)
