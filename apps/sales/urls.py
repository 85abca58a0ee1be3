from django.urls import path

from apps.sales import views

urlpatterns = [
    path("", views.storefront_home, name="home"),
    path("orders/<str:code>/<str:secret>/", views.order_detail, name="order-detail"),
    path("orders/<str:code>/<str:secret>/tickets.pdf", views.order_tickets_pdf, name="order-tickets-pdf"),
]
