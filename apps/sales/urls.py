from django.urls import path

from apps.sales import views

urlpatterns = [
    path("", views.storefront_home, name="home"),
    path("events/<int:pk>/", views.event_page, name="shop-event"),
    path("cart/", views.cart, name="cart"),
    path("account/orders/", views.my_orders, name="my-orders"),
    path("cart/empty/", views.cart_empty, name="cart-empty"),
    path("checkout/pay/", views.checkout_pay, name="checkout-pay"),
    path("checkout/return/", views.checkout_return, name="checkout-return"),
    path("orders/<str:code>/<str:secret>/", views.order_detail, name="order-detail"),
    path("orders/<str:code>/<str:secret>/tickets.pdf", views.order_tickets_pdf, name="order-tickets-pdf"),
]
