"""Answers through the API: given with a new order (`answers` of POST /api/v1/orders/) or
sent again for an order (POST /api/v1/orders/{id}/answers/), read on the order's resource.
They are checked by the one form of apps.sales.question_forms, as in the shop and the box office."""

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.sales.models import Question
from apps.sales.question_forms import AnswersForm, field_name
from apps.sales.selectors.questions import answers_by_position, questions_of


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "boolean"},
            {"type": "integer"},
            {"type": "array", "items": {"type": "integer"}},
        ]
    }
)
class AnswerValueField(serializers.JSONField):
    """A string (text, e-mail, phone, ISO date, country code, "yes"/"no"), a boolean (yes or
    no), an option id (one choice) or a list of option ids (several choices)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return ["yes" if data else "no"]
        if isinstance(data, list):
            if len(data) > 100 or not all(isinstance(v, int) and not isinstance(v, bool) for v in data):
                raise serializers.ValidationError(_("A list of option ids."))
            return [str(v) for v in data]
        if isinstance(data, int):
            return [str(data)]
        if isinstance(data, str):
            return [data[:5000]]
        if data is None:
            return [""]
        raise serializers.ValidationError(_("A string, a boolean, an option id or a list of option ids."))


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    ticket = serializers.IntegerField(
        min_value=1,
        max_value=5000,
        required=False,
        allow_null=True,
        help_text="For a question asked per ticket: the ticket's position in the order (1 for the first "
        "ticket made, in the order of `positions`); empty for a question asked once per order.",
    )
    value = AnswerValueField(help_text=AnswerValueField.__doc__)


ANSWERS_HELP = (
    "Answers to the organizer's questions (required ones must be given). Each: `question` (its id), "
    "`ticket` (a per-ticket question: the ticket's position, 1 for the first), `value`."
)


def answers_form_for(*, given, organizer_id: int, event_ids, tickets, order=None) -> tuple[AnswersForm, list]:
    """The answers form bound to the API's `given` answers, and the errors of answers that
    are no question of the order (each {"question", "ticket", "errors"})."""
    data: MultiValueDict = MultiValueDict()
    questions = questions_of(organizer_id, event_ids)
    saved = answers_by_position(order, tickets) if order is not None else {}
    form = AnswersForm(None, questions=questions, tickets=tickets, answers=saved)
    # What was saved stays unless given again (a form posts every field; the API only some).
    for name in form.fields:
        initial = form[name].initial
        if initial not in (None, "", []):
            data.setlist(name, initial if isinstance(initial, list) else [str(initial)])
    unknown = []
    for answer in given:
        position = answer.get("ticket")
        names = [field_name(q, position) for q in questions if q.pk == answer["question"]]
        if not names or names[0] not in form.fields:
            unknown.append(
                {
                    "question": answer["question"],
                    "ticket": position,
                    "errors": [str(_("Not a question asked of this order or ticket."))],
                }
            )
            continue
        data.setlist(names[0], answer["value"])
    bound = AnswersForm(data, questions=questions, tickets=tickets, answers=saved)
    return bound, unknown


def answers_errors(form: AnswersForm, unknown: list) -> list:
    """The form's errors as the API answers them: [{"question", "ticket", "errors"}]."""
    errors = list(unknown)
    asked = [(q, None) for q in form.order_questions] + [
        (q, position) for position, _t, own in form.ticket_questions for q in own
    ]
    for question, position in asked:
        messages = form.errors.get(field_name(question, position))
        if messages:
            errors.append({"question": question.pk, "ticket": position, "errors": list(messages)})
    return errors


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    question_label = serializers.CharField(source="question.label", help_text="The question, in English.")
    kind = serializers.CharField(source="question.kind")
    ticket = serializers.IntegerField(
        source="ticket_id", allow_null=True, help_text="The ticket's id; null for an answer of the order."
    )
    value = serializers.CharField(
        help_text='Normalized: an ISO date, a country code, "yes"/"no", a phone number without '
        "spaces, the English labels of the options chosen."
    )
    options = serializers.ListField(
        child=serializers.IntegerField(), source="option_ids", help_text="Ids of the options chosen."
    )


class AnswersUpdateSerializer(serializers.Serializer):
    answers = serializers.ListField(child=AnswerInputSerializer(), max_length=500, help_text=ANSWERS_HELP)


class GateAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk")
    question_label = serializers.CharField(
        source="question.shown_label", help_text="In the caller's language."
    )
    text = serializers.CharField(help_text="The answer as shown, in the caller's language; empty if none.")


# --- the questions (read-only: they are set in the control panel) ----------------------------


class QuestionOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label_en = serializers.CharField(source="label")
    label_fr = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organizer = serializers.IntegerField(source="organizer_id")
    event = serializers.IntegerField(source="event_id", allow_null=True, help_text="Null: every event.")
    label_en = serializers.CharField(source="label")
    label_fr = serializers.CharField(help_text="Empty: the English one is shown.")
    help_text_en = serializers.CharField(source="help_text")
    help_text_fr = serializers.CharField()
    kind = serializers.ChoiceField(choices=Question.Kind.choices)
    asked_for = serializers.ChoiceField(
        choices=Question.AskedFor.choices,
        help_text="order: answered once per order; ticket: once per ticket.",
    )
    required = serializers.BooleanField()  # type: ignore[assignment]  # (a field named like Field's flag)
    show_at_check_in = serializers.BooleanField()
    position = serializers.IntegerField()
    ticket_types = serializers.SerializerMethodField(help_text="Ids; empty: every ticket type.")
    options = QuestionOptionSerializer(many=True, source="options.all")

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_ticket_types(self, question: Question) -> list[int]:
        return [t.pk for t in question.ticket_types.all()]
