"""Control-panel pages of questions (/control/questions/): an organizer's configurers (and
the organization's admins) list, add, change, reorder and delete them, and set until when
buyers may correct their answers; the organizer's staff correct an order's answers.
apps.operators.permissions decides (Action.CONFIGURE on the question's organizer,
Action.MANAGE_ORDER on the order)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.audit import Actor
from apps.core.exceptions import DomainError
from apps.core.forms import call_for_form
from apps.core.timezones import make_aware_in
from apps.events.models import Event
from apps.operators.decorators import control_view, require
from apps.operators.permissions import (
    Action,
    can_configure_some_organizer,
    can_see_orders,
    organizers_configurable_by,
)
from apps.sales.question_forms import AnswerDeadlineForm, QuestionForm
from apps.sales.selectors import orders as selected
from apps.sales.selectors.questions import deadlines_of, questions_visible_to
from apps.sales.selectors.taxes import ticket_types_taxable_by
from apps.sales.services import questions
from apps.sales.views.shop_answers import answers_form_of, answers_shown


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _events_of(user):
    return (
        Event.objects.filter(organizer__in=organizers_configurable_by(user))
        .select_related("organizer")
        .order_by("organizer__name", "name", "pk")
    )


def _question(request, pk):
    """A question one sees (404 otherwise) and may change (403 otherwise)."""
    question = get_object_or_404(questions_visible_to(request.user), pk=pk)
    return require(request, Action.CONFIGURE, question)


def _fields(form) -> dict:
    data = form.cleaned_data
    return {
        "event": data["event"],
        "label": data["label"],
        "label_fr": data["label_fr"],
        "help_text": data["help_text"],
        "help_text_fr": data["help_text_fr"],
        "kind": data["kind"],
        "asked_for": data["asked_for"],
        "required": data["required"],
        "show_at_check_in": data["show_at_check_in"],
        "ticket_types": list(data["ticket_types"]),
        "options": [questions.OptionInput(label=en, label_fr=fr) for en, fr in data["options"]],
    }


@control_view(check=can_configure_some_organizer)
def question_list(request):
    organizers = organizers_configurable_by(request.user)
    return render(
        request,
        "sales/control/question_list.html",
        {
            "questions": questions_visible_to(request.user),
            "deadlines": deadlines_of(organizers).order_by("organizer__name", "event__name"),
        },
    )


@control_view(check=can_configure_some_organizer)
def question_create(request):
    organizers = organizers_configurable_by(request.user).order_by("name", "pk")
    form = QuestionForm(
        request.POST or None,
        organizers=organizers,
        events=_events_of(request.user),
        ticket_types=ticket_types_taxable_by(request.user),
    )
    if request.method == "POST" and form.is_valid():
        organizer = require(request, Action.CONFIGURE, form.cleaned_data["organizer"])
        went_through, question = call_for_form(
            form,
            questions.question_save,
            organizer=organizer,
            actor=Actor.from_request(request),
            **_fields(form),
        )
        if went_through:
            messages.success(request, _("Question “%(label)s” saved.") % {"label": question.label})
            return redirect("control-questions")
    return render(
        request, "sales/control/question_form.html", {"form": form, "question": None}, status=_status(form)
    )


@control_view(check=can_configure_some_organizer)
def question_edit(request, pk):
    question = _question(request, pk)
    initial = {
        "event": question.event_id,
        "label": question.label,
        "label_fr": question.label_fr,
        "help_text": question.help_text,
        "help_text_fr": question.help_text_fr,
        "kind": question.kind,
        "asked_for": question.asked_for,
        "required": question.required,
        "show_at_check_in": question.show_at_check_in,
        "ticket_types": [t.pk for t in question.ticket_types.all()],
        "options": QuestionForm.options_text(question),
    }
    form = QuestionForm(
        request.POST or None,
        initial=initial,
        events=_events_of(request.user).filter(organizer=question.organizer),
        ticket_types=ticket_types_taxable_by(request.user).filter(event__organizer=question.organizer),
    )
    if request.method == "POST" and form.is_valid():
        went_through, saved = call_for_form(
            form,
            questions.question_save,
            organizer=question.organizer,
            question=question,
            actor=Actor.from_request(request),
            **_fields(form),
        )
        if went_through:
            messages.success(request, _("Question “%(label)s” saved.") % {"label": saved.label})
            return redirect("control-questions")
        question = _question(request, pk)  # the rejected input was set on it: show the saved one
    return render(
        request,
        "sales/control/question_form.html",
        {"form": form, "question": question},
        status=_status(form),
    )


@control_view(check=can_configure_some_organizer)
def question_delete(request, pk):
    """GET asks for confirmation (saying how many answers go with it); only a POST deletes."""
    question = _question(request, pk)
    if request.method == "POST":
        label = question.label
        questions.question_delete(question=question, actor=Actor.from_request(request))
        messages.success(request, _("Question “%(label)s” deleted.") % {"label": label})
        return redirect("control-questions")
    return render(
        request,
        "sales/control/question_delete.html",
        {
            "question": question,
            "answer_count": question.answers.count(),
            "back_url": reverse("control-questions"),
        },
    )


@require_POST
@control_view(check=can_configure_some_organizer)
def question_move(request, pk):
    question = _question(request, pk)
    questions.question_move(
        question=question, up=request.POST.get("direction") == "up", actor=Actor.from_request(request)
    )
    return redirect(f"{reverse('control-questions')}#question-{question.pk}")


@control_view(check=can_configure_some_organizer)
def answer_deadline_edit(request):
    """Until when buyers may correct their answers, per organizer or per event."""
    organizers = organizers_configurable_by(request.user).order_by("name", "pk")
    form = AnswerDeadlineForm(request.POST or None, organizers=organizers, events=_events_of(request.user))
    if request.method == "POST" and form.is_valid():
        organizer = require(request, Action.CONFIGURE, form.cleaned_data["organizer"])
        event = form.cleaned_data["event"]
        until = form.cleaned_data["until"]
        if until is not None:  # a wall-clock time of the event's (or organizer's) zone
            zone = event.time_zone if event is not None else organizer.zone_name
            until = make_aware_in(timezone.localtime(until).replace(tzinfo=None), zone)
        went_through, _saved = call_for_form(
            form,
            questions.answer_deadline_save,
            organizer=organizer,
            event=event,
            hours_before=form.cleaned_data["hours_before"],
            until=until,
            actor=Actor.from_request(request),
        )
        if went_through:
            messages.success(request, _("Deadline for answers saved."))
            return redirect("control-questions")
    return render(request, "sales/control/answer_deadline_form.html", {"form": form}, status=_status(form))


@control_view(check=can_see_orders)
def order_answers_edit(request, code):
    """The organizer's staff correct an order's answers (no deadline for them)."""
    order = selected.order_visible_to(request.user, code)
    if order is None:
        raise Http404
    require(request, Action.MANAGE_ORDER, order)
    tickets = selected.order_tickets(order)
    form = answers_form_of(order, tickets, request.POST or None)
    if not form.asks_anything:
        raise Http404
    if request.method == "POST" and form.is_valid():
        try:
            questions.answers_save(order=order, answers=form.answers(), actor=Actor.from_request(request))
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Answers saved."))
            return redirect("control-order-detail", order.code)
    return render(
        request,
        "sales/control/order_answers.html",
        {"order": order, "form": form} | answers_shown(order, tickets),
        status=_status(form),
    )
