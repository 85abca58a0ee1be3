from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from apps.core.datetimes import BoundedDateTimeField
from apps.core.timezones import format_in_zone, validate_time_zone


class Location(models.Model):
    """Where events take place; belongs to one organizer."""

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255)
    city = models.CharField(_("city"), max_length=120)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = CountryField(_("country"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("People the venue holds; empty for no limit.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=63,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: the organizer's time zone. Set it for a venue in another zone."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Event(models.Model):
    """Something an organizer sells tickets for, at one location, on one or more dates."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class Category(models.TextChoices):
        CONCERT = "concert", _("Concert")
        FESTIVAL = "festival", _("Festival")
        THEATRE = "theatre", _("Theatre")
        SPORT = "sport", _("Sport")
        THEME_PARK = "theme_park", _("Theme park")
        EXHIBITION = "exhibition", _("Exhibition")
        OTHER = "other", _("Other")

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.PROTECT, related_name="events")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="events")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="events/", blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    distributions = models.ManyToManyField(
        "organizers.Distribution",
        blank=True,
        related_name="events",
        verbose_name=_("sold in"),
        help_text=_("The organizer's sale channels that offer this event."),
    )
    max_tickets_per_buyer = models.PositiveIntegerField(
        _("tickets per buyer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "At most this many tickets for this event per buyer (one account or one e-mail "
            "address), across all their orders. Empty: no limit."
        ),
    )
    waiting_list = models.BooleanField(
        _("waiting list when sold out"),
        default=True,
        help_text=_(
            "Buyers may join a sold-out date's waiting list; seats that free up are offered to "
            "them in line, held for a while, before anyone else."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["name"]
        indexes = [models.Index(fields=["organizer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_tickets_per_buyer__isnull=True) | Q(max_tickets_per_buyer__gte=1),
                name="events_event_buyer_limit_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def time_zone(self) -> str:
        """The zone its dates are shown and typed in: its location's, else its organizer's."""
        return self.location.time_zone or self.organizer.zone_name


class EventDate(models.Model):
    """When an event takes place; an event has many (a 3-day festival sold as day tickets)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="dates")
    start = BoundedDateTimeField(_("start"))
    end = BoundedDateTimeField(_("end"))
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Tickets this date can hold, shared by its ticket types; empty to use the location's."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event date")
        verbose_name_plural = _("event dates")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="events_date_ends_after_start")
        ]
        indexes = [models.Index(fields=["event", "start"]), models.Index(fields=["start"])]

    def __str__(self) -> str:
        # in its event's zone, labelled: "Hamlet – 2026-12-22 19:30 (Europe/London)"
        return f"{self.event.name} – {format_in_zone(self.start, self.time_zone, 'Y-m-d H:i')}"

    @property
    def time_zone(self) -> str:
        return self.event.time_zone

    @property
    def effective_capacity(self) -> int | None:
        """This date's own capacity, else its location's; None means no limit."""
        return self.capacity if self.capacity is not None else self.event.location.capacity


class TicketType(models.Model):
    """What a buyer picks: valid for one date, or for every date of the event (a pass)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    event_date = models.ForeignKey(
        EventDate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ticket_types",
        help_text=_("Empty: a pass, valid on every date of the event (and using capacity on each)."),
    )
    name = models.CharField(_("name"), max_length=200)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(0)],
        help_text=_("In the organizer's currency."),
    )
    limit = models.PositiveIntegerField(
        _("limit"),
        null=True,
        blank=True,
        help_text=_("Most tickets of this type to sell; empty for no own limit."),
    )
    sale_start = BoundedDateTimeField(_("on sale from"), null=True, blank=True)
    sale_end = BoundedDateTimeField(_("on sale until"), null=True, blank=True)
    min_per_order = models.PositiveSmallIntegerField(_("minimum per order"), default=1)
    max_per_order = models.PositiveSmallIntegerField(_("maximum per order"), default=10)
    hidden = models.BooleanField(
        _("hidden"),
        default=False,
        help_text=_(
            "Not shown to the public: sold only with an access code that shows it, or at the box office."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ticket type")
        verbose_name_plural = _("ticket types")
        ordering = ["event", "price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="events_ticket_price_not_negative"),
            models.CheckConstraint(
                condition=Q(min_per_order__gte=1) & Q(max_per_order__gte=F("min_per_order")),
                name="events_ticket_order_bounds",
            ),
            models.CheckConstraint(
                condition=Q(sale_start__isnull=True)
                | Q(sale_end__isnull=True)
                | Q(sale_end__gt=F("sale_start")),
                name="events_ticket_sale_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_pass(self) -> bool:
        return self.event_date_id is None


class ReplicationRequest(models.Model):
    """One action that creates many dates of an event; held until the platform approves the
    operator's first one."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting platform approval")
        QUEUED = "queued", _("Waiting to run")
        RUNNING = "running", _("Creating the dates")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    UNFINISHED = (Status.AWAITING_APPROVAL, Status.QUEUED, Status.RUNNING)

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="replication_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    plan = models.JSONField(_("plan"), help_text=_("The replication as asked: a recurrence or a copy."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Progress: dates made so far of the plan's total; made in batches, each committed, so a
    # run that stops half-way resumes after the last batch.
    total_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    # The event the dates go to: the source itself, or its copy (made by the first batch).
    target_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("replication request")
        verbose_name_plural = _("replication requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return (
            100
            if self.status == self.Status.DONE
            else min(99, 100 * self.created_count // max(1, self.total_count))
        )
