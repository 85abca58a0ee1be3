from django import template

register = template.Library()


@register.filter
def answers_of(by_ticket: dict, ticket_id: int) -> list:
    """A ticket's answers from selectors.questions.OrderAnswers.tickets."""
    return by_ticket.get(ticket_id, [])
