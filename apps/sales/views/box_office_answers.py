"""The box office's questions step: once the tickets are chosen, the seller answers the
order's and each ticket's questions (the rules of apps.sales.question_forms), the sale's
other fields carried along, before the order is made with its answers."""

from django.shortcuts import render

from apps.sales.models import Ticket
from apps.sales.question_forms import AnswersForm
from apps.sales.selectors.questions import questions_of

ANSWERS_STEP = "answers_step"


def box_office_answers_form(data, event, lines) -> AnswersForm:
    """The questions of the tickets `lines` ask for, in the order the sale makes them; bound
    to `data` once the step was shown."""
    tickets = [Ticket(ticket_type=line.ticket_type) for line in lines for _i in range(line.quantity)]
    return AnswersForm(
        data if ANSWERS_STEP in data else None,
        questions=questions_of(event.organizer_id, [event.pk]),
        tickets=tickets,
    )


def box_office_answers_page(request, event, distribution, answers_form):
    kept = [
        (name, value)
        for name, values in request.POST.lists()
        if name != "csrfmiddlewaretoken" and name != ANSWERS_STEP and name not in answers_form.fields
        for value in values
    ]
    return render(
        request,
        "sales/box_office_answers.html",
        {"event": event, "distribution": distribution, "answers_form": answers_form, "kept": kept},
        status=400 if answers_form.is_bound else 200,
    )
