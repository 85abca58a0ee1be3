"""The one way up: a lower layer asks or tells a higher one only through apps.core.hooks."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.core.hooks import HookNotAnswered, Notice, Purposes, Question


def test_a_question_nobody_answers_says_which_app_should_and_one_answer_is_all_it_takes():
    question: Question[[int], int] = Question("double", asked_by="core", answered_by="apps.plans")
    with pytest.raises(HookNotAnswered, match="apps.plans"):
        question(2)

    def double(value: int) -> int:
        return value * 2

    question.answer(double)
    question.answer(double)  # the same function twice, as a reloaded ready() would
    assert question.is_answered
    assert question(21) == 42
    with pytest.raises(ImproperlyConfigured, match="already answered"):
        question.answer(lambda value: value)


def test_a_notice_reaches_every_listener_once_in_the_order_they_listened():
    heard = []
    notice: Notice[[str]] = Notice("changed", sent_by="events", heard_by="hub")
    notice.send("nobody listens yet")

    def first(what: str) -> None:
        heard.append(("first", what))

    def second(what: str) -> None:
        heard.append(("second", what))

    notice.listen(first)
    notice.listen(second)
    notice.listen(first)
    notice.send("event 7")
    assert heard == [("first", "event 7"), ("second", "event 7")]


def test_purposes_dispatch_to_their_one_handler_and_refuse_an_unknown_purpose():
    paid = []
    purposes: Purposes[[int]] = Purposes("payment_succeeded", dispatched_by="payments")
    purposes.register("order", paid.append)
    assert "order" in purposes
    assert purposes.purposes() == ["order"]
    purposes.dispatch("order", 12)
    assert paid == [12]
    with pytest.raises(HookNotAnswered, match="'invoice'"):
        purposes.dispatch("invoice", 3)
    with pytest.raises(ImproperlyConfigured, match="already handled"):
        purposes.register("order", lambda pk: None)
