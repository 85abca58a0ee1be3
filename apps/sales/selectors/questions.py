"""Reads of questions and answers: what an order is asked, what it answered (as a reader
sees it, in their language), and until when its buyer may correct it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Min, Prefetch, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django_countries import countries

from apps.core.cache import cached_one, entry_key
from apps.core.schemas import current_schema
from apps.events.models import Event, EventDate
from apps.operators.permissions import Someone, organizers_configurable_by, organizers_visible_to
from apps.organizers.catalog import CATALOG
from apps.organizers.models import Organizer
from apps.sales.models import Answer, AnswerDeadline, Order, Question, QuestionOption, Ticket


def _loaded(questions: QuerySet[Question]) -> list[Question]:
    """The questions with their options and `limited_to` (the ids of their ticket types)."""
    loaded = list(
        questions.select_related("event").prefetch_related(
            Prefetch("options", queryset=QuestionOption.objects.order_by("position", "pk")), "ticket_types"
        )
    )
    for question in loaded:
        question.limited_to = {t.pk for t in question.ticket_types.all()}  # type: ignore[attr-defined]
    return loaded


def questions_of(organizer_id: int, event_ids: Iterable[int]) -> list[Question]:
    """The questions asked of these events' tickets: their organizer's and their own, in
    order. Every sale reads them: from the cached catalog (dropped by the services that
    write questions, events and ticket types)."""
    ids = sorted(set(event_ids))
    schema_name = current_schema()
    questions: list[Question] = cached_one(
        schema_name=schema_name,
        name=CATALOG,
        key=entry_key(schema_name, CATALOG, "questions", organizer_id, ",".join(map(str, ids))),
        load=lambda: _loaded(
            (
                Question.objects.filter(organizer_id=organizer_id, event__isnull=True)
                | Question.objects.filter(organizer_id=organizer_id, event_id__in=ids)
            ).order_by("position", "pk")
        ),
    )
    return questions


def questions_of_order(order: Order, tickets: Sequence[Ticket]) -> list[Question]:
    return questions_of(order.organizer_id, {t.ticket_type.event_id for t in tickets})


def questions_visible_to(user: Someone) -> QuerySet[Question]:
    """The questions of the organizers one configures, by organizer, event and position."""
    return (
        Question.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer", "event")
        .prefetch_related("options", "ticket_types")
        .order_by("organizer__name", "organizer_id", "event__name", "event_id", "position", "pk")
    )


def answers_by_position(order: Order, tickets: Sequence[Ticket]) -> dict[tuple[int, int | None], Answer]:
    """The order's saved answers by (question id, position of its ticket, None for the order's)."""
    positions = {ticket.pk: n for n, ticket in enumerate(tickets, start=1)}
    answers = Answer.objects.filter(order=order).prefetch_related("options")
    return {
        (a.question_id, positions.get(a.ticket_id) if a.ticket_id else None): a
        for a in answers
        if a.ticket_id is None or a.ticket_id in positions
    }


def answer_text(question: Question, answer: Answer | None) -> str:
    """An answer as a reader sees it, in their language: options' labels, Yes/No, a country's
    name, a date in the reader's format."""
    if answer is None:
        return ""
    if question.kind in Question.CHOICE_KINDS:
        chosen = [o.shown_label for o in answer.options.all()]
        return ", ".join(chosen) if chosen else answer.value
    if question.kind == Question.Kind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(answer.value, answer.value)
    if question.kind == Question.Kind.COUNTRY:
        return str(countries.name(answer.value) or answer.value)
    if question.kind == Question.Kind.DATE_OF_BIRTH and answer.value:
        try:
            return formats.date_format(date.fromisoformat(answer.value), "DATE_FORMAT")
        except ValueError:
            return answer.value
    return answer.value


@dataclass(frozen=True)
class ShownAnswer:
    question: Question
    text: str


@dataclass
class OrderAnswers:
    """What an order answered: its own answers and each ticket's (by ticket id), in the
    questions' order, unanswered questions included (text "")."""

    order: list[ShownAnswer]
    tickets: dict[int, list[ShownAnswer]]

    @property
    def any(self) -> bool:
        return any(a.text for a in self.order) or any(a.text for rows in self.tickets.values() for a in rows)


def order_answers(order: Order, tickets: Sequence[Ticket]) -> OrderAnswers:
    """The answers of `order` (with its `tickets`, in order) to the questions it is asked."""
    questions = questions_of_order(order, tickets)
    saved = answers_by_position(order, tickets)
    own: list[ShownAnswer] = []
    per_ticket: dict[int, list[ShownAnswer]] = {}
    asked_of_order: set[int] = set()
    for position, ticket in enumerate(tickets, start=1):
        for question in _applying(questions, ticket):
            if not question.per_ticket:
                asked_of_order.add(question.pk)
                continue
            text = answer_text(question, saved.get((question.pk, position)))
            if question.kind == Question.Kind.ATTENDEE_NAME and ticket.attendee_name:
                text = ticket.attendee_name
            per_ticket.setdefault(ticket.pk, []).append(ShownAnswer(question, text))
    for question in questions:
        if question.pk in asked_of_order:
            own.append(ShownAnswer(question, answer_text(question, saved.get((question.pk, None)))))
    return OrderAnswers(order=own, tickets=per_ticket)


def _applying(questions: Sequence[Question], ticket: Ticket) -> list[Question]:
    ticket_type = ticket.ticket_type
    return [
        q
        for q in questions
        if (q.event_id is None or q.event_id == ticket_type.event_id)
        and (not q.limited_to or ticket_type.pk in q.limited_to)  # type: ignore[attr-defined]
    ]


# --- the buyer's deadline ------------------------------------------------------------------


def deadline_setting(organizer_id: int, event_id: int | None) -> AnswerDeadline | None:
    """The event's own setting, else its organizer's (with `event_id` None: the organizer's)."""
    settings = {
        s.event_id: s
        for s in AnswerDeadline.objects.filter(organizer_id=organizer_id, event_id__in=[event_id])
        | AnswerDeadline.objects.filter(organizer_id=organizer_id, event__isnull=True)
    }
    return settings.get(event_id) or settings.get(None)


def answers_deadline(order: Order) -> tuple[datetime | None, Event | None]:
    """Until when the buyer may correct the order's answers, and the event whose time zone
    states it: the earliest over its events of each one's setting (hours before its first
    date the order is for, or a moment), without a setting when its first date starts."""
    tickets = list(
        order.tickets.select_related("ticket_type__event__location", "ticket_type__event__organizer")
    )
    earliest: tuple[datetime | None, Event | None] = (None, None)
    for event_id in sorted({t.ticket_type.event_id for t in tickets}):
        event = next(t.ticket_type.event for t in tickets if t.ticket_type.event_id == event_id)
        date_ids = [
            t.event_date_id for t in tickets if t.ticket_type.event_id == event_id and t.event_date_id
        ]
        dates = (
            EventDate.objects.filter(pk__in=date_ids)
            if date_ids
            else EventDate.objects.filter(event_id=event_id)
        )
        first = dates.aggregate(first=Min("start"))["first"]
        setting = deadline_setting(order.organizer_id, event_id)
        if setting is not None and setting.until is not None:
            deadline = setting.until
        elif first is None:
            continue
        elif setting is not None and setting.hours_before is not None:
            deadline = first - timedelta(hours=setting.hours_before)
        else:
            deadline = first
        if earliest[0] is None or deadline < earliest[0]:
            earliest = (deadline, event)
    return earliest


def answers_editable(order: Order, now: datetime) -> bool:
    deadline, _event = answers_deadline(order)
    return order.status in (Order.Status.PAID, Order.Status.PENDING) and (deadline is None or now < deadline)


def deadlines_of(organizers: Iterable[Organizer]) -> QuerySet[AnswerDeadline]:
    return AnswerDeadline.objects.filter(organizer__in=list(organizers)).select_related("organizer", "event")


def answers_listed(order: Order) -> list[Answer]:
    """The order's answers with their question, in the questions' order, each with `options`
    as the ids of those chosen (`options_chosen`), as the API lists them."""
    answers = list(
        Answer.objects.filter(order=order)
        .select_related("question")
        .prefetch_related("options")
        .order_by("question__position", "question_id", "ticket_id")
    )
    for answer in answers:
        answer.option_ids = [o.pk for o in answer.options.all()]  # type: ignore[attr-defined]
    return answers


# --- lists, exports, the gate ----------------------------------------------------------------

# What answer_cells reads of each ticket: its answers and its order's, with their options.
ANSWERS_PREFETCH = (
    Prefetch("answers", queryset=Answer.objects.prefetch_related("options"), to_attr="own_answers"),
    Prefetch(
        "order__answers",
        queryset=Answer.objects.filter(ticket__isnull=True).prefetch_related("options"),
        to_attr="order_answers",
    ),
)


def questions_of_event(event: Event) -> list[Question]:
    """The questions asked of an event's tickets: its organizer's and its own, in order."""
    return questions_of(event.organizer_id, [event.pk])


def questions_of_organizers(organizer_ids: Iterable[int]) -> list[Question]:
    """Every question of these organizers (their events' included), by organizer and order."""
    return _loaded(
        Question.objects.filter(organizer_id__in=list(organizer_ids)).order_by(
            "organizer_id", "position", "pk"
        )
    )


def answer_cells(questions: Sequence[Question], ticket: Ticket) -> list[str]:
    """A ticket's answers to `questions` (the order's answer for a question asked once per
    order), "" where none or not asked of it; the ticket read with ANSWERS_PREFETCH."""
    own = {a.question_id: a for a in getattr(ticket, "own_answers", [])}
    of_order = {a.question_id: a for a in getattr(ticket.order, "order_answers", [])}
    asked = {q.pk for q in _applying(questions, ticket)}
    cells = []
    for question in questions:
        if question.pk not in asked or question.organizer_id != ticket.order.organizer_id:
            cells.append("")
        elif question.kind == Question.Kind.ATTENDEE_NAME and question.per_ticket and ticket.attendee_name:
            cells.append(ticket.attendee_name)
        else:
            cells.append(answer_text(question, (own if question.per_ticket else of_order).get(question.pk)))
    return cells


ORDER_ANSWERS_PREFETCH = Prefetch(
    "answers",
    queryset=Answer.objects.filter(ticket__isnull=True).prefetch_related("options"),
    to_attr="order_answers",
)


def order_answer_cells(questions: Sequence[Question], order: Order) -> list[str]:
    """An order's answers to `questions` asked once per order, "" where none (read with
    ORDER_ANSWERS_PREFETCH)."""
    answers = {a.question_id: a for a in getattr(order, "order_answers", [])}
    return [
        answer_text(q, answers.get(q.pk)) if q.organizer_id == order.organizer_id else "" for q in questions
    ]


def check_in_answers(ticket: Ticket) -> list[ShownAnswer]:
    """What the gate shows of a ticket: its answers (and its order's) to the questions flagged
    "show at check-in", answered or not."""
    questions = [
        q
        for q in _applying(questions_of(ticket.order.organizer_id, [ticket.ticket_type.event_id]), ticket)
        if q.show_at_check_in
    ]
    if not questions:
        return []
    answers = {
        (a.question_id, a.ticket_id): a
        for a in Answer.objects.filter(order_id=ticket.order_id, question__in=questions).prefetch_related(
            "options"
        )
    }
    shown = []
    for question in questions:
        answer = answers.get((question.pk, ticket.pk if question.per_ticket else None))
        text = answer_text(question, answer)
        if question.kind == Question.Kind.ATTENDEE_NAME and question.per_ticket and ticket.attendee_name:
            text = ticket.attendee_name
        shown.append(ShownAnswer(question, text))
    return shown


def questions_readable_by(user: Someone) -> QuerySet[Question]:
    """The questions of the organizers one configures or sells for (a seller answers them at
    the box office), in the order they are asked."""
    return (
        Question.objects.filter(organizer__in=organizers_visible_to(user))
        .prefetch_related(
            Prefetch("options", queryset=QuestionOption.objects.order_by("position", "pk")),
            "ticket_types",
        )
        .order_by("organizer_id", "position", "pk")
    )
