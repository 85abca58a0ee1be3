"""The buyer's answers to the organizer's questions: asked at checkout (apps.sales.views.shop
builds the form here), shown on the order page, and corrected from its secret link until
the deadline (apps.sales.selectors.questions.answers_deadline)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import DomainError
from apps.sales.models import Order
from apps.sales.question_forms import AnswersForm
from apps.sales.selectors import order_by_secret
from apps.sales.selectors.questions import (
    answers_by_position,
    answers_deadline,
    order_answers,
    questions_of_order,
)
from apps.sales.services.questions import answers_save

TICKET_PARTS = ("ticket_type__event__location", "ticket_type__event__organizer", "event_date")


def answers_form_of(order: Order, tickets, data=None, **kwargs) -> AnswersForm:
    """The form of the order's questions, filled with what it answered."""
    return AnswersForm(
        data,
        questions=questions_of_order(order, tickets),
        tickets=tickets,
        answers=answers_by_position(order, tickets),
        **kwargs,
    )


def answers_shown(order: Order, tickets) -> dict:
    """What the order page shows of the answers: them, until when they may be corrected
    (and in which event's zone), and whether that is still possible."""
    deadline, event = answers_deadline(order)
    return {
        "answers": order_answers(order, tickets),
        "answer_tickets": tickets,
        "answers_deadline": deadline,
        "answers_zone": event.time_zone if event is not None else "UTC",
        "answers_editable": order.status in (Order.Status.PAID, Order.Status.PENDING)
        and (deadline is None or timezone.now() < deadline),
    }


def order_answers_edit(request, code, secret):
    """The buyer corrects their answers until the deadline; past it, the page says until when
    it was possible and shows them read-only."""
    order = order_by_secret(code, secret)
    if order is None:
        raise Http404
    tickets = list(order.tickets.select_related(*TICKET_PARTS).order_by("pk"))
    shown = answers_shown(order, tickets)
    form = answers_form_of(order, tickets, request.POST or None)
    if not form.asks_anything:
        raise Http404
    status = 200
    if request.method == "POST":
        if not shown["answers_editable"]:
            status = 409
            messages.error(request, _("The answers can no longer be changed."))
        elif form.is_valid():
            try:
                answers_save(order=order, answers=form.answers(), by_buyer=True)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your answers are saved."))
                return redirect("order-detail", order.code, order.secret)
        if form.errors:
            status = 400
    return render(
        request,
        "sales/order_answers.html",
        {"order": order, "form": form, "tickets": tickets} | shown,
        status=status,
    )
