"""Sales URLs by audience: the storefront's at the host's root, the control panel's under
control/ (config.urls_tenant includes this once)."""

from django.urls import include, path

from apps.sales.views import (
    control,
    control_addons,
    control_customers,
    control_exports,
    control_orders,
    control_passes,
    control_questions,
    control_taxes,
    invoices,
    shop,
    shop_addons,
    shop_answers,
    shop_passes,
)
from apps.sales.views import control_dashboard as figures_dashboard
from apps.sales.views import control_reports as figures_reports

shop_patterns = [
    path("", shop.storefront_home, name="home"),
    path("events/<int:pk>/", shop.event_page, name="shop-event"),
    path("cart/", shop.cart, name="cart"),
    path("account/orders/", shop.my_orders, name="my-orders"),
    path("account/passes/", shop_passes.my_passes, name="my-passes"),
    path("account/passes/<int:pk>/", shop_passes.my_pass, name="my-pass"),
    path("account/passes/<int:pk>/photo/", shop_passes.my_pass_photo, name="my-pass-photo"),
    path("cart/empty/", shop.cart_empty, name="cart-empty"),
    path("cart/add-ons/", shop_addons.cart_add_ons, name="cart-add-ons"),
    path("checkout/pay/", shop.checkout_pay, name="checkout-pay"),
    path("checkout/return/", shop.checkout_return, name="checkout-return"),
    path("orders/<str:code>/<str:secret>/", shop.order_detail, name="order-detail"),
    path("orders/<str:code>/<str:secret>/answers/", shop_answers.order_answers_edit, name="order-answers"),
    path("orders/<str:code>/<str:secret>/tickets.pdf", shop.order_tickets_pdf, name="order-tickets-pdf"),
    path("orders/<str:code>/<str:secret>/invoice/", invoices.invoice_request, name="order-invoice-request"),
    path("orders/<str:code>/<str:secret>/invoice.pdf", invoices.invoice_download, name="order-invoice-pdf"),
]

control_patterns = [
    path("", figures_dashboard.control_dashboard, name="control-dashboard"),
    path("reports/", figures_reports.control_reports, name="control-reports"),
    path("organizers/<int:pk>/ledger/", figures_reports.control_ledger, name="control-ledger"),
    path("events/<int:pk>/sales/", figures_reports.event_sales, name="event-sales"),
    path("check-in/", control.check_in, name="check-in"),
    path("box-office/", control.box_office, name="box-office"),
    path("box-office/events/<int:pk>/", control.box_office_sell, name="box-office-sell"),
    path("box-office/orders/<int:pk>/", control.box_office_receipt, name="box-office-receipt"),
    path("organizers/<int:pk>/payments/", control.organizer_payments, name="organizer-payments"),
    path("fee-rules/", control.fee_rule_list, name="fee-rule-list"),
    path("fee-rules/new/", control.fee_rule_create, name="fee-rule-create"),
    path("fee-rules/<int:pk>/edit/", control.fee_rule_edit, name="fee-rule-edit"),
    path("fee-rules/<int:pk>/delete/", control.fee_rule_delete, name="fee-rule-delete"),
    path("taxes/", control_taxes.tax_rule_list, name="control-tax-rules"),
    path("questions/", control_questions.question_list, name="control-questions"),
    path("questions/new/", control_questions.question_create, name="control-question-create"),
    path("questions/deadline/", control_questions.answer_deadline_edit, name="control-answer-deadline"),
    path("questions/<int:pk>/edit/", control_questions.question_edit, name="control-question-edit"),
    path("questions/<int:pk>/delete/", control_questions.question_delete, name="control-question-delete"),
    path("questions/<int:pk>/move/", control_questions.question_move, name="control-question-move"),
    path("orders/<str:code>/answers/", control_questions.order_answers_edit, name="control-order-answers"),
    path("add-ons/", control_addons.add_on_list, name="control-add-ons"),
    path("add-ons/new/", control_addons.add_on_create, name="control-add-on-create"),
    path("add-ons/<int:pk>/edit/", control_addons.add_on_edit, name="control-add-on-edit"),
    path("add-ons/<int:pk>/delete/", control_addons.add_on_delete, name="control-add-on-delete"),
    path("invoices/", invoices.control_invoice_list, name="control-invoices"),
    path("invoices/<int:pk>/invoice.pdf", invoices.control_invoice_pdf, name="control-invoice-pdf"),
    path("orders/<int:pk>/invoice/", invoices.control_order_invoice, name="control-order-invoice"),
    path("orders/", control_orders.order_list, name="control-order-list"),
    path("orders/<str:code>/", control_orders.order_detail, name="control-order-detail"),
    path("orders/<str:code>/resend/", control_orders.order_resend, name="control-order-resend"),
    path("orders/<str:code>/cancel/", control_orders.order_cancel_view, name="control-order-cancel"),
    path("orders/<str:code>/refund/", control_orders.order_refund_view, name="control-order-refund"),
    path("orders/<str:code>/change/", control_orders.order_change, name="control-order-change"),
    path(
        "orders/<str:code>/tickets.pdf", control_orders.order_tickets_download, name="control-order-tickets"
    ),
    path("taxes/new/", control_taxes.tax_rule_create, name="control-tax-rule-create"),
    path("taxes/<int:pk>/edit/", control_taxes.tax_rule_edit, name="control-tax-rule-edit"),
    path("taxes/<int:pk>/delete/", control_taxes.tax_rule_delete, name="control-tax-rule-delete"),
    path("exports/", control_exports.export_list, name="control-exports"),
    path("passes/", control_passes.pass_type_list, name="control-pass-types"),
    path("passes/new/", control_passes.pass_type_create, name="control-pass-type-create"),
    path("passes/<int:pk>/", control_passes.pass_type_passes, name="control-pass-type-passes"),
    path("passes/<int:pk>/edit/", control_passes.pass_type_edit, name="control-pass-type-edit"),
    path("passes/<int:pk>/delete/", control_passes.pass_type_delete, name="control-pass-type-delete"),
    path("passes/holders/<int:pk>/photo/", control_passes.pass_photo, name="control-pass-photo"),
    path("exports/<int:pk>/", control_exports.export_detail, name="control-export-detail"),
    path("exports/<int:pk>/status/", control_exports.export_status, name="control-export-status"),
    path("exports/download/<str:token>/", control_exports.export_download, name="control-export-download"),
    path("customers/", control_customers.customer_list, name="control-customer-list"),
    path("customers/<path:email>/", control_customers.customer_detail, name="control-customer-detail"),
    path("events/<int:pk>/attendees/", control_customers.attendees_event, name="control-attendees-event"),
    path(
        "events/<int:pk>/attendees/print/",
        control_customers.attendees_event_print,
        name="control-attendees-event-print",
    ),
    path("event-dates/<int:pk>/attendees/", control_customers.attendees_date, name="control-attendees-date"),
    path(
        "event-dates/<int:pk>/attendees/print/",
        control_customers.attendees_date_print,
        name="control-attendees-date-print",
    ),
]

urlpatterns = [
    *shop_patterns,
    path("control/", include(control_patterns)),
]
