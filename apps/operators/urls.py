from django.urls import path

from apps.operators import views

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/<int:pk>/", views.member_permissions, name="member-permissions"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
