from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from apps.core.singletons import PublicSingleton


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address.

    The table exists in every schema: in the public schema it holds platform admins, in an
    organization's schema its operators and customers. One e-mail is one account per schema.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_operator = models.BooleanField(
        _("operator"),
        default=False,
        help_text=_("Operators log in to the control panel; other users are customers."),
    )
    is_admin = models.BooleanField(
        _("organization admin"),
        default=False,
        help_text=_("Has every permission on every organizer and distribution of this organization."),
    )
    is_support = models.BooleanField(
        _("platform support"),
        default=False,
        help_text=_(
            "The platform's support identity in this organization: opened by platform admins, "
            "never listed in the team."
        ),
    )
    replication_approved_at = models.DateTimeField(
        _("may replicate events since"),
        null=True,
        blank=True,
        help_text=_("Set when a platform admin approves this operator's first event replication."),
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("May log in to the Django admin of this site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class ApprovalRequest(models.Model):
    """An operator's request that a platform admin must approve once (public schema).

    It points at the organization's rows by schema name and id, with name snapshots: public
    tables never hold foreign keys into organization schemas.
    """

    class Kind(models.TextChoices):
        EVENT_REPLICATION = "event_replication", _("Event replication")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        GRANTED = "granted", _("Granted")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    organization_schema = models.CharField(_("organization"), max_length=63, db_index=True)
    organization_name = models.CharField(_("organization name"), max_length=200)
    operator_id = models.BigIntegerField(_("operator id"))
    operator_email = models.EmailField(_("operator"))
    subject_id = models.BigIntegerField(_("subject id"))
    subject_name = models.CharField(_("subject"), max_length=255)
    subject_host = models.CharField(_("host"), max_length=253, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by_email = models.EmailField(_("decided by"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-created_at"]
        constraints = [
            # one open request per operator and kind: later asks join the pending one
            models.UniqueConstraint(
                fields=["kind", "organization_schema", "operator_id"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_approval",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.operator_email} ({self.organization_name})"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox's model): only a digest of the secret is stored, of the
    secret together with the schema it was made in (apps.accounts.authentication.api_token_digest), so
    a row copied into another schema matches no secret there. It expires (settings.REST_KNOX
    TOKEN_TTL) and its owner may revoke it; `token_key` is the secret's first characters, to
    name it in lists."""

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"


class SupportSession(models.Model):
    """A platform admin's visit to this organization's site, under their own named support
    identity (a user of this schema flagged `is_support`), for a stated reason, until it is
    ended or expires (settings.SUPPORT_SESSION_MINUTES). The organization's admins see every
    one in their control panel; what the identity did is in this schema's audit log."""

    identity = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="support_sessions", verbose_name=_("support identity")
    )
    # The platform admin lives in the public schema: recorded by snapshot, never by key.
    platform_admin_email = models.EmailField(_("platform admin"))
    platform_admin_name = models.CharField(_("platform admin's name"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.platform_admin_email} {self.opened_at:%Y-%m-%d %H:%M}"

    def is_open(self, now=None) -> bool:
        return self.ended_at is None and (now or timezone.now()) < self.expires_at

    @property
    def closed_at(self):
        """When it ended: by the button, or by its time running out (None while it runs)."""
        if self.ended_at is not None:
            return min(self.ended_at, self.expires_at)
        return self.expires_at if timezone.now() >= self.expires_at else None

    @property
    def minutes(self) -> int:
        """How long it lasted (so far, while it runs), in whole minutes."""
        end = self.closed_at or timezone.now()
        return max(0, int((end - self.opened_at).total_seconds() // 60))


class FacebookApp(PublicSingleton):
    """The platform's Facebook app (one row, public schema): "Continue with Facebook" on
    every organization host while it holds both the id and the secret."""

    FIELDS = ("facebook_app_id", "facebook_app_secret")
    SECRET_FIELDS = ("facebook_app_secret",)  # never shown back

    facebook_app_id = models.CharField(
        _("Facebook app id"),
        max_length=64,
        blank=True,
        validators=[RegexValidator(r"^[0-9]+$", _("A Facebook app id is made of digits."))],
        help_text=_("Empty: no “Continue with Facebook” on any site."),
    )
    facebook_app_secret = models.CharField(_("Facebook app secret"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("Facebook app")
        verbose_name_plural = _("Facebook app")

    def __str__(self) -> str:
        return str(_("Facebook app"))

    def clean(self) -> None:
        if bool(self.facebook_app_id) != bool(self.facebook_app_secret):
            raise ValidationError(
                {"facebook_app_secret": _("Facebook login needs both the app id and the app secret.")}
            )

    @property
    def facebook_login_enabled(self) -> bool:
        return bool(self.facebook_app_id and self.facebook_app_secret)
