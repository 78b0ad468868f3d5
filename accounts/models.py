"""People and their roles.

A person is identified by a Vietnamese mobile number. Residents need no role
row: anyone with an account files for themselves. Rows exist for the roles that
widen what a person may see or do, each bounded by an administrative unit, and
a person may hold several.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.phones import InvalidPhoneNumber, phone_normalize
from geo.models import AdminUnit


class UserManager(BaseUserManager["User"]):
    def create_user(self, phone: str, password: str | None = None, **extra: Any) -> User:
        """Create a user; without a password the account logs in by one-time code only."""
        user = self.model(phone=phone_normalize(phone), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # People log in with the number as they write it; look up its E.164 form.
        # Something that is no number names nobody: Django's login turns
        # DoesNotExist into "wrong number or password", but InvalidPhoneNumber
        # went through it as a 500 on every mistyped login.
        try:
            phone = phone_normalize(username or "")
        except InvalidPhoneNumber:
            raise self.model.DoesNotExist from None
        return self.get(phone=phone)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Roles and their scope are separate rows (accounts.roles), so
    one person can be a resident and an officer without a second account."""

    class Language(models.TextChoices):
        VIETNAMESE = "vi", _("Vietnamese")
        ENGLISH = "en", _("English")

    phone = models.CharField(
        _("mobile number"),
        max_length=16,
        unique=True,
        help_text=_("Stored in international form, e.g. +84912345678."),
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.VIETNAMESE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log in to the administration site."),
    )
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by load_demo; never use in production."),
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.phone

    def clean(self) -> None:
        super().clean()
        if self.phone:
            self.phone = phone_normalize(self.phone)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[-1] if self.full_name else self.phone


class Role(models.TextChoices):
    DIGITAL_TEAM = "digital_team", _("Community digital-technology team member")
    OFFICER = "officer", _("Commune officer")
    LEADER = "leader", _("Commune leader")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")


# Which level of unit bounds each role.
SCOPE_LEVEL: dict[str, str] = {
    Role.DIGITAL_TEAM: AdminUnit.Level.COMMUNE,
    Role.OFFICER: AdminUnit.Level.COMMUNE,
    Role.LEADER: AdminUnit.Level.COMMUNE,
    Role.PROVINCE_ADMIN: AdminUnit.Level.PROVINCE,
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text=_("The commune (or province for administrators) this role covers."),
    )
    village = models.CharField(
        _("village"),
        max_length=120,
        blank=True,
        help_text=_("For digital-technology team members who cover one village."),
    )
    granted_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("granted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="accounts_role_once_per_scope"
            ),
            models.CheckConstraint(
                condition=Q(role=Role.DIGITAL_TEAM) | Q(village=""),
                name="accounts_village_only_for_digital_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.unit})"

    def clean(self) -> None:
        super().clean()
        expected = SCOPE_LEVEL.get(self.role)
        if self.unit_id and expected and self.unit.level != expected:
            raise ValidationError(
                {
                    "unit": _("This role must be scoped to a unit of level: %(level)s.")
                    % {"level": AdminUnit.Level(expected).label}
                }
            )


class OneTimeCode(models.Model):
    """A code sent by SMS to log in or sign up with a mobile number.

    Only an HMAC of the code is stored. The number is not a foreign key: the
    person may have no account yet (sign-up and login are the same flow). Only
    the newest code of a number counts; older ones are dead once a new one is sent.
    """

    phone = models.CharField(_("mobile number"), max_length=16)
    code_hash = models.CharField(_("code hash"), max_length=64)
    requested_ip = models.GenericIPAddressField(_("requested from"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="accounts_otp_phone_recent"),
            models.Index(fields=["requested_ip", "created_at"], name="accounts_otp_ip_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} @ {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A bearer token for a mobile client; only the SHA-256 of the key is stored."""

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} — {self.created_at:%Y-%m-%d}"
