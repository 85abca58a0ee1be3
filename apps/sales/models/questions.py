"""Questions an organizer asks its buyers (once per order or once per ticket) and their
answers, stored normalized (ISO dates, country codes, "yes"/"no", chosen options)."""

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def _in_language(english: str, french: str) -> str:
    """The French text for a French reader when there is one, else the English."""
    language = (translation.get_language() or "en").split("-")[0]
    return french if language == "fr" and french else english


class Question(models.Model):
    """A question of an organizer's (all its events) or of one of its events, asked of the
    tickets of chosen ticket types (none chosen: of every ticket type)."""

    class Kind(models.TextChoices):
        ATTENDEE_NAME = "attendee_name", _("Attendee's name")
        EMAIL = "email", _("E-mail address")
        PHONE = "phone", _("Phone number")
        COMPANY = "company", _("Company")
        DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
        CHOICE = "choice", _("One choice from a list")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices from a list")
        YES_NO = "yes_no", _("Yes or no")
        TEXT = "text", _("Free text")
        COUNTRY = "country", _("Country")

    class AskedFor(models.TextChoices):
        ORDER = "order", _("Once per order")
        TICKET = "ticket", _("Once per ticket")

    CHOICE_KINDS = (Kind.CHOICE, Kind.MULTIPLE_CHOICE)

    organizer = models.ForeignKey("organizers.Organizer", on_delete=models.CASCADE, related_name="questions")
    event = models.ForeignKey(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("event"),
        help_text=_("Empty: asked for every event of the organizer."),
    )
    label = models.CharField(_("question (English)"), max_length=200)
    label_fr = models.CharField(_("question (French)"), max_length=200, blank=True)
    help_text = models.CharField(_("help text (English)"), max_length=300, blank=True)
    help_text_fr = models.CharField(_("help text (French)"), max_length=300, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=20, choices=Kind.choices)
    asked_for = models.CharField(_("asked"), max_length=10, choices=AskedFor.choices, default=AskedFor.TICKET)
    required = models.BooleanField(_("required"), default=False)
    ticket_types = models.ManyToManyField(
        "events.TicketType",
        blank=True,
        related_name="+",
        verbose_name=_("only for these ticket types"),
        help_text=_("None chosen: asked for every ticket type."),
    )
    show_at_check_in = models.BooleanField(_("show at check-in"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def shown_label(self) -> str:
        return _in_language(self.label, self.label_fr)

    @property
    def shown_help_text(self) -> str:
        return _in_language(self.help_text, self.help_text_fr)

    @property
    def per_ticket(self) -> bool:
        return self.asked_for == self.AskedFor.TICKET


class QuestionOption(models.Model):
    """One of the answers a choice question offers."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option (English)"), max_length=200)
    label_fr = models.CharField(_("option (French)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("question option")
        verbose_name_plural = _("question options")
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def shown_label(self) -> str:
        return _in_language(self.label, self.label_fr)


class Answer(models.Model):
    """An order's answer to a question (a ticket's, for a question asked per ticket)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE, related_name="answers")
    ticket = models.ForeignKey(
        "sales.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    # Normalized: an ISO date, a country code, "yes"/"no", a phone number without spaces;
    # for choices the English labels chosen (what they were, should an option go).
    value = models.TextField(_("answer"), blank=True)
    options = models.ManyToManyField(QuestionOption, blank=True, related_name="answers")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "order"],
                condition=Q(ticket__isnull=True),
                name="sales_answer_once_per_order",
            ),
            models.UniqueConstraint(
                fields=["question", "ticket"],
                condition=Q(ticket__isnull=False),
                name="sales_answer_once_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return self.value


class AnswerDeadline(models.Model):
    """Until when buyers may correct their answers: of an organizer's events, or of one event
    (which wins). Either a number of hours before the order's first date starts, or a fixed
    moment; without any, until the first date starts."""

    organizer = models.ForeignKey(
        "organizers.Organizer", on_delete=models.CASCADE, related_name="answer_deadlines"
    )
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="answer_deadlines"
    )
    hours_before = models.PositiveIntegerField(
        _("hours before the date"),
        null=True,
        blank=True,
        help_text=_("Answers can be changed until this many hours before the first date starts."),
    )
    until = models.DateTimeField(_("or until"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer deadline")
        verbose_name_plural = _("answer deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["organizer"], condition=Q(event__isnull=True), name="sales_answer_deadline_organizer"
            ),
            models.UniqueConstraint(
                fields=["event"], condition=Q(event__isnull=False), name="sales_answer_deadline_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organizer_id}/{self.event_id}"
