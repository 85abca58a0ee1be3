from django.urls import path

from apps.hub import views

urlpatterns = [
    path("events/", views.hub, name="hub"),
]
