from django.shortcuts import render

from apps.organizers.selectors import organizers_with_distributions


def storefront_home(request):
    """An organizer's shop front on its own host, or the organization's organizers."""
    organizers = [request.organizer] if request.organizer else list(organizers_with_distributions())
    return render(request, "sales/storefront_home.html", {"organizers": organizers})
