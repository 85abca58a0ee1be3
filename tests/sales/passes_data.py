"""A season to sell: a shop's event covered by a pass type sold as the ticket of a "Season"
event of the same organizer (tests.sales.helpers.shop_build makes the shop)."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.events import services as events
from apps.sales.models import Order, Pass, PassType
from apps.sales.services.orders import OrderLine, order_create
from apps.sales.services.passes import pass_type_save


@dataclass
class Season:
    shop: object
    event: object  # where the pass is sold
    ticket_type: object  # the pass, as sold
    pass_type: PassType


def season_build(
    shop, *, mode=PassType.Mode.ENTRY, max_uses=None, booking_price=Decimal(0), days=90
) -> Season:
    start = timezone.now() + dt.timedelta(days=1)
    event = events.event_create(
        organizer=shop.organizer,
        location=shop.location,
        name="Season 2027",
        distributions=[shop.online, shop.box_office],
    )
    season_date = events.event_date_create(
        event=event, start=start, end=start + dt.timedelta(days=days), capacity=None
    )
    events.event_publish(event=event)
    ticket_type = events.ticket_type_create(
        event=event, event_date=season_date, name="Season pass", price=Decimal("120.00")
    )
    today = timezone.localdate()
    pass_type = pass_type_save(
        organizer=shop.organizer,
        name="Season pass 2027",
        ticket_type=ticket_type,
        mode=mode,
        valid_from=today,
        valid_until=today + dt.timedelta(days=days),
        events=[shop.event],
        booking_price=booking_price,
        max_uses=max_uses,
    )
    return Season(shop, event, ticket_type, pass_type)


def pass_bought(
    season: Season, *, buyer="Camille Martin", email="camille@example.com", customer=None
) -> Pass:
    order = order_create(
        distribution=season.shop.box_office,
        lines=[OrderLine(ticket_type=season.ticket_type, quantity=1)],
        email=email,
        buyer_name=buyer,
        customer=customer,
        payment_method=Order.PaymentMethod.CASH,
    )
    return Pass.objects.select_related("pass_type", "ticket__order").get(ticket__order=order)
