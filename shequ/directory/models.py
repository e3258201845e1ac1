"""The directory (找得到): the place tree, spots and assets, parties, memberships, contracts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import TimeStampedModel


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    COMPOUND = "compound", _("小区")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("单元")
    HOUSEHOLD = "household", _("户")


# Each kind's level; a child must be deeper than its parent (grids are optional).
PLACE_LEVEL = {
    PlaceKind.DISTRICT: 0,
    PlaceKind.STREET: 1,
    PlaceKind.COMMUNITY: 2,
    PlaceKind.GRID: 3,
    PlaceKind.COMPOUND: 4,
    PlaceKind.BUILDING: 5,
    PlaceKind.UNIT: 6,
    PlaceKind.HOUSEHOLD: 7,
}

# Ancestor columns kept on every place (including itself at its own level), so that
# "everything in compound X" is one indexed equality, not a tree walk.
ANCESTOR_FIELDS = {
    PlaceKind.DISTRICT: "district",
    PlaceKind.STREET: "street",
    PlaceKind.COMMUNITY: "community",
    PlaceKind.GRID: "grid",
    PlaceKind.COMPOUND: "compound",
    PlaceKind.BUILDING: "building",
    PlaceKind.UNIT: "unit",
}


class Place(TimeStampedModel):
    kind = models.CharField(_("类型"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.CharField(_("编码"), max_length=64, blank=True, default="", db_index=True)
    sort = models.PositiveIntegerField(_("排序"), default=0)
    floor_area = models.DecimalField(
        _("专有部分面积（平方米）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    # Denormalised ancestors (set by directory.places; never by hand).
    district = models.ForeignKey(
        "self", verbose_name=_("所属区"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    street = models.ForeignKey(
        "self", verbose_name=_("所属街道"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        "self", verbose_name=_("所属社区"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey(
        "self", verbose_name=_("所属网格"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    compound = models.ForeignKey(
        "self", verbose_name=_("所属小区"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    building = models.ForeignKey(
        "self", verbose_name=_("所属楼栋"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "self", verbose_name=_("所属单元"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["sort", "id"]
        indexes = [
            models.Index(fields=["kind", "community"], name="dir_place_kind_comm"),
            models.Index(fields=["kind", "compound"], name="dir_place_kind_comp"),
            models.Index(fields=["kind", "building"], name="dir_place_kind_bldg"),
            models.Index(fields=["kind", "street"], name="dir_place_kind_street"),
            models.Index(fields=["parent", "sort"], name="dir_place_children"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="dir_place_unique_name_in_parent"),
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True) | Q(floor_area__gt=0), name="dir_place_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> int:
        return PLACE_LEVEL[PlaceKind(self.kind)]

    def ancestor_ids(self) -> list[int]:
        """Ids of this place and every ancestor, nearest first."""
        ids = [
            self.unit_id,
            self.building_id,
            self.compound_id,
            self.grid_id,
            self.community_id,
            self.street_id,
            self.district_id,
        ]
        out = [self.pk] if self.pk else []
        out += [i for i in ids if i and i != self.pk]
        return out

    def scope_name(self) -> str:
        """A scope as people say it: a building or unit with its compound ("知春里小区 1号楼"), anything
        else by its own name. Select `compound` with the place to keep it query-free."""
        if self.kind in (PlaceKind.BUILDING, PlaceKind.UNIT) and self.compound_id and self.compound:
            return f"{self.compound.name} {self.name}"
        return self.name

    def full_name(self) -> str:
        """e.g. 希格玛社区 知春里小区 5号楼 2单元 301."""
        parts = []
        node: Place | None = self
        while node is not None and node.kind not in (PlaceKind.DISTRICT, PlaceKind.STREET):
            if node.kind != PlaceKind.GRID:
                parts.append(node.name)
            node = node.parent
        return " ".join(reversed(parts))


class SpotKind(models.TextChoices):
    LIFT = "lift", _("电梯")
    BIKE_SHED = "bike_shed", _("车棚")
    CHARGER = "charger", _("充电桩")
    BOILER_ROOM = "boiler_room", _("锅炉房")
    PUMP_ROOM = "pump_room", _("水泵房")
    GATE = "gate", _("门禁/大门")
    SQUARE = "square", _("广场")
    ACTIVITY_ROOM = "activity_room", _("活动室")
    GREEN = "green", _("绿地")
    ROAD = "road", _("道路")
    OTHER = "other", _("其他")


class Spot(TimeStampedModel):
    """A public spot or asset (公共部位/设施) hanging off any place: lift No. 3 of building 5."""

    place = models.ForeignKey(
        Place, verbose_name=_("所在地点"), on_delete=models.CASCADE, related_name="spots"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=SpotKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编号"), max_length=64, blank=True, default="")
    install_year = models.PositiveSmallIntegerField(_("安装年份"), null=True, blank=True)
    # Denormalised for listing every lift in a community or compound without a tree walk.
    community = models.ForeignKey(
        Place, verbose_name=_("所属社区"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    compound = models.ForeignKey(
        Place, verbose_name=_("所属小区"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("公共部位/设施")
        verbose_name_plural = _("公共部位/设施")
        ordering = ["place_id", "kind", "name"]
        indexes = [
            models.Index(fields=["community", "kind"], name="dir_spot_comm_kind"),
            models.Index(fields=["compound", "kind"], name="dir_spot_comp_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.place.name} {self.name}"

    def age_years(self, year: int) -> int | None:
        return None if self.install_year is None else year - self.install_year


class PartyKind(models.TextChoices):
    PARTY_ORG = "party_org", _("社区党组织")
    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    OWNERS_ASSEMBLY = "owners_assembly", _("业主大会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    ENV_PROPERTY_COMMITTEE = "env_property_committee", _("环境和物业管理委员会")
    MUTUAL_AID_STATION = "mutual_aid_station", _("互助站")
    DEPARTMENT = "department", _("职能部门")
    CO_BUILDER = "co_builder", _("共建单位")
    FAMILY_DOCTOR_TEAM = "family_doctor_team", _("家庭医生团队")
    POLICE_STATION = "police_station", _("派出所/社区警务室")
    STREET_OFFICE = "street_office", _("街道办事处")


class Party(TimeStampedModel):
    """Any organisation with a kind, the places it serves and members with roles."""

    kind = models.CharField(_("类型"), max_length=32, choices=PartyKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("代码"), max_length=64, unique=True)
    home = models.ForeignKey(
        Place,
        verbose_name=_("所属地点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_parties",
        help_text=_("组织所在的街道或社区"),
    )
    phone = models.CharField(_("联系电话"), max_length=32, blank=True, default="")
    address = models.CharField(_("地址"), max_length=200, blank=True, default="")
    hours = models.CharField(_("服务时间"), max_length=100, blank=True, default="")
    description = models.TextField(_("简介"), blank=True, default="")
    service_promises = models.TextField(_("服务承诺"), blank=True, default="")
    fee_standard = models.TextField(_("收费标准"), blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)
    places = models.ManyToManyField(
        Place, through="PartyPlace", related_name="parties", verbose_name=_("服务地点")
    )

    class Meta:
        verbose_name = _("治理主体")
        verbose_name_plural = _("治理主体")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class PartyPlace(models.Model):
    """A place a party serves. Serving a place covers everything under it."""

    party = models.ForeignKey(
        Party, verbose_name=_("治理主体"), on_delete=models.CASCADE, related_name="served"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("地点"), on_delete=models.CASCADE, related_name="served_by"
    )

    class Meta:
        verbose_name = _("服务地点")
        verbose_name_plural = _("服务地点")
        constraints = [models.UniqueConstraint(fields=["party", "place"], name="dir_partyplace_unique")]
        indexes = [models.Index(fields=["place", "party"], name="dir_partyplace_place")]

    def __str__(self) -> str:
        return f"{self.party} · {self.place}"


class Role(models.TextChoices):
    HEAD = "head", _("负责人")
    DEPUTY = "deputy", _("副职")
    STAFF = "staff", _("工作人员")
    DISPATCHER = "dispatcher", _("调度员")
    HANDLER = "handler", _("处理人员")
    MANAGER = "manager", _("物业管家")
    MEMBER = "member", _("成员")
    BUILDING_LEADER = "building_leader", _("楼组长")
    GRID_WORKER = "grid_worker", _("网格员")
    DOCTOR = "doctor", _("家庭医生")
    POLICE_OFFICER = "police_officer", _("社区民警")
    VOLUNTEER = "volunteer", _("志愿者")
    OBSERVER = "observer", _("观察员")


# Roles that may act for their party (post, accept, dispatch …); observers only read.
ACTING_ROLES = frozenset(r for r in Role.values if r != Role.OBSERVER)


class Membership(TimeStampedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("治理主体"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    title = models.CharField(_("职务"), max_length=50, blank=True, default="")
    places = models.ManyToManyField(
        Place,
        blank=True,
        related_name="responsible_members",
        verbose_name=_("负责地点"),
        help_text=_("楼组长的楼栋、网格员的网格、管家的小区等"),
    )
    public_phone = models.CharField(_("对外电话"), max_length=32, blank=True, default="")
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "party", "role"], name="dir_membership_unique")
        ]
        indexes = [models.Index(fields=["party", "role"], name="dir_membership_party_role")]

    def __str__(self) -> str:
        return f"{self.party} · {self.get_role_display()}"


class ServiceContract(TimeStampedModel):
    """A property company serves a set of buildings or whole compounds for a period."""

    company = models.ForeignKey(
        Party,
        verbose_name=_("物业服务企业"),
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"kind": PartyKind.PROPERTY_COMPANY},
    )
    places = models.ManyToManyField(
        Place, related_name="service_contracts", verbose_name=_("服务范围（小区或楼栋）")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    number = models.CharField(_("合同编号"), max_length=64, blank=True, default="")
    note = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["company", "starts_on"], name="dir_contract_company")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="dir_contract_period_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.starts_on:%Y-%m-%d}"


class PartyRegistration(TimeStampedModel):
    """A property company's registration (报到) with the community party organisation."""

    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("报到单位")
    )
    party_org = models.ForeignKey(
        Party,
        on_delete=models.CASCADE,
        related_name="registered",
        verbose_name=_("社区党组织"),
        limit_choices_to={"kind": PartyKind.PARTY_ORG},
    )
    registered_on = models.DateField(_("报到日期"))
    contact_name = models.CharField(_("负责人"), max_length=50, blank=True, default="")
    note = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("报到登记")
        verbose_name_plural = _("报到登记")
        constraints = [models.UniqueConstraint(fields=["party", "party_org"], name="dir_registration_unique")]
