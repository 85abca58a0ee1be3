from django.shortcuts import render

from apps.accounts.decorators import requires
from apps.accounts.permissions import can_open_platform_admin
from apps.platform.selectors import organizations_with_domains


def platform_home(request):
    return render(request, "platform/home.html")


@requires(can_open_platform_admin)
def platform_dashboard(request):
    return render(request, "platform/dashboard.html", {"organizations": organizations_with_domains()})
