"""Questions (issue 15 §3): the rules of each kind of answer (one form, used everywhere),
required or optional, limited to ticket types, asked at checkout, shown on the order pages,
corrected by the buyer until the deadline, managed per role in the control panel, never
crossing between the twin organizations; the box office and the API ask them too."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.events import services as events
from apps.sales.models import Answer, Order, Question, Ticket
from apps.sales.question_forms import AnswersForm
from apps.sales.selectors.questions import answers_deadline, order_answers, questions_of
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.questions import OptionInput, answer_deadline_save, answers_save, question_save
from apps.tenancy import services as tenancy
from tests.factories import (
    ADMIN,
    CONFIGURER,
    OTHER,
    OTHER_ORGANIZATION,
    SELLER,
    programme_build,
    role_matrix,
    twin_sequences,
)
from tests.sales.helpers import payments_connect, shop_build
from tests.sales.roles import OUTSIDERS, client_for, expect
from tests.tenants import ALPHA, BETA

HOST = "asking.localhost"
K = Question.Kind


def _ask(organizer, label, kind, *, per_ticket=True, **fields):
    return question_save(
        organizer=organizer,
        label=label,
        kind=kind,
        asked_for=Question.AskedFor.TICKET if per_ticket else Question.AskedFor.ORDER,
        **fields,
    )


def _tickets(shop, *ticket_types):
    return [Ticket(ticket_type=t) for t in ticket_types]


def _form(shop, data, *ticket_types):
    return AnswersForm(
        data,
        questions=questions_of(shop.organizer.pk, [shop.event.pk]),
        tickets=_tickets(shop, *ticket_types),
    )


@pytest.fixture
def shop(in_alpha):
    return shop_build(capacity=20, slug="asking")


# --- the rules of each kind ------------------------------------------------------------------


KINDS = [
    (K.ATTENDEE_NAME, "  Ada   Lovelace ", "Ada   Lovelace", None),
    (K.EMAIL, "ada@example.com", "ada@example.com", "not-an-address"),
    (K.PHONE, "+33 6 12-34.56 78", "+33612345678", "call me"),
    (K.COMPANY, "Analytical Engines Ltd", "Analytical Engines Ltd", None),
    (K.DATE_OF_BIRTH, "1990-12-10", "1990-12-10", "2999-01-01"),
    (K.YES_NO, "yes", "yes", "maybe"),
    (K.TEXT, "No peanuts, please.", "No peanuts, please.", None),
    (K.COUNTRY, "BE", "BE", "XX"),
]


@pytest.mark.parametrize(("kind", "given", "stored", "refused"), KINDS)
def test_each_kind_checks_and_normalizes_its_answer(shop, kind, given, stored, refused):
    question = _ask(shop.organizer, "Q", kind)
    name = f"q{question.pk}-t1"

    form = _form(shop, {name: given}, shop.day_ticket)

    assert form.is_valid(), form.errors
    assert form.answers()[0].value == stored
    if refused is not None:
        bad = _form(shop, {name: refused}, shop.day_ticket)
        assert not bad.is_valid()
        assert name in bad.errors


def test_choices_keep_the_options_chosen_and_refuse_others(shop):
    menu = _ask(
        shop.organizer,
        "Menu",
        K.CHOICE,
        options=[OptionInput("Meat", "Viande"), OptionInput("Vegetarian", "Végétarien")],
    )
    extras = _ask(
        shop.organizer,
        "Extras",
        K.MULTIPLE_CHOICE,
        options=[OptionInput("Parking"), OptionInput("Cloakroom"), OptionInput("Programme")],
    )
    veggie = menu.options.get(label="Vegetarian")
    parking, programme = extras.options.get(label="Parking"), extras.options.get(label="Programme")
    data = {f"q{menu.pk}-t1": str(veggie.pk), f"q{extras.pk}-t1": [str(parking.pk), str(programme.pk)]}

    form = _form(shop, data, shop.day_ticket)

    assert form.is_valid(), form.errors
    by_question = {a.question.pk: a for a in form.answers()}
    assert by_question[menu.pk].options == (veggie,)
    assert by_question[extras.pk].value == "Parking, Programme"
    other_question_option = str(parking.pk)
    assert not _form(shop, {f"q{menu.pk}-t1": other_question_option}, shop.day_ticket).is_valid()


def test_a_choice_question_needs_two_options(shop):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least two options"):
        _ask(shop.organizer, "Menu", K.CHOICE, options=[OptionInput("Only one")])


def test_required_questions_must_be_answered_optional_ones_may_stay_empty(shop):
    needed = _ask(shop.organizer, "Name", K.ATTENDEE_NAME, required=True)
    optional = _ask(shop.organizer, "Company", K.COMPANY, per_ticket=False)

    empty = _form(shop, {}, shop.day_ticket, shop.day_ticket)

    assert not empty.is_valid()
    assert set(empty.errors) == {f"q{needed.pk}-t1", f"q{needed.pk}-t2"}  # once per ticket
    assert f"q{optional.pk}" in empty.fields  # once for the order
    answered = _form(
        shop, {f"q{needed.pk}-t1": "A", f"q{needed.pk}-t2": "B"}, shop.day_ticket, shop.day_ticket
    )
    assert answered.is_valid()


def test_questions_limited_to_ticket_types_and_events_are_asked_of_those_only(shop):
    pass_only = _ask(shop.organizer, "Shirt size", K.TEXT, ticket_types=[shop.pass_ticket])
    other_event = events.event_create(
        organizer=shop.organizer, location=shop.location, name="Other", distributions=[shop.online]
    )
    elsewhere = _ask(shop.organizer, "Elsewhere", K.TEXT, event=other_event)
    everyone = _ask(shop.organizer, "Everyone", K.TEXT)

    form = _form(shop, None, shop.day_ticket, shop.pass_ticket)

    assert set(form.fields) == {f"q{everyone.pk}-t1", f"q{everyone.pk}-t2", f"q{pass_only.pk}-t2"}
    assert f"q{elsewhere.pk}-t1" not in form.fields


def test_labels_are_shown_in_french_to_french_readers(shop):
    from django.utils import translation

    question = _ask(shop.organizer, "Diet", K.TEXT, label_fr="Régime", help_text="Any allergy?")

    with translation.override("fr"):
        french = _form(shop, None, shop.day_ticket).fields[f"q{question.pk}-t1"]
    english = _form(shop, None, shop.day_ticket).fields[f"q{question.pk}-t1"]

    assert (french.label, english.label) == ("Régime", "Diet")
    assert french.help_text == "Any allergy?"  # no French given: the English one


# --- saving, the attendee's name, the deadline ---------------------------------------------


def _paid(shop, quantity=2, **more):
    return order_create(
        distribution=shop.box_office,
        lines=[OrderLine(ticket_type=shop.day_ticket, quantity=quantity)],
        email="buyer@example.com",
        payment_method=Order.PaymentMethod.CASH,
        **more,
    )


def test_an_attendee_name_question_writes_the_ticket_name_printed_on_it(shop):
    name = _ask(shop.organizer, "Attendee", K.ATTENDEE_NAME)
    order = _paid(shop)
    tickets = list(order.tickets.order_by("pk"))
    form = _form(
        shop, {f"q{name.pk}-t1": "Grace  Hopper", f"q{name.pk}-t2": ""}, shop.day_ticket, shop.day_ticket
    )
    assert form.is_valid()

    answers_save(order=order, answers=form.answers())

    assert [t.attendee_name for t in order.tickets.order_by("pk")] == ["Grace Hopper", ""]
    assert Answer.objects.get().ticket_id == tickets[0].pk
    shown = order_answers(order, list(order.tickets.order_by("pk").select_related("ticket_type")))
    assert shown.tickets[tickets[0].pk][0].text == "Grace Hopper"


def test_the_deadline_is_the_first_date_or_the_setting_event_winning(shop):
    order = _paid(shop, 1)
    start = shop.dates[0].start

    assert answers_deadline(order)[0] == start
    answer_deadline_save(organizer=shop.organizer, hours_before=48)
    assert answers_deadline(order)[0] == start - dt.timedelta(hours=48)
    moment = timezone.now() + dt.timedelta(days=3)
    answer_deadline_save(organizer=shop.organizer, event=shop.event, until=moment)
    assert answers_deadline(order)[0] == moment


def test_the_buyer_cannot_change_answers_past_the_deadline_the_staff_can(shop):
    from apps.sales.exceptions import OrderRejected

    question = _ask(shop.organizer, "Diet", K.TEXT, per_ticket=False)
    order = _paid(shop, 1)
    answer_deadline_save(organizer=shop.organizer, until=timezone.now() - dt.timedelta(minutes=1))
    form = _form(shop, {f"q{question.pk}": "Vegan"}, shop.day_ticket)
    assert form.is_valid()

    with pytest.raises(OrderRejected, match="Answers could be changed until"):
        answers_save(order=order, answers=form.answers(), by_buyer=True)
    assert not Answer.objects.exists()
    answers_save(order=order, answers=form.answers())  # the organizer's staff
    assert Answer.objects.get().value == "Vegan"


# --- the shop: checkout, the order page, correcting ------------------------------------------


@pytest.fixture
def storefront(alpha):
    with schema_context(ALPHA.schema_name):
        shop = shop_build(capacity=12, slug="asking")
        payments_connect(shop.organizer)
        events.ticket_type_update(ticket_type=shop.day_ticket, price=Decimal("0"))
        shop.name_q = _ask(
            shop.organizer, "Attendee name", K.ATTENDEE_NAME, required=True, label_fr="Nom du participant"
        )
        shop.diet_q = _ask(
            shop.organizer,
            "Diet",
            K.CHOICE,
            per_ticket=False,
            options=[OptionInput("Meat", "Viande"), OptionInput("Vegetarian", "Végétarien")],
        )
    tenancy.domain_add(organization=alpha, domain=HOST, organizer_slug="asking")
    return shop


def _checkout(storefront, data, quantity=1):
    buyer = Client(HTTP_HOST=HOST)
    buyer.post(
        f"/events/{storefront.event.pk}/",
        {f"qty-{storefront.day_ticket.pk}-{storefront.dates[0].pk}": str(quantity)},
    )
    return buyer, buyer.post("/cart/", {"email": "guest@example.com", **data})


def test_checkout_asks_the_questions_and_keeps_the_values_of_a_refused_form(storefront):
    buyer, refused = _checkout(
        storefront, {f"q{storefront.diet_q.pk}": "", f"q{storefront.name_q.pk}-t1": ""}
    )

    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Attendee name" in body
    assert "Diet" in body
    assert "This field is required." in body
    with schema_context(ALPHA.schema_name):
        veggie = storefront.diet_q.options.get(label="Vegetarian")
        assert Order.objects.get().status == Order.Status.PENDING
    again = buyer.post(
        "/cart/",
        {
            "email": "guest@example.com",
            f"q{storefront.diet_q.pk}": str(veggie.pk),
            f"q{storefront.name_q.pk}-t1": "",
        },
    )
    assert again.status_code == 400
    assert re.search(rf'value="{veggie.pk}"[^>]*checked', again.content.decode())  # kept

    done = buyer.post(
        "/cart/",
        {
            "email": "guest@example.com",
            f"q{storefront.diet_q.pk}": str(veggie.pk),
            f"q{storefront.name_q.pk}-t1": "Ada",
        },
    )

    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert order.status == Order.Status.PAID
        assert order.tickets.get().attendee_name == "Ada"
        assert {a.value for a in Answer.objects.filter(order=order)} == {"Vegetarian", "Ada"}
    page = buyer.get(done["Location"]).content.decode()
    assert "Vegetarian" in page
    assert "Ada" in page
    assert "Correct your answers" in page


def test_the_buyer_corrects_an_answer_until_the_deadline_then_reads_it(storefront):
    buyer, done = _checkout(storefront, {f"q{storefront.name_q.pk}-t1": "Ada"})
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        meat = storefront.diet_q.options.get(label="Meat")
    url = f"/orders/{order.code}/{order.secret}/answers/"

    changed = buyer.post(
        url, {f"q{storefront.name_q.pk}-t1": "Ada Lovelace", f"q{storefront.diet_q.pk}": str(meat.pk)}
    )

    assert changed.status_code == 302
    with schema_context(ALPHA.schema_name):
        assert order.tickets.get().attendee_name == "Ada Lovelace"
        answer_deadline_save(organizer=storefront.organizer, until=timezone.now() - dt.timedelta(hours=1))
    late = buyer.post(url, {f"q{storefront.name_q.pk}-t1": "Someone else"})
    assert late.status_code == 409
    body = buyer.get(url).content.decode()
    assert "Answers could be changed until" in body
    assert "(Europe/Paris)" in body
    assert "Ada Lovelace" in body
    assert '<form method="post" novalidate>' not in body
    with schema_context(ALPHA.schema_name):
        assert order.tickets.get().attendee_name == "Ada Lovelace"
    assert Client(HTTP_HOST=HOST).get(f"/orders/{order.code}/wrong-secret/answers/").status_code == 404


def test_a_french_reader_sees_the_french_labels(storefront):
    buyer = Client(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="fr")
    buyer.post(
        f"/events/{storefront.event.pk}/", {f"qty-{storefront.day_ticket.pk}-{storefront.dates[0].pk}": "1"}
    )

    body = buyer.get("/cart/").content.decode()

    assert "Nom du participant" in body
    assert "Végétarien" in body
    assert "Vegetarian" not in body


# --- the control panel, per role, twin organizations -----------------------------------------


@pytest.fixture
def asked(world):
    """A question of A (the concert) and one of B in alpha, and beta's twins with the same ids."""
    twin_sequences(ALPHA.schema_name, BETA.schema_name, tables=("sales_question",))
    made = {}
    for schema_name, team in ((ALPHA.schema_name, world.team), (BETA.schema_name, world.beta_twin())):
        with schema_context(schema_name):
            programme = programme_build(team)
            made[schema_name] = {
                "a": _ask(team.a, f"{team.marker}-A diet", K.TEXT, event=programme.concert),
                "b": _ask(team.b, f"{team.marker}-B size", K.TEXT),
                "programme": programme,
            }
    assert made[ALPHA.schema_name]["a"].pk == made[BETA.schema_name]["a"].pk
    return made[ALPHA.schema_name]


PAGE = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS}


@role_matrix(PAGE)
def test_the_questions_page(world, asked, role, expected):
    response = client_for(world, role).get("/control/questions/")

    expect(response, expected)
    body = response.content.decode()
    assert "BETA" not in body
    assert ("ALPHA-A diet" in body) == (role in (ADMIN, CONFIGURER))
    assert ("ALPHA-B size" in body) == (role in (ADMIN, OTHER))


EDIT_A = {ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 404, **OUTSIDERS}


@role_matrix(EDIT_A)
def test_editing_a_question_of_a(world, asked, role, expected):
    client = client_for(world, role)
    url = f"/control/questions/{asked['a'].pk}/edit/"

    expect(client.get(url), expected)
    response = client.post(url, {"label": "Changed", "kind": K.TEXT, "asked_for": "order"})

    with schema_context(ALPHA.schema_name):
        label = Question.objects.get(pk=asked["a"].pk).label
    with schema_context(BETA.schema_name):
        assert Question.objects.get(pk=asked["a"].pk).label == "BETA-A diet"
    if expected == 200:
        assert response.status_code == 302
        assert label == "Changed"
    else:
        assert label == "ALPHA-A diet"


@role_matrix({ADMIN: 302, CONFIGURER: 302, SELLER: 403, OTHER: 403, **OUTSIDERS})
def test_creating_a_question_for_a(world, asked, role, expected):
    with schema_context(ALPHA.schema_name):
        organizer_a = world.team.a.pk
    response = client_for(world, role).post(
        "/control/questions/new/",
        {
            "organizer": organizer_a,
            "label": "Menu",
            "label_fr": "Menu FR",
            "kind": K.CHOICE,
            "options": "Meat | Viande\nFish | Poisson",
            "asked_for": "ticket",
            "required": "on",
        },
    )

    with schema_context(ALPHA.schema_name):
        made = Question.objects.filter(label="Menu").first()
    if expected == 302:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert [(o.label, o.label_fr) for o in made.options.all()] == [
            ("Meat", "Viande"),
            ("Fish", "Poisson"),
        ]
    else:
        assert response.status_code in (200, 400, 403, 302)
        assert made is None


def test_a_choice_without_options_is_a_field_error(world, asked):
    with schema_context(ALPHA.schema_name):
        organizer_a = world.team.a.pk
    response = client_for(world, ADMIN).post(
        "/control/questions/new/",
        {"organizer": organizer_a, "label": "Menu", "kind": K.CHOICE, "asked_for": "order"},
    )

    assert response.status_code == 400
    assert "A choice question needs at least two options." in response.content.decode()


def test_reordering_and_deleting(world, asked):
    client = client_for(world, ADMIN)
    with schema_context(ALPHA.schema_name):
        ids = list(Question.objects.order_by("position", "pk").values_list("pk", flat=True))
        other = _ask(world.team.a, "Third", K.TEXT)

    client.post(f"/control/questions/{other.pk}/move/", {"direction": "up"})

    with schema_context(ALPHA.schema_name):
        assert list(
            Question.objects.filter(organizer=world.team.a).order_by("position").values_list("pk", flat=True)
        ) == [other.pk, ids[0]]
    assert client.get(f"/control/questions/{other.pk}/delete/").status_code == 200
    client.post(f"/control/questions/{other.pk}/delete/")
    with schema_context(ALPHA.schema_name):
        assert not Question.objects.filter(pk=other.pk).exists()
    with schema_context(BETA.schema_name):
        assert Question.objects.count() == 2


# --- the box office --------------------------------------------------------------------------


@pytest.fixture
def counter(world):
    from tests.factories import clients_open

    clients_open(world.team.a, world.team.b, organization=world.alpha)
    with schema_context(ALPHA.schema_name):
        world.programme = programme_build(world.team)
        events.event_publish(event=world.programme.concert)
        world.name_q = _ask(world.team.a, "Attendee", K.ATTENDEE_NAME, required=True)
        world.vip_q = _ask(world.team.a, "VIP", K.YES_NO, per_ticket=False, required=True)
    return world


def test_the_box_office_asks_the_questions_before_selling(counter):
    programme = counter.programme
    client = client_for(counter, SELLER)
    url = f"/control/box-office/events/{programme.concert.pk}/"
    sale = {
        f"qty-{programme.day1_ticket.pk}-{programme.day1.pk}": "2",
        "payment_method": "cash",
        "distribution": counter.team.a_box.pk,
    }

    step = client.post(url, sale)

    assert step.status_code == 200
    body = step.content.decode()
    assert f'name="q{counter.name_q.pk}-t2"' in body
    assert f'name="q{counter.vip_q.pk}"' in body
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.exists()
    incomplete = client.post(url, {**sale, "answers_step": "1", f"q{counter.name_q.pk}-t1": "Ada"})
    assert incomplete.status_code == 400
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.exists()

    sold = client.post(
        url,
        {
            **sale,
            "answers_step": "1",
            f"q{counter.name_q.pk}-t1": "Ada",
            f"q{counter.name_q.pk}-t2": "Grace",
            f"q{counter.vip_q.pk}": "yes",
        },
    )

    assert sold.status_code == 302
    with schema_context(ALPHA.schema_name):
        order = Order.objects.get()
        assert [t.attendee_name for t in order.tickets.order_by("pk")] == ["Ada", "Grace"]
        assert Answer.objects.get(question=counter.vip_q).value == "yes"
    receipt = client.get(sold["Location"]).content.decode()
    assert "Grace" in receipt
    assert "VIP" in receipt


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api_asked(world, programme):
    with schema_context(ALPHA.schema_name):
        world.name_q = _ask(world.team.a, "Attendee", K.ATTENDEE_NAME, required=True)
        world.menu_q = _ask(
            world.team.a,
            "Menu",
            K.MULTIPLE_CHOICE,
            per_ticket=False,
            options=[OptionInput("Meat"), OptionInput("Fish")],
        )
        world.born_q = _ask(world.team.a, "Born", K.DATE_OF_BIRTH, ticket_types=[programme.concert_pass])
        world.gala_q = _ask(world.team.b, "Gala only", K.TEXT, required=True)  # another organizer's
    return world


def _api_sale(world, programme, answers):
    return {
        "distribution": world.team.a_box.pk,
        "email": "buyer@example.com",
        "payment_method": "cash",
        "positions": [{"ticket_type": programme.day1_ticket.pk, "quantity": 2}],
        "answers": answers,
    }


def test_the_api_sells_with_answers_and_refuses_missing_or_bad_ones(api_asked, programme):
    world = api_asked
    with schema_context(ALPHA.schema_name):
        fish = world.menu_q.options.get(label="Fish").pk
    client = world.client(SELLER)

    missing = client.post("/api/v1/orders/", _api_sale(world, programme, []), format="json")
    assert missing.status_code == 400
    assert {(e["question"], e["ticket"]) for e in missing.json()["answers"]} == {
        (world.name_q.pk, 1),
        (world.name_q.pk, 2),
    }
    wrong = [
        {"question": world.name_q.pk, "ticket": 1, "value": "Ada"},
        {"question": world.name_q.pk, "ticket": 2, "value": "Grace"},
        {"question": world.born_q.pk, "ticket": 1, "value": "1990-01-01"},  # pass holders only
        {"question": world.menu_q.pk, "value": [999999]},
    ]
    refused = client.post("/api/v1/orders/", _api_sale(world, programme, wrong), format="json")
    assert refused.status_code == 400
    assert {e["question"] for e in refused.json()["answers"]} == {world.born_q.pk, world.menu_q.pk}
    with schema_context(ALPHA.schema_name):
        assert not Order.objects.exists()

    good = [*wrong[:2], {"question": world.menu_q.pk, "value": [fish]}]
    sold = client.post("/api/v1/orders/", _api_sale(world, programme, good), format="json")

    assert sold.status_code == 201, sold.content
    order_id = sold.json()["id"]
    assert [t["attendee_name"] for t in sold.json()["tickets"]] == ["Ada", "Grace"]
    detail = client.get(f"/api/v1/orders/{order_id}/").json()
    menu = next(a for a in detail["answers"] if a["question"] == world.menu_q.pk)
    assert (menu["value"], menu["options"], menu["ticket"]) == ("Fish", [fish], None)

    corrected = client.post(
        f"/api/v1/orders/{order_id}/answers/",
        {"answers": [{"question": world.name_q.pk, "ticket": 2, "value": "Grace Hopper"}]},
        format="json",
    )
    assert corrected.status_code == 200, corrected.content
    names = sorted(a["value"] for a in corrected.json() if a["question"] == world.name_q.pk)
    assert names == ["Ada", "Grace Hopper"]  # the answer not given again stays
    assert any(a["question"] == world.menu_q.pk for a in corrected.json())
    emptied = client.post(
        f"/api/v1/orders/{order_id}/answers/",
        {"answers": [{"question": world.name_q.pk, "ticket": 1, "value": ""}]},
        format="json",
    )
    assert emptied.status_code == 400  # required
    assert (
        client.post(f"/api/v1/orders/{order_id}/answers/", {"answers": "x"}, format="json").status_code == 400
    )
    assert world.client(OTHER).post(
        f"/api/v1/orders/{order_id}/answers/", {"answers": []}, format="json"
    ).status_code in (403, 404)


# --- shown: the attendee list, the exports, the gate -----------------------------------------


def _sold_with_answers(world):
    """A cash sale of 2 day-1 concert tickets whose answers are Ada and Grace, VIP yes."""
    from apps.sales.question_forms import AnswerInput

    programme = world.programme
    with schema_context(ALPHA.schema_name):
        world.gate_q = _ask(world.team.a, "Diet", K.TEXT, show_at_check_in=True)
        answers = [
            AnswerInput(world.name_q, 1, "Ada"),
            AnswerInput(world.name_q, 2, "Grace"),
            AnswerInput(world.gate_q, 2, "Vegan"),
            AnswerInput(world.vip_q, None, "yes"),
        ]
        return order_create(
            distribution=world.team.a_box,
            lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=2)],
            email="buyer@example.com",
            payment_method=Order.PaymentMethod.CASH,
            answers=answers,
        )


def test_the_attendee_list_has_a_column_per_question(counter):
    _sold_with_answers(counter)

    body = client_for(counter, ADMIN).get(f"/control/events/{counter.programme.concert.pk}/attendees/")

    assert body.status_code == 200
    page = body.content.decode()
    assert '<th scope="col">Diet</th>' in page
    assert '<th scope="col">VIP</th>' in page
    assert "<td>Vegan</td>" in page
    assert page.count("<td>Yes</td>") == 2  # the order's answer, on each of its tickets


def test_the_attendees_export_has_a_column_per_question(counter):
    from apps.sales.selectors.exports import orders_table, tickets_table

    _sold_with_answers(counter)
    with schema_context(ALPHA.schema_name):
        table = tickets_table(counter.team.admin, event=counter.programme.concert)
        rows = list(table.rows)
        everything = tickets_table(counter.team.admin)
        all_rows = list(everything.rows)

    columns = [table.header.index(label) for label in ("Attendee", "VIP", "Diet")]
    assert [[row[i] for i in columns] for row in rows] == [["Ada", "Yes", ""], ["Grace", "Yes", "Vegan"]]
    assert everything.header[-3:] == ["Attendee", "VIP", "Diet"]
    assert [row[-1] for row in all_rows] == ["", "Vegan"]
    with schema_context(ALPHA.schema_name):
        orders = orders_table(counter.team.admin)
        order_rows = list(orders.rows)
    assert orders.header[-1] == "VIP"  # asked once per order; the others are the tickets'
    assert [row[-1] for row in order_rows] == ["Yes"]


def test_the_paper_list_at_the_gate_has_the_answers_flagged_for_it(counter):
    _sold_with_answers(counter)

    page = client_for(counter, ADMIN).get(f"/control/events/{counter.programme.concert.pk}/attendees/print/")

    body = page.content.decode()
    assert '<th scope="col">Diet</th>' in body
    assert "<td>Vegan</td>" in body
    assert '<th scope="col">VIP</th>' not in body


def test_the_gate_shows_the_answers_flagged_for_it(counter):
    order = _sold_with_answers(counter)
    with schema_context(ALPHA.schema_name):
        second = order.tickets.order_by("pk").last().code

    page = client_for(counter, ADMIN).post("/control/check-in/", {"code": second, "admit_other_day": "on"})
    scanned = counter.client(ADMIN).post(
        "/api/v1/check-ins/",
        {"code": order.tickets.order_by("pk").first().code, "admit_other_day": True},
        format="json",
    )

    assert page.status_code == 200
    assert "<dt>Diet</dt><dd>Vegan</dd>" in page.content.decode()
    assert "VIP" not in page.content.decode()  # not flagged
    assert scanned.status_code == 201, scanned.content
    assert scanned.json()["answers"] == [
        {"question": counter.gate_q.pk, "question_label": "Diet", "text": ""}
    ]


ORDER_ANSWERS = {ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 404, **OUTSIDERS}


@role_matrix(ORDER_ANSWERS)
def test_who_corrects_an_orders_answers_in_the_control_panel(counter, role, expected):
    order = _sold_with_answers(counter)
    client = client_for(counter, role)
    url = f"/control/orders/{order.code}/answers/"

    expect(client.get(url), expected)
    data = {
        f"q{counter.name_q.pk}-t1": "Ada",
        f"q{counter.name_q.pk}-t2": "Grace Hopper",
        f"q{counter.vip_q.pk}": "no",
        f"q{counter.gate_q.pk}-t2": "Vegan",
        f"q{counter.gate_q.pk}-t1": "",
    }
    response = client.post(url, data)

    with schema_context(ALPHA.schema_name):
        vip = Answer.objects.get(question=counter.vip_q).value
        history = client_for(counter, ADMIN).get(f"/control/orders/{order.code}/").content.decode()
    if expected == 200:
        assert response.status_code == 302
        assert vip == "no"
        assert "Answers to the questions changed" in history
        assert "2 answers" in history
    else:
        assert vip == "yes"


@role_matrix({ADMIN: 200, CONFIGURER: 200, SELLER: 403, OTHER: 200, **OUTSIDERS})
def test_who_sets_the_deadline_for_answers(counter, role, expected):
    client = client_for(counter, role)
    with schema_context(ALPHA.schema_name):
        organizer_a = counter.team.a.pk

    expect(client.get("/control/questions/deadline/"), expected)
    response = client.post(
        "/control/questions/deadline/",
        {"organizer": organizer_a, "event": counter.programme.concert.pk, "until": "2027-05-30T20:00"},
    )

    with schema_context(ALPHA.schema_name):
        from apps.sales.models import AnswerDeadline

        saved = AnswerDeadline.objects.filter(event=counter.programme.concert).first()
    if role in (ADMIN, CONFIGURER):
        assert response.status_code == 302
        # A wall-clock time of the event's zone (its arena is in Utrecht).
        assert saved.until == dt.datetime(2027, 5, 30, 18, 0, tzinfo=dt.UTC)
    else:
        assert saved is None


def test_a_refunded_ticket_is_not_asked_again(counter):
    from apps.sales.services.payments import order_refund

    order = _sold_with_answers(counter)
    with schema_context(ALPHA.schema_name):
        first = order.tickets.order_by("pk").first()
        order_refund(order_id=order.pk, ticket_ids=[first.pk])

    page = client_for(counter, ADMIN).get(f"/control/orders/{order.code}/answers/").content.decode()

    assert f'name="q{counter.name_q.pk}-t2"' in page
    assert f'name="q{counter.name_q.pk}-t1"' not in page


def test_twin_organizations_with_the_same_ids_keep_their_own_answers(counter):
    from apps.sales.question_forms import AnswerInput
    from tests.factories import api_client, api_token

    twin_sequences(
        ALPHA.schema_name, BETA.schema_name, tables=("sales_question", "sales_order", "sales_answer")
    )
    alpha_order = _sold_with_answers(counter)
    beta = counter.beta_twin()
    with schema_context(BETA.schema_name):
        programme = programme_build(beta)
        events.event_publish(event=programme.concert)
        diet = _ask(beta.a, "BETA diet", K.TEXT, per_ticket=False)
        beta_order = order_create(
            distribution=beta.a_box,
            lines=[OrderLine(ticket_type=programme.day1_ticket, quantity=1)],
            email="beta@example.com",
            payment_method=Order.PaymentMethod.CASH,
            answers=[AnswerInput(diet, None, "BETA-only answer")],
        )
        token = api_token(beta.admin)
    assert beta_order.pk == alpha_order.pk
    beta_api = api_client(host=BETA.host, token=token)

    beta_detail = beta_api.get(f"/api/v1/orders/{beta_order.pk}/").content.decode()
    alpha_detail = counter.client(ADMIN).get(f"/api/v1/orders/{alpha_order.pk}/").content.decode()
    alpha_page = client_for(counter, ADMIN).get(f"/control/orders/{alpha_order.code}/").content.decode()

    assert "BETA-only answer" in beta_detail
    assert "Vegan" not in beta_detail
    assert "Vegan" in alpha_detail
    assert "BETA" not in alpha_detail
    assert "BETA" not in alpha_page
    expect(
        client_for(counter, OTHER_ORGANIZATION).get(f"/control/orders/{alpha_order.code}/answers/"),
        OUTSIDERS[OTHER_ORGANIZATION],
    )


@role_matrix({ADMIN: 200, CONFIGURER: 200, SELLER: 200, OTHER: 200})
def test_the_api_lists_the_questions_one_sells_or_configures_for(api_asked, programme, role, expected):
    world = api_asked

    response = world.client(role).get(f"/api/v1/questions/?event={programme.concert.pk}")

    assert response.status_code == expected
    labels = [q["label_en"] for q in response.json()["results"]]
    assert labels == (
        [] if role == OTHER else ["Attendee", "Menu", "Born"]
    )  # B's gala question is not the concert's
    if labels:
        born = response.json()["results"][2]
        assert (born["kind"], born["asked_for"], born["ticket_types"]) == (
            "date_of_birth",
            "ticket",
            [programme.concert_pass.pk],
        )
        menu = response.json()["results"][1]
        assert [o["label_en"] for o in menu["options"]] == ["Meat", "Fish"]
    everything = world.client(role).get("/api/v1/questions/").json()["results"]
    assert ("Gala only" in [q["label_en"] for q in everything]) == (role in (ADMIN, OTHER))
    assert world.client(role).get("/api/v1/questions/?event=x").json()["results"] == []


def test_the_questions_list_takes_a_fixed_number_of_queries(
    api_asked, programme, django_assert_max_num_queries
):
    client = api_asked.client(ADMIN)
    client.get("/api/v1/questions/")  # warms the caches of the host and the token

    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/questions/").status_code == 200
