"""Elections with a secret ballot that anyone can check (DESIGN §5).

The roll (`RollEntry`) records *that* a voter voted. The ballot box (`BoxBallot`) stores the choices under a
random receipt code and nothing else: no foreign key to a person, no user id, no timestamp, no sequence —
its primary key is the random receipt itself, and every cast rewrites the election's box in a random order
in the same transaction, so neither insertion order (SQLite rowid, PostgreSQL ctid/xmin) nor any column can
be joined with the roll. After the close the whole box is published: receipt → choices.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel
from shequ.decisions.models import BallotChannel


class ElectionKind(models.TextChoices):
    ENV_COMMITTEE = "env_committee", _("环物会业主委员")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会委员")
    OTHER = "other", _("其他选举")


class Electorate(models.TextChoices):
    OWNERS = "owners", _("本范围全体业主（业主名册）")
    REPRESENTATIVES = "representatives", _("各楼栋居民代表")


class Method(models.TextChoices):
    """How the election is counted. An owners'-committee election is an art. 278 matter (item 3) and needs the
    area and headcount double majority, so it is a named ballot (docs/decisions/0006); every other election
    is a secret ballot counted by heads."""

    SECRET = "secret", _("无记名投票，按票数计票")
    OWNERS_278 = "owners_278", _("记名投票，按专有部分面积和业主人数双过半计票（民法典第二百七十八条）")


class ElectionStatus(models.TextChoices):
    NOMINATION = "nomination", _("提名中")
    PUBLICITY = "publicity", _("候选人公示中")
    VOTING = "voting", _("投票中")
    CLOSED = "closed", _("已结束")
    CANCELLED = "cancelled", _("已撤销")


class Election(TimeStampedModel):
    organiser = models.ForeignKey(
        "directory.Party", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        "directory.Place", verbose_name=_("选举范围"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ElectionKind.choices)
    electorate = models.CharField(_("选民"), max_length=20, choices=Electorate.choices)
    method = models.CharField(_("计票方式"), max_length=12, choices=Method.choices, default=Method.SECRET)
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("说明"), blank=True, default="")
    seats = models.PositiveSmallIntegerField(_("应选名额"))
    max_choices = models.PositiveSmallIntegerField(_("每票最多可选"))
    alternates = models.PositiveSmallIntegerField(_("候补人数"), default=0)
    min_nominators = models.PositiveSmallIntegerField(_("业主联名提名最少人数"), default=5)
    status = models.CharField(
        _("状态"), max_length=12, choices=ElectionStatus.choices, default=ElectionStatus.NOMINATION
    )
    publicity_at = models.DateTimeField(_("候选人公示开始"), null=True, blank=True)
    opens_at = models.DateTimeField(_("投票开始"), null=True, blank=True)
    closes_at = models.DateTimeField(_("投票截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    result = models.JSONField(_("计票结果"), default=dict, blank=True)
    notice_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("选举")
        verbose_name_plural = _("选举")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["place", "status"], name="el_election_by_place")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_named(self) -> bool:
        return self.method == Method.OWNERS_278


class AppointedRole(models.TextChoices):
    DIRECTOR = "director", _("主任")
    VICE_DIRECTOR = "vice_director", _("副主任")
    MEMBER = "member", _("委员")


class AppointedMember(models.Model):
    """The committee members who are not elected (the 环物会's director from the residents' committee and two
    community police as vice-directors)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="appointed")
    role = models.CharField(_("职务"), max_length=16, choices=AppointedRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    party = models.ForeignKey(
        "directory.Party", verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["election_id", "role", "id"]


class NominationRoute(models.TextChoices):
    SELF = "self", _("本人自荐")
    OWNERS = "owners", _("业主联名推荐")
    PARTY_ORG = "party_org", _("社区党组织推荐")
    RESIDENTS_COMMITTEE = "residents_committee", _("居委会推荐")


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    building = models.ForeignKey(
        "directory.Place",
        verbose_name=_("所在楼栋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    route = models.CharField(_("提名方式"), max_length=20, choices=NominationRoute.choices)
    nominators = models.TextField(_("联名业主"), blank=True, default="")
    statement = models.TextField(_("竞选陈述"))
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(default=clock.now)
    withdrawn = models.BooleanField(_("已退出"), default=False)

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["election_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name", "building"], name="el_candidate_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RollEntry(models.Model):
    """One eligible voter. `voted` says *that* they voted — nothing says how. For an election by the owners
    the roll comes from the register (`decisions.roll.owner_roll`): one entry per owner with all of their
    units and area (used only by the art. 278 count; the secret box never sees it)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="roll")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=100)
    building = models.CharField(max_length=100, blank=True, default="")
    voted = models.BooleanField(default=False)
    owner = models.ForeignKey(
        "decisions.Owner", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.DecimalField(_("专有部分面积"), max_digits=12, decimal_places=2, null=True, blank=True)
    units = models.JSONField(_("专有部分"), default=list, blank=True)  # [[label, area], …]
    is_developer = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("选民名册")
        verbose_name_plural = _("选民名册")
        ordering = ["election_id", "building", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "user"], condition=Q(user__isnull=False), name="el_roll_user_once"
            )
        ]


class BoxBallot(models.Model):
    """The ballot box: a random receipt code and the choices. NOTHING else may be added here — see
    tests/test_secrecy.py, which fails on any column or index that could link a ballot to a voter."""

    receipt = models.CharField(primary_key=True, max_length=16)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    choices = models.JSONField()

    class Meta:
        verbose_name = _("投票箱")
        verbose_name_plural = _("投票箱")


class NamedBallot(models.Model):
    """A named (记名) ballot of an owners'-committee election: who voted for whom, inspectable by the owners of
    the compound after the close, like an owners' decision's ballots. One per voter (the constraint)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="named_ballots")
    voter = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    choices = models.JSONField(_("所选候选人"))
    channel = models.CharField(_("方式"), max_length=10, choices=BallotChannel.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(default=clock.now)
    proxy_name = models.CharField(_("受托人"), max_length=100, blank=True, default="")
    document = models.FileField(_("选票照片或授权委托书"), upload_to="elections/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("记名选票")
        verbose_name_plural = _("记名选票")
        constraints = [models.UniqueConstraint(fields=["election", "voter"], name="el_named_one_per_voter")]


class ElectionEvent(models.Model):
    """Immutable record of the organiser's actions and of nominations (never of individual ballots)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)
    reason = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["election", "at"], name="el_event_timeline")]
