"""Accounts: a person logs in with a phone number; roles come from directory memberships."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shequ.core import clock
from shequ.core.models import TimeStampedModel

phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("请输入11位手机号码 / Enter an 11-digit mobile number"))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **extra) -> User:
        if not phone:
            raise ValueError("phone is required")
        user = self.model(phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("real_name", "管理员")
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    phone = models.CharField(_("手机号"), max_length=11, unique=True, validators=[phone_validator])
    real_name = models.CharField(_("真实姓名"), max_length=50)
    email = models.EmailField(_("电子邮箱"), blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True)
    lives_alone = models.BooleanField(_("独居"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    date_joined = models.DateTimeField(_("注册时间"), default=clock.now)

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["real_name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return f"{self.real_name} ({self.phone})"

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name


class Residency(TimeStampedModel):
    """A person's tie to a household; verified by the residents' committee or the household's verified owner."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("业主")
        FAMILY = "family", _("家庭成员")
        TENANT = "tenant", _("租户")

    class Status(models.TextChoices):
        PENDING = "pending", _("待认证")
        VERIFIED = "verified", _("已认证")
        REJECTED = "rejected", _("未通过")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="residencies", verbose_name=_("用户")
    )
    household = models.ForeignKey(
        "directory.Place", on_delete=models.PROTECT, related_name="residencies", verbose_name=_("房屋")
    )
    relation = models.CharField(_("关系"), max_length=10, choices=Relation.choices)
    status = models.CharField(_("认证状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("认证人")
    )
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    reject_reason = models.CharField(_("未通过原因"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("住户关系")
        verbose_name_plural = _("住户关系")
        constraints = [models.UniqueConstraint(fields=["user", "household"], name="acc_residency_unique")]
        indexes = [models.Index(fields=["household", "status"], name="acc_residency_household")]

    def __str__(self) -> str:
        return f"{self.user.real_name} · {self.household}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only its SHA-256 is stored. It lives a few days from its last
    use (sliding, shequ.accounts.tokens) and never beyond a hard limit from its creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)
    user_agent = models.CharField(_("设备"), max_length=200, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="acc_token_user_live")]

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class UserSession(models.Model):
    """A web login, so that a person can see where they are logged in and end it (the session itself
    is Django's; this row names it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    user_agent = models.CharField(_("设备"), max_length=200, blank=True, default="")
    ip = models.CharField(max_length=45, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="acc_session_user")]
