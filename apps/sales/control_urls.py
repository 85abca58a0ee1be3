from django.urls import path

from apps.sales import control_views

urlpatterns = [
    path("check-in/", control_views.check_in, name="check-in"),
    path("box-office/", control_views.box_office, name="box-office"),
    path("box-office/events/<int:pk>/", control_views.box_office_sell, name="box-office-sell"),
    path("box-office/orders/<int:pk>/", control_views.box_office_receipt, name="box-office-receipt"),
    path("organizers/<int:pk>/payments/", control_views.organizer_payments, name="organizer-payments"),
]
