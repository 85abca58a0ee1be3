from django.urls import path

from apps.sales import views

urlpatterns = [
    path("", views.storefront_home, name="home"),
]
