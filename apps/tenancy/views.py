from django.shortcuts import render


def unknown_host(request):
    """No live organization answers to this host name."""
    return render(request, "tenancy/unknown_host.html", {"host": request.get_host()}, status=404)
