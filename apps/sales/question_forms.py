"""The answers form: the one place the rules of each kind of question live. The storefront's
checkout, the buyer's order page, the box office, the control panel and the API all build it
from the questions and the order's tickets, and read `answers()` once it is valid."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from apps.organizers.models import Organizer
from apps.sales.models import Answer, Question, QuestionOption, Ticket

PHONE = re.compile(r"^\+?[0-9]{6,17}$")
PHONE_DROPPED = re.compile(r"[\s().\-/]")
YES, NO = "yes", "no"


@dataclass(frozen=True)
class AnswerInput:
    """An answer to save: to `question`, for the order (`position` None) or for its ticket
    at `position` (1, 2, …: the tickets in the order they were made)."""

    question: Question
    position: int | None
    value: str
    options: tuple[QuestionOption, ...] = field(default=())


def questions_applying(questions, ticket_type) -> list[Question]:
    """Those of `questions` asked of a ticket of `ticket_type` (its event's or its
    organizer's, limited to it or to no ticket type)."""
    return [
        q
        for q in questions
        if q.organizer_id == ticket_type.event.organizer_id
        and (q.event_id is None or q.event_id == ticket_type.event_id)
        and (not q.limited_to or ticket_type.pk in q.limited_to)
    ]


def field_name(question: Question, position: int | None) -> str:
    return f"q{question.pk}" if position is None else f"q{question.pk}-t{position}"


def _validate_birth_date(value: date) -> None:
    if value > timezone.localdate() or value.year < 1900:
        raise ValidationError(_("Enter a date of birth between 1900 and today."))


def _validate_phone(value: str) -> None:
    if not PHONE.match(PHONE_DROPPED.sub("", value)):
        raise ValidationError(_("Enter a phone number: digits, optionally starting with +."))


def question_field(question: Question) -> forms.Field:
    """The form field that asks `question` and checks its answer."""
    common: dict[str, Any] = {
        "label": question.shown_label,
        "help_text": question.shown_help_text,
        "required": question.required,
    }
    kind = question.kind
    if kind in (Question.Kind.ATTENDEE_NAME, Question.Kind.COMPANY):
        autocomplete = "name" if kind == Question.Kind.ATTENDEE_NAME else "organization"
        return forms.CharField(
            max_length=200, widget=forms.TextInput(attrs={"autocomplete": autocomplete}), **common
        )
    if kind == Question.Kind.EMAIL:
        return forms.EmailField(
            max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}), **common
        )
    if kind == Question.Kind.PHONE:
        return forms.CharField(
            max_length=30,
            validators=[_validate_phone],
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            **common,
        )
    if kind == Question.Kind.DATE_OF_BIRTH:
        return forms.DateField(
            validators=[_validate_birth_date],
            widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
            input_formats=["%Y-%m-%d"],
            **common,
        )
    if kind == Question.Kind.CHOICE:
        return forms.ChoiceField(
            choices=[(str(o.pk), o.shown_label) for o in question.options.all()],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == Question.Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(str(o.pk), o.shown_label) for o in question.options.all()],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == Question.Kind.YES_NO:
        return forms.ChoiceField(choices=[(YES, _("Yes")), (NO, _("No"))], widget=forms.RadioSelect, **common)
    if kind == Question.Kind.COUNTRY:
        return forms.ChoiceField(
            choices=[("", _("Choose a country")), *countries],
            widget=forms.Select(attrs={"autocomplete": "country"}),
            **common,
        )
    return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)


def initial_of(question: Question, answer: Answer | None, ticket=None):
    """What the field shows of a saved answer (a ticket's name: its attendee's, as printed)."""
    if question.kind == Question.Kind.ATTENDEE_NAME and ticket is not None and ticket.attendee_name:
        return ticket.attendee_name
    if answer is None:
        return None
    if question.kind == Question.Kind.MULTIPLE_CHOICE:
        return [str(o.pk) for o in answer.options.all()]
    if question.kind == Question.Kind.CHOICE:
        chosen = [str(o.pk) for o in answer.options.all()]
        return chosen[0] if chosen else None
    return answer.value


class AnswersForm(forms.Form):
    """The order's questions (fields q<id>) and each ticket's (q<id>-t<position>).

    `questions`: the organizer's, with `limited_to` (ticket type ids) and options prefetched
    (apps.sales.selectors.questions.questions_of); `tickets`: the order's, saved or not, in
    their order; `answers`: those saved, by (question id, position)."""

    def __init__(self, data=None, *, questions, tickets, answers=None, **kwargs):
        super().__init__(data, **kwargs)
        answers = answers or {}
        self.tickets = list(tickets)
        self.order_questions: list[Question] = []
        self.ticket_questions: list[tuple[int, object, list[Question]]] = []
        asked_of_order: set[int] = set()
        for position, ticket in enumerate(self.tickets, start=1):
            if ticket.pk and ticket.status != Ticket.Status.VALID:  # refunded or cancelled: not asked
                continue
            applying = questions_applying(questions, ticket.ticket_type)
            asked_of_order |= {q.pk for q in applying if not q.per_ticket}
            own = [q for q in applying if q.per_ticket]
            if own:
                self.ticket_questions.append((position, ticket, own))
            for question in own:
                name = field_name(question, position)
                self.fields[name] = question_field(question)
                self.fields[name].initial = initial_of(
                    question, answers.get((question.pk, position)), ticket if ticket.pk else None
                )
        self.order_questions = [q for q in questions if q.pk in asked_of_order]
        for question in self.order_questions:
            name = field_name(question, None)
            self.fields[name] = question_field(question)
            self.fields[name].initial = initial_of(question, answers.get((question.pk, None)))
        # The order's questions first, then each ticket's.
        self.order_fields_names = [field_name(q, None) for q in self.order_questions]
        self.order_fields = self.order_fields_names + [
            name for name in self.fields if name not in self.order_fields_names
        ]

    @property
    def asks_anything(self) -> bool:
        return bool(self.fields)

    def order_bound_fields(self) -> list:
        return [self[name] for name in self.order_fields_names]

    def ticket_groups(self) -> list[tuple[int, object, list]]:
        """[(position, ticket, bound fields)] for the tickets with questions of their own."""
        return [
            (position, ticket, [self[field_name(q, position)] for q in own])
            for position, ticket, own in self.ticket_questions
        ]

    def answers(self) -> list[AnswerInput]:
        """Every answer asked for, normalized; an empty one means "no answer"."""
        asked = [(q, None) for q in self.order_questions] + [
            (q, position) for position, _ticket, own in self.ticket_questions for q in own
        ]
        return [self._answer(q, position) for q, position in asked]

    def _answer(self, question: Question, position: int | None) -> AnswerInput:
        raw = self.cleaned_data.get(field_name(question, position))
        if question.kind in Question.CHOICE_KINDS:
            chosen = raw if isinstance(raw, list) else [raw] if raw else []
            options = tuple(o for o in question.options.all() if str(o.pk) in chosen)
            return AnswerInput(question, position, ", ".join(o.label for o in options), options)
        if isinstance(raw, date):
            return AnswerInput(question, position, raw.isoformat())
        value = (raw or "").strip()
        if question.kind == Question.Kind.PHONE:
            value = PHONE_DROPPED.sub("", value)
        return AnswerInput(question, position, value)


# --- the control panel's questions ---------------------------------------------------------


class TicketTypeChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.event.organizer.name} · {obj.event.name} · {obj.name}"


class EventChoices(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.organizer.name} · {obj.name}"


OPTION_SEPARATOR = "|"


class QuestionForm(forms.Form):
    """A question: whose (an organizer's, or one of its events'), its wording in English and
    French, the kind of answer, for whom it is asked, its options for a choice.
    `organizers`: given when creating; `events`, `ticket_types`: those one configures."""

    organizer: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), empty_label=None
    )
    event = EventChoices(
        label=_("Event"),
        queryset=None,
        required=False,
        empty_label=_("Every event of the organizer"),
    )
    label = forms.CharField(label=_("Question (English)"), max_length=200)
    label_fr = forms.CharField(
        label=_("Question (French)"),
        max_length=200,
        required=False,
        help_text=_("Shown to buyers browsing in French; empty: the English one."),
    )
    help_text = forms.CharField(label=_("Help text (English)"), max_length=300, required=False)
    help_text_fr = forms.CharField(label=_("Help text (French)"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Question.Kind.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For a choice: one option per line, its French after a |, e.g. “Vegetarian | Végétarien”."
        ),
    )
    asked_for = forms.ChoiceField(
        label=_("Asked"),
        choices=Question.AskedFor.choices,
        initial=Question.AskedFor.TICKET,
        widget=forms.RadioSelect,
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    show_at_check_in = forms.BooleanField(label=_("Show the answer at check-in"), required=False)
    ticket_types = TicketTypeChoices(
        label=_("Only for these ticket types"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: asked for every ticket type."),
    )

    def __init__(self, *args, organizers=None, events, ticket_types, **kwargs):
        super().__init__(*args, **kwargs)
        if organizers is None:
            del self.fields["organizer"]
        else:
            self.fields["organizer"].queryset = organizers
        self.fields["event"].queryset = events
        self.fields["ticket_types"].queryset = ticket_types

    def clean_options(self) -> list:
        options = []
        for line in self.cleaned_data["options"].splitlines():
            english, _sep, french = line.partition(OPTION_SEPARATOR)
            if english.strip():
                options.append((english.strip()[:200], french.strip()[:200]))
        return options

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in Question.CHOICE_KINDS and len(cleaned.get("options") or []) < 2:
            self.add_error("options", _("A choice question needs at least two options."))
        return cleaned

    @staticmethod
    def options_text(question: Question) -> str:
        return "\n".join(
            f"{o.label} {OPTION_SEPARATOR} {o.label_fr}" if o.label_fr else o.label
            for o in question.options.all()
        )


class AnswerDeadlineForm(forms.Form):
    """Until when buyers may correct their answers: of an organizer's events, or one event's."""

    organizer: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organizer"), queryset=Organizer.objects.none(), empty_label=None
    )
    event = EventChoices(
        label=_("Event"), queryset=None, required=False, empty_label=_("Every event of the organizer")
    )
    hours_before = forms.IntegerField(
        label=_("Hours before the date"),
        min_value=0,
        max_value=24 * 365,
        required=False,
        help_text=_(
            "Answers can be changed until this many hours before the first date of the order starts."
        ),
    )
    until = forms.DateTimeField(
        label=_("Or until this date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text=_(
            "In the event's time zone (the organizer's, for every event). Empty both: until the date starts."
        ),
    )

    def __init__(self, *args, organizers, events, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = organizers
        self.fields["event"].queryset = events

    def clean(self):
        cleaned = super().clean()
        organizer, event = cleaned.get("organizer"), cleaned.get("event")
        if organizer and event and event.organizer_id != organizer.pk:
            self.add_error("event", _("Not an event of %(organizer)s.") % {"organizer": organizer.name})
        if cleaned.get("hours_before") is not None and cleaned.get("until") is not None:
            self.add_error("until", _("Give hours before the date or a date and time, not both."))
        return cleaned
