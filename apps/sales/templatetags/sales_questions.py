from django import template

from apps.sales.selectors.questions import answer_cells as cells_of

register = template.Library()


@register.filter
def answers_of(by_ticket: dict, ticket_id: int) -> list:
    """A ticket's answers from selectors.questions.OrderAnswers.tickets."""
    return by_ticket.get(ticket_id, [])


@register.filter
def answer_cells(ticket, questions) -> list[str]:
    """A ticket's answers to `questions`, a cell each (selectors.questions.answer_cells)."""
    return cells_of(questions, ticket)
