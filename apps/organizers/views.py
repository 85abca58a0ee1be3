from django.shortcuts import render

from apps.accounts.decorators import requires
from apps.accounts.permissions import can_open_control_panel
from apps.organizers.selectors import organizers_with_distributions


@requires(can_open_control_panel)
def control_dashboard(request):
    return render(request, "organizers/dashboard.html", {"organizers": organizers_with_distributions()})
