from django.urls import path

from apps.sales import control_views, fee_views

urlpatterns = [
    path("check-in/", control_views.check_in, name="check-in"),
    path("box-office/", control_views.box_office, name="box-office"),
    path("box-office/events/<int:pk>/", control_views.box_office_sell, name="box-office-sell"),
    path("box-office/orders/<int:pk>/", control_views.box_office_receipt, name="box-office-receipt"),
    path("organizers/<int:pk>/payments/", control_views.organizer_payments, name="organizer-payments"),
    path("fee-rules/", fee_views.fee_rule_list, name="fee-rule-list"),
    path("fee-rules/new/", fee_views.fee_rule_create, name="fee-rule-create"),
    path("fee-rules/<int:pk>/edit/", fee_views.fee_rule_edit, name="fee-rule-edit"),
    path("fee-rules/<int:pk>/delete/", fee_views.fee_rule_delete, name="fee-rule-delete"),
]
