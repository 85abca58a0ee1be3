"""The control panel's pages that ask the permission module (mounted under /control/ on
organization hosts). The control panel's home, /control/, is sales' figures dashboard
(apps.sales.views.control_dashboard)."""

from django.urls import path

from apps.operators.views.control import domains, organizers, support, team

urlpatterns = [
    path("organizers/", organizers.organizer_list, name="organizer-list"),
    path("organizers/<int:pk>/", organizers.organizer_detail, name="organizer-detail"),
    path("organizers/<int:pk>/edit/", organizers.organizer_edit, name="organizer-edit"),
    path("organizers/<int:pk>/distributions/", organizers.distribution_add, name="distribution-add"),
    path("distributions/<int:pk>/delete/", organizers.distribution_delete, name="distribution-delete"),
    path("team/", team.team, name="team"),
    path("team/<int:pk>/", team.member_permissions, name="member-permissions"),
    path("invitations/", team.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", team.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", team.invitation_accept, name="invitation-accept"),
    path("domains/", domains.custom_domains, name="custom-domains"),
    path("domains/organizers/<int:organizer_pk>/add/", domains.custom_domain_add, name="custom-domain-add"),
    path("domains/<int:pk>/check/", domains.custom_domain_check, name="custom-domain-check"),
    path("domains/<int:pk>/remove/", domains.custom_domain_remove, name="custom-domain-remove"),
    path("support-sessions/", support.support_sessions, name="support-sessions"),
]
