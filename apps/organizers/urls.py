from django.urls import path

from apps.organizers import views

urlpatterns = [
    path("", views.control_dashboard, name="control-dashboard"),
]
