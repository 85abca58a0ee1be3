from apps.organizers.models import Organizer


def organizer_for_host(domain) -> Organizer | None:
    """The organizer a host is bound to (Domain.organizer_slug), if any."""
    if domain is None or not domain.organizer_slug:
        return None
    return Organizer.objects.filter(slug=domain.organizer_slug).first()


def organizers_with_distributions():
    return Organizer.objects.prefetch_related("distributions").order_by("name")


def organization_currencies() -> list[str]:
    """Every currency the organization's organizers sell in."""
    return sorted(set(Organizer.objects.values_list("currency", flat=True)))
