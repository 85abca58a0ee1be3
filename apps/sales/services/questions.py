"""Questions (created, changed, reordered, deleted by an organizer's configurers), their
answers (saved at checkout, the box office, through the API, corrected by the buyer until
the deadline) and the deadline itself. Answers are checked by apps.sales.question_forms
before they get here; this module writes them."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.audit import Actor, audit_log
from apps.core.timezones import format_in_zone
from apps.events.models import Event, TicketType
from apps.organizers.catalog import catalog_changed
from apps.organizers.models import Organizer
from apps.sales.exceptions import OrderRejected
from apps.sales.models import Answer, AnswerDeadline, Order, Question, QuestionOption, Ticket
from apps.sales.question_forms import AnswerInput
from apps.sales.selectors.questions import answers_deadline

SYSTEM = Actor(user=None)


@dataclass(frozen=True)
class OptionInput:
    label: str
    label_fr: str = ""


@transaction.atomic
def question_save(
    *,
    organizer: Organizer,
    label: str,
    kind: str,
    asked_for: str,
    event: Event | None = None,
    label_fr: str = "",
    help_text: str = "",
    help_text_fr: str = "",
    required: bool = False,
    show_at_check_in: bool = False,
    ticket_types: Iterable[TicketType] = (),
    options: Sequence[OptionInput] = (),
    question: Question | None = None,
    actor: Actor = SYSTEM,
) -> Question:
    """Create (or, given `question`, change) a question of `organizer` (of one of its events
    with `event`), limited to `ticket_types` (of that organizer or event); a choice question
    needs two options or more (given again in full when changing: options kept by position,
    so answers keep theirs)."""
    creating = question is None
    saved = Question(organizer=organizer) if question is None else question
    if saved.organizer_id != organizer.pk:
        raise ValidationError(_("This question belongs to another organizer."))
    if event is not None and event.organizer_id != organizer.pk:
        raise ValidationError({"event": _("Not an event of %(organizer)s.") % {"organizer": organizer.name}})
    chosen = list(ticket_types)
    foreign = [
        t.name
        for t in chosen
        if t.event.organizer_id != organizer.pk or (event is not None and t.event_id != event.pk)
    ]
    if foreign:
        raise ValidationError(
            {"ticket_types": _("Not ticket types it is asked of: %(names)s.") % {"names": ", ".join(foreign)}}
        )
    options = [o for o in options if o.label.strip()]
    if kind in Question.CHOICE_KINDS and len(options) < 2:
        raise ValidationError({"options": _("A choice question needs at least two options.")})
    saved.event = event
    saved.label, saved.label_fr = label.strip(), label_fr.strip()
    saved.help_text, saved.help_text_fr = help_text.strip(), help_text_fr.strip()
    saved.kind, saved.asked_for = kind, asked_for
    saved.required, saved.show_at_check_in = required, show_at_check_in
    if creating:
        last = Question.objects.filter(organizer=organizer).order_by("-position").first()
        saved.position = last.position + 1 if last else 0
    saved.full_clean(exclude=["ticket_types"])
    saved.save()
    saved.ticket_types.set(chosen)
    _options_set(saved, options if kind in Question.CHOICE_KINDS else [])
    catalog_changed()  # a sale reads the questions from the cached catalog
    audit_log(
        actor=actor,
        action="question.created" if creating else "question.changed",
        target=saved,
        kind=kind,
        asked_for=asked_for,
        required=required,
        ticket_types=[t.pk for t in chosen],
    )
    return saved


def _options_set(question: Question, options: Sequence[OptionInput]) -> None:
    existing = list(question.options.order_by("position", "pk"))
    for position, given in enumerate(options):
        if position < len(existing):
            option = existing[position]
            option.label, option.label_fr, option.position = (
                given.label.strip(),
                given.label_fr.strip(),
                position,
            )
            option.save()
        else:
            QuestionOption.objects.create(
                question=question,
                label=given.label.strip(),
                label_fr=given.label_fr.strip(),
                position=position,
            )
    for option in existing[len(options) :]:
        option.delete()


@transaction.atomic
def question_delete(*, question: Question, actor: Actor = SYSTEM) -> None:
    """Delete a question and every answer given to it."""
    audit_log(actor=actor, action="question.deleted", target=question, label=question.label)
    question.delete()
    catalog_changed()


@transaction.atomic
def question_move(*, question: Question, up: bool, actor: Actor = SYSTEM) -> None:
    """Swap a question with its neighbour among its organizer's (in the order they are asked)."""
    siblings = list(Question.objects.select_for_update().filter(organizer_id=question.organizer_id))
    siblings.sort(key=lambda q: (q.position, q.pk))
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    catalog_changed()
    audit_log(actor=actor, action="question.moved", target=question, up=up)


# --- answers -------------------------------------------------------------------------------


def answers_write(*, order: Order, tickets: Sequence[Ticket], answers: Iterable[AnswerInput]) -> int:
    """Save `answers` of `order` (its `tickets` in their order: positions count from 1);
    an empty answer deletes the saved one. An attendee's name also goes on its ticket, which
    its PDF and the lists print. Returns how many answers changed. Call in a transaction."""
    changed = 0
    for given in answers:
        ticket = tickets[given.position - 1] if given.position else None
        if ticket is not None and ticket.order_id != order.pk:
            raise OrderRejected(_("This ticket is not of this order."))
        lookup = {"question": given.question, "order": order, "ticket": ticket}
        saved = Answer.objects.filter(**lookup).first()
        if given.question.kind == Question.Kind.ATTENDEE_NAME and ticket is not None:
            name = " ".join(given.value.split())
            if ticket.attendee_name != name:
                ticket.attendee_name = name
                ticket.save(update_fields=["attendee_name"])
        if not given.value and not given.options:
            if saved is not None:
                saved.delete()
                changed += 1
            continue
        if saved is None:
            saved = Answer.objects.create(**lookup, value=given.value)
            changed += 1
        elif saved.value != given.value or {o.pk for o in saved.options.all()} != {
            o.pk for o in given.options
        }:
            saved.value = given.value
            saved.save(update_fields=["value", "updated_at"])
            changed += 1
        saved.options.set(given.options)
    return changed


@transaction.atomic
def answers_save(
    *,
    order: Order,
    answers: Iterable[AnswerInput],
    actor: Actor = SYSTEM,
    by_buyer: bool = False,
    now: datetime | None = None,
) -> int:
    """Save an order's answers: the buyer's (`by_buyer`) only until the deadline
    (apps.sales.selectors.questions.answers_deadline), the organizer's staff's any time.
    Audited when they change an order already placed."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if by_buyer and order.email:
        deadline, event = answers_deadline(order)
        if deadline is not None and (now or timezone.now()) >= deadline:
            zone = event.time_zone if event is not None else "UTC"
            raise OrderRejected(
                _("Answers could be changed until %(deadline)s.")
                % {"deadline": format_in_zone(deadline, zone)}
            )
    tickets = list(order.tickets.order_by("pk"))
    changed = answers_write(order=order, tickets=tickets, answers=answers)
    if changed and order.email:  # a cart's answers are the checkout's, not a change
        audit_log(actor=actor, action="order.answers_changed", target=order, answers=changed)
    return changed


@transaction.atomic
def answer_deadline_save(
    *,
    organizer: Organizer,
    event: Event | None = None,
    hours_before: int | None = None,
    until: datetime | None = None,
    actor: Actor = SYSTEM,
) -> AnswerDeadline | None:
    """Set until when buyers may correct their answers (of `organizer`'s events, or of
    `event`): hours before the date, or a moment; neither: the setting is removed."""
    if event is not None and event.organizer_id != organizer.pk:
        raise ValidationError({"event": _("Not an event of %(organizer)s.") % {"organizer": organizer.name}})
    if hours_before is not None and until is not None:
        raise ValidationError(_("Give hours before the date or a date and time, not both."))
    AnswerDeadline.objects.filter(organizer=organizer, event=event).delete()
    audit_log(
        actor=actor,
        action="answer_deadline.set",
        target=organizer,
        event=event.pk if event else None,
        hours_before=hours_before,
        until=until.isoformat() if until else None,
    )
    if hours_before is None and until is None:
        return None
    return AnswerDeadline.objects.create(
        organizer=organizer, event=event, hours_before=hours_before, until=until
    )
