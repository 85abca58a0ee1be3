from django.urls import path

from apps.accounts import views

urlpatterns = [
    path("login/<str:token>/", views.token_login, name="token-login"),
    path("support/end/", views.support_session_leave, name="support-session-end"),
]
