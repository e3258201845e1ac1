"""Admin screens for the directory. Every structural write goes through the write modules
(`directory.places`, `directory.parties`, `directory.importer`).

Forms validate with the same checks the services use (so a bad parent is a form error, not a 500);
`save_model` / `save_formset` then call the service. Plain saves remain only for simple, non-structural
fields (a party's phone or description, a membership's title), which is said where it happens.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from shequ.core.errors import DomainError
from shequ.directory import importer as dimport
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import (
    Membership,
    Party,
    PartyKind,
    PartyPlace,
    PartyRegistration,
    Place,
    PlaceKind,
    ServiceContract,
    Spot,
)
from shequ.directory.tabular import HEADERS, MAX_BYTES, import_template_xlsx


def _as_validation_error(exc: DomainError) -> ValidationError:
    return ValidationError(f"{exc.message_zh} / {exc.message_en}", code=exc.code)


def _adopt(obj, created) -> None:
    """Make the admin's unsaved `obj` the row a service just created (the admin redirects on obj.pk)."""
    obj.__dict__.update({k: v for k, v in created.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = created._state.db


# --- Places ------------------------------------------------------------------------------------------


class PlaceForm(forms.ModelForm):
    class Meta:
        model = Place
        fields = ["kind", "name", "parent", "code", "sort", "floor", "floor_area", "address"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind") or (self.instance.kind if self.instance.pk else None)
        if not kind or not data.get("name"):
            return data
        parent = data.get("parent")
        try:
            dplaces.check_place_parent(kind=kind, parent=parent)
            if parent is not None and self.instance.pk and self.instance.pk in parent.ancestor_ids():
                raise ValidationError(_("不能把地点移到它自己的下级之下。"))
            dplaces.check_name_free(parent=parent, name=data["name"], exclude_id=self.instance.pk)
        except DomainError as exc:
            raise _as_validation_error(exc)
        return data


class SpotInline(admin.TabularInline):
    model = Spot
    fk_name = "place"
    extra = 0
    fields = ["kind", "name", "code", "install_year"]
    show_change_link = True

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # edit spots on their own screen, where saves go through the services

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    form = PlaceForm
    list_display = ["name", "kind", "parent", "community", "floor_area"]
    list_filter = [
        "kind",
        ("community", admin.RelatedOnlyFieldListFilter),
        ("street", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "code", "address"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "community"]
    list_per_page = 50
    ordering = ["kind", "sort", "id"]
    inlines = [SpotInline]
    readonly_fields = ["ancestors"]
    change_form_template = "admin/directory/place/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # The kind of an existing place is structural (its children depend on it): create a new place instead.
        return ["kind", "ancestors"] if obj else ["ancestors"]

    @admin.display(description=_("完整名称"))
    def ancestors(self, obj: Place) -> str:
        return obj.full_name() if obj.pk else "—"

    def save_model(self, request, obj: Place, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            # The form already copied its values onto `obj`; the service compares against the stored row.
            stored = Place.objects.get(pk=obj.pk)
            dplaces.place_update(
                place=stored,
                name=data["name"],
                parent=data.get("parent"),
                floor_area=data.get("floor_area"),
                floor=data.get("floor"),
                code=data.get("code") or "",
                sort=data.get("sort") or 0,
                address=data.get("address") or "",
            )
            _adopt(obj, stored)
        else:
            created = dplaces.place_create(
                kind=data["kind"],
                name=data["name"],
                parent=data.get("parent"),
                floor_area=data.get("floor_area"),
                floor=data.get("floor"),
                code=data.get("code") or "",
                sort=data.get("sort") or 0,
                address=data.get("address") or "",
            )
            _adopt(obj, created)

    def get_urls(self):
        custom = [
            path(
                "<int:place_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name="directory_place_import",
            ),
            path(
                "import-template.xlsx",
                self.admin_site.admin_view(self.import_template_view),
                name="directory_place_import_template",
            ),
        ]
        return custom + super().get_urls()

    def import_view(self, request, place_id: int):
        compound = get_object_or_404(Place, pk=place_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if compound.kind != PlaceKind.COMPOUND:
            messages.error(request, _("只能向小区导入楼栋和住户。"))
            return redirect(reverse("admin:directory_place_change", args=[compound.pk]))
        form = PlacesImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = dimport.places_import(
                    compound=compound, file=upload.read(MAX_BYTES + 1), filename=upload.name
                )
            except DomainError as exc:
                form.add_error("file", f"{exc.message_zh} / {exc.message_en}")
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("导入成功：新建楼栋 %(b)d 栋、单元 %(u)d 个、住户 %(h)d 户。")
                        % {
                            "b": report.buildings_created,
                            "u": report.units_created,
                            "h": report.households_created,
                        },
                    )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("批量导入楼栋与住户"),
            "compound": compound,
            "form": form,
            "report": report,
            "headers": HEADERS,
        }
        return TemplateResponse(request, "admin/directory/place/import_places.html", context)

    def import_template_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            import_template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="shequ-households-template.xlsx"'
        return response


class PlacesImportForm(forms.Form):
    file = forms.FileField(
        label=_("文件（.xlsx 或 .csv）"),
        help_text=_(
            "第一行为列名：楼栋、单元、门牌号、楼层、专有面积（也接受 building, unit, household, floor, area）。"
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("文件太大（最大 5 MB）。"))
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise ValidationError(_("只支持 .xlsx 或 .csv 文件。"))
        return upload


# --- Spots -------------------------------------------------------------------------------------------


@admin.register(Spot)
class SpotAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place", "install_year", "compound", "community"]
    list_filter = ["kind", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code", "place__name"]
    autocomplete_fields = ["place"]
    list_select_related = ["place", "compound", "community"]
    fields = ["place", "kind", "name", "code", "install_year"]

    def save_model(self, request, obj: Spot, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            stored = Spot.objects.get(pk=obj.pk)  # compare against the stored row, not the form's copy
            dplaces.spot_update(
                spot=stored,
                place=data["place"],
                kind=data["kind"],
                name=data["name"],
                install_year=data.get("install_year"),
                code=data.get("code") or "",
            )
            _adopt(obj, stored)
        else:
            _adopt(
                obj,
                dplaces.spot_create(
                    place=data["place"],
                    kind=data["kind"],
                    name=data["name"],
                    install_year=data.get("install_year"),
                    code=data.get("code") or "",
                ),
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
        _adopt(
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
        _adopt(
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
                raise _as_validation_error(exc)
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
            _adopt(
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
            raise _as_validation_error(exc)
        _adopt(obj, created)
