"""Admin screens for places (the tree, moves, the bulk import of a compound) and spots."""

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
from shequ.directory import places as dplaces
from shequ.directory.admin.common import adopt, as_validation_error
from shequ.directory.models import (
    Place,
    PlaceKind,
    Spot,
)
from shequ.directory.tabular import HEADERS, MAX_BYTES, import_template_xlsx

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
            raise as_validation_error(exc)
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
            adopt(obj, stored)
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
            adopt(obj, created)

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
            adopt(obj, stored)
        else:
            adopt(
                obj,
                dplaces.spot_create(
                    place=data["place"],
                    kind=data["kind"],
                    name=data["name"],
                    install_year=data.get("install_year"),
                    code=data.get("code") or "",
                ),
            )
