from django.urls import path

from apps.hub.views import public

urlpatterns = [
    path("events/", public.hub, name="hub"),
]
