from django.urls import path

from apps.sales import control_views

urlpatterns = [
    path("check-in/", control_views.check_in, name="check-in"),
    path("organizers/<int:pk>/payments/", control_views.organizer_payments, name="organizer-payments"),
]
