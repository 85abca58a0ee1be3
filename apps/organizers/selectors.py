from django.db.models import QuerySet

from apps.organizers.models import Organizer
from apps.tenancy.models import Domain


def organizer_for_host(domain: Domain | None) -> Organizer | None:
    """The organizer a host is bound to (Domain.organizer_slug), if any."""
    if domain is None or not domain.organizer_slug:
        return None
    return Organizer.objects.filter(slug=domain.organizer_slug).first()


def organizers_with_distributions() -> QuerySet[Organizer]:
    return Organizer.objects.prefetch_related("distributions").order_by("name")


def organization_currencies() -> list[str]:
    """Every currency the organization's organizers sell in."""
    return sorted(set(Organizer.objects.values_list("currency", flat=True)))
