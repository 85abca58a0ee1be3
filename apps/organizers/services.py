from django.db import transaction
from django.utils.translation import gettext as _

from apps.organizers.models import Distribution, Organizer


@transaction.atomic
def organizer_create(
    *, name: str, slug: str, currency: str = "EUR", country: str = "", legal_name: str = ""
) -> Organizer:
    """Create an organizer with its two default sale channels."""
    organizer = Organizer.objects.create(
        name=name, slug=slug, currency=currency.upper(), country=country, legal_name=legal_name or name
    )
    Distribution.objects.bulk_create(
        [
            Distribution(organizer=organizer, name=_("Online shop"), kind=Distribution.Kind.ONLINE_SHOP),
            Distribution(organizer=organizer, name=_("Box office"), kind=Distribution.Kind.BOX_OFFICE),
        ]
    )
    return organizer
